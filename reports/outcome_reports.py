"""The outcome reports (DOMAIN §7, §9; seed 002 §4 Table 7, §3.4.6 and the worklessness table):

- `outcomes`: achievement of outcomes by headline problem (Table 7);
- `outcome-tools`: the Rickter Lifeboard cohort table and the Family Star;
- `worklessness`: families with an adult on out-of-work benefits, progress to work and
  continuous employment, per programme year.

Whether an outcome is met and sustained is read from each family's current nightly result
(`FamilyResult.decision`), the same decision the family page and the evidence pack show. A
problem's outcomes count as achieved the way the engine judges a problem (`_problems` in
`outcomes.engine.evaluate`): every requirement of its identified indicators that applies has
one of its applying outcomes sustained, and at least one applies. The decision keeps each
outcome's dates, not each person's, so a per-person requirement (school attendance, 1.1/1.2/1.5)
is read at the outcome level here.

The decision is JSON the engine wrote, so it is read in Python: one row per attachment, in one
query, with its identifications and the closed and claimed flags beside it. Every report runs a
fixed number of queries whatever the number of families.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat
from django.utils import timezone

from assessments.models import ToolScore
from cases.dashboards.selectors import Table
from outcomes.engine import tools
from outcomes.models import (
    Claim,
    FamilyResult,
    OutcomesPlanVersion,
    ProblemIdentified,
    ProgrammeYear,
)

from .registry import report
from .scope import Scope

# The identifications a row carries, as "problem|indicator".
_SEP = "|"
BENEFITS_INDICATOR = "3.1"  # an adult on out-of-work benefits or UC with work conditions
CONTINUOUS_EMPLOYMENT = "3.1"  # outcome 3.1: off benefits into continuous employment
PROGRESS_TO_WORK = "3.2"  # outcome 3.2: steps towards work


# --- the plan ------------------------------------------------------------------------------------


def _plans(today: date):
    """Every published plan by version number, and the one in force `today` (whose names the
    rows take): one query."""
    versions = list(
        OutcomesPlanVersion.objects.filter(status=OutcomesPlanVersion.Status.PUBLISHED).order_by(
            "effective_from", "version"
        )
    )
    by_number = {v.version: v.plan for v in versions}
    in_force = [v for v in versions if v.effective_from <= today]
    current = (in_force or versions)[-1].plan if versions else None
    return by_number, current


def _today(scope: Scope) -> date:
    return scope.today or timezone.localdate()


def problem_achieved(plan, indicators, decision) -> bool:
    """Whether a problem identified by `indicators` has its outcomes met and sustained in
    `decision`, as the engine judges a problem: each requirement of those indicators that
    applies (one of its outcomes applies) has one of its applying outcomes sustained, and at
    least one requirement applies."""
    if decision is None or plan is None:
        return False
    outcomes = {o.outcome: o for o in decision.outcomes}
    seen = {}
    for iid in indicators:
        indicator = plan.indicators.get(iid)
        for req in indicator.requires if indicator is not None else ():
            seen.setdefault(req.any_of, req)
    applies = False
    for any_of in seen:
        applying = [outcomes[o] for o in any_of if o in outcomes and outcomes[o].applies]
        if not applying:
            continue
        applies = True
        if not any(o.sustained for o in applying):
            return False
    return applies


def _sustained(decision, outcome: str) -> bool:
    if decision is None:
        return False
    return any(o.outcome == outcome and o.applies and o.sustained for o in decision.outcomes)


def _current_decision():
    return Subquery(
        FamilyResult.objects.filter(attachment=OuterRef("pk"), is_current=True)
        .order_by("-id")
        .values("decision")[:1]
    )


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- Table 7: achievement of outcomes by headline problem ---------------------------------------


@report(
    "outcomes",
    "Achievement of outcomes by headline problem",
    "For each headline problem: the attached families it was identified for, how many of their "
    "cases are closed or processed, and how many of those met and sustained the problem's "
    "outcomes (the programme evaluation's Table 7).",
)
def achievement_of_outcomes(scope: Scope) -> list[Table]:
    plans, current = _plans(_today(scope))
    attachments = scope.in_year(scope.attachments(), "attached_on")
    rows = attachments.annotate(
        identified=ArraySubquery(
            ProblemIdentified.objects.filter(attachment=OuterRef("pk")).values(
                joined=Concat("problem", Value(_SEP), "indicator")
            )
        ),
        processed=ExpressionWrapper(
            Q(episode__status="closed")
            | Q(Exists(Claim.objects.filter(attachment=OuterRef("pk")))),
            output_field=BooleanField(),
        ),
        decision=_current_decision(),
    ).values_list("plan_version__version", "identified", "processed", "decision")

    triggered: dict[str, int] = defaultdict(int)
    processed: dict[str, int] = defaultdict(int)
    achieved: dict[str, int] = defaultdict(int)
    for version, identified, was_processed, decision in rows:
        by_problem: dict[str, list[str]] = defaultdict(list)
        for joined in identified:
            problem, indicator = joined.split(_SEP, 1)
            by_problem[problem].append(indicator)
        plan = plans.get(version)
        for problem, indicators in by_problem.items():
            triggered[problem] += 1
            if not was_processed:
                continue
            processed[problem] += 1
            if problem_achieved(plan, indicators, decision):
                achieved[problem] += 1

    table = Table(
        key="outcomes-by-problem",
        caption="Achievement of outcomes by headline problem",
        headers=[
            "Headline problem",
            "Cases triggered",
            "Cases closed or processed",
            "Outcomes achieved",
            "% of closed or processed cases achieving outcomes",
        ],
        numeric={1, 2, 3, 4},
        chart_column=3,
        note=(
            "Cases triggered: attachments made in the year (by the attachment date) with the "
            "problem identified, at engagement or during the intervention. Closed or processed: "
            "of those, the episode is closed or a results claim has been made. Outcomes "
            "achieved: of those, the family's current nightly result has the problem's outcomes "
            "met and sustained (every requirement that applies has an outcome sustained)."
        ),
    )
    for problem in current.headline_problems if current is not None else ():
        t, p, a = triggered[problem.id], processed[problem.id], achieved[problem.id]
        table.rows.append([f"{problem.id} {problem.name}", t, p, a, _share(a, p)])
    return [table]


# --- Rickter Lifeboard cohort table and Family Star ----------------------------------------------


# Decimal(value) is the float's exact value, so rounding half to even rounds it as `format`
# does: the page shows what `f"{value:.2f}"` would.
def _two(value: float) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def _one(value: float) -> Decimal:
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)


def _percent(value: float | None) -> str | None:
    return None if value is None else f"{value:.2%}"


def lifeboard_scores(rickter_rows, headings) -> list[tools.LifeboardScore]:
    """Each person's baseline, desired and latest review per heading, from their Rickter rows
    in an episode: the start's scores and desired scores, and the closing review's scores (the
    mid-way review's until there is one). A heading without all three is left out."""
    by_person: dict = defaultdict(dict)
    for episode_id, person_id, stage, scores, desired in rickter_rows:
        by_person[(episode_id, person_id)][stage] = (scores, desired)
    known = [h.id for h in headings]
    found = []
    for stages in by_person.values():
        start = stages.get(ToolScore.Stage.START)
        latest = stages.get(ToolScore.Stage.CLOSE) or stages.get(ToolScore.Stage.MID)
        if start is None or latest is None:
            continue
        (baseline, desired), (now, _) = start, latest
        for heading in known:
            b, d, n = baseline.get(heading), desired.get(heading), now.get(heading)
            if b is not None and d is not None and n is not None:
                found.append(tools.LifeboardScore(heading, b, d, n))
    return found


@report(
    "outcome-tools",
    "Rickter Lifeboard and Family Star",
    "The Rickter Scale Lifeboard cohort table (baseline, desired, latest review, distance "
    "travelled and movement towards the desired state, per heading and over all headings) and "
    "the Family Star's share of families scoring below 6 per area at assessment and closure.",
)
def outcome_tools(scope: Scope) -> list[Table]:
    _, plan = _plans(_today(scope))
    scores = ToolScore.objects.filter(episode__family__in=scope.families())
    if scope.partner is not None:
        scores = scores.filter(episode__attachment__lead_agency=scope.partner)
    scores = scope.in_year(scores, "episode__started_on").order_by("scored_on", "id")
    rickter, stars = [], []
    for tool, episode_id, family_id, person_id, stage, values, desired in scores.values_list(
        "tool", "episode_id", "episode__family_id", "person_id", "stage", "scores", "desired"
    ):
        if tool == ToolScore.Tool.RICKTER:
            rickter.append((episode_id, person_id, stage, values, desired))
        elif stage in (ToolScore.Stage.START, ToolScore.Stage.CLOSE):
            stars.append((family_id, stage, values))
    return [_rickter_table(rickter, plan), _family_star_table(stars, plan)]


def _rickter_table(rickter_rows, plan) -> Table:
    table = Table(
        key="rickter-cohort",
        caption="Rickter Scale Lifeboard: cohort table",
        headers=[
            "Heading",
            "People",
            "Baseline",
            "Desired",
            "Latest review",
            "Distance travelled, baseline to latest review",
            "% movement towards desired state",
        ],
        numeric={1, 2, 3, 4, 5, 6},
        chart_column=5,
        note=(
            "Everyone with a baseline (start) and a later review in an episode that started in "
            "the year. Averages of normalised scores: on a reversed (R) heading lower is better, "
            "so its scores are shown as 10 − score. Latest review: the closing review, or the "
            "mid-way review until there is one. The all-headings movement is worked out from "
            "the averages of the heading averages."
        ),
    )
    if plan is None:
        return table
    cohort = tools.lifeboard_cohort(
        lifeboard_scores(rickter_rows, plan.rickter_headings), plan.rickter_headings
    )
    rows = list(cohort.rows) + ([cohort.all_headings] if cohort.all_headings else [])
    for r in rows:
        table.rows.append(
            [
                r.name,
                r.people,
                _two(r.baseline),
                _two(r.desired),
                _two(r.latest),
                _two(r.distance),
                _percent(r.movement),
            ]
        )
    return table


def _family_star_table(star_rows, plan) -> Table:
    below = plan.family_star_below if plan is not None else 6
    table = Table(
        key="family-star",
        caption=f"Family Star: % of families scoring below {below} per area",
        headers=[
            "Area",
            "Families scored at assessment",
            f"% scoring below {below} at assessment",
            "Families scored at closure",
            f"% scoring below {below} at closure",
            "Change (percentage points)",
        ],
        numeric={1, 2, 3, 4, 5},
        chart_column=4,
        note=(
            "Families whose episode started in the year, scored at assessment and at closure. "
            "A family scored at one stage in more than one episode counts once, by its latest "
            "scores."
        ),
    )
    if plan is None:
        return table
    areas = set(plan.family_star_areas)
    stars = [
        tools.FamilyStarScores(
            str(family_id),
            "assessment" if stage == ToolScore.Stage.START else "closure",
            {a: s for a, s in values.items() if a in areas},
        )
        for family_id, stage, values in star_rows
    ]
    for r in tools.family_star_below(stars, plan.family_star_areas, below):
        table.rows.append(
            [
                r.area,
                r.families_at_assessment,
                None if r.pct_below_at_assessment is None else _one(r.pct_below_at_assessment),
                r.families_at_closure,
                None if r.pct_below_at_closure is None else _one(r.pct_below_at_closure),
                None if r.change_points is None else _one(r.change_points),
            ]
        )
    return table


# --- worklessness per programme year -------------------------------------------------------------


@report(
    "worklessness",
    "Worklessness",
    "Per programme year: attached families with an adult on out-of-work benefits, and how many "
    "of them achieved progress to work and continuous employment.",
)
def worklessness(scope: Scope) -> list[Table]:
    attachments = scope.in_year(scope.attachments(), "attached_on").filter(
        Exists(
            ProblemIdentified.objects.filter(
                attachment=OuterRef("pk"), indicator=BENEFITS_INDICATOR
            )
        )
    )
    counts: dict[int, list[int]] = {}
    if scope.year is not None:
        counts[scope.year.starts_in] = [0, 0, 0]
    else:
        started = ProgrammeYear.starting_in_year_of(_today(scope))
        for starts_in in ProgrammeYear.objects.filter(starts_in__lte=started).values_list(
            "starts_in", flat=True
        ):
            counts[starts_in] = [0, 0, 0]
    for attached_on, decision in attachments.annotate(decision=_current_decision()).values_list(
        "attached_on", "decision"
    ):
        year = counts.setdefault(ProgrammeYear.starting_in_year_of(attached_on), [0, 0, 0])
        year[0] += 1
        year[1] += _sustained(decision, PROGRESS_TO_WORK)
        year[2] += _sustained(decision, CONTINUOUS_EMPLOYMENT)
    table = Table(
        key="worklessness",
        caption="Worklessness: progress to work and continuous employment",
        headers=[
            "Programme year",
            "Families with an adult on out-of-work benefits",
            "Achieving progress to work",
            "% achieving progress to work",
            "Achieving continuous employment",
            "% achieving continuous employment",
        ],
        numeric={1, 2, 3, 4, 5},
        chart_column=1,
        note=(
            "Attachments made in the programme year (by the attachment date) with indicator "
            f"{BENEFITS_INDICATOR} identified (an adult on out-of-work benefits, or claiming "
            "Universal Credit with work-related conditions). Progress to work: outcome "
            f"{PROGRESS_TO_WORK} (steps towards work) met and sustained in the family's current "
            f"nightly result; continuous employment: outcome {CONTINUOUS_EMPLOYMENT} sustained."
        ),
    )
    for starts_in in sorted(counts):
        families, progress, employed = counts[starts_in]
        table.rows.append(
            [
                f"{starts_in} to {starts_in + 1}",
                families,
                progress,
                _share(progress, families),
                employed,
                _share(employed, families),
            ]
        )
    return [table]
