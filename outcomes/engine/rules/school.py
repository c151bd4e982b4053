"""Headline problem 1: children who have not been attending school — the indicators, and the
outcomes not measured over terms (1.3, 1.5; the others are in `attendance.py`).

Quotes are from seed 002, Appendix One, Leicester's Family Outcomes Plan version 9, section 1.
"The last three consecutive terms" on a date means one thing everywhere (`Facts.last_terms`,
FORMAT.md): the three school terms complete on that date (ended on or before it). Attendance is
read for those terms; an event (an exclusion) counts from the first day of the first of them up
to the date, so one earlier in the term under way is not lost either.
"""

from __future__ import annotations

from ..facts import Facts
from ..periods import ISO, academic_year_ahead
from .base import (
    all_met,
    by_person,
    covering,
    finish,
    indicator_rule,
    indicator_step,
    latest_run,
    not_applicable,
    outcome_rule,
    outcome_step,
    pct,
    people_in_order,
    person_outcome,
    plan_words,
    ratio,
    total_days,
)

# --- indicators -------------------------------------------------------------------------------


@indicator_rule("unexplained_absence_pct_above")
def attendance_not_regular(facts: Facts, indicator, pi, items):
    """1.1 "A child whose average attendance over the last three consecutive terms has not been
    regular: Where the absence has not been explained by statutory exceptions (including
    authorisation for exceptional circumstances). Where the level of absence – even where it is
    covered by statutory exceptions – is a cause for concern."
    """
    n = indicator.lookback.count
    num, den, threshold = plan_words(facts, _irregular_words, indicator)
    terms = {t.name for t in facts.last_terms(pi.identified_on, n)}
    rows = [e for e in items if e.kind == "school_attendance" and e.values["term"] in terms]
    found, notes = False, []
    for child, own in people_in_order(by_person(rows)):
        possible = unexplained = 0
        concern = False
        for e in own:
            v = e.values
            possible += v["possible_sessions"]
            unexplained += v["unexplained_absence"]
            if v.get("concern"):
                concern = True
        irregular = concern or unexplained * 100 * den > num * possible
        found = found or irregular
        notes.append(
            f"{child}: unexplained absence {pct(unexplained, possible)}"
            + (", absence a concern" if concern else "")
        )
    note = "; ".join(notes) or f"no attendance returns for the last {n} complete terms"
    return indicator_step(attendance_not_regular, indicator, threshold, rows, found, note)


def _irregular_words(indicator) -> tuple:
    limit = indicator.params["unexplained_absence_pct_above"]
    num, den = ratio(limit)
    threshold = (
        f"unexplained absence above {limit}% of possible sessions, or absence a concern, "
        f"over the last {indicator.lookback.count} complete terms"
    )
    return num, den, threshold


@indicator_rule("min_exclusions", "primary_min_days", "any_min_days")
def fixed_term_exclusions(facts: Facts, indicator, pi, items):
    """1.2 "A child who has received at least 3 fixed term exclusions in the last 3 consecutive
    school terms; or a child at primary school who has had at least 5 school days of fixed term
    exclusion in the last 3 consecutive terms; or a child of any age who has had at least 10 days
    of fixed term exclusion in the last 3 consecutive terms."
    """
    p = indicator.params
    n = indicator.lookback.count
    threshold = (
        f"≥{p['min_exclusions']} fixed-term exclusions, or ≥{p['primary_min_days']} days "
        "at primary school"
        f", or ≥{p['any_min_days']} days, in the last {n} terms"
    )
    start = facts.look_back_from(pi.identified_on, n)
    if start is None:
        return indicator_step(
            fixed_term_exclusions, indicator, threshold, (), False, "no school term dates"
        )
    rows = [
        e
        for e in items
        if e.kind == "fixed_term_exclusion" and start <= e.period_start <= pi.identified_on
    ]
    found, notes = False, []
    for child, own in people_in_order(by_person(rows)):
        days = total_days(own)
        year_age = facts.school_year_age(child, pi.identified_on)
        primary = year_age is not None and year_age <= facts.plan.school["primary_age_to"]
        hit = (
            len(own) >= p["min_exclusions"]
            or days >= p["any_min_days"]
            or (primary and days >= p["primary_min_days"])
        )
        found = found or hit
        notes.append(
            f"{child}: {len(own)} exclusions, {float(days):g} days"
            + (" (primary school)" if primary else "")
        )
    note = "; ".join(notes) or f"no fixed-term exclusions since {ISO[start]}"
    return indicator_step(fixed_term_exclusions, indicator, threshold, rows, found, note)


@indicator_rule()
def permanently_excluded(facts: Facts, indicator, pi, items):
    """1.3 "A child who has been permanently excluded from school within the last 3 school
    terms." """
    n = indicator.lookback.count
    start = facts.look_back_from(pi.identified_on, n)
    rows = [
        e
        for e in items
        if e.kind == "permanent_exclusion"
        and start is not None
        and start <= e.period_start <= pi.identified_on
    ]
    note = (
        f"{len(rows)} permanent exclusion(s) since {ISO[start]}"
        if start
        else "no school term dates"
    )
    return indicator_step(
        permanently_excluded,
        indicator,
        f"a permanent exclusion in the last {n} terms",
        rows,
        bool(rows),
        note,
    )


