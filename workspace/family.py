"""The family page's story: the open episode's work, its principles, the lead-agency history,
tool scores, work conversations and the chronology — composed from casework, assessments and
the outcomes plan, each a fixed number of queries."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.text import normalize_newlines

from assessments.models import AssessmentSection, EarlyHelpAssessment, SectionKey, ToolScore
from assessments.principles import CaseFacts, derive
from assessments.selectors import work_conversations_of
from cases.episode.selectors import lead_history, rereferrals
from cases.models import (
    Closure,
    ClosureReason,
    Episode,
    LeadChange,
    PlanAction,
    StepDecision,
    StepDown,
    StepUp,
    TafMember,
)
from cases.notifications.services import review_due_on
from earlyhelp import compiled, policy
from outcomes.engine import tools
from outcomes.selectors import plan_of
from workspace import chronology

CHRONOLOGY_PAGE = 25
# --- the open episode's work --------------------------------------------------------------


@dataclass(frozen=True)
class ScoreRow:
    label: str
    cells: tuple  # one per stage: the score or None
    desired: int | None = None
    distance: float | None = None
    movement: float | None = None


# The Family Star is scored at assessment and at closure; the Rickter Lifeboard's start is
# the person's baseline and its later scores are reviews (DOMAIN §7).
STAR_STAGES = [
    (ToolScore.Stage.START.value, "At assessment"),
    (ToolScore.Stage.CLOSE.value, "At closure"),
]
RICKTER_STAGES = [
    (ToolScore.Stage.START.value, "Baseline"),
    (ToolScore.Stage.MID.value, "Mid-way review"),
    (ToolScore.Stage.CLOSE.value, "Closing review"),
]


def _tool_tables(scores, plan) -> dict:
    """The Family Star by area and each person's Rickter Lifeboard by heading, stage by stage."""
    stages = [s.value for s in ToolScore.Stage]
    star = {s.stage: s for s in scores if s.tool == ToolScore.Tool.FAMILY_STAR}
    star_rows = []
    if star:
        for area in plan.family_star_areas:
            star_rows.append(
                ScoreRow(
                    area,
                    tuple(star[s].scores.get(area) if s in star else None for s, _ in STAR_STAGES),
                )
            )
    people: dict = {}
    for score in scores:
        if score.tool == ToolScore.Tool.RICKTER:
            people.setdefault(score.person, {})[score.stage] = score
    rickter = []
    for person, by_stage in people.items():
        rows = []
        start = by_stage.get("start")
        latest = by_stage.get("close") or by_stage.get("mid")
        for heading in plan.rickter_headings:
            cells = tuple(
                by_stage[s].scores.get(heading.id) if s in by_stage else None for s in stages
            )
            baseline = start.scores.get(heading.id) if start else None
            desired = start.desired.get(heading.id) if start else None
            now = latest.scores.get(heading.id) if latest else None
            distance = movement = None
            if baseline is not None and now is not None:
                distance = tools.distance_travelled(baseline, now, heading.reversed)
                if desired is not None:
                    movement = tools.movement(baseline, desired, now, heading.reversed)
            rows.append(ScoreRow(heading.name, cells, desired, distance, movement))
        rickter.append((person, rows))
    return {
        "star_stages": STAR_STAGES,
        "rickter_stages": RICKTER_STAGES,
        "star": star_rows,
        "rickter": rickter,
    }


def _facts(
    *, today, consents, members, assessment, sections, actions, taf, lead_agency_id, meetings, due
):
    assessed = {}
    for key, member_id in sections:
        assessed.setdefault(member_id, set()).add(key)
    return CaseFacts(
        today=today,
        consents_held=sum(1 for c in consents if c.withdrawn_on is None and c.given_on <= today),
        consents_withdrawn=sum(1 for c in consents if c.withdrawn_on is not None),
        members=tuple((m.pk, m.person.full_name) for m in members),
        members_assessed=frozenset(
            member_id
            for member_id, keys in assessed.items()
            if {SectionKey.NEEDS, SectionKey.STRENGTHS} <= keys
        ),
        assessment_status=assessment.status if assessment else None,
        assessment_status_label=assessment.get_status_display() if assessment else "",
        headline_problems=len(assessment.headline_problems()) if assessment else 0,
        actions=sum(1 for a in actions if a.status != PlanAction.Status.STOPPED),
        unlinked_actions=sum(
            1 for a in actions if a.status != PlanAction.Status.STOPPED and not a.is_linked
        ),
        other_agencies_on_team=len(
            {m.user.team.organisation_id for m in taf if m.left_on is None and m.user.team_id}
            - {lead_agency_id}
        ),
        meetings=meetings,
        review_due_on=due,
    )


