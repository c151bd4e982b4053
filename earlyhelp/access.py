"""The one access gate: who may see which family or person, and do what there (DOMAIN §1).

Every path that reaches a family or person — page, export, search result,
the partner API — goes through `family_for` / `person_for` for one record
and `families_visible_to` / `persons_visible_to` for lists. No view filters
for permissions on its own.

Each role reaches a family through *relations* (it leads the episode, sits
on the team, its agency holds consent under an agreement, the request is in
the hub's queue…). A relation is one `Exists` subquery, so the same
definition answers "which families" for a list and "how is this user
related to this family" for one record. Each relation grants a set of
actions. No relation: 404, never confirming the record exists. A relation
without the action: 403. Both are audited, as is every allowed read.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from . import audit
from .models import AuditEntry, BreakGlass, Role


class Action(StrEnum):
    VIEW = "view"  # the family summary, its members and their person records
    VIEW_CASEWORK = "view_casework"  # assessment narrative, plan, case notes
    VIEW_EVIDENCE = "view_evidence"  # outcome evidence, results, claims
    EDIT = "edit"  # change the family's or a member's records
    ADD_CASE_NOTE = "add_case_note"
    ADD_EVIDENCE = "add_evidence"  # outcome evidence, and corrections of it
    UPDATE_ACTION = "update_action"  # a TAF action the user owns
    SIGN_OFF = "sign_off"  # assessments and closures
    REASSIGN = "reassign"
    TRIAGE = "triage"
    ALLOCATE = "allocate"
    ATTACH = "attach"
    BUILD_CLAIM = "build_claim"
    RECORD_VERDICT = "record_verdict"
    SEE_AUDIT = "see_audit"  # "who has seen this record"
    MERGE = "merge"  # persons
    # The lead's work on the episode: the assessment, the team, the plan, meetings,
    # reviews and outcome tool scores.
    KEEP_CASE = "keep_case"
    CLOSE = "close"  # ask for the episode's closure, or a step-up to social care
    STEP_DOWN = "step_down"  # social care asks to hand the family back to early help


class Relation(StrEnum):
    LEAD = "lead practitioner"
    TAF = "team around the family"
    AGENCY = "agency consent under a sharing agreement"
    AGENCY_CASEWORK = "agency consent covering casework"
    AGENCY_EVIDENCE = "agency consent covering evidence"
    HUB = "request in the hub's queue"
    EMPLOYMENT_PANEL = "referral before the employment triage panel"
    STEP_UP_AT_FRONT_DOOR = "step-up request at the front door"
    STEP_DOWN_AT_FRONT_DOOR = "step-down request at the front door"
    SOCIAL_CARE = "holds the family in social care after a step-up"
    MANAGER = "manages the lead practitioner"
    PROGRAMME = "attached to the programme"
    PROGRAMME_CANDIDATE = "a candidate for the programme"
    AUDITOR = "in an audit sample"
    BREAK_GLASS = "break-glass access"


A = Action
GRANTS: dict[Relation, frozenset[Action]] = {
    # "lead: everything on the episode but sign-off"
    Relation.LEAD: frozenset(
        {
            A.VIEW,
            A.VIEW_CASEWORK,
            A.VIEW_EVIDENCE,
            A.EDIT,
            A.ADD_CASE_NOTE,
            A.ADD_EVIDENCE,
            A.UPDATE_ACTION,
            A.KEEP_CASE,
            A.CLOSE,
        }
    ),
    # "TAF member: read, update the actions they own, add case notes"
    # Partners on the team bring their agency's evidence (a school's attendance…).
    Relation.TAF: frozenset(
        {A.VIEW, A.VIEW_CASEWORK, A.ADD_CASE_NOTE, A.ADD_EVIDENCE, A.UPDATE_ACTION}
    ),
    # An agency's consent reaches only the kinds of data that both the consent
    # and the agreement cover.
    Relation.AGENCY: frozenset({A.VIEW}),
    Relation.AGENCY_CASEWORK: frozenset({A.VIEW_CASEWORK}),
    # …and an agency whose consent covers evidence may send it (a school's attendance feed).
    Relation.AGENCY_EVIDENCE: frozenset({A.VIEW_EVIDENCE, A.ADD_EVIDENCE}),
    # "read the request and linked records, triage, allocate"
    Relation.HUB: frozenset({A.VIEW, A.VIEW_CASEWORK, A.EDIT, A.TRIAGE, A.ALLOCATE}),
    # The weekly employment triage panel: a completed work conversation is a referral it
    # allocates to a provider (DOMAIN §7). It reads the referral; it changes nothing else.
    Relation.EMPLOYMENT_PANEL: frozenset({A.VIEW, A.ALLOCATE}),
    # "a step-up request goes to the front door, where hub staff … record the decision";
    # "step-down requests from social care go through the same triage" (§4 steps 2, 8).
    Relation.STEP_UP_AT_FRONT_DOOR: frozenset({A.VIEW, A.VIEW_CASEWORK, A.TRIAGE}),
    Relation.STEP_DOWN_AT_FRONT_DOOR: frozenset({A.VIEW, A.VIEW_CASEWORK, A.TRIAGE}),
    # The social worker a step-up handed the family to: "its social workers raise step-down
    # requests" (§4 step 8). It ends when their step-down is accepted.
    Relation.SOCIAL_CARE: frozenset({A.VIEW, A.VIEW_CASEWORK, A.STEP_DOWN}),
    # "read; sign off EHAs and closures; reassign"
    Relation.MANAGER: frozenset(
        {A.VIEW, A.VIEW_CASEWORK, A.VIEW_EVIDENCE, A.SIGN_OFF, A.REASSIGN, A.SEE_AUDIT}
    ),
    # "read the family summary, evidence, outcomes and claims, not case notes or
    # the EHA narrative; attach; build claim batches" — and bring in the evidence the
    # claims rest on: the programme team uploads partners' evidence files (issue 10),
    # for attached families only.
    Relation.PROGRAMME: frozenset(
        {A.VIEW, A.VIEW_EVIDENCE, A.ADD_EVIDENCE, A.ATTACH, A.BUILD_CLAIM}
    ),
    # "…and candidates": an open episode whose signed-off assessment ticks enough indicators to
    # be eligible. The programme team reads the summary and decides whether to attach.
    Relation.PROGRAMME_CANDIDATE: frozenset({A.VIEW, A.ATTACH}),
    # "read their evidence packs; record a verdict"
    Relation.AUDITOR: frozenset({A.VIEW, A.VIEW_EVIDENCE, A.RECORD_VERDICT}),
    Relation.BREAK_GLASS: frozenset({A.VIEW, A.VIEW_CASEWORK, A.VIEW_EVIDENCE, A.SEE_AUDIT}),
}

# Relations that make a family visible at all (the others only widen what a
# visible family allows).
VISIBLE_THROUGH = frozenset(GRANTS) - {Relation.AGENCY_CASEWORK, Relation.AGENCY_EVIDENCE}

ROLE_RELATIONS: dict[str, tuple[Relation, ...]] = {
    Role.PRACTITIONER: (
        Relation.LEAD,
        Relation.TAF,
        Relation.AGENCY,
        Relation.AGENCY_CASEWORK,
        Relation.AGENCY_EVIDENCE,
        Relation.SOCIAL_CARE,
    ),
    Role.HUB: (
        Relation.HUB,
        Relation.STEP_UP_AT_FRONT_DOOR,
        Relation.STEP_DOWN_AT_FRONT_DOOR,
        Relation.EMPLOYMENT_PANEL,
    ),
    Role.MANAGER: (Relation.MANAGER,),
    Role.PROGRAMME: (Relation.PROGRAMME, Relation.PROGRAMME_CANDIDATE),
    Role.AUDITOR: (Relation.AUDITOR,),
    Role.ADMINISTRATOR: (Relation.BREAK_GLASS,),
}

# Actions a role may take on any existing record, whatever its relations:
# administrators read the audit trail of any record (not the record), and
# hub staff and administrators merge duplicate persons (DOMAIN §3).
ROLE_WIDE: dict[str, frozenset[Action]] = {
    Role.ADMINISTRATOR: frozenset({A.SEE_AUDIT, A.MERGE}),
    Role.HUB: frozenset({A.MERGE}),
}


def roles_that_may(action: Action) -> frozenset[str]:
    """The roles with some relation that grants `action` (who a page for it is open to)."""
    return frozenset(
        role
        for role, relations in ROLE_RELATIONS.items()
        if any(action in GRANTS[relation] for relation in relations)
    ) | frozenset(role for role, actions in ROLE_WIDE.items() if action in actions)


def _relation_subqueries(user) -> dict[Relation, Exists]:
    """Each relation the user's role can have, as an Exists over `OuterRef("pk")` of a Family."""
    from cases.models import (
        ClosureReason,
        Consent,
        DataKind,
        Episode,
        StepDecision,
        StepDown,
        StepUp,
        SupportRequest,
        TafMember,
    )
    from outcomes.models import Attachment, AuditSampleItem

    family = OuterRef("pk")
    today = timezone.localdate()
    now = timezone.now()
    wanted = ROLE_RELATIONS.get(user.role, ())
    found: dict[Relation, Exists] = {}
    if Relation.LEAD in wanted:
        found[Relation.LEAD] = Exists(_led_episodes(user).filter(family=family))
    if Relation.TAF in wanted:
        # "An accepted step-up closes the early help episode …; the family may stay known
        # to early help partners as TAF members" (§4 step 8): until a later episode begins.
        later_episode = Exists(
            Episode.objects.filter(family=OuterRef("episode__family"), pk__gt=OuterRef("episode"))
        )
        found[Relation.TAF] = Exists(
            TafMember.objects.filter(
                episode__family=family, user=user, left_on__isnull=True
            ).filter(
                Q(episode__status=Episode.Status.OPEN)
                | Q(episode__closure_reason=ClosureReason.STEPPED_UP) & ~Q(later_episode)
            )
        )
    if Relation.SOCIAL_CARE in wanted:
        handed_back = Exists(
            StepDown.objects.filter(from_step_up=OuterRef("pk"), status=StepDecision.ACCEPTED)
        )
        found[Relation.SOCIAL_CARE] = Exists(
            StepUp.objects.filter(
                episode__family=family, status=StepDecision.ACCEPTED, received_by=user
            ).filter(~Q(handed_back))
        )
    if Relation.AGENCY in wanted and user.team_id:
        shared = _kinds_shared_by_agreements(user.team.organisation_id, today)
        for relation, kind in [
            (Relation.AGENCY, DataKind.SUMMARY),
            (Relation.AGENCY_CASEWORK, DataKind.CASEWORK),
            (Relation.AGENCY_EVIDENCE, DataKind.EVIDENCE),
        ]:
            if kind in shared:
                found[relation] = Exists(
                    Consent.objects.filter(
                        family=family,
                        agencies=user.team.organisation_id,
                        covers__contains=[kind],
                        given_on__lte=today,
                        withdrawn_on__isnull=True,
                    )
                )
    if Relation.HUB in wanted:
        since = now - timedelta(days=settings.HUB_RECENT_TRIAGE_DAYS)
        found[Relation.HUB] = Exists(
            SupportRequest.objects.filter(family=family).filter(
                Q(status__in=SupportRequest.WAITING) | Q(triaged_at__gte=since)
            )
        )
    if Relation.EMPLOYMENT_PANEL in wanted:
        from assessments.models import WorkConversation

        # Like a request: awaiting the panel, or decided there in the last N days.
        found[Relation.EMPLOYMENT_PANEL] = Exists(
            WorkConversation.objects.filter(
                episode__family=family, status=WorkConversation.Status.COMPLETED
            ).filter(
                Q(decided_at__isnull=True)
                | Q(decided_at__gte=now - timedelta(days=settings.HUB_RECENT_TRIAGE_DAYS))
            )
        )
    # Like a request: waiting at the front door, or decided there in the last N days.
    at_front_door = Q(status=StepDecision.PENDING) | Q(
        decided_at__gte=now - timedelta(days=settings.HUB_RECENT_TRIAGE_DAYS)
    )
    if Relation.STEP_UP_AT_FRONT_DOOR in wanted:
        found[Relation.STEP_UP_AT_FRONT_DOOR] = Exists(
            StepUp.objects.filter(episode__family=family).filter(at_front_door)
        )
    if Relation.STEP_DOWN_AT_FRONT_DOOR in wanted:
        found[Relation.STEP_DOWN_AT_FRONT_DOOR] = Exists(
            StepDown.objects.filter(family=family).filter(at_front_door)
        )
    if Relation.MANAGER in wanted:
        found[Relation.MANAGER] = Exists(_managed_episodes(user).filter(family=family))
    if Relation.PROGRAMME in wanted:
        found[Relation.PROGRAMME] = Exists(Attachment.objects.filter(family=family))
    if Relation.PROGRAMME_CANDIDATE in wanted:
        found[Relation.PROGRAMME_CANDIDATE] = Exists(programme_candidates().filter(family=family))
    if Relation.AUDITOR in wanted:
        found[Relation.AUDITOR] = Exists(AuditSampleItem.objects.filter(family=family))
    if Relation.BREAK_GLASS in wanted:
        found[Relation.BREAK_GLASS] = Exists(
            BreakGlass.objects.filter(family=family, user=user, expires_at__gt=now)
        )
    return found


