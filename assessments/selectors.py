"""Reads for the work readiness conversation, the employment triage panel, and what the
episode's pages need of the assessment and the outcome tools."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from cases.gate import families_allowing
from earlyhelp import compiled
from earlyhelp.access import Action
from outcomes.selectors import plan_in_force

from .models import EarlyHelpAssessment, ToolScore, WorkConversation


def work_conversations_of(episode) -> list[WorkConversation]:
    """An episode's conversations, newest first, with the panel's decision on each."""
    return compiled.rows(
        "assessments.work_conversations_of",
        lambda episode_id: WorkConversation.objects.filter(episode=episode_id).select_related(
            "person", "provider", "decided_by", "created_by"
        ),
        episode.pk,
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


def plan_and_needs_of(episode):
    """The outcomes plan an episode's actions link to, and the needs its assessment ticked:
    the assessment's own plan version, or the plan in force before there is an assessment."""
    assessment = (
        EarlyHelpAssessment.objects.filter(episode=episode).select_related("plan_version").first()
    )
    if assessment is not None:
        return assessment.plan_version.plan, list(assessment.indicators)
    version = plan_in_force(timezone.localdate())
    return (version.plan if version else None), []


def has_final_scores(episode) -> bool:
    """Whether outcome tool scores were recorded at closure (DOMAIN §4 step 7: "final tool
    scores")."""
    return ToolScore.objects.filter(episode=episode, stage=ToolScore.Stage.CLOSE).exists()
