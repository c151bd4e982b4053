"""Headline problem 1, the outcomes measured over school terms: 1.1, 1.2 and 1.4.

Quotes are from seed 002, Appendix One, version 9, section 1. "Three consecutive terms" means
what it means for the indicators (`Facts.last_terms`): terms complete on the date, a term being
complete from its last day. Only terms that ended after the intervention began count, so success
is measured on the intervention, not before it; "prior to intervention" (1.2) is the last three
terms on the day it began. An outcome is met while the latest run of three consecutive complete
terms passes, since the end of the first window of the unbroken run of passing windows that
reaches it. For exclusions (1.4), the latest window also holds those of the term under way up to
the as-of date, as the indicator's look-back does.
"""

from __future__ import annotations

from fractions import Fraction

from ..facts import Facts
from ..periods import ISO
from .base import (
    all_met,
    finish,
    frac,
    not_applicable,
    outcome_rule,
    outcome_step,
    pct,
    person_outcome,
    plan_words,
    ratio,
    total_days,
)

# --- shared -----------------------------------------------------------------------------------


def _attendance(facts: Facts) -> dict:
    """child → term name → the child's attendance return for that term (the latest recorded)."""
    table = facts.memo.get("attendance")
    if table is None:
        table = {}
        for e in facts.of("school_attendance"):
            own = table.get(e.person_id)
            if own is None:
                table[e.person_id] = {e.values["term"]: e}
            else:
                own[e.values["term"]] = e
        facts.memo["attendance"] = table
    return table


_NO_RETURNS: dict = {}


def _sessions(rows, exclude_authorised: bool) -> tuple[int, int]:
    """Sessions attended and possible over the terms, pooled (authorised absence excluded)."""
    attended = possible = 0
    for e in rows:
        v = e.values
        attended += v["sessions_attended"]
        possible += v["possible_sessions"] - (v["authorised_absence"] if exclude_authorised else 0)
    return attended, possible


def _rate(rows, exclude_authorised: bool) -> Fraction | None:
    attended, possible = _sessions(rows, exclude_authorised)
    return Fraction(attended, possible) if possible > 0 else None


def _shown(attended: int, possible: int) -> str:
    return f"{100 * attended / possible:.1f}%" if possible > 0 else "n/a"


def _counted(facts: Facts) -> tuple:
    """Complete terms that ended after the intervention began, oldest first."""
    terms = facts.memo.get("counted_terms")
    if terms is None:
        terms = facts.memo["counted_terms"] = facts.complete_terms(
            facts.as_of, after=facts.episode_start
        )
    return terms


def _windows(facts: Facts, n: int) -> list[tuple]:
    """Runs of n consecutive complete terms ended after the intervention began, oldest first."""
    key = ("windows", n)
    windows = facts.memo.get(key)
    if windows is None:
        terms = _counted(facts)
        windows = [terms[i - n + 1 : i + 1] for i in range(n - 1, len(terms))]
        facts.memo[key] = windows
    return windows


def _pooled_run(rows: list, terms: tuple, n: int, passes) -> object:
    """Over a child's returns for consecutive terms (None where missing): the end of the first
    window of n terms of the unbroken run of passing windows reaching the latest, or None.
    `passes(attended, possible)` judges one window's pooled sessions."""
    since = None
    for i in range(len(rows) - n, -1, -1):
        attended = possible = 0
        for j in range(i, i + n):
            r = rows[j]
            if r is None:
                return since
            attended += r[0]
            possible += r[1]
        if not passes(attended, possible):
            return since
        since = terms[i + n - 1].ends_on
    return since


def _returns(table: dict, child, terms, exclude: bool) -> tuple[list, list]:
    """A child's return for each term (None where missing), and its (attended, possible)."""
    own = table.get(child, _NO_RETURNS)
    items, pooled = [], []
    for t in terms:
        e = own.get(t.name)
        items.append(e)
        if e is None:
            pooled.append(None)
        else:
            v = e.values
            possible = v["possible_sessions"] - (v["authorised_absence"] if exclude else 0)
            pooled.append((v["sessions_attended"], possible))
    return items, pooled


def _earlier_at_least(own: dict, terms: tuple, n: int, exclude: bool, num: int, den: int):
    """For 1.1, once the latest window passes: the end of the first window of the unbroken
    run of windows of at least num/den attendance that reaches the latest (walked back from the
    one before it, reading the child's returns only as far as the run goes)."""
    since = terms[-1].ends_on
    for i in range(len(terms) - n - 1, -1, -1):
        attended = possible = 0
        for j in range(i, i + n):
            e = own.get(terms[j].name)
            if e is None:
                return since
            v = e.values
            attended += v["sessions_attended"]
            possible += v["possible_sessions"] - (v["authorised_absence"] if exclude else 0)
        if not (possible > 0 and attended * 100 * den >= num * possible):
            return since
        since = terms[i + n - 1].ends_on
    return since