def _led_episodes(user) -> QuerySet:
    """The relation LEAD's one definition: the open episodes `user` leads."""
    from cases.models import Episode

    return Episode.objects.filter(status=Episode.Status.OPEN, lead_practitioner=user)


def episodes_led_by(user) -> QuerySet:
    """The open episodes through which `user` sees a family as its lead (Relation.LEAD): each
    makes its own family visible to them, so a caseload needs no check against the whole
    visible set. Anyone else: none."""
    from cases.models import Episode

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Episode.objects.none()
    if Relation.LEAD not in ROLE_RELATIONS.get(user.role, ()):
        return Episode.objects.none()
    return _led_episodes(user)


def _managed_episodes(user) -> QuerySet:
    """The relation MANAGER's one definition: episodes led by a member of a team `user` manages."""
    from cases.models import Episode

    return Episode.objects.filter(lead_practitioner__team__managers=user)


def episodes_managed_by(user) -> QuerySet:
    """The episodes through which `user` sees a family as a manager (Relation.MANAGER).

    Each such episode makes its own family visible to them, so a list of a manager's team's
    episodes is already inside `families_visible_to(user)`: it is a join, not a check of each
    row against the whole visible set (issue 9's home page). Anyone else: none.
    """
    from cases.models import Episode

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Episode.objects.none()
    if Relation.MANAGER not in ROLE_RELATIONS.get(user.role, ()):
        return Episode.objects.none()
    return _managed_episodes(user)


