"""A change of lead practitioner (and with them the lead agency): today, or scheduled for a later
day (DOMAIN §4 step 8: "Every change of lead agency is kept as history with dates").

History is never rewritten (issue 18). A change takes effect today or later, never before the
current lead took over (the later of the episode's start and the last change's date), so the
periods of the lead history follow one another and never overlap. A change dated after today
is SCHEDULED: the episode keeps its lead until that day, when `lead_changes_apply_due` (the
nightly beat, and any later change of the same episode) applies it; until then it can be
cancelled. A change that took effect on a day gone by is never changed or deleted, which the
database refuses too (trigger `lead_change_past_kept`).

Every service takes `today` (the local date unless given), so a simulation or a test moves
time by passing a date.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.episode.services import Problems, date_missing, require_open, text_limit_problems
from cases.models import Episode, LeadChange
from cases.notifications import services as notifications
from earlyhelp import audit
from earlyhelp.models import AuditEntry

ALLOWED = AuditEntry.Outcome.ALLOWED
SCHEDULED = LeadChange.Status.SCHEDULED
APPLIED = LeadChange.Status.APPLIED

LEAD_CHANGED_ON = "Date the new lead takes over"
LEAD_CHANGED_IN_THE_PAST = "The date the new lead takes over must be today or in the future"
ALREADY_LEADS = "They lead this episode already"


def long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def left_the_service(user) -> str:
    """A deactivated user cannot be given a family to lead (a page never offers them; a stale
    choice, or the API, could)."""
    return f"{user.get_full_name() or user} has left the service: select someone else"


def lead_before_current(since: date, lead) -> str:
    who = f"{lead} became the lead" if lead else "the current lead began"
    return (
        "The date the new lead takes over must be the same as or after "
        f"{long_date(since)}, when {who}"
    )


def lead_since(episode: Episode) -> date:
    """When the episode's current lead took over: the later of its start and its last change
    that has taken effect."""
    last = (
        LeadChange.objects.filter(episode=episode, status=APPLIED)
        .order_by("-changed_on", "-pk")
        .values_list("changed_on", flat=True)
        .first()
    )
    return max(episode.started_on, last) if last else episode.started_on


def scheduled_lead_change_of(episode: Episode) -> LeadChange | None:
    """The episode's move that has not taken effect yet (one at most), with its new lead."""
    return (
        LeadChange.objects.filter(episode=episode, status=SCHEDULED)
        .select_related("to_practitioner", "to_agency")
        .first()
    )


def lead_change_date_problems(
    changed_on: date | None, *, since: date, lead, today: date, field: str = "changed_on"
) -> Problems:
    """The new lead takes over today or later, never before the current lead's start."""
    if changed_on is None:
        return {field: [date_missing(LEAD_CHANGED_ON)]}
    if changed_on < since:
        return {field: [lead_before_current(since, lead)]}
    if changed_on < today:
        return {field: [LEAD_CHANGED_IN_THE_PAST]}
    return {}


def _already_scheduled(change: LeadChange) -> str:
    return (
        f"A move to {change.to_practitioner} is already scheduled for "
        f"{long_date(change.changed_on)}: cancel it before choosing another"
    )


def _take_effect(change: LeadChange, episode: Episode) -> None:
    """The change's new lead leads the episode from now on; the lead agency follows the new
    lead's organisation, and the new lead sits on the team as lead, not also as a member."""
    if change.status == SCHEDULED:
        # Whoever leads on the day is who the move is from.
        change.from_practitioner = episode.lead_practitioner
        change.from_agency = episode.lead_agency
        change.status = APPLIED
        change.save(update_fields=["from_practitioner", "from_agency", "status"])
    episode.lead_practitioner = change.to_practitioner
    episode.lead_agency = change.to_agency
    episode.save(update_fields=["lead_practitioner", "lead_agency"])
    episode.taf_members.filter(user=change.to_practitioner, left_on__isnull=True).update(
        left_on=change.changed_on
    )


