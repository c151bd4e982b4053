"""Headline problem 5: families affected by domestic violence and abuse.

Quotes are from seed 002, Appendix One, version 9, section 5. Which outcome applies follows the
seed's brackets: 5.1 "(if current DV/SV)", 5.2 "(if risk is current)", 5.3 for historic abuse;
the `domestic_abuse` evidence says which (status current, risk or historic).
"""

from __future__ import annotations

from ..facts import Facts
from .base import (
    by_person,
    earliest_alternative,
    finish,
    in_lookback,
    indicator_rule,
    indicator_step,
    judged_met,
    latest_run,
    lookback_words,
    not_applicable,
    outcome_rule,
    outcome_step,
    plan_words,
    rickter_moved,
)

# --- indicators -------------------------------------------------------------------------------


def _abuse(fn, facts: Facts, indicator, pi, items, role: str):
    abuse = indicator.params["abuse"]
    rows, found = [], []
    for e in in_lookback(indicator, items, pi.identified_on):
        v = e.values
        if e.kind == "domestic_abuse" and v["role"] == role and v["abuse"] == abuse:
            rows.append(e)
            found.append(f"{e.person_id}: {v['status']}")
    threshold = plan_words(facts, _abuse_words, indicator, role)
    note = ", ".join(found) or "none recorded"
    return indicator_step(fn, indicator, threshold, rows, bool(rows), note)


def _abuse_words(indicator, role: str) -> str:
    what = "experienced or at risk of" if role == "victim" else "perpetrated"
    words = indicator.params["abuse"].replace("_", "-")
    return f"{what} {words} abuse {lookback_words(indicator)}"


@indicator_rule("abuse")
def experiencing_domestic_abuse(facts: Facts, indicator, pi, items):
    """5.1 "A young person or adult known to local services has experienced, is currently
    experiencing or is at risk of experiencing domestic violence or abuse." """
    return _abuse(experiencing_domestic_abuse, facts, indicator, pi, items, "victim")


@indicator_rule("abuse")
def experiencing_sexual_abuse(facts: Facts, indicator, pi, items):
    """5.2 "A young person or adult known to local services has experienced, is currently
    experiencing or is at risk of experiencing sexual violence or abuse." """
    return _abuse(experiencing_sexual_abuse, facts, indicator, pi, items, "victim")


@indicator_rule("abuse")
def experiencing_honour_based_abuse(facts: Facts, indicator, pi, items):
    """5.3 "A young person or adult known to local services has experienced, is currently
    experiencing or is at risk of experiencing 'honour-based' abuse." """
    return _abuse(experiencing_honour_based_abuse, facts, indicator, pi, items, "victim")


@indicator_rule("abuse")
def perpetrated_domestic_abuse(facts: Facts, indicator, pi, items):
    """5.4 "A young person or adult who is known to local services as having perpetrated an
    incident of domestic violence or abuse in the last 12 months." """
    return _abuse(perpetrated_domestic_abuse, facts, indicator, pi, items, "perpetrator")


@indicator_rule("abuse")
def perpetrated_sexual_abuse(facts: Facts, indicator, pi, items):
    """5.5 "A young person or adult who is known to local services as having perpetrated an
    incident of sexual violence or abuse in the last 12 months." """
    return _abuse(perpetrated_sexual_abuse, facts, indicator, pi, items, "perpetrator")


@indicator_rule("abuse")
def perpetrated_honour_based_abuse(facts: Facts, indicator, pi, items):
    """5.6 "A young person or adult who is known to local services as having perpetrated an
    incident of so-called 'honour-based' violence or abuse in the last 12 months." """
    return _abuse(perpetrated_honour_based_abuse, facts, indicator, pi, items, "perpetrator")


@indicator_rule()
def police_call_out_for_domestic_incident(facts: Facts, indicator, pi, items):
    """5.7 "Been subject to a police call out for at least one domestic incident, including for
    so-called 'honour-based' abuse, in the last 2 months." """
    rows = [
        e
        for e in in_lookback(indicator, items, pi.identified_on)
        if e.kind == "domestic_incident" and e.values.get("police_callout")
    ]
    return indicator_step(
        police_call_out_for_domestic_incident,
        indicator,
        f"a police call-out to a domestic incident {lookback_words(indicator)}",
        rows,
        bool(rows),
        f"{len(rows)} call-out(s)",
    )


# --- outcomes ---------------------------------------------------------------------------------


def _victims(facts: Facts, statuses) -> list:
    found = []
    for e in facts.of("domestic_abuse"):
        if e.values["role"] == "victim" and e.values["status"] in statuses:
            found.append(e)
    return found


