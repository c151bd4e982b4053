"""The relations to a family that casework records make (earlyhelp.access has the table).

Each is a `Reach` (the records that make the relation, and the path to their family),
registered with the table when the app is ready. The lead and manager relations are also the
start of the home pages' lists (`episodes_led_by`, `episodes_managed_by`): each such episode
makes its own family visible, so a caseload is a join, not a check of every row against the
whole visible set.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from earlyhelp import policy
from earlyhelp.access import ROLE_RELATIONS, Reach, Relation, defines
from earlyhelp.models import Team, User

from .models import (
    ClosureReason,
    Episode,
    FamilyMember,
    PossibleDuplicate,
    StepDecision,
    StepDown,
    StepUp,
    SupportRequest,
    TafMember,
)


def _led_episodes(user) -> QuerySet:
    """The relation LEAD's one definition: the open episodes `user` leads."""
    return Episode.objects.filter(status=Episode.Status.OPEN, lead_practitioner=user)


def _managed_episodes(user) -> QuerySet:
    """The relation MANAGER's one definition: episodes led by a member of a team `user` manages.

    The leads are found first (a few hundred users), then their episodes by the lead's
    index: PostgreSQL reads a team's open episodes from `episode_open_by_lead` alone rather
    than joining each of thousands to its lead, team and manager."""
    leads = User.objects.filter(team__managers=user).values("pk")
    return Episode.objects.filter(lead_practitioner__in=leads)


def _unled_agency_episodes(user) -> QuerySet:
    """The relation AGENCY_MANAGER's one definition: open episodes with no named lead whose
    lead agency is the organisation of a team `user` manages (DOMAIN §4 step 3)."""
    agencies = Team.objects.filter(managers=user).values("organisation")
    return Episode.objects.filter(
        status=Episode.Status.OPEN, lead_practitioner__isnull=True, lead_agency__in=agencies
    )


def _front_door_window(moment):
    """Waiting at the front door, or decided there within the hub's window (like a request)."""
    since = policy.hub_window_start(moment.now)
    return Q(status=StepDecision.PENDING) | Q(decided_at__gte=since)


@defines(Relation.LEAD)
def _lead(user, wanted, moment) -> dict:
    return {Relation.LEAD: Reach(_led_episodes(user))}


@defines(Relation.TAF)
def _taf(user, wanted, moment) -> dict:
    # "An accepted step-up closes the early help episode …; the family may stay known to
    # early help partners as TAF members" (§4 step 8): until a later episode begins.
    later_episode = Exists(
        Episode.objects.filter(family=OuterRef("episode__family"), pk__gt=OuterRef("episode"))
    )
    member = TafMember.objects.filter(user=user, left_on__isnull=True).filter(
        Q(episode__status=Episode.Status.OPEN)
        | Q(episode__closure_reason=ClosureReason.STEPPED_UP) & ~Q(later_episode)
    )
    return {Relation.TAF: Reach(member, "episode__family")}


def step_ups_held_by(user) -> QuerySet:
    """The accepted step-ups whose families this social worker holds: handed to her, and not
    handed back to early help by an accepted step-down."""
    handed_back = Exists(
        StepDown.objects.filter(from_step_up=OuterRef("pk"), status=StepDecision.ACCEPTED)
    )
    return StepUp.objects.filter(status=StepDecision.ACCEPTED, received_by=user).filter(
        ~Q(handed_back)
    )


@defines(Relation.SOCIAL_CARE)
def _social_care(user, wanted, moment) -> dict:
    return {Relation.SOCIAL_CARE: Reach(step_ups_held_by(user), "episode__family")}


def _front_door_requests(now) -> QuerySet:
    """The relation HUB's one definition: requests waiting, or triaged within the hub's window
    after triage (the stored setting, read by the database in the same query)."""
    since = policy.hub_window_start(now)
    return SupportRequest.objects.filter(
        Q(status__in=SupportRequest.WAITING) | Q(triaged_at__gte=since)
    )


@defines(Relation.HUB)
def _hub(user, wanted, moment) -> dict:
    return {Relation.HUB: Reach(_front_door_requests(moment.now))}


