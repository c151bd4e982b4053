"""A request for a family whose episode is already open (issue 18): instead of a second
episode, which allocation refuses, the hub adds the request to the open episode, passes it to
the lead, or closes it with a reason. Locked and audited as triage and allocation are
(`cases.front_door.services`)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases.episode.selectors import open_episode_of
from cases.front_door.services import ALLOWED, RequestAlreadyHandled, _locked, already_handled
from cases.gate import relations_to
from cases.models import OpenEpisodeResolution, SupportRequest
from cases.models.triage import STATUS_AFTER_RESOLUTION
from cases.notifications import services as notifications
from earlyhelp import audit
from earlyhelp.access import Action, actions_of
from earlyhelp.models import User

REASON_MAX = 2000
Outcome = OpenEpisodeResolution.Outcome


class NoOpenEpisode(ValidationError):
    """The family's episode closed before the hub decided: allocate the request instead."""


@transaction.atomic
def support_request_resolve_open(
    *, support_request_id: int, outcome: str, by: User, reason: str = ""
) -> OpenEpisodeResolution:
    """The hub's way forward for a request whose family already has an open episode, where
    allocation would refuse to open a second one: add the request to that episode (its lead is
    told, and the family's chronology shows it), pass it to the lead (told; the request is
    closed as passed on), or close it with the hub's reason. Never a request with no action.

    The request's row is locked first, as for triage and allocation: of two hub staff deciding
    at once, the second is told who was first (`RequestAlreadyHandled`)."""
    reason = (reason or "").strip()
    problems = {}
    if outcome not in Outcome.values:
        problems["outcome"] = ["Select what happens to the request"]
    if outcome == Outcome.CLOSED and not reason:
        problems["reason"] = ["Enter the reason for closing the request"]
    if len(reason) > REASON_MAX:
        problems["reason"] = [f"The reason must be {REASON_MAX} characters or fewer"]
    if problems:
        raise ValidationError(problems)
    support_request = _locked(support_request_id)
    if Action.ALLOCATE not in actions_of(by, relations_to(by, support_request.family_id)):
        raise PermissionDenied("Only the hub decides what happens to a request")
    if support_request.status != SupportRequest.Status.AWAITING_ALLOCATION:
        raise RequestAlreadyHandled(already_handled(support_request))
    episode = open_episode_of(support_request.family_id, for_update=True)
    if episode is None:
        raise NoOpenEpisode(
            "This family has no open episode now: allocate a lead practitioner instead"
        )
    resolution = OpenEpisodeResolution.objects.create(
        request=support_request,
        episode=episode,
        outcome=outcome,
        lead_practitioner=episode.lead_practitioner,
        reason=reason,
        resolved_by=by,
        resolved_at=timezone.now(),
    )
    support_request.status = STATUS_AFTER_RESOLUTION[outcome]
    support_request.save(update_fields=["status"])
    audit.record(
        by,
        action="resolve_open",
        outcome=ALLOWED,
        family_id=support_request.family_id,
        detail=f"{support_request.reference}: {support_request.get_status_display().lower()}",
    )
    if outcome != Outcome.CLOSED:
        notifications.notify_request_resolved(resolution)
    return resolution
