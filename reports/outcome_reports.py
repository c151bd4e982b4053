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

from assessments.models import ToolScore
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


@report(
    "outcomes",
    "Achievement of outcomes by headline problem",
    "For each headline problem: the attached families it was identified for, how many of their "
    "cases are closed or processed, and how many of those met and sustained the problem's "
    "outcomes (the programme evaluation's Table 7).",
)
def achievement_of_outcomes(scope: Scope) -> list[Table]:
    current = plan_in_force_for_reading(_today(scope))
    attachments = scope.in_year(scope.attachments(), "attached_on")
    problems = [p.id for p in current.headline_problems] if current is not None else []
    # From each attachment's current nightly result, which keeps the problems identified,
    # whether the case is closed or processed and the problems achieved (the engine's own
    # judgement): three counts a problem in one pass over the results in scope. (Joining the
    # problems identified, the episodes and the claims instead cost 4.5 times /healthz at
    # 50,000 families.)
    results = FamilyResult.objects.filter(is_current=True, attachment__in=attachments.values("pk"))
    figures = results.aggregate(
        **{
            f"{kind}_{i}": Count("pk", filter=condition)
            for i, problem in enumerate(problems)
            for kind, condition in (
                ("triggered", Q(problems_identified__contains=[problem])),
                ("processed", Q(problems_identified__contains=[problem], processed=True)),
                (
                    "achieved",
                    Q(
                        problems_identified__contains=[problem],
                        processed=True,
                        problems_achieved__contains=[problem],
                    ),
                ),
            )
        }
    )
    triggered = {p: figures[f"triggered_{i}"] for i, p in enumerate(problems)}
    processed = {p: figures[f"processed_{i}"] for i, p in enumerate(problems)}
    achieved = {p: figures[f"achieved_{i}"] for i, p in enumerate(problems)}

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
    scores = ToolScore.objects.filter(episode__family__in=scope.families())
    if scope.partner is not None:
        scores = scores.filter(episode__attachment__lead_agency=scope.partner)
    scores = scope.in_year(scores, "episode__started_on")
    rickter, stars = _tool_figures(scores, plan)
    return [_rickter_table(rickter, plan), _family_star_table(stars, plan)]


# Added up in the database, not read score by score (at 50,000 families, reading every score
# into Python cost 16 to 60 times /healthz; joining the scores to themselves, far more), in one
# query over the scores in scope:
# - Rickter: each person's start, with their desired scores, beside their closing review (the
#   mid-way review until there is one), grouped once; each heading's scores normalised (10 −
#   score on a reversed heading) and summed where all three are given; the engine works the
#   cohort table out from the sums;
# - Family Star: each family's latest scores at each stage (a family scored at one stage in
#   more than one episode counts once, by its latest scores), counted per stage and area, with
#   how many are below the plan's line.
_TOOL_FIGURES = """
WITH s AS MATERIALIZED ({scores}),
people AS (
    SELECT (array_agg(s.scores) FILTER (WHERE s.stage = 'start'))[1] AS b,
           (array_agg(s.desired) FILTER (WHERE s.stage = 'start'))[1] AS d,
           coalesce((array_agg(s.scores) FILTER (WHERE s.stage = 'close'))[1],
                    (array_agg(s.scores) FILTER (WHERE s.stage = 'mid'))[1]) AS l
      FROM s WHERE s.tool = 'rickter'
     GROUP BY s.episode_id, s.person_id
),
stars AS (
    SELECT DISTINCT ON (s.family_id, s.stage) s.stage, s.scores
      FROM s WHERE s.tool = 'family_star' AND s.stage IN ('start', 'close')
     ORDER BY s.family_id, s.stage, s.scored_on DESC, s.id DESC
)
SELECT 'rickter', '', h.key, count(*),
       sum(CASE WHEN h.key = ANY(%s) THEN 10 - h.value::float8
                ELSE h.value::float8 END),
       sum(CASE WHEN h.key = ANY(%s) THEN 10 - (p.d ->> h.key)::float8
                ELSE (p.d ->> h.key)::float8 END),
       sum(CASE WHEN h.key = ANY(%s) THEN 10 - (p.l ->> h.key)::float8
                ELSE (p.l ->> h.key)::float8 END)
  FROM people p, jsonb_each_text(p.b) AS h(key, value)
 WHERE p.l IS NOT NULL AND h.value IS NOT NULL
   AND p.d ->> h.key IS NOT NULL AND p.l ->> h.key IS NOT NULL
 GROUP BY h.key
UNION ALL
SELECT 'star', st.stage, a.key, count(*), count(*) FILTER (WHERE a.value::float8 < %s),
       NULL, NULL
  FROM stars st, jsonb_each_text(st.scores) AS a(key, value)
 WHERE a.value IS NOT NULL
 GROUP BY st.stage, a.key
"""


def _tool_figures(scores, plan) -> tuple[dict, dict]:
    """The Rickter sums (heading -> people and normalised sums) and the Family Star counts
    ((stage, area) -> families and how many below), in one query."""
    if plan is None:
        return {}, {}
    inner, params = (
        scores.values_list(
            "tool",
            "episode_id",
            "episode__family_id",
            "person_id",
            "stage",
            "scores",
            "desired",
            "scored_on",
            "id",
        )
        .order_by()
        .query.sql_with_params()
    )
    columns = "tool, episode_id, family_id, person_id, stage, scores, desired, scored_on, id"
    sql = _TOOL_FIGURES.replace(
        "WITH s AS MATERIALIZED ({scores})", f"WITH s({columns}) AS MATERIALIZED ({inner})"
    )
    rickter, stars = {}, {}
    stages = {ToolScore.Stage.START: "assessment", ToolScore.Stage.CLOSE: "closure"}
    with connection.cursor() as cursor:
        flipped = [h.id for h in plan.rickter_headings if h.reversed]
        # In the order the placeholders stand: the scores' own, the three reversed-heading
        # lists, the Family Star's line.
        cursor.execute(sql, [*params, flipped, flipped, flipped, plan.family_star_below])
        for kind, stage, key, n, first, second, third in cursor.fetchall():
            if kind == "rickter":
                rickter[key] = (n, first, second, third)
            else:
                stars[stages[stage], key] = (n, first)
    return rickter, stars


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
            "scores."
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
