"""Reads for allocation (DOMAIN §4 step 3): who is already engaged with a family, each
practitioner's caseload against the target, and the families waiting for a lead practitioner.

"Engaged" is read from the records: a practitioner who led one of the family's episodes (its
lead at the start or after a change of lead), or who was on its team around the family, now or
in the past. That is who the hub may name itself; anyone else the agency's team manager names.
"""

from __future__ import annotations

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from cases.models import Allocation, Episode, LeadChange, TafMember
from cases.relations import episodes_without_lead_for
from earlyhelp import listing
from earlyhelp.models import Organisation, Role, User

# How the pages say it: "already engaged with the family: <this>".
ENGAGED_MEANS = (
    "they led one of the family's episodes, or were on its team around the family, now or in "
    "the past"
)


def _engaged_with(family_id) -> ExpressionWrapper:
    """Whether the outer User row is engaged with the family (see the module's docstring)."""
    user = OuterRef("pk")
    led = Exists(Episode.objects.filter(family=family_id, lead_practitioner=user))
    on_team = Exists(TafMember.objects.filter(episode__family=family_id, user=user))
    changed = Exists(
        LeadChange.objects.filter(episode__family=family_id).filter(
            Q(from_practitioner=user) | Q(to_practitioner=user)
        )
    )
    return ExpressionWrapper(led | on_team | changed, output_field=BooleanField())


def allocation_candidates(*, agency: Organisation, family_id: int | None = None) -> QuerySet:
    """Active practitioners of the agency with their caseload (open episodes they lead) and,
    for a family, whether each is engaged with it: the engaged first, then the lightest."""
    candidates = (
        User.objects.filter(role=Role.PRACTITIONER, is_active=True, team__organisation=agency)
        .select_related("team")
        .annotate(
            caseload=Count("led_episodes", filter=Q(led_episodes__status=Episode.Status.OPEN))
        )
    )
    if family_id is None:
        return candidates.order_by("caseload", "last_name", "first_name", "pk")
    return candidates.annotate(engaged=_engaged_with(family_id)).order_by(
        "-engaged", "caseload", "last_name", "first_name", "pk"
    )


def engaged_candidates(*, agency: Organisation, family_id: int) -> QuerySet:
    """The practitioners of the agency the hub may name itself: those engaged with the family."""
    return allocation_candidates(agency=agency, family_id=family_id).filter(engaged=True)


def is_engaged(user: User, *, family_id: int) -> bool:
    return User.objects.filter(pk=user.pk).filter(_engaged_with(family_id)).exists()


def agency_managers(agency: Organisation) -> QuerySet:
    """Who names the agency's lead practitioners: the active managers of its teams."""
    return User.objects.filter(
        role=Role.MANAGER, is_active=True, managed_teams__organisation=agency
    ).distinct()


def _unled_allocations(user, *, single_service: bool) -> QuerySet:
    episodes = episodes_without_lead_for(user).filter(single_service=single_service)
    return (
        Allocation.objects.filter(episode__in=episodes.values("pk"))
        .select_related("request__family", "lead_agency", "allocated_by", "episode")
        .order_by("allocated_at", "pk")
    )


def families_waiting_for_lead(user) -> listing.Listing:
    """P3a allocations to the agencies of the teams `user` manages, no lead named yet, oldest
    first: the manager names each one's lead."""
    return listing.first_rows(_unled_allocations(user, single_service=False))


def single_service_responses(user) -> listing.Listing:
    """P3b allocations to the agencies of the teams `user` manages: open, with no named lead."""
    return listing.first_rows(_unled_allocations(user, single_service=True))
