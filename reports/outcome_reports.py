"""The outcome reports (DOMAIN §7, §9; seed 002 §4 Table 7, §3.4.6 and the worklessness table):

- `outcomes`: achievement of outcomes by headline problem (Table 7);
- `outcome-tools`: the Rickter Lifeboard cohort table and the Family Star;
- `worklessness`: families with an adult on out-of-work benefits, progress to work and
  continuous employment, per programme year.

Whether an outcome is met and sustained, and whether a headline problem is achieved, is read
from each family's current nightly result: the columns the nightly job keeps beside its decision
(`FamilyResult.sustained_outcomes`, and `problems_achieved`, the engine's own judgement of each
problem: every requirement of its identified indicators that applies has an applying outcome
sustained, per person where the plan says so). So the reports count in SQL: every report runs a
fixed number of queries whatever the number of families (at 50,000 families, reading each
decision in Python cost 40 times /healthz; bench/reports_bench.py).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from django.db import connection
from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q
from django.utils import timezone

from assessments.models import ToolProgress
from cases.dashboards.selectors import Table
from outcomes.engine import tools
from outcomes.models import FamilyResult, ProblemIdentified, ProgrammeYear
from outcomes.selectors import plan_in_force_for_reading

from .registry import report
from .scope import Scope, programme_year_of

BENEFITS_INDICATOR = "3.1"  # an adult on out-of-work benefits or UC with work conditions
CONTINUOUS_EMPLOYMENT = "3.1"  # outcome 3.1: off benefits into continuous employment
PROGRESS_TO_WORK = "3.2"  # outcome 3.2: steps towards work


# --- the plan ------------------------------------------------------------------------------------


def _today(scope: Scope) -> date:
    return scope.today or timezone.localdate()


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- Table 7: achievement of outcomes by headline problem ---------------------------------------


_PROBLEM_COUNTS = """
SELECT u.problem, count(*), count(*) FILTER (WHERE r.processed),
       count(*) FILTER (WHERE r.processed AND u.problem = ANY(r.achieved))
  FROM ({results}) r(identified, processed, achieved), unnest(r.identified) AS u(problem)
 GROUP BY u.problem
"""


@report(
    "outcomes",
    "Achievement of outcomes by headline problem",
    "For each headline problem: the attached families it was identified for, how many of their "
    "cases are closed or processed, and how many of those met and sustained the problem's "
    "outcomes (the programme evaluation's Table 7).",
)
def achievement_of_outcomes(scope: Scope) -> list[Table]:
    current = plan_in_force_for_reading(_today(scope))
    # From each attachment's current nightly result, which keeps the problems identified,
    # whether the case is closed or processed and the problems achieved (the engine's own
    # judgement): each result's problems are counted in one pass over the results in scope,
    # a row per problem identified. (Joining the problems identified, the episodes and the
    # claims instead cost 4.5 times /healthz at 50,000 families, and asking of each result
    # whether it holds each of the plan's problems, and the gate of each result's attachment,
    # 4.4 times.)
    results = scope.rows(FamilyResult.objects.filter(is_current=True))
    results = scope.in_year(results, "attachment__attached_on")
    if scope.partner is not None:
        results = results.filter(attachment__lead_agency=scope.partner)
    inner, params = (
        results.values_list("problems_identified", "processed", "problems_achieved")
        .order_by()
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(_PROBLEM_COUNTS.replace("{results}", inner), params)
        figures = {problem: counts for problem, *counts in cursor.fetchall()}
    triggered, processed, achieved = (
        {p.id: figures.get(p.id, (0, 0, 0))[i] for p in current.headline_problems}
        if current is not None
        else {}
        for i in range(3)
    )

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
            "From last night's results. Cases triggered: attachments made in the year (by the "
            "attachment date) with the problem identified, at engagement or during the "
            "intervention. Closed or processed: of those, the episode is closed or a results "
            "claim has been made. Outcomes "
            "achieved: of those, the family's current nightly result judges the problem's "
            "outcomes met and sustained (every requirement that applies has an outcome "
            "sustained), as the engine judges each problem for a results claim."
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


@report(
    "outcome-tools",
    "Rickter Lifeboard and Family Star",
    "The Rickter Scale Lifeboard cohort table (baseline, desired, latest review, distance "
    "travelled and movement towards the desired state, per heading and over all headings) and "
    "the Family Star's share of families scoring below 6 per area at assessment and closure.",
)
def outcome_tools(scope: Scope) -> list[Table]:
    plan = plan_in_force_for_reading(_today(scope))
    rows = scope.in_year(scope.rows(ToolProgress.objects.all()), "started_on")
    if scope.partner is not None:
        rows = rows.filter(partner=scope.partner)
    rickter, stars = _tool_figures(rows, plan)
    return [_rickter_table(rickter, plan), _family_star_table(stars, plan)]


# Added up in the database, in one query, from the scores as numbers in columns (`ToolProgress`,
# kept by triggers as scores are written). At 50,000 families, reading every score into Python
# cost 16 to 60 times /healthz, reading each heading out of the scores' JSON in SQL 12 to 17
# times, adding up numbers held in arrays 5 to 14 times, and reading the rows in scope twice
# (once for each tool) and sorting the Family Star's for each family's latest up to 5 times.
# So the rows in scope are read once, each family's latest Family Star scores at a stage are
# the rows marked so (`family_latest`), and every row is added up in its part (the Lifeboards,
# the Family Star at assessment, at closure), column by column:
# - Rickter: per heading, the people with all three of baseline, desired and latest review, and
#   the sums of their raw scores (normalised below: on a reversed heading the sum of 10 − score
#   over n people is 10n − the sum);
# - Family Star: per stage and area, the families scored and how many below the plan's line.
# (Each part also adds up the other tool's figures, which are not read.) Almost always every
# row of a part has the same layout (the same headings), which the query checks: where there is
# more than one (scores made under plan versions naming different headings), it is run again
# grouped by layout too.
_TOOL_FIGURES = """
SELECT l.keys, g.*
  FROM (SELECT CASE WHEN p.tool = 'rickter' THEN 0 WHEN p.stage = 'start' THEN 1 ELSE 2 END
                    AS part,
               min(p.layout_id) AS least, max(p.layout_id) AS most, {rickter}, {star}
          FROM ({rows}) p
         GROUP BY part{group}) g
  JOIN assessments_toollayout l ON l.id = g.least