# Two headline problems need at least two indicators ticked (DOMAIN §5); a coarse filter only.
CANDIDATE_MIN_INDICATORS = 2


def programme_candidates() -> QuerySet:
    """Open episodes not yet attached whose signed-off assessment ticks at least as many
    indicators as eligibility needs headline problems (DOMAIN §1: "candidates … eligible"). The
    attachment page then asks the engine whether they are eligible in fact."""
    from cases.models import Episode

    return Episode.objects.filter(
        status=Episode.Status.OPEN,
        assessment__status="signed_off",
        assessment__indicators__len__gte=CANDIDATE_MIN_INDICATORS,
        attachment__isnull=True,
    )


def _kinds_shared_by_agreements(organisation_id: int, today) -> set[str]:
    from partners.models import InformationSharingAgreement

    kinds: set[str] = set()
    agreements = InformationSharingAgreement.objects.filter(
        organisations=organisation_id, starts_on__lte=today
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    for data_kinds in agreements.values_list("data_kinds", flat=True):
        kinds.update(data_kinds)
    return kinds


def _visible_filter(subqueries: dict[Relation, Exists]) -> Q | None:
    visible = [sub for relation, sub in subqueries.items() if relation in VISIBLE_THROUGH]
    if not visible:
        return None
    condition = Q(visible[0])
    for sub in visible[1:]:
        condition |= Q(sub)
    return condition


def families_visible_to(user) -> QuerySet:
    """Every family the user may see: the only queryset lists and searches start from."""
    from cases.models import Family

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Family.objects.none()
    condition = _visible_filter(_relation_subqueries(user))
    if condition is None:
        return Family.objects.none()
    return Family.objects.filter(condition)


def families_allowing(user, action: Action) -> QuerySet:
    """The families where `user` may take `action` (for bulk work that names many families)."""
    from cases.models import Family

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Family.objects.none()
    subqueries = _relation_subqueries(user)
    visible = _visible_filter(subqueries)
    granting = [sub for relation, sub in subqueries.items() if action in GRANTS[relation]]
    if visible is None or not granting:
        return Family.objects.none()
    condition = Q(granting[0])
    for sub in granting[1:]:
        condition |= Q(sub)
    return Family.objects.filter(visible).filter(condition)


def persons_visible_to(user) -> QuerySet:
    """Every person who is or was a member of a family the user may see."""
    from cases.models import FamilyMember, Person

    visible = families_visible_to(user)
    return Person.objects.filter(
        Exists(FamilyMember.objects.filter(person=OuterRef("pk"), family__in=visible))
    )


def relations_to(user, family_id: int) -> set[Relation]:
    """How this user is related to one family (empty: they may not see it)."""
    from cases.models import Family

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    subqueries = _relation_subqueries(user)
    if not subqueries:
        return set()
    names = {f"rel_{i}": relation for i, relation in enumerate(subqueries)}
    row = (
        Family.objects.filter(pk=family_id)
        .annotate(**{name: subqueries[relation] for name, relation in names.items()})
        .values(*names)
        .first()
    )
    if row is None:
        return set()
    return {relation for name, relation in names.items() if row[name]}


def allowed_actions(user, relations: set[Relation]) -> set[Action]:
    actions: set[Action] = set()
    if relations & VISIBLE_THROUGH:
        for relation in relations:
            actions |= GRANTS[relation]
    return actions


def family_for(user, family_id, *, action: Action = Action.VIEW):
    """The family, if `user` may take `action` on it; else 404 (not visible) or 403. Audited."""
    from cases.models import Family

    family_id = _as_id(family_id)
    family = Family.objects.select_related("locality").filter(pk=family_id).first()
    relations = relations_to(user, family_id) if family else set()
    _decide(
        user,
        action,
        exists=family is not None,
        relations=relations,
        record={"family_id": family_id},
    )
    family.relations = relations
    family.allowed_actions = allowed_actions(user, relations) | ROLE_WIDE.get(user.role, set())
    return family


def person_for(user, person_id, *, action: Action = Action.VIEW):
    """The person, if `user` may take `action` through any family they belong or belonged to."""
    from cases.models import Family, Person

    person_id = _as_id(person_id)
    person = Person.objects.filter(pk=person_id).first()
    relations: set[Relation] = set()
    if person is not None:
        # A merged record is a pointer: it is seen through the record it was merged into.
        through = person_id if person.merged_into_id is None else _survivor_of(person)
        family_ids = Family.objects.filter(memberships__person_id=through).values_list(
            "pk", flat=True
        )
        for family_id in family_ids:
            relations |= relations_to(user, family_id)
    _decide(
        user,
        action,
        exists=person is not None,
        relations=relations,
        record={"person_id": person_id},
    )
    person.relations = relations
    person.allowed_actions = allowed_actions(user, relations) | ROLE_WIDE.get(user.role, set())
    return person


def _survivor_of(person) -> int:
    from cases.models import Person

    survivor_id = person.merged_into_id
    for _ in range(20):  # merges chain rarely; a bound keeps a bad cycle from hanging a page
        next_id = Person.objects.filter(pk=survivor_id).values_list("merged_into_id", flat=True)[0]
        if next_id is None:
            break
        survivor_id = next_id
    return survivor_id


def _decide(user, action: Action, *, exists: bool, relations: set[Relation], record: dict):
    role_wide = ROLE_WIDE.get(getattr(user, "role", None), frozenset())
    if exists and action in role_wide and getattr(user, "is_active", False):
        audit.record(user, action=action, outcome=AuditEntry.Outcome.ALLOWED, **record)
        return
    if not exists or not (relations & VISIBLE_THROUGH):
        audit.record(user, action=action, outcome=AuditEntry.Outcome.NOT_FOUND, **record)
        raise Http404("No such record")
    if action not in allowed_actions(user, relations):
        audit.record(user, action=action, outcome=AuditEntry.Outcome.FORBIDDEN, **record)
        raise PermissionDenied("You cannot do this for this family.")
    audit.record(
        user,
        action=action,
        outcome=AuditEntry.Outcome.ALLOWED,
        detail="; ".join(sorted(relations)),
        **record,
    )


def record_listing(user, families=(), *, persons=(), action: str = "list") -> None:
    """A list or search page: one audit entry naming every family and person it showed."""
    audit.record(
        user,
        action=action,
        outcome=AuditEntry.Outcome.ALLOWED,
        listed_family_ids=[f.pk for f in families],
        listed_person_ids=[p.pk for p in persons],
    )


def _as_id(value) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404("No such record") from None
    if not 0 < pk < 2**63:  # no record has it, and the audit row could not hold it
        raise Http404("No such record")
    return pk


def break_glass_grant(*, user, family_id: int, reason: str) -> BreakGlass:
    """An administrator's time-limited access to one family, with their written reason."""
    from cases.models import Family

    if user.role != Role.ADMINISTRATOR:
        raise PermissionDenied("Only administrators use break-glass access.")
    if not Family.objects.filter(pk=family_id).exists():
        raise Http404("No such record")
    grant = BreakGlass.objects.create(
        user=user,
        family_id=family_id,
        reason=reason,
        expires_at=timezone.now() + timedelta(hours=settings.BREAK_GLASS_HOURS),
    )
    audit.record(
        user,
        action="break_glass",
        outcome=AuditEntry.Outcome.ALLOWED,
        family_id=family_id,
        detail=reason,
    )
    return grant
