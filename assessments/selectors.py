"""Reads for the work readiness conversation and the employment triage panel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from earlyhelp.access import Action, families_allowing

from .models import WorkConversation


def work_conversations_of(episode) -> list[WorkConversation]:
    """An episode's conversations, newest first, with the panel's decision on each."""
    return list(
        WorkConversation.objects.filter(episode=episode).select_related(
            "person", "provider", "decided_by", "created_by"
        )
    )


@dataclass
class PanelWeek:
    starts_on: date  # the Monday of the week the referrals were completed in
    referrals: list

    @property
    def ends_on(self) -> date:
        return self.starts_on + timedelta(days=6)


def week_of(moment) -> date:
    day = timezone.localdate(moment)
    return day - timedelta(days=day.weekday())


def panel_referrals(user) -> list[PanelWeek]:
    """Every completed conversation not yet decided, of families where `user` may allocate
    (the gate), grouped by the week it was completed in, oldest first."""
    referrals = (
        WorkConversation.objects.filter(
            status=WorkConversation.Status.COMPLETED,
            decided_at__isnull=True,
            episode__family__in=families_allowing(user, Action.ALLOCATE),
        )
        .select_related("person", "episode__family", "completed_by__team__organisation")
        .order_by("completed_at", "pk")
    )
    weeks: dict[date, PanelWeek] = {}
    for referral in referrals:
        monday = week_of(referral.completed_at)
        weeks.setdefault(monday, PanelWeek(monday, [])).referrals.append(referral)
    return list(weeks.values())