@defines(Relation.DUPLICATE_TO_CHECK)
def _duplicate_to_check(user, wanted, moment) -> dict:
    # Every household of both persons while the check is open. Not the raiser's own: a hub
    # worker who records a person cannot open another family's records by doing so.
    # The two sides as one list of persons, so that their memberships are found through the
    # person index (an OR of two IN read every membership in the database).
    open_checks = (
        PossibleDuplicate.objects.filter(decided_at__isnull=True).exclude(raised_by=user).order_by()
    )
    in_question = open_checks.values("person").union(open_checks.values("known"), all=True)
    return {Relation.DUPLICATE_TO_CHECK: Reach(FamilyMember.objects.filter(person__in=in_question))}


@defines(Relation.STEP_UP_AT_FRONT_DOOR, Relation.STEP_DOWN_AT_FRONT_DOOR)
def _at_front_door(user, wanted, moment) -> dict:
    window = _front_door_window(moment)
    return {
        Relation.STEP_UP_AT_FRONT_DOOR: Reach(StepUp.objects.filter(window), "episode__family"),
        Relation.STEP_DOWN_AT_FRONT_DOOR: Reach(StepDown.objects.filter(window)),
    }


@defines(Relation.MANAGER)
def _manager(user, wanted, moment) -> dict:
    return {Relation.MANAGER: Reach(_managed_episodes(user))}


@defines(Relation.AGENCY_MANAGER)
def _agency_manager(user, wanted, moment) -> dict:
    return {Relation.AGENCY_MANAGER: Reach(_unled_agency_episodes(user))}


def _signed_in(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active


def _holds(user, relation: Relation) -> bool:
    """Whether `user`, signed in, has a role that can hold `relation`."""
    return _signed_in(user) and relation in ROLE_RELATIONS.get(user.role, ())


def episodes_led_by(user) -> QuerySet:
    """The open episodes through which `user` sees a family as its lead (Relation.LEAD): each
    makes its own family visible to them, so a caseload needs no check against the whole
    visible set. Anyone else: none."""
    if not _holds(user, Relation.LEAD):
        return Episode.objects.none()
    return _led_episodes(user)


def requests_waiting_for(user) -> QuerySet:
    """The requests waiting for triage or allocation, for a user who sees families through
    them (Relation.HUB). Each makes its own family visible to them, so the hub's queue and its
    counts are a list of requests, not a check of each against the whole visible set. Anyone
    else: none."""
    if not _holds(user, Relation.HUB):
        return SupportRequest.objects.none()
    return _front_door_requests(timezone.now()).filter(status__in=SupportRequest.WAITING)


def step_ups_waiting_for(user) -> QuerySet:
    """The step-ups awaiting the front door's decision, for a user who sees families through
    them (Relation.STEP_UP_AT_FRONT_DOOR): as `requests_waiting_for`, each makes its own family
    visible, so the hub's one queue lists them without a check against the visible set."""
    if not _holds(user, Relation.STEP_UP_AT_FRONT_DOOR):
        return StepUp.objects.none()
    return StepUp.objects.filter(status=StepDecision.PENDING)


def step_downs_waiting_for(user) -> QuerySet:
    """The step-downs awaiting the front door's decision (Relation.STEP_DOWN_AT_FRONT_DOOR)."""
    if not _holds(user, Relation.STEP_DOWN_AT_FRONT_DOOR):
        return StepDown.objects.none()
    return StepDown.objects.filter(status=StepDecision.PENDING)


def manages(user) -> bool:
    """Whether `user` sees families as a manager (Relation.MANAGER)."""
    return _holds(user, Relation.MANAGER)


def episodes_managed_by_id(manager_id) -> QuerySet:
    """`episodes_managed_by` for a manager known only by id: for a read declared once and
    run for each manager (earlyhelp.compiled). The caller has asked `manages(manager)`."""
    return _managed_episodes(manager_id)


def episodes_managed_by(user) -> QuerySet:
    """The episodes through which `user` sees a family as a manager (Relation.MANAGER).

    Each such episode makes its own family visible to them, so a list of a manager's team's
    episodes is already inside `families_visible_to(user)`: it is a join, not a check of each
    row against the whole visible set (issue 9's home page). Anyone else: none.
    """
    if not manages(user):
        return Episode.objects.none()
    return _managed_episodes(user)


def episodes_without_lead_for(user) -> QuerySet:
    """The open episodes with no named lead through which `user` sees a family as a manager of
    its lead agency (Relation.AGENCY_MANAGER): each makes its own family visible to them.
    Anyone else: none."""
    if not _holds(user, Relation.AGENCY_MANAGER):
        return Episode.objects.none()
    return _unled_agency_episodes(user)
