"""Headline problem 3: adults out of work or at risk of financial exclusion, young people at risk
of worklessness.

Quotes are from seed 002, Appendix One, version 9, section 3, and §3.1.5 (the national framework
for the continuous-employment claim). The continuous-employment period per benefit, the steps
towards work and their minimum all come from the plan's params.
"""

from __future__ import annotations

from datetime import date, timedelta

from ..facts import Facts
from ..periods import ISO, ONE_DAY, Period
from .base import (
    all_met,
    by_person,
    covering,
    earliest_alternative,
    finish,
    in_lookback,
    indicator_rule,
    indicator_step,
    judged_met,
    latest_run,
    lookback_words,
    nominations,
    not_applicable,
    outcome_rule,
    outcome_step,
    person_outcome,
    plan_words,
    rickter_moved,
)


def out_of_work(claim, params: dict) -> bool:
    """JSA, ESA, IS — or Universal Credit with work-related conditions where the plan says so."""
    benefit = claim.values["benefit"]
    if benefit in params["out_of_work_benefits"]:
        return True
    return (
        benefit == "UC"
        and params["universal_credit_with_work_related_conditions"]
        and bool(claim.values.get("work_related_conditions"))
    )


def _periods(outcome) -> tuple:
    params = outcome.params
    periods = {b: Period.from_dict(v, where=f"periods.{b}") for b, v in params["periods"].items()}
    words = ", ".join(f"{b} {period.describe()}" for b, period in periods.items())
    return (
        periods,
        f"off out-of-work benefits into continuous employment for {words}",
        timedelta(days=params["max_days_between_claim_end_and_job_start"]),
        timedelta(days=params["max_days_between_jobs"] + 1),
    )


# --- indicators -------------------------------------------------------------------------------


@indicator_rule("out_of_work_benefits", "universal_credit_with_work_related_conditions")
def adult_on_out_of_work_benefits(facts: Facts, indicator, pi, items):
    """3.1 "An adult in receipt of out of work benefits or an adult who is claiming Universal
    Credit and subject to work related conditions." """
    on, params = pi.identified_on, indicator.params
    rows, claiming = [], []
    for e in covering(items, on):
        if e.kind == "benefit_claim" and out_of_work(e, params) and facts.is_adult(e.person_id, on):
            rows.append(e)
            claiming.append(f"{e.person_id} claiming {e.values['benefit']}")
    note = ", ".join(claiming) or "no out-of-work claim on that date"
    return indicator_step(
        adult_on_out_of_work_benefits,
        indicator,
        "an adult claiming out-of-work benefits (or UC with work-related conditions) "
        "on the date identified",
        rows,
        bool(rows),
        note,
    )


@indicator_rule("qualifications")
def school_leaver_without_qualifications_or_plans(facts: Facts, indicator, pi, items):
    """3.2 "A child who is about to leave school, has no/ few qualifications and no planned
    education, training or employment." """
    rows = [
        e
        for e in in_lookback(indicator, items, pi.identified_on)
        if e.kind == "school_leaver"
        and e.values["qualifications"] in indicator.params["qualifications"]
        and not e.values["planned_eet"]
    ]
    return indicator_step(
        school_leaver_without_qualifications_or_plans,
        indicator,
        f"leaving school with {' or '.join(indicator.params['qualifications'])} qualifications "
        "and no EET planned",
        rows,
        bool(rows),
        f"{len(rows)} such school leaver record(s)",
    )


@indicator_rule("min_age", "max_age")
def young_person_not_in_eet(facts: Facts, indicator, pi, items):
    """3.3 "A young person who is not in education, training or employment." """
    p = indicator.params
    found, used = False, []
    for person, rows in by_person(
        e for e in items if e.kind == "eet_status" and e.period_start <= pi.identified_on
    ).items():
        age = facts.age(person, pi.identified_on)
        if (
            age is not None
            and p["min_age"] <= age <= p["max_age"]
            and rows[-1].values["status"] == "NEET"
        ):
            found = True
            used.append(rows[-1])
    return indicator_step(
        young_person_not_in_eet,
        indicator,
        f"aged {p['min_age']}–{p['max_age']} and NEET on the date identified",
        used,
        found,
        f"{len(used)} young person(s) NEET" if found else "no young person recorded as NEET",
    )


@indicator_rule()
def at_risk_of_financial_exclusion(facts: Facts, indicator, pi, items):
    """3.4 "Parents and families nominated by professionals as being at significant risk of
    financial exclusion. This may include those with problematic / unmanageable levels and forms
    of debt and those with significant rent arrears." """
    rows = [
        e
        for e in in_lookback(indicator, items, pi.identified_on)
        if e.kind == "financial_exclusion_risk"
    ]
    rows += nominations(indicator, items, pi.identified_on)
    return indicator_step(
        at_risk_of_financial_exclusion,
        indicator,
        "recorded or nominated as at significant risk of financial exclusion "
        + lookback_words(indicator),
        rows,
        bool(rows),
        ", ".join(e.values.get("reason", "nominated") for e in rows) or "no such record",
    )