def episode_work(episode: Episode, *, consents, members) -> dict:
    """The open episode as its family page shows it: plan, team, review, principles."""
    today = timezone.localdate()
    assessment = compiled.first(
        "workspace.episode_work.assessment",
        lambda episode_id: (
            EarlyHelpAssessment.objects.filter(episode=episode_id)
            .select_related("plan_version")
            .order_by("pk")[:1]
        ),
        episode.pk,
    )
    sections = []
    if assessment is not None:
        sections = [
            (key, member_id)
            for key, member_id, text in compiled.rows(
                "workspace.episode_work.sections",
                lambda assessment_id: AssessmentSection.objects.filter(
                    assessment=assessment_id
                ).values_list("key", "member_id", "text"),
                assessment.pk,
            )
            if text.strip()
        ]
    actions = compiled.rows(
        "workspace.episode_work.actions",
        lambda episode_id: (
            PlanAction.objects.filter(episode=episode_id)
            .select_related("owner", "for_person")
            # What the plan shows of its owner and whom it is for (their names): the rest of
            # a user's and a person's 40 fields, made into objects for 75 rows, cost 1.5 ms.
            .only(
                *("episode", "what", "owner", "due_on", "for_person", "need", "outcome"),
                *("status", "owner__first_name", "owner__last_name", "owner__username"),
                *("for_person__first_name", "for_person__last_name"),
            )
            .order_by("due_on", "pk")
        ),
        episode.pk,
    )
    taf = compiled.rows(
        "workspace.episode_work.taf",
        lambda episode_id: (
            TafMember.objects.filter(episode=episode_id)
            .select_related("user__team__organisation")
            .order_by("left_on", "joined_on", "pk")
        ),
        episode.pk,
    )
    # The review interval (the service's setting) comes with the counts: no query of its own.
    ((meetings, last_review_on, weeks),) = compiled.rows(
        "workspace.episode_work.counts",
        lambda episode_id: (
            Episode.objects.filter(pk=episode_id)
            .annotate(
                held=Count("meetings", distinct=True),
                last=Max("reviews__held_on"),
                weeks=policy.stored("review_interval_weeks"),
            )
            .values_list("held", "last", "weeks")
        ),
        episode.pk,
    )
    counts = {"meetings": meetings, "last_review_on": last_review_on}
    due = review_due_on(
        episode.started_on, counts["last_review_on"], interval=timedelta(weeks=weeks)
    )
    plan = plan_of(assessment.plan_version) if assessment else None  # before headline_problems
    facts = _facts(
        today=today,
        consents=consents,
        members=members,
        assessment=assessment,
        sections=sections,
        actions=actions,
        taf=taf,
        lead_agency_id=episode.lead_agency_id,
        meetings=counts["meetings"],
        due=due,
    )
    for action in actions:  # cut here once, not by a template filter on every row
        action.what_short = shortened(action.what, 40)
    return {
        "assessment": assessment,
        "actions": [(a, shortened(_link_label(a, plan), 110)) for a in actions],
        "taf_current": [m for m in taf if m.left_on is None],
        "taf_past": [m for m in taf if m.left_on is not None],
        "last_review_on": counts["last_review_on"],
        "review_due_on": due,
        "review_overdue": due < today,
        "principles": derive(facts),
    }


# The plan's rows as the family page shows them, each written once here as its table row: the
# table has a row for every action (75 in the benchmark family), and the template language cost
# 110 µs a row looking each part up, formatting and escaping it. Every part that comes from a
# record is escaped (`_e`, the standard library's html.escape, which Django's own escape
# calls), and each row is marked safe once, as a whole.
_TAG = {
    PlanAction.Status.DONE: " govuk-tag--green",
    PlanAction.Status.STOPPED: " govuk-tag--grey",
    PlanAction.Status.IN_PROGRESS: " govuk-tag--blue",
}


def _e(value) -> str:
    return html.escape(str(value))


def _secondary(text: str) -> str:
    return f'<br><span class="govuk-body-s app-secondary">{_e(text)}</span>' if text else ""


def plan_rows(actions, *, family_id: int, may_update) -> list[str]:
    """The plan table's rows, as HTML; `actions` are (action, link) as `episode_work` gives
    them, and `may_update(action)` says whether the reader gets its "Update" link."""
    marker = 987_654_321  # an action's place in its update link, reversed once for the page
    before, _, after = reverse("plan-action-update", args=[family_id, marker]).rpartition(
        str(marker)
    )
    dates: dict = {}  # each date formatted once, as the template would (the locale's format)
    rows = []
    for action, link in actions:
        due = action.due_on
        if due not in dates:
            dates[due] = _e(date_format(due)) if due else ""
        what = _e(normalize_newlines(action.what)).replace("\n", "<br>")  # as linebreaksbr
        update = ""
        if may_update(action):
            update = (
                f'<a class="govuk-link" href="{_e(before)}{action.pk}{_e(after)}">Update'
                f'<span class="govuk-visually-hidden"> {_e(action.what_short)}</span></a>'
            )
        whom = f"for {action.for_person}" if action.for_person_id else ""
        tag = _TAG.get(action.status, " govuk-tag--yellow")
        rows.append(
            mark_safe(  # noqa: S308 (every part above is escaped or a constant)
                '<tr class="govuk-table__row">'
                f'<td class="govuk-table__cell">{what}{_secondary(link)}</td>'
                f'<td class="govuk-table__cell">{_e(action.owner_label)}{_secondary(whom)}</td>'
                f'<td class="govuk-table__cell">{dates[due]}</td>'
                f'<td class="govuk-table__cell"><strong class="govuk-tag{tag}">'
                f"{_e(action.status_short)}</strong></td>"
                f'<td class="govuk-table__cell">{update}</td>'
                "</tr>"
            )
        )
    return rows