def _span(window) -> str:
    return f"{window[0].name} to {window[-1].name}"


def _awaiting_terms(facts: Facts, n: int) -> str:
    as_of = facts.as_of
    counted = len(_counted(facts))
    needed = n - counted  # at least one, or the windows would not be awaited
    when = ""
    for t in facts.terms:  # the needed-th term still to end, if the calendar has it
        if t.ends_on > as_of:
            needed -= 1
            if needed == 0:
                when = f"; the last of them ends on {ISO[t.ends_on]}"
                break
    return (
        f"{n} consecutive school terms of the intervention have not yet ended "
        f"({counted} so far{when})"
    )


# --- outcomes ---------------------------------------------------------------------------------


def _least(outcome) -> tuple:
    p, n = outcome.params, outcome.window.count
    num, den = ratio(p["min_attendance_pct"])
    threshold = (
        f"≥{p['min_attendance_pct']}% of possible sessions"
        + (" (authorised absence excluded)" if p["exclude_authorised_absence"] else "")
        + f" over {n} consecutive terms"
    )
    return num, den, threshold


@outcome_rule("min_attendance_pct", "exclude_authorised_absence")
def school_attendance_at_least(facts: Facts, outcome):
    """1.1 "All school age children have a school place and attend at least 90%, (excluding
    authorised absences) of possible sessions on average across three consecutive school terms";
    measured as "The attendance rate for each school aged child in the household over 3
    consecutive terms."
    """
    p = outcome.params
    n = outcome.window.count
    exclude = p["exclude_authorised_absence"]
    num, den, threshold = plan_words(facts, _least, outcome)
    children = facts.school_age_children(facts.as_of)
    if not children:
        return not_applicable(school_attendance_at_least, outcome, "no child of school age")
    terms = _counted(facts)
    if len(terms) < n:
        return finish(
            facts, outcome, met=False, met_on=None, steps=(), missing=[_awaiting_terms(facts, n)]
        )
    table = _attendance(facts)
    latest = terms[-n:]
    span = _span(latest)
    steps, missing, people = [], [], []
    for child in children:
        own = table.get(child, _NO_RETURNS)
        rows, gaps = [], []
        attended = possible = 0
        for t in latest:
            e = own.get(t.name)
            if e is None:
                gaps.append(t.name)
            else:
                rows.append(e)
                v = e.values
                attended += v["sessions_attended"]
                possible += v["possible_sessions"] - (v["authorised_absence"] if exclude else 0)
        since = gap = None
        if gaps:  # the latest window cannot pass, so the run is broken
            note = f"{child}: attendance not recorded for {', '.join(gaps)}"
            gap = f"Attendance for {child} in {', '.join(gaps)} has not been recorded"
        else:
            # attended / possible ≥ least, in whole numbers: attended × 100 × d ≥ n × possible.
            if possible > 0 and attended * 100 * den >= num * possible:
                since = _earlier_at_least(own, terms, n, exclude, num, den)
            shown = _shown(attended, possible)
            note = f"{child}: {shown} over {span}"
            if since is not None:
                note += f" (met since {ISO[since]})"
            else:
                gap = f"{child} attended {shown} over {span}; {p['min_attendance_pct']}% is needed"
        ok = since is not None
        if gap:
            missing.append(gap)
        steps.append(outcome_step(school_attendance_at_least, outcome, threshold, rows, ok, note))
        people.append(person_outcome(facts, outcome, child, ok, since, missing=gap))
    met, met_on = all_met(people)
    return finish(
        facts, outcome, met=met, met_on=met_on, steps=steps, missing=missing, people=people
    )