# --- outcomes ---------------------------------------------------------------------------------


@outcome_rule(
    "out_of_work_benefits",
    "universal_credit_with_work_related_conditions",
    "periods",
    "max_days_between_claim_end_and_job_start",
    "max_days_between_jobs",
)
def continuous_employment(facts: Facts, outcome):
    """3.1 "An adult in the family has moved off benefits and into continuous employment";
    "Continuous employment is 6 months for those previously claiming JSA, and 3 months for those
    claiming ESA or IS." The national framework (seed 002 §3.1.5): "An adult in the family ceased
    their out of work benefit claim and sustained continuous employment for 26 weeks if previously
    claiming JSA or 13 weeks if previously claiming Employment Support Allowance".
    """
    p = outcome.params
    claims = []
    for e in facts.of("benefit_claim"):
        if (
            out_of_work(e, p)
            and e.person_id in facts.members
            and (e.period_end is None or e.period_end >= facts.episode_start)
        ):
            claims.append(e)
    if not claims:
        return not_applicable(
            continuous_employment,
            outcome,
            "no adult on out-of-work benefits during the intervention",
        )
    periods, threshold, reach, gap = plan_words(facts, _periods, outcome)
    jobs_of = facts.grouped("employment")
    claims_of = by_person(claims)
    best = None  # (sustained?, due, start, person, benefit, used)
    notes = []
    for claim in claims:
        end = claim.period_end
        if end is None:
            continue
        if end > facts.as_of:
            facts.until(end)  # the claim has ended that day
            continue
        if not facts.is_adult(claim.person_id, end):
            continue
        person, benefit = claim.person_id, claim.values["benefit"]
        jobs = [j for j in jobs_of.get(person, ()) if j.period_start >= claim.period_start]
        first = next((j for j in jobs if end - reach <= j.period_start <= end + reach), None)
        if first is None:
            notes.append(
                f"{person} left {benefit} on {ISO[end]}; no job starting within {reach.days} days"
            )
            continue
        start, last = first.period_start, facts.end_of(first)
        used = [claim, first]
        for j in jobs:
            if j.period_start > start and j.period_start <= last + gap:
                last = max(last, facts.end_of(j))
                used.append(j)
        back_on = [c.period_start for c in claims_of[person] if start < c.period_start <= last]
        if back_on:
            last = min(back_on) - ONE_DAY
        due = periods[benefit].after(start)
        running = last >= facts.as_of
        if due <= facts.as_of:
            sustained = last >= due - ONE_DAY
        else:
            sustained = False
            if running:
                facts.until(due)
        if not (sustained or running):
            notes.append(
                f"{person}: employment from {ISO[start]} ended on {ISO[last]}, before {ISO[due]}"
            )
            continue
        candidate = (not sustained, due, start, person, benefit, used)
        if best is None or candidate[:3] < best[:3]:
            best = candidate
    if best is None:
        note = "; ".join(notes) or "no adult has left out-of-work benefits yet"
        step = outcome_step(continuous_employment, outcome, threshold, claims[-2:], False, note)
        return finish(
            facts,
            outcome,
            met=False,
            met_on=None,
            steps=(step,),
            missing=["No adult has yet moved off out-of-work benefits into continuous employment"],
        )
    _, due, start, person, benefit, used = best
    note = (
        f"{person} left {benefit} and has been in work since {ISO[start]}; "
        f"{benefit} needs it to last until {ISO[due]}"
    )
    step = outcome_step(continuous_employment, outcome, threshold, used, True, note)
    people = [person_outcome(facts, outcome, person, True, start, due)]
    return finish(
        facts, outcome, met=True, met_on=start, steps=(step,), people=people, sustain_due_on=due
    )


