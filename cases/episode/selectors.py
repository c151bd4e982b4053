"""Reads about a family's episodes: its open episode, who led it over time and how each period
began, and the re-referrals to social care after a step-down (DOMAIN §4 step 8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import QuerySet
from django.utils import timezone

from cases.models import Episode, LeadChange, StepDecision, StepDown, StepUp, TafMember


def open_episodes() -> QuerySet[Episode]:
    """Open episodes with their lead practitioner (and the practitioner's agency) and lead
    agency: one definition for a family's open episode and for lists that prefetch them."""
    return Episode.objects.filter(status=Episode.Status.OPEN).select_related(
        "lead_practitioner__team__organisation", "lead_agency"
    )


def open_episode_of(family, *, for_update: bool = False) -> Episode | None:
    """The family's open episode (a family has one at most), or None. `for_update` locks its
    row until the transaction ends."""
    episodes = open_episodes().filter(family=family)
    if for_update:
        episodes = episodes.select_for_update(of=("self",))
    return episodes.first()


def latest_episode_of(family) -> Episode | None:
    """The family's most recent episode, open or closed (None before any)."""
    return Episode.objects.filter(family=family).order_by("-started_on", "-pk").first()


def current_team() -> QuerySet[TafMember]:
    """Team around the family members who have not left, with their agency: one definition
    for an episode's current team and for the pages that list or choose from it."""
    return TafMember.objects.filter(left_on__isnull=True).select_related(
        "user__team__organisation", "episode"
    )


def current_team_of(episode) -> QuerySet[TafMember]:
    """An episode's current team around the family (its lead is not a member of it)."""
    return current_team().filter(episode=episode)


@dataclass(frozen=True)
class LeadPeriod:
    started_on: date
    ended_on: date | None
    agency: object
    practitioner: object
    how: str
    scheduled: bool = False

    @property
    def current(self) -> bool:
        return self.ended_on is None and not self.scheduled


def lead_history(episodes, lead_changes, step_ups, step_downs) -> list[LeadPeriod]:
    """Who led the family, from when to when, and how each period began (newest first): the
    changes that have taken effect, in date order, each period ending when the next begins so
    none overlaps; before them, an open episode's scheduled move, from its day."""
    opened_by = {s.new_episode_id: s for s in step_downs if s.new_episode_id}
    open_ids = {e.pk for e in episodes if e.status == Episode.Status.OPEN}
    changes_of: dict[int, list[LeadChange]] = {}
    scheduled = []
    for change in sorted(lead_changes, key=lambda c: (c.changed_on, c.pk)):
        if change.status == LeadChange.Status.SCHEDULED:
            if change.episode_id in open_ids:
                scheduled.append(
                    LeadPeriod(
                        change.changed_on,
                        None,
                        change.to_agency,
                        change.to_practitioner,
                        change.reason,
                        scheduled=True,
                    )
                )
            continue
        changes_of.setdefault(change.episode_id, []).append(change)
    accepted_up = {s.episode_id: s for s in step_ups if s.status == StepDecision.ACCEPTED}
    # Each event starts a period; an event without an agency only ends the one before.
    events = []
    for episode in sorted(episodes, key=lambda e: (e.started_on, e.pk)):
        changes = changes_of.get(episode.pk, [])
        first_lead = (changes[0].from_practitioner, changes[0].from_agency) if changes else None
        practitioner, agency = first_lead or (episode.lead_practitioner, episode.lead_agency)
        how = "Stepped down from social care" if episode.pk in opened_by else "Allocated"
        events.append((episode.started_on, agency, practitioner, how))
        for change in changes:
            events.append(
                (change.changed_on, change.to_agency, change.to_practitioner, change.reason)
            )
        step_up = accepted_up.get(episode.pk)
        if step_up:
            events.append(
                (
                    timezone.localdate(step_up.decided_at),
                    step_up.social_care,
                    step_up.received_by,
                    "Stepped up to children's social care",
                )
            )
        elif episode.ended_on:
            events.append((episode.ended_on, None, None, "Closed"))
    periods = []
    for i, (started_on, agency, practitioner, how) in enumerate(events):
        if agency is None and practitioner is None:
            continue
        ended_on = events[i + 1][0] if i + 1 < len(events) else None
        periods.append(LeadPeriod(started_on, ended_on, agency, practitioner, how))
    return list(reversed(scheduled)) + list(reversed(periods))


@dataclass(frozen=True)
class ReReferral:
    step_down: StepDown
    step_up: StepUp
    months: int

    @property
    def within_3_months(self) -> bool:
        stepped_down_on = timezone.localdate(self.step_down.decided_at)
        return timezone.localdate(self.step_up.requested_at) <= stepped_down_on + relativedelta(
            months=3
        )

    @property
    def within_12_months(self) -> bool:
        stepped_down_on = timezone.localdate(self.step_down.decided_at)
        return timezone.localdate(self.step_up.requested_at) <= stepped_down_on + relativedelta(
            months=12
        )


def rereferrals(step_ups, step_downs) -> list[ReReferral]:
    """Each accepted step-down followed by a referral back to social care (a step-up request)."""
    found = []
    for down in step_downs:
        if down.status != StepDecision.ACCEPTED:
            continue
        later = sorted(
            (up for up in step_ups if up.requested_at > down.decided_at),
            key=lambda up: up.requested_at,
        )
        if later:
            gap = relativedelta(later[0].requested_at, down.decided_at)
            found.append(ReReferral(down, later[0], gap.years * 12 + gap.months))
    return found


@dataclass(frozen=True)
class _Referral:
    requested_at: object


def rereferral_rates(*, stepped_down_from: date, stepped_down_to: date) -> dict:
    """For reports (DOMAIN §9): of the step-downs accepted in a period, how many came back to
    social care within 3 and within 12 months."""
    downs = list(
        StepDown.objects.filter(
            status=StepDecision.ACCEPTED,
            decided_at__date__gte=stepped_down_from,
            decided_at__date__lte=stepped_down_to,
        )
    )
    ups = StepUp.objects.filter(episode__family_id__in={d.family_id for d in downs}).values_list(
        "episode__family_id", "requested_at"
    )
    by_family: dict[int, list] = {}
    for family_id, requested_at in ups:
        by_family.setdefault(family_id, []).append(_Referral(requested_at))
    found = [r for d in downs for r in rereferrals(by_family.get(d.family_id, []), [d])]
    total = len(downs)
    within_3 = sum(r.within_3_months for r in found)
    within_12 = sum(r.within_12_months for r in found)
    return {
        "stepped_down": total,
        "within_3_months": within_3,
        "within_12_months": within_12,
        "rate_3_months": within_3 / total if total else None,
        "rate_12_months": within_12 / total if total else None,
    }