@outcome_rule("below_pct", "min_improvement_pct", "improvement", "exclude_authorised_absence")
def attendance_improved_from_very_low(facts: Facts, outcome):
    """1.2 "School age children with attendance below 40% prior to intervention show an
    improvement in attendance of possible sessions of at least 40%"; measured as "The attendance
    rate for school aged children in the household over 3 consecutive terms."
    """
    p = outcome.params
    n = outcome.window.count
    exclude = p["exclude_authorised_absence"]
    before = facts.last_terms(facts.episode_start, n)
    baselines = {}
    if len(before) == n:
        table = _attendance(facts)
        num, den = ratio(p["below_pct"])
        for child in facts.school_age_children(facts.as_of):
            own = table.get(child)
            if not own:
                continue  # no returns, so no baseline
            rows, attended, possible = [], 0, 0
            for t in before:
                e = own.get(t.name)
                if e is None:
                    break  # a term without a return: no baseline
                rows.append(e)
                v = e.values
                attended += v["sessions_attended"]
                possible += v["possible_sessions"] - (v["authorised_absence"] if exclude else 0)
            else:
                if possible > 0 and attended * 100 * den < num * possible:
                    baselines[child] = (Fraction(attended, possible), rows)
    if not baselines:
        return not_applicable(
            attendance_improved_from_very_low,
            outcome,
            f"no child below {p['below_pct']}% before the intervention",
        )
    terms = _counted(facts)
    if len(terms) < n:
        return finish(
            facts, outcome, met=False, met_on=None, steps=(), missing=[_awaiting_terms(facts, n)]
        )
    table = _attendance(facts)
    latest = terms[-n:]
    gain = frac(p["min_improvement_pct"])
    relative = p["improvement"] == "relative"
    threshold = (
        f"attendance below {p['below_pct']}% over the {n} terms before the intervention, "
        "improved by "
        + (
            f"at least {p['min_improvement_pct']}% of itself"
            if relative
            else f"{p['min_improvement_pct']} points"
        )
        + f" over {n} consecutive terms"
    )
    steps, missing, people = [], [], []
    for child, (base, base_rows) in baselines.items():
        target = base * (1 + gain / 100) if relative else base + gain / 100

        def passes(attended, possible, target=target):
            return possible > 0 and Fraction(attended, possible) >= target

        items, pooled = _returns(table, child, terms, exclude)
        since = _pooled_run(pooled, terms, n, passes)
        ok = since is not None
        rows = items[-n:]
        have = [r for r in rows if r is not None]
        rate = _rate(have, exclude) if len(have) == len(rows) else None
        now = pct(rate.numerator, rate.denominator) if rate is not None else "not recorded"
        note = (
            f"{child}: {pct(base.numerator, base.denominator)} before, {now} over "
            f"{_span(latest)}; needs {float(target * 100):.1f}%"
        )
        gap = (
            None
            if ok
            else f"{child} needs attendance of at least {float(target * 100):.1f}% (now {now})"
        )
        if gap:
            missing.append(gap)
        steps.append(
            outcome_step(
                attendance_improved_from_very_low, outcome, threshold, base_rows + have, ok, note
            )
        )
        people.append(person_outcome(facts, outcome, child, ok, since, missing=gap))
    met, met_on = all_met(people)
    return finish(
        facts, outcome, met=met, met_on=met_on, steps=steps, missing=missing, people=people
    )


@outcome_rule("max_exclusions_below", "max_days_below")
def fewer_fixed_term_exclusions(facts: Facts, outcome):
    """1.4 "Each child in the household has received less than 3 fixed term exclusions in the
    last 3 consecutive terms and less than 10 school days of fixed term exclusion during this
    period"; measured as "The number of fixed terms exclusions each child has received over 3
    consecutive terms".
    """
    p = outcome.params
    n = outcome.window.count
    threshold = plan_words(facts, _fewer_words, outcome)
    children = facts.school_age_children(facts.as_of)
    if not children:
        return not_applicable(fewer_fixed_term_exclusions, outcome, "no child of school age")
    windows = _windows(facts, n)
    if not windows:
        return finish(
            facts, outcome, met=False, met_on=None, steps=(), missing=[_awaiting_terms(facts, n)]
        )
    exclusions = facts.grouped("fixed_term_exclusion")
    most, most_days = p["max_exclusions_below"], p["max_days_below"]
    latest = windows[-1]
    span = _span(latest)
    steps, missing, people = [], [], []
    for child in children:
        own = exclusions.get(child, _NO_EXCLUSIONS)
        # Met since the end of the first window of the unbroken run of windows with few enough
        # exclusions that reaches the latest: walk back from the latest while they hold.
        since = rows = None
        for w in reversed(windows):
            start, end = w[0].starts_on, w[-1].ends_on
            # The latest is "the last 3 consecutive terms" on the as-of date: up to that date.
            upto = facts.as_of if rows is None else end
            inside = []
            for e in own:
                if start <= e.period_start <= upto:
                    inside.append(e)
            if rows is None:
                rows = inside  # the latest window's, for the note
            if not (len(inside) < most and total_days(inside) < most_days):
                break
            since = end
        ok = since is not None
        days = float(total_days(rows))
        note = f"{child}: {len(rows)} exclusions, {days:g} days over {span}"
        if not ok:
            missing.append(f"{child} had {len(rows)} exclusions ({days:g} days) over {span}")
        steps.append(outcome_step(fewer_fixed_term_exclusions, outcome, threshold, rows, ok, note))
        people.append(person_outcome(facts, outcome, child, ok, since))
    met, met_on = all_met(people)
    return finish(
        facts, outcome, met=met, met_on=met_on, steps=steps, missing=missing, people=people
    )


def _fewer_words(outcome) -> str:
    p = outcome.params
    return (
        f"fewer than {p['max_exclusions_below']} exclusions and fewer than "
        f"{p['max_days_below']} days over the last {outcome.window.count} consecutive terms "
        "(and any since the last of them ended)"
    )


_NO_EXCLUSIONS: list = []
