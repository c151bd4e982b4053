"""Bulk re-allocation: a leaver's open caseload moves to another worker of the team (issue 9).

Each episode moves through `closure_services.lead_change`, so each records its
`LeadChange`, is audited and tells the new lead, as a single change would. Run
twice, the second run finds nothing left to move.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases.closure.services import lead_change
from cases.episode.services import Problems, text_limit_problems
from cases.gate import families_allowing
from cases.models import Episode, LeadChange
from earlyhelp import audit
from earlyhelp.access import Action, role_may
from earlyhelp.models import AuditEntry

CHANGED_ON_IN_THE_FUTURE = "The date must be today or in the past"


def changed_on_problems(changed_on) -> Problems:
    """The cases move today or on a day gone by (each on the day its episode began, if that
    was later), as a single change of lead does."""
    if changed_on is not None and changed_on > timezone.localdate():
        return {"changed_on": [CHANGED_ON_IN_THE_FUTURE]}
    return {}


def episodes_to_reallocate(by, from_practitioner):
    """`from_practitioner`'s open episodes that `by` may reassign."""
    return Episode.objects.filter(
        status=Episode.Status.OPEN,
        lead_practitioner=from_practitioner,
        family__in=families_allowing(by, Action.REASSIGN),
    ).order_by("pk")


@transaction.atomic
def caseload_reallocate(
    *, from_practitioner, to_practitioner, changed_on, reason, by
) -> list[LeadChange]:
    """Move every open episode `from_practitioner` leads to `to_practitioner`."""
    if not role_may(by, Action.REASSIGN):
        raise PermissionDenied("Only managers re-allocate a caseload.")
    managed = set(by.managed_teams.values_list("pk", flat=True))
    if from_practitioner.team_id not in managed:
        raise PermissionDenied("You do not manage this worker's team.")
    problems = text_limit_problems(reason=("Why the cases move", reason)) | changed_on_problems(
        changed_on
    )
    if to_practitioner.team_id != from_practitioner.team_id:
        problems["to_practitioner"] = ["Choose a worker of the same team"]
    elif to_practitioner == from_practitioner:
        problems["to_practitioner"] = ["Choose another worker"]
    if problems:
        raise ValidationError(problems)
    changes = []
    for episode in episodes_to_reallocate(by, from_practitioner).select_for_update():
        changes.append(
            lead_change(
                episode=episode,
                to_practitioner=to_practitioner,
                changed_on=max(changed_on, episode.started_on),
                reason=reason,
                by=by,
            )
        )
    audit.record(
        by,
        action="caseload_reallocate",
        outcome=AuditEntry.Outcome.ALLOWED,
        listed_family_ids=[change.episode.family_id for change in changes],
        detail=f"{len(changes)} from user {from_practitioner.pk} to user {to_practitioner.pk}",
    )
    return changes
