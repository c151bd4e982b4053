"""Headline problem 2: parents and children involved in crime or anti-social behaviour.

Quotes are from seed 002, Appendix One, version 9, section 2. The three outcomes read "in the last
6 months": each is met from the day after the last such event (or from the start of the
intervention) and sustained once 6 months (the plan's `sustain`) have passed without another.
"""

from __future__ import annotations

from ..facts import Facts
from ..periods import ISO, ONE_DAY, add_months
from .base import (
    covering,
    finish,
    in_lookback,
    indicator_rule,
    indicator_step,
    lookback_words,
    outcome_rule,
    outcome_step,
    plan_words,
)

# --- indicators -------------------------------------------------------------------------------


@indicator_rule()
def proven_offence_by_a_child(facts: Facts, indicator, pi, items):
    """2.1 "A child (under 18 years old) who has committed a proven offence in the previous 12
    months." """
    rows = []
    for e in in_lookback(indicator, items, pi.identified_on):
        if (
            e.kind == "offence"
            and e.values["proven"]
            and facts.is_minor(e.person_id, e.period_start)
        ):
            rows.append(e)
    threshold = plan_words(facts, _offence_words, indicator, facts.plan.adult_age)
    return indicator_step(
        proven_offence_by_a_child,
        indicator,
        threshold,
        rows,
        bool(rows),
        f"{len(rows)} proven offence(s) by a child",
    )


def _offence_words(indicator, adult_age: int) -> str:
    return f"a proven offence by a child under {adult_age} {lookback_words(indicator)}"


@indicator_rule()
def anti_social_behaviour_intervention(facts: Facts, indicator, pi, items):
    """2.2 "An adult or child who has received an anti-social behaviour intervention (or
    equivalent local measure) in the last 12 months." """
    rows = []
    for e in in_lookback(indicator, items, pi.identified_on):
        if e.kind == "asb_intervention":
            rows.append(e)
    return indicator_step(
        anti_social_behaviour_intervention,
        indicator,
        plan_words(facts, _asb_words, indicator),
        rows,
        bool(rows),
        f"{len(rows)} ASB intervention(s)",
    )


def _asb_words(indicator) -> str:
    return f"an ASB intervention {lookback_words(indicator)}"


def _orders(facts: Facts, items, pi, kinds) -> list:
    return [
        e
        for e in covering(items, pi.identified_on)
        if e.kind == "criminal_justice_order" and e.values["order"] in kinds
    ]


@indicator_rule("max_months_to_release")
def prisoner_due_for_release_with_parenting_responsibilities(facts: Facts, indicator, pi, items):
    """2.3 "An adult prisoner who is less than 12 months from his/her release date and will have
    parenting responsibilities on release." """
    months = indicator.params["max_months_to_release"]
    horizon = add_months(pi.identified_on, months)
    rows = [
        e
        for e in _orders(facts, items, pi, ("custody",))
        if e.values.get("release_on") is not None
        and e.values["release_on"] < horizon
        and facts.members.get(e.person_id) is not None
        and facts.members[e.person_id].is_parent
    ]
    note = (
        "in custody, due for release within the window, with parenting responsibilities"
        if rows
        else "no such custody record"
    )
    return indicator_step(
        prisoner_due_for_release_with_parenting_responsibilities,
        indicator,
        f"in custody, less than {months} months from release, a parent",
        rows,
        bool(rows),
        note,
    )


def _parent_on_order(fn, facts: Facts, indicator, pi, items, kinds, words):
    rows = [
        e
        for e in _orders(facts, items, pi, kinds)
        if facts.is_adult(e.person_id, pi.identified_on)
        and facts.members.get(e.person_id) is not None
        and facts.members[e.person_id].is_parent
    ]
    note = (
        f"an adult with parenting responsibilities {words}"
        if rows
        else f"no adult parent {words} on that date"
    )
    return indicator_step(fn, indicator, f"an adult parent {words}", rows, bool(rows), note)


@indicator_rule()
def on_licence_with_parenting_responsibilities(facts: Facts, indicator, pi, items):
    """2.4 "An adult who is currently subject to a licence or supervision in the community,
    following release from prison, and has parenting responsibilities" """
    return _parent_on_order(
        on_licence_with_parenting_responsibilities,
        facts,
        indicator,
        pi,
        items,
        ("licence", "supervision"),
        "on licence or supervision",
    )


@indicator_rule()
def community_sentence_with_parenting_responsibilities(facts: Facts, indicator, pi, items):
    """2.5 "An adult currently serving a community order or suspended sentence, who has
    parenting responsibilities" """
    return _parent_on_order(
        community_sentence_with_parenting_responsibilities,
        facts,
        indicator,
        pi,
        items,
        ("community_order", "suspended_sentence"),
        "serving a community order or suspended sentence",
    )


# --- outcomes ---------------------------------------------------------------------------------


def _clean_period(fn, facts: Facts, outcome, events: list, what: str):
    start = since = facts.episode_start
    during = []
    # Met from the day after the last event, or from the start of the intervention: an event
    # before the intervention began does not stop the clock.
    for e in events:
        day = e.period_start
        if day >= start:
            during.append(e)
            if day >= since:
                since = day + ONE_DAY
    threshold = plan_words(facts, _clean_words, outcome, what)
    note = (
        f"{len(during)} {what} during the intervention, the last on "
        f"{ISO[during[-1].period_start]}; none since"
        if during
        else f"no {what} since the intervention began on {ISO[facts.episode_start]}"
    )
    step = outcome_step(fn, outcome, threshold, during[-3:], True, note)
    return finish(facts, outcome, met=True, met_on=since, steps=(step,))


def _clean_words(outcome, what: str) -> str:
    return f"no {what} for {outcome.sustain.describe()}"


@outcome_rule()
def no_proven_offences_by_minors(facts: Facts, outcome):
    """2.1 "No proven offences by minors in the family in the last 6 months", measured as "The
    number of proven offences by under-18 year olds in a 6 month period." """
    events = []
    for e in facts.of("offence"):
        if (
            e.values["proven"]
            and e.person_id in facts.members
            and facts.is_minor(e.person_id, e.period_start)
        ):
            events.append(e)
    return _clean_period(
        no_proven_offences_by_minors, facts, outcome, events, "proven offences by minors"
    )


@outcome_rule()
def no_anti_social_behaviour_interventions(facts: Facts, outcome):
    """2.2 "No family member has been subject to an ASB intervention in the last 6 months",
    measured as "The number of ASB interventions in a 6 month period" """
    events = []
    for e in facts.of("asb_intervention"):
        if e.person_id is None or e.person_id in facts.members:
            events.append(e)
    return _clean_period(
        no_anti_social_behaviour_interventions, facts, outcome, events, "ASB interventions"
    )


@outcome_rule()
def no_arrests_of_adults_leading_to_an_outcome(facts: Facts, outcome):
    """2.3 "No arrests of adults within the family leading to an outcome within the last 6
    months", measured as "The number of arrests leading to an outcomes in a 6 month period" """
    events = [
        e
        for e in facts.of("arrest")
        if e.values["led_to_outcome"]
        and e.person_id in facts.members
        and facts.is_adult(e.person_id, e.period_start)
    ]
    return _clean_period(
        no_arrests_of_adults_leading_to_an_outcome,
        facts,
        outcome,
        events,
        "arrests of adults leading to an outcome",
    )
