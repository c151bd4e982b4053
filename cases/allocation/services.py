"""The lead agency's team manager names the lead practitioner (DOMAIN §4 step 3).

The hub's allocation opened the family's episode with the lead agency alone
(`cases.front_door.services.support_request_allocate`); naming sets its lead. The allocation's
row is locked first, so two managers naming at once are served one after the other and the
second is told who was first.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone

from cases.front_door.services import A_MOMENT, is_candidate
from cases.models import Allocation, Episode, LeadChange
from earlyhelp import audit
from earlyhelp.models import AuditEntry, User

NAMED_BY_THE_MANAGER = "Lead practitioner named by the lead agency's team manager"


class LeadAlreadyNamed(ValidationError):
    """Someone else named this family's lead practitioner first."""


@transaction.atomic
def allocation_name_lead(*, allocation_id: int, lead_practitioner: User, by: User) -> Allocation:
    """Name the lead practitioner of an allocation the hub made to the agency alone.

    Anyone of the agency may be named: someone already engaged with the family, or with the
    best skills (the page shows which are engaged, and each one's caseload against the target).
    """
    # Nothing that naming changes is joined here: a join read while waiting for the lock
    # would show the first manager's row without the lead they named.
    allocation = (
        Allocation.objects.select_for_update(of=("self",))
        .select_related("lead_agency", "request")
        .get(pk=allocation_id)
    )
    episode = Episode.objects.select_for_update(of=("self",)).get(pk=allocation.episode_id)
    refusal = _refusal(allocation, episode)
    if refusal:
        raise LeadAlreadyNamed(refusal)
    if not is_candidate(lead_practitioner, allocation.lead_agency):
        raise ValidationError(
            {
                "lead_practitioner": (
                    f"{lead_practitioner} is not a practitioner of {allocation.lead_agency}"
                )
            }
        )
    caseload = Episode.objects.filter(
        lead_practitioner=lead_practitioner, status=Episode.Status.OPEN
    ).count()
    today, now = timezone.localdate(), timezone.now()
    if today > episode.started_on:
        # The days the agency held the family with no named lead stay in its lead history.
        LeadChange.objects.create(
            episode=episode,
            changed_on=today,
            from_practitioner=None,
            from_agency=episode.lead_agency,
            to_practitioner=lead_practitioner,
            to_agency=episode.lead_agency,
            reason=NAMED_BY_THE_MANAGER,
            recorded_by=by,
        )
    episode.lead_practitioner = lead_practitioner
    episode.save(update_fields=["lead_practitioner"])
    # The new lead sits on the team as lead, not also as a member.
    episode.taf_members.filter(user=lead_practitioner, left_on__isnull=True).update(left_on=today)
    allocation.lead_practitioner = lead_practitioner
    allocation.caseload_then = caseload
    allocation.named_by, allocation.named_at = by, now
    allocation.save(update_fields=["lead_practitioner", "caseload_then", "named_by", "named_at"])
    audit.record(
        by,
        action="name_lead",
        outcome=AuditEntry.Outcome.ALLOWED,
        family_id=episode.family_id,
        detail=f"{allocation.request.reference}: {lead_practitioner} ({allocation.lead_agency})",
    )
    from cases.notifications.services import notify_allocated

    notify_allocated(episode)
    return allocation


def _refusal(allocation: Allocation, episode: Episode) -> str:
    """Why no lead can be named now, or "" if one can."""
    if allocation.lead_practitioner_id:
        return (
            f"{allocation.named_by} named {allocation.lead_practitioner} as lead practitioner "
            f"{when(allocation.named_at)}"
        )
    if episode.status != Episode.Status.OPEN:
        return "The family's episode is closed: there is no lead practitioner to name"
    if episode.lead_practitioner_id:
        return f"{episode.lead_practitioner} leads this family's episode already"
    if episode.single_service:
        return (
            f"This is a single-service response by {allocation.lead_agency}: "
            "it has no named lead practitioner"
        )
    return ""


def when(moment) -> str:
    if timezone.now() - moment < A_MOMENT:
        return "a moment ago"
    return "on " + formats.date_format(timezone.localtime(moment), "j F Y")
