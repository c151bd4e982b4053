"""The records behind an attached demo episode's four family-working principles (DOMAIN §8).

Attachment asks that a whole-family assessment, an action plan covering every member, a named
lead worker and plan objectives aligned to the outcomes plan all hold, and the attachment page
reads them from the case records (`outcomes.programme.attachment_check`). So the demo attaches
an episode only with those records: a signed-off Early Help Assessment ticking the indicators
the family is attached for, every member's needs and strengths written, and an action for each
member linked to one of those needs, every need served.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from assessments.models import AssessmentSection, EarlyHelpAssessment, SectionKey, ToolScore
from cases.models import PlanAction
from outcomes.models import OutcomesPlanVersion

LONDON = ZoneInfo("Europe/London")
FAMILY_SECTIONS = {
    SectionKey.WORKING_WELL: "The family are keen to work with us and the children are close.",
    SectionKey.WORRIED_ABOUT: "Money is tight and the routines at home have slipped.",
    SectionKey.NEEDS_TO_HAPPEN: "A plan everyone agrees, reviewed every eight weeks.",
    SectionKey.FAMILY_VIEWS: "The family want things to settle down and to stay together.",
}


def working_records(
    rows, *, episode, attached_on: date, lead_id: int, plan_version_id: int, members, indicators
) -> None:
    """Add to `rows` (demo.families.Rows) the assessment, its sections and the plan actions
    that make the four principles hold for `episode` on `attached_on`. `members` are the
    household's current members (demo.household.Member), `indicators` those attached for."""
    indicators = sorted(set(indicators))
    signed_on = max(episode.started_on, attached_on - timedelta(days=7))
    signed_off = datetime.combine(signed_on, time(11), tzinfo=LONDON)
    assessment = EarlyHelpAssessment(
        episode=episode,
        plan_version_id=plan_version_id,
        status=EarlyHelpAssessment.Status.SIGNED_OFF,
        indicators=indicators,
        indicators_version=1,
        started_by_id=lead_id,
        submitted_at=signed_off - timedelta(days=3),
        signed_off_at=signed_off,
    )
    rows.assessments.append(assessment)
    for key, text in FAMILY_SECTIONS.items():
        rows.sections.append(_section(assessment, key, None, text, lead_id))
    for member in members:
        name = member.person.first_name
        rows.sections.append(
            _section(
                assessment,
                SectionKey.NEEDS,
                member.membership,
                f"{name}: support to settle routines at home and at school or work.",
                lead_id,
            )
        )
        rows.sections.append(
            _section(
                assessment,
                SectionKey.STRENGTHS,
                member.membership,
                f"{name} cares about the family and wants things to improve.",
                lead_id,
            )
        )
    # An action for every member, each linked to a need attached for, and every need served.
    needs = [indicators[i % len(indicators)] for i in range(max(len(members), len(indicators)))]
    ended = episode.ended_on is not None
    for i, need in enumerate(needs):
        member = members[i] if i < len(members) else None
        rows.actions.append(
            PlanAction(
                episode=episode,
                what=f"Work towards need {need}"
                + (f" with {member.person.first_name}" if member else " with the family"),
                owner_id=lead_id,
                due_on=attached_on + timedelta(days=56),
                for_person=member.person if member else None,
                need=need,
                status=PlanAction.Status.DONE if ended else PlanAction.Status.IN_PROGRESS,
                created_by_id=lead_id,
            )
        )


def tool_scores(
    rows, *, episode, attached_on: date, lead_id: int, plan_version_id: int, members, today: date
) -> None:
    """Add to `rows` the outcome tool scores an attached episode's worker would have recorded
    (DOMAIN §7): the first member's Rickter Lifeboard at the start (with the scores they want)
    and at the mid-way review or close, and the family's Star at assessment and, once the
    episode is closed, at closure. Each moves a little towards where the family want to be,
    by an amount drawn from the member's name, so the cohort reports have something to show."""
    if not members:
        return
    plan = _plan(plan_version_id)
    person = members[0].person
    step = len(person.first_name) % 3 + 1
    scored_on = max(episode.started_on, attached_on - timedelta(days=7))
    start, desired, later = {}, {}, {}
    for i, heading in enumerate(plan.rickter_headings):
        low = 2 + (i + len(person.last_name)) % 4
        moved = (step + i) % 4  # some headings move more than others, some not at all
        if heading.reversed:  # lower is better: from high towards low
            start[heading.id], desired[heading.id] = 10 - low, 2
            later[heading.id] = max(10 - low - moved, 0)
        else:
            start[heading.id], desired[heading.id] = low, 8
            later[heading.id] = min(low + moved, 10)
    review = episode.ended_on or attached_on + timedelta(days=84)
    score = {"episode": episode, "plan_version_id": plan_version_id, "recorded_by_id": lead_id}
    rows.tool_scores.append(
        ToolScore(
            tool=ToolScore.Tool.RICKTER,
            stage=ToolScore.Stage.START,
            person=person,
            scored_on=scored_on,
            scores=start,
            desired=desired,
            **score,
        )
    )
    if review <= today:
        stage = ToolScore.Stage.CLOSE if episode.ended_on else ToolScore.Stage.MID
        rows.tool_scores.append(
            ToolScore(
                tool=ToolScore.Tool.RICKTER,
                stage=stage,
                person=person,
                scored_on=review,
                scores=later,
                **score,
            )
        )
    areas = plan.family_star_areas
    star = {a: 2 + (i + step) % 6 for i, a in enumerate(areas)}
    rows.tool_scores.append(
        ToolScore(
            tool=ToolScore.Tool.FAMILY_STAR,
            stage=ToolScore.Stage.START,
            scored_on=scored_on,
            scores=star,
            **score,
        )
    )
    if episode.ended_on:
        rows.tool_scores.append(
            ToolScore(
                tool=ToolScore.Tool.FAMILY_STAR,
                stage=ToolScore.Stage.CLOSE,
                scored_on=episode.ended_on,
                scores={a: min(v + step, 10) for a, v in star.items()},
                **score,
            )
        )


@cache
def _plan(plan_version_id: int):
    return OutcomesPlanVersion.objects.get(pk=plan_version_id).plan


def _section(assessment, key, membership, text, by) -> AssessmentSection:
    return AssessmentSection(
        assessment=assessment, key=key, member=membership, text=text, version=1, updated_by_id=by
    )
