"""Headline problem 4: parents and children with a range of health problems.

Quotes are from seed 002, Appendix One, version 9, section 4. The seed gives no look-back for
health indicators, so the plan leaves it open (any need recorded by the identification date).
Each outcome can be shown several ways (the seed's "or"); the earliest way met counts.
"""

from __future__ import annotations

from ..facts import Facts
from .base import (
    by_person,
    finish,
    in_lookback,
    indicator_rule,
    indicator_step,
    judged_met,
    latest_run,
    nominations,
    outcome_rule,
    outcome_step,
    plan_words,
    rickter_moved,
)

# --- indicators -------------------------------------------------------------------------------


def _needs(fn, facts: Facts, indicator, pi, items, who: str):
    needs = indicator.params["needs"]
    on = pi.identified_on
    rows = []
    for e in in_lookback(indicator, items, on):
        if (
            e.kind == "health_need"
            and e.values["need"] in needs
            and _is(facts, e.person_id, who, on)
        ):
            rows.append(e)
    rows += nominations(indicator, items, on)
    found = []
    for e in rows:
        found.append(f"{e.person_id}: {e.values.get('need', 'nominated')}")
    found = ", ".join(found)
    threshold = plan_words(facts, _needs_words, indicator, who)
    return indicator_step(fn, indicator, threshold, rows, bool(rows), found or "none recorded")


def _needs_words(indicator, who: str) -> str:
    return f"{' or '.join(indicator.params['needs'])} recorded ({who})"


def _is(facts: Facts, person_id, who: str, on) -> bool:
    member = facts.members.get(person_id) if person_id is not None else None
    if member is None:
        return False
    if who == "a parent or a child":
        return facts.is_minor(person_id, on) or member.is_parent
    return True


@indicator_rule("needs")
def mental_health_problem(facts: Facts, indicator, pi, items):
    """4.1 "An adult with mental health problems who has parenting responsibilities or a child
    with mental health problems" """
    return _needs(mental_health_problem, facts, indicator, pi, items, "a parent or a child")


@indicator_rule("needs")
def drug_or_alcohol_problem(facts: Facts, indicator, pi, items):
    """4.2 "An adult with parenting responsibilities or a child with a drug or alcohol problem" """
    return _needs(drug_or_alcohol_problem, facts, indicator, pi, items, "a parent or a child")


@indicator_rule("needs")
def new_mother_with_health_problems(facts: Facts, indicator, pi, items):
    """4.3 "A new mother who has a mental health or substance misuse problem and other health
    factors associated with poor parenting. This could include mothers who are receiving a
    Universal Partnership Plus service or participating in a Family Nurse Partnership." """
    return _needs(new_mother_with_health_problems, facts, indicator, pi, items, "a new mother")


@indicator_rule("needs")
def health_problem_of_equivalent_concern(facts: Facts, indicator, pi, items):
    """4.4 "Adults with parenting responsibilities or children who are nominated by health
    professionals as having any mental and physical health problems of equivalent concern to the
    indicators above. This may include unhealthy behaviours, resulting in problems like obesity,
    malnutrition or diabetes." """
    return _needs(
        health_problem_of_equivalent_concern, facts, indicator, pi, items, "a parent or a child"
    )


# --- outcomes ---------------------------------------------------------------------------------


def _reported(facts: Facts, kind: str, good) -> tuple[bool, object, list]:
    """Every person reporting during the intervention: their latest report is good."""
    rows = []
    start = facts.episode_start
    for e in facts.of(kind):
        if e.period_start >= start:
            rows.append(e)
    if not rows:
        return False, None, rows
    dates = []
    for own in by_person(rows).values():
        ok, since = latest_run(own, good)
        if not ok:
            return False, None, rows
        dates.append(since)
    return True, max(dates), rows


def _alternatives(fn, facts: Facts, outcome, ways: list, judged_words: str):
    met_on, items, notes = None, [], []
    for ok, when, rows, words in ways:  # the earliest way met counts (`earliest_alternative`)
        if ok and when is not None and (met_on is None or when < met_on):
            met_on = when
        items += rows[-2:]
        notes.append(words)
    met = met_on is not None
    step = outcome_step(fn, outcome, judged_words, items, met, "; ".join(notes))
    missing = [] if met else [f"Outcome {outcome.id}: {judged_words}"]
    return finish(facts, outcome, met=met, met_on=met_on, steps=(step,), missing=missing)


def _judged(facts: Facts, outcome) -> tuple:
    stages = outcome.params["judged_at"]
    ok, when, rows = judged_met(facts, outcome.id, stages)
    words = plan_words(facts, _judged_words, outcome)
    return ok, when, rows, words[ok]


def _judged_words(outcome) -> tuple[str, str]:
    """The note for (not judged met, judged met) at the outcome's stages."""
    at = "/".join(outcome.params["judged_at"])
    return f"not judged met at {at}", f"judged met at {at}"


def _registered_and_accessing(e) -> bool:
    return e.values["registered"] and e.values.get("accessing") is not False