@outcome_rule()
def fewer_and_less_severe_incidents(facts: Facts, outcome):
    """5.1 "Domestic incidents, including honour based violence and sexual violence have reduced
    in severity during the period of intervention compared to the 6 month period prior to start.
    (if current DV/SV)", measured as "The number and severity of domestic, honour based or sexual
    violence incidents at start and end of intervention".

    Reduced means fewer incidents and a lower worst severity during the intervention than in the
    window before it; no incident during the intervention counts as reduced.
    """
    start = facts.episode_start
    incidents = facts.of("domestic_incident")
    current = False
    for e in facts.of("domestic_abuse"):
        if e.values["status"] == "current":
            current = True
            break
    if not current and not incidents:
        return not_applicable(fewer_and_less_severe_incidents, outcome, "no current abuse recorded")
    window_start = outcome.window.before(start)
    before, during, severity_before, severity_during = [], [], [], []
    for e in incidents:
        day = e.period_start
        if day >= start:
            during.append(e)
            severity_during.append(e.values["severity"])
        elif day >= window_start:
            before.append(e)
            severity_before.append(e.values["severity"])
    if not current and not before:
        return not_applicable(fewer_and_less_severe_incidents, outcome, "no current abuse recorded")
    worst_before = max(severity_before, default=0)
    worst_during = max(severity_during, default=0)
    # Incidents only accumulate, so once the comparison fails it stays failed; while it holds it
    # has held since the intervention began.
    met = not during or (len(during) < len(before) and worst_during < worst_before)
    window, threshold = plan_words(facts, _incident_words, outcome)
    note = (
        f"{len(before)} incident(s) in the {window} before (worst severity "
        f"{worst_before}); {len(during)} during (worst {worst_during})"
    )
    step = outcome_step(
        fewer_and_less_severe_incidents, outcome, threshold, before + during, met, note
    )
    missing = [] if met else ["Domestic incidents have not reduced in number and severity"]
    return finish(
        facts, outcome, met=met, met_on=start if met else None, steps=(step,), missing=missing
    )


def _incident_words(outcome) -> tuple[str, str]:
    window = outcome.window.describe()
    return window, f"fewer and less severe incidents than in the {window} before the intervention"


@outcome_rule("feelings", "judged_at")
def feeling_safer(facts: Facts, outcome):
    """5.2 "Adult victims and children in the family report a greater ability to keep themselves
    safe (if risk is current)", measured as "Family members report feeling somewhat or much safer
    at end of intervention" """
    p = outcome.params
    victims = set()
    for e in _victims(facts, ("current", "risk")):
        victims.add(e.person_id)
    if not victims:
        return not_applicable(feeling_safer, outcome, "no current abuse or current risk recorded")
    if len(victims) > 1:
        victims = sorted(victims, key=str)
    feelings = p["feelings"]
    start = facts.episode_start
    reports = facts.grouped("safety_report")
    dates, rows = [], []
    for person in victims:
        # The person's latest report during the intervention says safer, since the first of the
        # run of such reports.
        since = latest = None
        run = True
        for e in reversed(reports.get(person, _NONE)):
            if e.period_start < start:
                break
            if latest is None:
                latest = e
            if run and e.values["feeling"] in feelings:
                since = e.period_start
            else:
                run = False
        if latest is not None:
            rows.append(latest)
        dates.append(since)
    safer = None not in dates
    judged, judged_on, assessments = judged_met(facts, outcome.id, p["judged_at"])
    met, met_on = earliest_alternative(
        [(safer, max(dates) if safer else None), (judged, judged_on)]
    )
    note = (
        f"{', '.join(map(str, victims))}: "
        + ("all report feeling safer" if safer else "not all report feeling somewhat or much safer")
        + ("; judged met" if judged else "")
    )
    threshold = plan_words(facts, _safer_words, outcome)
    step = outcome_step(feeling_safer, outcome, threshold, rows + assessments[-1:], met, note)
    missing = [] if met else ["A report of feeling somewhat or much safer from each victim"]
    return finish(facts, outcome, met=met, met_on=met_on, steps=(step,), missing=missing)


def _safer_words(outcome) -> str:
    p = outcome.params
    return (
        f"each victim reports feeling {' or '.join(p['feelings'])}, "
        f"or judged met at {'/'.join(p['judged_at'])}"
    )


_NONE = ()


@outcome_rule("judged_at", "rickter_headings", "rickter_combine", "rickter_min_distance_above")
def historic_abuse_impact_reduced(facts: Facts, outcome):
    """5.3 "The impact of historic DV/SV/honour based violence is reduced for victim and
    children", measured as "Family members report feeling improved wellbeing or Family members
    report positive movement towards their 'desired state' in relation to happiness and
    relationships on the Rickter Lifeboard" """
    p = outcome.params
    if not _victims(facts, ("historic",)):
        return not_applicable(historic_abuse_impact_reduced, outcome, "no historic abuse recorded")
    reports = [e for e in facts.of("wellbeing_report") if e.period_start >= facts.episode_start]
    better = [
        latest_run(own, lambda e: e.values["improved"]) for own in by_person(reports).values()
    ]
    dates = [d for ok, d in better if ok]
    moved, moved_on, scores, words = rickter_moved(facts, outcome)
    judged, judged_on, assessments = judged_met(facts, outcome.id, p["judged_at"])
    met, met_on = earliest_alternative(
        [(bool(dates), min(dates) if dates else None), (moved, moved_on), (judged, judged_on)]
    )
    note = (
        "improved wellbeing reported" if dates else "no improved wellbeing reported"
    ) + f"; {words}"
    step = outcome_step(
        historic_abuse_impact_reduced,
        outcome,
        "improved wellbeing reported or judged, or Rickter movement",
        reports[-1:] + scores[-2:] + assessments[-1:],
        met,
        note,
    )
    missing = (
        []
        if met
        else ["A report of improved wellbeing, or Rickter movement on happiness and relationships"]
    )
    return finish(facts, outcome, met=met, met_on=met_on, steps=(step,), missing=missing)
