"""Headline problem 6: children who need help.

Quotes are from seed 002, Appendix One, version 9, section 6. A social care case (child in need or
child protection) is open from its `*_opened` event until its `*_closed` event or a step-down to
early help. A referral to social care, or a step-up from early help (recorded in the service, or
sent by social care), is a re-referral.
"""

from __future__ import annotations

from ..facts import Facts
from ..periods import ISO, ONE_DAY
from .base import (
    by_person,
    earliest_alternative,
    finish,
    in_lookback,
    indicator_rule,
    indicator_step,
    judged_met,
    judged_outcome,
    latest_run,
    lookback_words,
    not_applicable,
    outcome_rule,
    outcome_step,
    plan_words,
)

_OPENS = {"cin_opened": "cin", "cp_opened": "cp"}
_CLOSES = {"cin_closed": ("cin",), "cp_closed": ("cp",), "step_down": ("cin", "cp")}
_RE_REFERRALS = frozenset(("referral", "step_up"))


def _open_cases(events, on) -> dict:
    """(person, "cin"/"cp") → the date the case opened, for cases open on `on`."""
    open_: dict = {}
    for e in events:
        if e.period_start > on:
            break
        event = e.values["event"]
        if event in _OPENS:
            open_.setdefault((e.person_id, _OPENS[event]), e.period_start)
        closes = _CLOSES.get(event)
        if closes and open_:
            person = e.person_id
            for case in closes:
                for key in list(open_):
                    if key[1] == case and (person is None or key[0] == person):
                        del open_[key]
    return open_


# --- indicators -------------------------------------------------------------------------------


def _early_help(fn, facts: Facts, indicator, pi, items):
    stages = indicator.params["stages"]
    rows = [
        e
        for e in in_lookback(indicator, items, pi.identified_on)
        if e.kind == "early_help_need" and e.values["stage"] in stages
    ]
    return indicator_step(
        fn,
        indicator,
        f"{' or '.join(stages)} as needing early help",
        rows,
        bool(rows),
        f"{len(rows)} record(s)",
    )


@indicator_rule("stages")
def identified_as_needing_early_help(facts: Facts, indicator, pi, items):
    """6.1 "A child who has been identified as needing early help. This may include children
    below the threshold for services under Section 17, Children Act 1989." """
    return _early_help(identified_as_needing_early_help, facts, indicator, pi, items)


@indicator_rule("stages")
def assessed_as_needing_early_help(facts: Facts, indicator, pi, items):
    """6.2 "A child who has been assessed as needing early help." """
    return _early_help(assessed_as_needing_early_help, facts, indicator, pi, items)


def _case_open(fn, facts: Facts, indicator, pi, items, case: str, words: str):
    on = pi.identified_on
    opened = case + "_opened"
    events, used = [], None
    for e in items:
        if e.kind == "social_care_event":
            events.append(e)
            if e.values["event"] == opened and e.period_start <= on:
                used = e  # the latest opening by then
    found = False
    for _, kind in _open_cases(events, on):
        if kind == case:
            found = True
            break
    threshold, no, yes = plan_words(facts, _case_words, indicator, words)
    used = [used] if used is not None else []
    return indicator_step(fn, indicator, threshold, used, found, yes if found else no)


def _case_words(indicator, words: str) -> tuple[str, str, str]:
    return f"{words} on the date identified", f"{words}: no", f"{words}: yes"


@indicator_rule()
def child_in_need(facts: Facts, indicator, pi, items):
    """6.3 "A child 'in need' under Section 17, Children Act 1989." """
    return _case_open(
        child_in_need, facts, indicator, pi, items, "cin", "a child in need case open"
    )


@indicator_rule()
def subject_to_section_47_enquiry(facts: Facts, indicator, pi, items):
    """6.4 "A child who has been subject to an enquiry under Section 47, Children Act 1989." """
    rows = [
        e
        for e in in_lookback(indicator, items, pi.identified_on)
        if e.kind == "social_care_event" and e.values["event"] == "s47"
    ]
    return indicator_step(
        subject_to_section_47_enquiry,
        indicator,
        f"a section 47 enquiry {lookback_words(indicator)}",
        rows,
        bool(rows),
        f"{len(rows)} enquiry(ies)",
    )