def shortened(text: str, length: int) -> str:
    """`text`, cut to `length` characters with an ellipsis when longer: what the template
    filter `truncatechars` gives for plain text, without its walk over every character (it
    ran 175 times a family page)."""
    return text if len(text) <= length else text[: length - 1] + "…"


def _link_label(action, plan) -> str:
    if plan is None:
        return action.need or action.outcome
    if action.need and action.need in plan.indicators:
        return f"Need {action.need}: {plan.indicators[action.need].text}"
    if action.outcome and action.outcome in plan.outcomes:
        return f"Outcome {action.outcome}: {plan.outcomes[action.outcome].text}"
    return ""


def _printable(open_episode, recent, story) -> str:
    """What the printable page (the open episode's, else the latest episode's assessment and
    plan) has to print: "assessment", "plan", or "" when nothing is behind the link yet."""
    if open_episode is not None:
        has_assessment, has_plan = story.get("assessment") is not None, bool(story.get("actions"))
    elif recent is not None:
        has_assessment = EarlyHelpAssessment.objects.filter(episode=recent).exists()
        has_plan = has_assessment or PlanAction.objects.filter(episode=recent).exists()
    else:
        return ""
    return "assessment" if has_assessment else "plan" if has_plan else ""


def family_story(family, *, episodes, members, consents, can, kind=None, page=None) -> dict:
    """Everything the family page adds about its episodes, in a fixed number of queries."""
    open_episode = next((e for e in episodes if e.status == Episode.Status.OPEN), None)
    reasons = dict(ClosureReason.choices)
    for episode in episodes:
        episode.closure_label = reasons.get(episode.closure_reason, episode.closure_reason)
    step_ups = compiled.rows(
        "workspace.family_story.step_ups",
        lambda family_id: StepUp.objects.filter(episode__family=family_id).select_related(
            "social_care", "received_by", "requested_by", "decided_by"
        ),
        family.pk,
    )
    step_downs = compiled.rows(
        "workspace.family_story.step_downs",
        lambda family_id: StepDown.objects.filter(family=family_id).select_related(
            "lead_agency", "lead_practitioner", "requested_by", "decided_by"
        ),
        family.pk,
    )
    lead_changes = compiled.rows(
        "workspace.family_story.lead_changes",
        lambda family_id: LeadChange.objects.filter(episode__family=family_id).select_related(
            "from_practitioner", "from_agency", "to_practitioner", "to_agency"
        ),
        family.pk,
    )
    story = {
        "open_episode": open_episode,
        "lead_history": lead_history(episodes, lead_changes, step_ups, step_downs),
        "rereferrals": rereferrals(step_ups, step_downs),
        "step_up_pending": next((s for s in step_ups if s.status == StepDecision.PENDING), None),
        "step_downs": step_downs,
        "step_ups": step_ups,
    }
    recent = open_episode or (episodes[0] if episodes else None)
    if recent is not None and ("view_evidence" in can or "view_casework" in can):
        scores = compiled.rows(
            "workspace.family_story.scores",
            lambda episode_id: ToolScore.objects.filter(episode=episode_id).select_related(
                "person", "plan_version"
            ),
            recent.pk,
        )
        # The plan's headings and areas are needed only to lay out scores there are: with
        # none, the tables are empty and no plan is read (so the page runs as many queries
        # whether or not the family has been scored).
        story["tools"] = _tool_tables(scores, plan_of(scores[0].plan_version) if scores else None)
        story["tools_recorded"] = bool(scores)
    if recent is not None and "view_casework" in can:
        story["work_conversations"] = work_conversations_of(recent)
        story["work_shown"] = True
    if open_episode is not None and "view_casework" in can:
        story.update(episode_work(open_episode, consents=consents, members=members))
        story["closure_pending"] = compiled.first(
            "workspace.family_story.closure_pending",
            lambda episode_id: (
                Closure.objects.filter(episode=episode_id, status=Closure.Status.AWAITING_SIGN_OFF)
                .select_related("requested_by")
                .order_by("-requested_at", "-id")[:1]
            ),
            open_episode.pk,
        )
    if "view_casework" in can:
        story["printable"] = _printable(open_episode, recent, story)
        kind = kind if kind in chronology.KINDS else None
        story["chronology"] = chronology.chronology_page(
            family.pk, kind=kind, number=page, size=CHRONOLOGY_PAGE
        )
        story["chronology_kind"] = kind or ""
        story["chronology_kinds"] = chronology.KINDS
        story["chronology_kind_label"] = chronology.KINDS.get(kind, "")
    return story