@outcome_rule("judged_at", "services_required")
def accessing_health_services(facts: Facts, outcome):
    """4.1 "Adults and children have access to, and engage with health services, as appropriate,
    to meet their health needs", measured as "Adults and/or children are registered with and are
    accessing health services to meet their needs (as appropriate) e.g. the GP, Dentist ..." """
    services = outcome.params["services_required"]
    people = set()
    for pi in facts.identified:
        if pi.problem == "4" and pi.person_id:
            people.add(pi.person_id)
    people = sorted(people)
    regs = facts.grouped("health_registration")
    dates, rows = [], []
    for person in people:
        mine = regs.get(person)
        for service in services:
            if not mine:
                dates.append(None)
                continue
            own = [e for e in mine if e.values["service"] == service]
            ok, since = latest_run(own, _registered_and_accessing)
            rows += own[-1:]
            dates.append(since if ok else None)
    registered = bool(people) and None not in dates
    words = f"{', '.join(services)} registration for {', '.join(people) or 'nobody identified'}"
    ways = [
        _judged(facts, outcome),
        (
            registered,
            max(dates) if registered else None,
            rows,
            ("registered: " if registered else "not all registered: ") + words,
        ),
    ]
    return _alternatives(
        accessing_health_services,
        facts,
        outcome,
        ways,
        "judged met, or each person identified registered and accessing",
    )


def _improved(e) -> bool:
    return e.values["improved"]


def _in_eet(e) -> bool:
    return e.values["status"] == "EET"


@outcome_rule(
    "judged_at",
    "rickter_headings",
    "rickter_combine",
    "rickter_min_distance_above",
    "adults_in_eet_count",
)
def improved_health_and_wellbeing(facts: Facts, outcome):
    """4.2 "Adults & children report improved health & well-being at the end of intervention",
    measured as "Adults and/or children engage with an appropriate level of support/report
    improvements in wellbeing and/or physical, mental or emotional health or Family members report
    movement towards their 'desired state' in relation to health and happiness on the Rickter
    Lifeboard or Adults are engaged in work/education/training/volunteering." """
    p = outcome.params
    ok, when, rows = _reported(facts, "wellbeing_report", _improved)
    moved, moved_on, scores, words = rickter_moved(facts, outcome)
    ways = [
        _judged(facts, outcome),
        (ok, when, rows, "improved wellbeing reported" if ok else "no improved wellbeing reported"),
        (moved, moved_on, scores, words),
    ]
    if p["adults_in_eet_count"]:
        eet = []
        start = facts.episode_start
        for e in facts.of("eet_status"):
            if e.period_start >= start and facts.is_adult(e.person_id, e.period_start):
                eet.append(e)
        dates = []
        if eet:
            for own in by_person(eet).values():
                good, since = latest_run(own, _in_eet)
                if good:
                    dates.append(since)
        ways.append(
            (
                bool(dates),
                min(dates) if dates else None,
                eet,
                "an adult in EET" if dates else "no adult in EET",
            )
        )
    return _alternatives(
        improved_health_and_wellbeing,
        facts,
        outcome,
        ways,
        "improved wellbeing judged or reported, Rickter movement, or an adult in EET",
    )


@outcome_rule(
    "judged_at",
    "changes_counting",
    "rickter_headings",
    "rickter_combine",
    "rickter_min_distance_above",
)
def reduced_harmful_substance_use(facts: Facts, outcome):
    """4.3 "Adults & children have reduced or cease their harmful alcohol and/or drug use at end
    of intervention", measured as "Family members engage with an appropriate level of
    support/report a reduction in harmful alcohol and drug use. or Family members report movement
    towards their 'desired state' in relation to drugs and/or alcohol (as appropriate) on the
    Rickter Lifeboard" """
    p = outcome.params
    ok, when, rows = _reported(
        facts, "substance_use_report", lambda e: e.values["change"] in p["changes_counting"]
    )
    moved, moved_on, scores, words = rickter_moved(facts, outcome)
    ways = [
        _judged(facts, outcome),
        (ok, when, rows, "reduced or ceased use reported" if ok else "no reduction reported"),
        (moved, moved_on, scores, words),
    ]
    return _alternatives(
        reduced_harmful_substance_use,
        facts,
        outcome,
        ways,
        "reduced use judged or reported, or Rickter movement",
    )


@outcome_rule("judged_at")
def healthy_lifestyle_choices(facts: Facts, outcome):
    """4.4 "Adults & children are engaging in and maintaining healthy lifestyle choices at end of
    intervention", measured as "Adults and children are accessing public health services such
    sexual health advice, healthy weight, breast feeding, active lifestyles. Have stopped smoking
    in house or car are registered at GP and registered with a dentist." """
    ok, when, rows = _reported(facts, "healthy_lifestyle", lambda e: e.values["engaging"])
    ways = [
        _judged(facts, outcome),
        (
            ok,
            when,
            rows,
            "engaging in healthy lifestyle choices"
            if ok
            else "no healthy lifestyle engagement recorded",
        ),
    ]
    return _alternatives(
        healthy_lifestyle_choices, facts, outcome, ways, "judged met, or engagement recorded"
    )