@outcome_rule("steps", "min_steps", "health_outcomes_as_a_step", "max_health_steps")
def steps_towards_work(facts: Facts, outcome):
    """3.2 "An adult in the family is taking steps towards work": "2 or more of the following
    steps have been undertaken" (the list is in the plan's params). "In addition, achievement of
    either of the following outcomes can count as 1 step towards work, where the issue was
    identified as a barrier to work: Adults have access to, and engage with health services ...
    Adults have reduced or cease their harmful alcohol and/or drug use at end of intervention."
    """
    p = outcome.params
    need = p["min_steps"]
    listed, threshold = plan_words(facts, _steps_words, outcome)
    adults = facts.adults()
    if not adults:
        return not_applicable(steps_towards_work, outcome, "no adult in the family")
    steps_of = facts.grouped("step_towards_work")
    start = facts.episode_start
    barriers_of = facts.grouped("barrier_to_work")
    steps, missing, people = [], [], []
    for adult in adults:
        first: dict[str, date] = {}
        used = []
        for e in steps_of.get(adult, ()):
            code = e.values["step"]
            if code in listed and code not in first and e.period_start >= start:
                first[code] = e.period_start
                used.append(e)
        dated = sorted(first.values()) if len(first) > 1 else list(first.values())
        health = []
        own_barriers = barriers_of.get(adult)
        if own_barriers:
            barriers = {e.values["barrier"] for e in own_barriers}
            for oid, barrier in p["health_outcomes_as_a_step"].items():
                if barrier in barriers and oid in facts.plan.outcomes:
                    result = facts.outcome(oid)
                    if result.sustained:
                        health.append((result.sustained_on, oid))
            health = sorted(health)[: p["max_health_steps"]]
            dated = sorted(dated + [d for d, _ in health])
        ok = len(dated) >= need
        since = dated[need - 1] if ok else None
        words = ", ".join(sorted(first)) or "none"
        if health:
            words += f"; health outcome {health[0][1]} (a barrier to work) counts as a step"
        note = f"{adult}: {len(dated)} step(s): {words}"
        steps.append(outcome_step(steps_towards_work, outcome, threshold, used, ok, note))
        people.append(person_outcome(facts, outcome, adult, ok, since))
        if not ok:
            missing.append(f"{adult} has {len(dated)} of the {need} steps towards work needed")
    met_on = None
    for x in people:  # met when one adult has taken the steps: since the first to
        if x.met and (met_on is None or x.met_on < met_on):
            met_on = x.met_on
    met = met_on is not None
    return finish(
        facts,
        outcome,
        met=met,
        met_on=met_on,
        steps=steps,
        missing=[] if met else missing,
        people=people,
    )


def _steps_words(outcome) -> tuple:
    p = outcome.params
    return (
        frozenset(s["code"] for s in p["steps"]),
        f"at least {p['min_steps']} different steps towards work by one adult during the "
        "intervention",
    )


@outcome_rule("min_age", "max_age")
def young_people_in_eet(facts: Facts, outcome):
    """3.3 "Young people in the family are in Education Employment or Training", measured as
    "Family members aged 16 – 24 years old are in Employment, Education or Training" """
    p = outcome.params
    young = [
        m.person_id
        for m in facts.snapshot.members
        if facts.aged_now(m.person_id, p["min_age"], p["max_age"])
    ]
    if not young:
        return not_applicable(
            young_people_in_eet, outcome, f"no family member aged {p['min_age']}–{p['max_age']}"
        )
    statuses = facts.grouped("eet_status")
    steps, missing, people = [], [], []
    for person in young:
        rows = statuses.get(person, [])
        ok, since = latest_run(rows, lambda e: e.values["status"] == "EET")
        note = f"{person}: in EET since {ISO[since]}" if ok else f"{person}: not shown to be in EET"
        if not ok:
            missing.append(f"{person} is not shown to be in education, employment or training")
        steps.append(outcome_step(young_people_in_eet, outcome, "in EET", rows[-1:], ok, note))
        people.append(person_outcome(facts, outcome, person, ok, since))
    met, met_on = all_met(people)
    return finish(
        facts, outcome, met=met, met_on=met_on, steps=steps, missing=missing, people=people
    )


@outcome_rule("judged_at", "rickter_headings", "rickter_combine", "rickter_min_distance_above")
def more_confident_managing_money(facts: Facts, outcome):
    """3.4 "The family feel more confident in managing their finances and have accessed services
    in relation to debt and budgeting, as appropriate", measured as "Family members report a
    reduction in debt and increased confidence in managing their finances. Family members report
    movement towards their 'desired state' in relation to money on the Rickter Lifeboard" """
    p = outcome.params
    judged, judged_on, assessments = judged_met(facts, outcome.id, p["judged_at"])
    moved, moved_on, scores, words = rickter_moved(facts, outcome)
    met, met_on = earliest_alternative([(judged, judged_on), (moved, moved_on)])
    note = (
        "practitioner judged it met" if judged else "no practitioner judgement of met"
    ) + f"; {words}"
    step = outcome_step(
        more_confident_managing_money,
        outcome,
        f"judged met at {'/'.join(p['judged_at'])}, or Rickter movement",
        assessments[-1:] + scores[-2:],
        met,
        note,
    )
    missing = (
        []
        if met
        else [f"{outcome.id}: no report of reduced debt and more confidence with money yet"]
    )
    return finish(facts, outcome, met=met, met_on=met_on, steps=(step,), missing=missing)