@indicator_rule()
def subject_to_child_protection_plan(facts: Facts, indicator, pi, items):
    """6.5 "A child subject to a Child Protection Plan." """
    return _case_open(
        subject_to_child_protection_plan,
        facts,
        indicator,
        pi,
        items,
        "cp",
        "a child protection plan",
    )


@indicator_rule()
def speech_language_communication_delay(facts: Facts, indicator, pi, items):
    """6.7 "A child identified as having a delay in speech language and communication skills. This
    can include children not reaching the threshold in the communication domain at the 2-2.5 year
    old health check carried out by health visitors." """
    rows = [
        e
        for e in in_lookback(indicator, items, pi.identified_on)
        if e.kind == "speech_language_delay"
    ]
    return indicator_step(
        speech_language_communication_delay,
        indicator,
        "a delay recorded",
        rows,
        bool(rows),
        f"{len(rows)} record(s)",
    )


@indicator_rule()
def early_education_entitlement_not_taken_up(facts: Facts, indicator, pi, items):
    """6.8 "A child / family who is entitled, or has previously been entitled to 15 hours free
    early education for two-year-olds and has not taken this up." """
    rows = [
        e
        for e in in_lookback(indicator, items, pi.identified_on)
        if e.kind == "early_years_entitlement" and e.values["entitled"] and not e.values["taken_up"]
    ]
    return indicator_step(
        early_education_entitlement_not_taken_up,
        indicator,
        "entitled to funded early education and not taking it up",
        rows,
        bool(rows),
        f"{len(rows)} record(s)",
    )


# --- outcomes ---------------------------------------------------------------------------------


@outcome_rule("closure_reasons", "judged_at")
def needs_met_or_managed(facts: Facts, outcome):
    """6.1 "Family needs are met or being managed by services as appropriate", measured as
    "Intervention closed due to work being complete, and families identified needs have been met
    or are being managed with support of services, as appropriate" """
    p = outcome.params
    episode = facts.snapshot.episode
    closed = facts.episode_end is not None and episode.closure_reason in p["closure_reasons"]
    judged, judged_on, items = judged_met(facts, outcome.id, p["judged_at"])
    met, met_on = earliest_alternative([(closed, facts.episode_end), (judged, judged_on)])
    if facts.episode_end is None:
        note = "the intervention is still open"
    else:
        note = f"closed on {ISO[facts.episode_end]}: {episode.closure_reason}"
    step = outcome_step(
        needs_met_or_managed,
        outcome,
        f"closed with reason {' or '.join(p['closure_reasons'])}, "
        f"or judged met at {'/'.join(p['judged_at'])}",
        items[-1:],
        met,
        note,
    )
    missing = [] if met else ["The intervention closed with the family's needs met or managed"]
    return finish(facts, outcome, met=met, met_on=met_on, steps=(step,), missing=missing)