@transaction.atomic
def lead_change(
    *, episode, to_practitioner, changed_on, reason, by, today=None, notify=True
) -> LeadChange:
    """A manager moves the episode to `to_practitioner` from `changed_on` (today or later).

    `notify=False` leaves telling the new lead to the caller (a caseload move tells each
    receiving worker once, of all their new families)."""
    today = today or timezone.localdate()
    lead_changes_apply_due(today=today, episode=episode)
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    require_open(episode)
    problems = text_limit_problems(reason=("Why the lead changes", reason))
    problems |= lead_change_date_problems(
        changed_on, since=lead_since(episode), lead=episode.lead_practitioner, today=today
    )
    if to_practitioner is None:
        problems["to_practitioner"] = ["Select the new lead practitioner"]
    elif to_practitioner == episode.lead_practitioner:
        problems["to_practitioner"] = [ALREADY_LEADS]
    elif not to_practitioner.is_active:
        problems["to_practitioner"] = [left_the_service(to_practitioner)]
    if scheduled := scheduled_lead_change_of(episode):
        problems.setdefault("changed_on", []).append(_already_scheduled(scheduled))
    if problems:
        raise ValidationError(problems)
    change = LeadChange.objects.create(
        episode=episode,
        changed_on=changed_on,
        status=SCHEDULED if changed_on > today else APPLIED,
        from_practitioner=episode.lead_practitioner,
        from_agency=episode.lead_agency,
        to_practitioner=to_practitioner,
        to_agency=to_practitioner.organisation,
        reason=reason,
        recorded_by=by,
    )
    if change.status == APPLIED:
        _take_effect(change, episode)
    audit.record(
        by,
        action="lead_change" if change.status == APPLIED else "lead_change_scheduled",
        outcome=ALLOWED,
        family_id=episode.family_id,
        detail=f"to user {to_practitioner.pk} on {changed_on.isoformat()}",
    )
    if notify:
        if change.status == APPLIED:
            notifications.notify_allocated(episode)
        else:
            notifications.notify_lead_scheduled(change)
    return change


@transaction.atomic
def lead_change_cancel(*, change: LeadChange, by, today=None) -> None:
    """A scheduled move is cancelled before its day; one that has taken effect is history."""
    today = today or timezone.localdate()
    change = LeadChange.objects.select_for_update().filter(pk=change.pk).first()
    if change is None or change.status != SCHEDULED or change.changed_on <= today:
        raise ValidationError("This change of lead has taken effect: it cannot be cancelled")
    family_id = change.episode.family_id
    detail = f"to user {change.to_practitioner_id} on {change.changed_on.isoformat()}"
    change.delete()
    audit.record(
        by, action="lead_change_cancelled", outcome=ALLOWED, family_id=family_id, detail=detail
    )


def lead_changes_apply_due(*, today=None, episode=None) -> int:
    """Every scheduled move whose day has come takes effect (one episode's, if given). Run it
    again, or twice at once, and it applies nothing more: each change is claimed under a lock
    and applied only while still scheduled. A move scheduled for an episode since closed
    lapses. Returns how many took effect."""
    today = today or timezone.localdate()
    due = LeadChange.objects.filter(status=SCHEDULED, changed_on__lte=today)
    if episode is not None:
        due = due.filter(episode=episode)
    applied = 0
    for pk in list(due.order_by("changed_on", "pk").values_list("pk", flat=True)):
        with transaction.atomic():
            change = (
                LeadChange.objects.select_for_update()
                .select_related("to_practitioner", "episode__family")
                .filter(pk=pk, status=SCHEDULED)
                .first()
            )
            if change is None:
                continue
            open_episode = Episode.objects.select_for_update().get(pk=change.episode_id)
            if open_episode.status != Episode.Status.OPEN:
                change.delete()
                audit.record(
                    None,
                    action="lead_change_lapsed",
                    outcome=ALLOWED,
                    family_id=open_episode.family_id,
                    detail=f"to user {change.to_practitioner_id}: the episode closed first",
                )
                continue
            _take_effect(change, open_episode)
            audit.record(
                None,
                action="lead_change",
                outcome=ALLOWED,
                family_id=open_episode.family_id,
                detail=f"scheduled, to user {change.to_practitioner_id} on {change.changed_on}",
            )
            notifications.notify_allocated(open_episode)
            applied += 1
    return applied


def lead_history_breaks(episodes=None) -> list[tuple[int, str]]:
    """What would make an episode's lead history overlap or look rewritten, as (episode id,
    what): a change dated before the episode began, a change dated before one recorded
    earlier, more than one scheduled move, or a scheduled move on a closed episode. A
    simulation checks it each simulated day; none is expected. One query."""
    changes = LeadChange.objects.select_related("episode").order_by("episode_id", "pk")
    if episodes is not None:
        changes = changes.filter(episode__in=episodes)
    breaks, last_of, scheduled_of = [], {}, {}
    for change in changes:
        episode = change.episode
        if change.changed_on < episode.started_on:
            breaks.append((episode.pk, f"a change dated {change.changed_on} before its start"))
        if change.status == SCHEDULED:
            scheduled_of[episode.pk] = scheduled_of.get(episode.pk, 0) + 1
            if episode.status != Episode.Status.OPEN:
                breaks.append((episode.pk, "a scheduled move on a closed episode"))
            continue
        last = last_of.get(episode.pk)
        if last and change.changed_on < last:
            breaks.append((episode.pk, f"a change dated {change.changed_on} after one of {last}"))
        last_of[episode.pk] = change.changed_on
    breaks += [(pk, "more than one scheduled move") for pk, n in scheduled_of.items() if n > 1]
    return breaks
