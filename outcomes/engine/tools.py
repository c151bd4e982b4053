"""Outcome tools: the Rickter Scale Lifeboard and the Family Star (DOMAIN §7).

Rickter: ten headings scored 0–10; on a reversed (R) heading lower is better, so every figure is
worked on the normalised score `10 − score` for those headings. Distance travelled is normalised
latest minus normalised baseline; movement towards the desired state is that distance over
(normalised desired − normalised baseline), capped at 100% and undefined where desired equals
baseline. A cohort table averages normalised baseline, desired and latest per heading, and the
all-headings row averages those heading averages and computes its movement from them — the way
seed 002 §3.4.6 arrives at 45.83% (1.21 ÷ (8.23 − 5.59)).

Family Star: ten areas scored 1 (stuck) to 10 (effective parenting) at assessment and at closure,
reported as the % of families scoring below 6 in each area (seed 003, "Family Star Scores at
Assessment and Closure (% Families scoring < 6)").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

RICKTER_MAX = 10


def normalise(score: float, reversed_heading: bool) -> float:
    """A score on the "higher is better" scale: a reversed heading's score becomes 10 − score."""
    return RICKTER_MAX - score if reversed_heading else score


def distance_travelled(baseline: float, latest: float, reversed_heading: bool) -> float:
    return normalise(latest, reversed_heading) - normalise(baseline, reversed_heading)


def movement_from_normalised(baseline: float, desired: float, latest: float) -> float | None:
    """Share of the way from baseline to desired travelled (1.0 = 100%); None if undefined."""
    gap = desired - baseline
    if gap == 0:
        return None
    return min((latest - baseline) / gap, 1.0)


def movement(
    baseline: float, desired: float, latest: float, reversed_heading: bool
) -> float | None:
    return movement_from_normalised(
        normalise(baseline, reversed_heading),
        normalise(desired, reversed_heading),
        normalise(latest, reversed_heading),
    )


@dataclass(frozen=True, slots=True)
class LifeboardScore:
    """One person's raw scores on one heading: baseline, desired and latest review."""

    heading: str
    baseline: float
    desired: float
    latest: float


@dataclass(frozen=True, slots=True)
class CohortRow:
    heading: str  # heading id, or "all" for the all-headings row
    name: str
    people: int
    baseline: float  # normalised averages
    desired: float
    latest: float
    distance: float
    movement: float | None  # 0.4583 for 45.83%


@dataclass(frozen=True, slots=True)
class CohortTable:
    rows: tuple[CohortRow, ...]
    all_headings: CohortRow | None


def lifeboard_cohort(scores: Iterable[LifeboardScore], headings) -> CohortTable:
    """The cohort table: `headings` are the plan's `RickterHeading`s (id, name, reversed)."""
    reversed_ = {h.id: h.reversed for h in headings}
    sums: dict[str, list] = {}
    for s in scores:
        if s.heading not in reversed_:
            raise ValueError(f"unknown Rickter heading {s.heading!r}")
        total = sums.setdefault(s.heading, [0, 0, 0, 0])
        flip = reversed_[s.heading]
        total[0] += 1
        total[1] += normalise(s.baseline, flip)
        total[2] += normalise(s.desired, flip)
        total[3] += normalise(s.latest, flip)
    return lifeboard_cohort_from_sums(sums, headings)


def lifeboard_cohort_from_sums(sums: dict, headings) -> CohortTable:
    """The cohort table from each heading's people and sums of their normalised baseline,
    desired and latest scores (10 − score on a reversed heading): heading id -> (people,
    baseline, desired, latest). A database can add the scores up; this works the table out."""
    rows = []
    for h in headings:
        if h.id not in sums or not sums[h.id][0]:
            continue
        n, b, d, latest = sums[h.id]
        rows.append(_row(h.id, h.name, n, b / n, d / n, latest / n))
    if not rows:
        return CohortTable((), None)
    k = len(rows)
    overall = _row(
        "all",
        "Average for all headings",
        max(r.people for r in rows),
        sum(r.baseline for r in rows) / k,
        sum(r.desired for r in rows) / k,
        sum(r.latest for r in rows) / k,
    )
    return CohortTable(tuple(rows), overall)


def _row(heading, name, people, baseline, desired, latest) -> CohortRow:
    return CohortRow(
        heading,
        name,
        people,
        baseline,
        desired,
        latest,
        latest - baseline,
        movement_from_normalised(baseline, desired, latest),
    )


@dataclass(frozen=True, slots=True)
class FamilyStarScores:
    """One family's Family Star at one stage: "assessment" or "closure"; area name → 1..10."""

    family_id: str
    stage: str
    scores: dict


@dataclass(frozen=True, slots=True)
class FamilyStarRow:
    area: str
    families_at_assessment: int
    pct_below_at_assessment: float | None  # 48.0 for 48%
    families_at_closure: int
    pct_below_at_closure: float | None
    change_points: float | None  # closure − assessment, in percentage points


def family_star_below(stars: Iterable[FamilyStarScores], areas, below: int = 6):
    """% of families scoring below `below` per area at assessment and at closure.

    A family scored twice at one stage counts once, by its later score (input order).
    """
    latest: dict[tuple[str, str], dict] = {}
    for star in stars:
        if star.stage not in ("assessment", "closure"):
            raise ValueError(f"Family Star stage must be assessment or closure, not {star.stage!r}")
        for area, score in star.scores.items():
            if area not in areas:
                raise ValueError(f"unknown Family Star area {area!r}")
            if not 1 <= score <= 10:
                raise ValueError(f"Family Star scores run 1 to 10, not {score!r}")
        latest.setdefault((star.stage, star.family_id), {}).update(star.scores)
    counts: dict = {}
    for (stage, _), scores in latest.items():
        for area, score in scores.items():
            n, low = counts.get((stage, area), (0, 0))
            counts[stage, area] = (n + 1, low + (score < below))
    return family_star_from_counts(counts, areas)


def family_star_from_counts(counts: dict, areas) -> tuple[FamilyStarRow, ...]:
    """The Family Star rows from, for each stage ("assessment", "closure") and area, how many
    families were scored and how many of them below the line: (stage, area) -> (families,
    below)."""
    rows = []
    for area in areas:
        found = {}
        for stage in ("assessment", "closure"):
            n, low = counts.get((stage, area), (0, 0))
            found[stage] = (n, 100.0 * low / n if n else None)
        (n_a, p_a), (n_c, p_c) = found["assessment"], found["closure"]
        change = p_c - p_a if p_a is not None and p_c is not None else None
        rows.append(FamilyStarRow(area, n_a, p_a, n_c, p_c, change))
    return tuple(rows)