"""
# The parts the rows are added up in, numbered (so the grouping compares numbers, not words in
# the database's collation, which cost a quarter of the query): the Lifeboards, and the Family
# Star's scores at assessment and at closure.
_PARTS = {0: "rickter", 1: "assessment", 2: "closure"}


def _tool_figures(rows, plan) -> tuple[dict, dict]:
    """The Rickter sums of normalised scores (heading -> people, baseline, desired and latest
    sums) and the Family Star counts ((stage, area) -> families and how many below), in one
    query over the `ToolProgress` rows in scope (two where their layouts differ)."""
    if plan is None:
        return {}, {}
    places = range(1, ToolProgress.PLACES + 1)
    column = ToolProgress.place
    inner, inner_params = (
        rows.filter(family_latest=True)
        .values_list(
            "tool",
            "stage",
            "layout_id",
            *(column(n, i) for i in places for n in ("first", "desired", "latest")),
        )
        .order_by()
        .query.sql_with_params()
    )
    rickter = ", ".join(
        f"count(p.{column('first', i)}), sum(p.{column('first', i)}), "
        f"sum(p.{column('desired', i)}), sum(p.{column('latest', i)})"
        for i in places
    )
    star = ", ".join(f"count(*) FILTER (WHERE p.{column('first', i)} < %s)" for i in places)
    sql = (
        _TOOL_FIGURES.replace("{rickter}", rickter).replace("{star}", star).replace("{rows}", inner)
    )
    params = [*[plan.family_star_below] * len(places), *inner_params]
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{group}", ""), params)
        found = cursor.fetchall()
        if any(least != most for _, _, least, most, *_ in found):
            cursor.execute(sql.replace("{group}", ", p.layout_id"), params)
            found = cursor.fetchall()
    reversed_headings = {h.id for h in plan.rickter_headings if h.reversed}
    sums, counts = {}, {}
    width = 4 * len(places)  # the Rickter's figures; the Family Star's below counts follow
    for keys, part, _, _, *figures in found:
        part = _PARTS[part]
        for i, key in enumerate(keys or ()):
            n = figures[4 * i]  # how many rows give this heading or area
            if not n:
                continue
            if part == "rickter":
                first, second, third = figures[4 * i + 1 : 4 * i + 4]
                if key in reversed_headings:
                    first, second, third = (10 * n - first, 10 * n - second, 10 * n - third)
                was = sums.get(key, (0, 0, 0, 0))
                sums[key] = (was[0] + n, was[1] + first, was[2] + second, was[3] + third)
            else:
                below = figures[width + i]
                was = counts.get((part, key), (0, 0))
                counts[part, key] = (was[0] + n, was[1] + below)
    return sums, counts


def _rickter_table(sums, plan) -> Table:
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
    cohort = tools.lifeboard_cohort_from_sums(sums, plan.rickter_headings)
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


def _family_star_table(counts, plan) -> Table:
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
            "scores, in the year and with the delivery partner of the episode they were made in."
        ),
    )
    if plan is None:
        return table
    for r in tools.family_star_from_counts(counts, plan.family_star_areas):
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
    # Counted in SQL, by the year of attachment, beside each attachment's current result.
    by_year = (
        attachments.alias(
            current=FilteredRelation("results", condition=Q(results__is_current=True))
        )
        .values_list(programme_year_of("attached_on"))
        .annotate(
            families=Count("pk", distinct=True),
            progress=Count(
                "pk",
                distinct=True,
                filter=Q(current__sustained_outcomes__contains=[PROGRESS_TO_WORK]),
            ),
            employed=Count(
                "pk",
                distinct=True,
                filter=Q(current__sustained_outcomes__contains=[CONTINUOUS_EMPLOYMENT]),
            ),
        )
        .order_by()
    )
    for starts_in, families, progress, employed in by_year:
        counts[starts_in] = [families, progress, employed]
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