@indicator_rule()
def in_alternative_provision_for_behaviour(facts: Facts, indicator, pi, items):
    """1.4 "A child who is in alternative educational provision for children with behavioural
    problems." """
    rows = [
        e
        for e in covering(items, pi.identified_on)
        if e.kind == "alternative_provision" and e.values["for_behaviour"]
    ]
    note = (
        "placed in alternative provision for behaviour"
        if rows
        else "no such placement on that date"
    )
    return indicator_step(
        in_alternative_provision_for_behaviour,
        indicator,
        "in alternative provision for behaviour on the date identified",
        rows,
        bool(rows),
        note,
    )


@indicator_rule()
def not_on_a_school_roll(facts: Facts, indicator, pi, items):
    """1.5 "A child who is neither registered with a school, nor being educated in an
    alternative setting." """
    rows = [e for e in covering(items, pi.identified_on) if e.kind == "not_on_roll"]
    note = "not on a school roll" if rows else "no record of the child being off roll on that date"
    return indicator_step(
        not_on_a_school_roll, indicator, "off roll on the date identified", rows, bool(rows), note
    )


# --- outcomes ---------------------------------------------------------------------------------


@outcome_rule()
def authorised_absence_no_longer_a_concern(facts: Facts, outcome):
    """1.3 "Authorised absence no longer a concern to education professionals", measured as
    "Closure of cases to Education Welfare Service where authorised absence a concern".
    """
    welfare = facts.of("education_welfare_case")
    if not welfare:
        return not_applicable(
            authorised_absence_no_longer_a_concern,
            outcome,
            "no Education Welfare case for authorised absence",
        )
    cases = by_person(e for e in welfare if e.values["authorised_absence_concern"])
    open_during = {
        child: events
        for child, events in cases.items()
        if any(e.values["event"] == "opened" for e in events)
        and (
            events[-1].values["event"] == "opened" or events[-1].period_start >= facts.episode_start
        )
    }
    if not open_during:
        return not_applicable(
            authorised_absence_no_longer_a_concern,
            outcome,
            "no Education Welfare case for authorised absence",
        )
    steps, missing, people = [], [], []
    for child, events in sorted(open_during.items(), key=lambda kv: str(kv[0])):
        closed = events[-1].values["event"] == "closed"
        since = events[-1].period_start if closed else None
        note = f"{child}: case closed on {ISO[since]}" if closed else f"{child}: case still open"
        if not closed:
            missing.append(f"The Education Welfare case for {child} is still open")
        steps.append(
            outcome_step(
                authorised_absence_no_longer_a_concern,
                outcome,
                "the EWS case closed",
                events,
                closed,
                note,
            )
        )
        people.append(person_outcome(facts, outcome, child, closed, since))
    met, met_on = all_met(people)
    return finish(
        facts, outcome, met=met, met_on=met_on, steps=steps, missing=missing, people=people
    )


def _in_eet(e) -> bool:
    return e.values["status"] == "EET"


@outcome_rule()
def school_leavers_in_eet(facts: Facts, outcome):
    """1.5 "School leavers who were persistently absent or had multiple exclusions are in
    Education Employment or Training", measured as "School leavers are in Employment, Education or
    Training".
    """
    top = facts.plan.school["school_age_on_31_august_to"]
    leavers_with_data = set()
    for e in facts.of("school_leaver"):
        leavers_with_data.add(e.person_id)
    leavers = set()
    for pi in facts.identified:
        person = pi.person_id
        if pi.problem != "1" or person is None:
            continue
        if person in leavers_with_data:
            leavers.add(person)
            continue
        age = facts.school_year_age(person, facts.as_of)
        if age is None:
            continue
        if age > top:
            leavers.add(person)
        else:  # a leaver from the 1 September they pass school age
            facts.until(academic_year_ahead(facts.as_of, top + 1 - age))
    leavers = sorted(leavers)
    if not leavers:
        return not_applicable(
            school_leavers_in_eet, outcome, "no school leaver identified under problem 1"
        )
    statuses = facts.grouped("eet_status")
    steps, missing, people = [], [], []
    for child in leavers:
        rows = statuses.get(child, [])
        ok, since = latest_run(rows, _in_eet)
        note = f"{child}: in EET since {ISO[since]}" if ok else f"{child}: not shown to be in EET"
        gap = None if ok else f"{child} (a school leaver) is not shown to be in EET"
        if gap:
            missing.append(gap)
        steps.append(outcome_step(school_leavers_in_eet, outcome, "in EET", rows[-1:], ok, note))
        people.append(person_outcome(facts, outcome, child, ok, since, missing=gap))
    met, met_on = all_met(people)
    return finish(
        facts, outcome, met=met, met_on=met_on, steps=steps, missing=missing, people=people
    )