@outcome_rule()
def social_care_closed_without_re_referral(facts: Facts, outcome):
    """6.2 "Family no longer requires Social Care involvement", measured as "CIN or CP cases
    closed or stepped down to Early Help Services with no subsequent re-referrals to Social Care
    for 3 months." The 3 months are the plan's `sustain`, from the last closure or step-down; a
    re-referral (a referral, or a step-up) within them restarts them from the day after it. One
    after them falls outside the measure's 3 months and does not undo it; a case open on the
    as-of date does (the family requires social care now).
    """
    events = facts.of("social_care_event")
    cases = [e for e in events if e.values["event"] in _OPENS or e.values["event"] == "step_down"]
    if not cases:
        return not_applicable(
            social_care_closed_without_re_referral,
            outcome,
            "no child in need or child protection case",
        )
    still_open = _open_cases(events, facts.as_of)
    threshold = plan_words(facts, _closed_words, outcome)
    if still_open:
        words = ", ".join(
            f"{person} {kind.upper()} since {ISO[d]}" for (person, kind), d in still_open.items()
        )
        step = outcome_step(
            social_care_closed_without_re_referral,
            outcome,
            threshold,
            cases[-1:],
            False,
            f"still open: {words}",
        )
        return finish(
            facts,
            outcome,
            met=False,
            met_on=None,
            steps=(step,),
            missing=[f"Social care case still open ({words})"],
        )
    closings = [e for e in events if e.values["event"] in _CLOSES]
    closed_on = closings[-1].period_start if closings else cases[-1].period_start
    since, sustain, counted = closed_on, outcome.sustain, []
    for e in events:
        if e.values["event"] not in _RE_REFERRALS or e.period_start < closed_on:
            continue
        if sustain is not None and e.period_start >= sustain.after(since):
            break  # after the 3 months: not a "subsequent re-referral ... for 3 months"
        counted.append(e)
        since = e.period_start + ONE_DAY
    note = f"closed on {ISO[closed_on]}"
    if counted:
        last = counted[-1]
        note += (
            f"; re-referred ({last.values['event'].replace('_', '-')}) on {ISO[last.period_start]}"
        )
    else:
        note += "; no re-referral within " + (sustain.describe() if sustain else "the period")
    step = outcome_step(
        social_care_closed_without_re_referral,
        outcome,
        threshold,
        closings[-1:] + counted[-1:],
        True,
        note,
    )
    return finish(facts, outcome, met=True, met_on=since, steps=(step,))


def _closed_words(outcome) -> str:
    return f"CIN/CP closed or stepped down, no re-referral for {outcome.sustain.describe()}"


@outcome_rule("judged_at", "applies_only_where_assessed")
def sexual_exploitation_risk_addressed(facts: Facts, outcome):
    """6.3 "Children and young people being or at risk of being sexually exploitation are
    identified and supported to stay safe", measured as "Risk factors have been identified,
    addressed and intervention to build resilience delivered" """
    return judged_outcome(sexual_exploitation_risk_addressed, facts, outcome)


@outcome_rule("judged_at", "applies_only_where_assessed")
def improved_parenting_skills(facts: Facts, outcome):
    """6.4 "Parents/carers have improved parenting skills sufficiently to enable them to handle
    problems that might arise in the future." """
    return judged_outcome(improved_parenting_skills, facts, outcome)


@outcome_rule("min_attendance_pct")
def early_years_entitlement_taken_up(facts: Facts, outcome):
    """6.5 "Family has accessed Early Years Entitlement and child/children are attending provision
    regularly", measured as "Nursery place accessed and attendance is regular." """
    least = outcome.params["min_attendance_pct"]
    entitled = by_person(e for e in facts.of("early_years_entitlement") if e.values["entitled"])
    if not entitled:
        return not_applicable(
            early_years_entitlement_taken_up, outcome, "no child entitled to funded early education"
        )

    def regular(e):
        a = e.values.get("attendance_pct")
        return e.values["taken_up"] and a is not None and a >= least

    dates, rows, missing = [], [], []
    for child, own in sorted(entitled.items(), key=lambda kv: str(kv[0])):
        ok, since = latest_run(own, regular)
        rows += own[-1:]
        dates.append(since if ok else None)
        if not ok:
            missing.append(
                f"{child}: a nursery place taken up with attendance of at least {least}%"
            )
    met = None not in dates
    step = outcome_step(
        early_years_entitlement_taken_up,
        outcome,
        f"place taken up and attendance ≥{least}%",
        rows,
        met,
        "taken up and attending regularly" if met else "not yet taken up or attendance not regular",
    )
    return finish(
        facts, outcome, met=met, met_on=max(dates) if met else None, steps=(step,), missing=missing
    )


@outcome_rule("judged_at", "applies_only_where_assessed")
def short_break_package_in_place(facts: Facts, outcome):
    """6.6 "A package of short break provision is in place for the family and the child is
    engaging with this." """
    return judged_outcome(short_break_package_in_place, facts, outcome)


@outcome_rule("judged_at", "applies_only_where_assessed")
def stable_and_safe_accommodation(facts: Facts, outcome):
    """6.7 "Stable and safe accommodation in place for the family and a package of support in
    place to ensure children's needs are met" """
    return judged_outcome(stable_and_safe_accommodation, facts, outcome)
