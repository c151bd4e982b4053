"""Headline problems 4, 5 and 6: health, domestic abuse, children who need help.

Test ids quote seed 002, Appendix One, version 9, sections 4–6. The intervention starts on 3
September 2018 and results are as of 30 September 2019.
"""

from datetime import date

import pytest

from outcomes.tests.builders import (
    assessed,
    check_indicator,
    check_outcome,
    event,
    family,
    problem,
)

# --- 4 Health ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("evidence", "met"),
    [
        pytest.param(
            [assessed("4.1", "2019-02-01")],
            True,
            id="4.1 'access to, and engage with health services': judged met",
        ),
        pytest.param(
            [
                event(
                    "health_registration",
                    "P1",
                    "2019-02-01",
                    service="GP",
                    registered=True,
                    accessing=True,
                )
            ],
            True,
            id="4.1 'registered with and are accessing health services ... the GP'",
        ),
        pytest.param(
            [
                event(
                    "health_registration",
                    "P1",
                    "2019-02-01",
                    service="GP",
                    registered=True,
                    accessing=False,
                )
            ],
            False,
            id="4.1 registered but not accessing is not enough",
        ),
    ],
)
def test_outcome_4_1_accessing_health_services(evidence, met):
    snapshot = family(problems=[problem("4.1", "P1")], evidence=evidence)
    assert check_outcome(snapshot, "4.1").met is met


@pytest.mark.parametrize(
    ("stage", "met"),
    [
        pytest.param(
            "close",
            True,
            id="4.2 'report improved health & well-being at the end of intervention': at close",
        ),
        pytest.param(
            "review", False, id="4.2 'at the end of intervention': a review judgement is too early"
        ),
    ],
)
def test_outcome_4_2_judged_at_close(stage, met):
    assert (
        check_outcome(family(evidence=[assessed("4.2", "2019-06-01", stage=stage)]), "4.2").met
        is met
    )


def _rickter(heading, baseline, desired, latest, stage="close", on="2019-03-01"):
    return [
        event(
            "rickter_score",
            "P1",
            "2018-09-10",
            heading=heading,
            stage="baseline",
            score=baseline,
            desired=desired,
        ),
        event("rickter_score", "P1", on, heading=heading, stage=stage, score=latest),
    ]


@pytest.mark.parametrize(
    ("evidence", "met"),
    [
        pytest.param(
            _rickter("alcohol", 7, 2, 5),
            True,
            id="4.3 'movement towards their desired state ... drugs and/or alcohol' (reversed)",
        ),
        pytest.param(
            _rickter("alcohol", 7, 2, 7), False, id="4.3 no movement on the Rickter Alcohol heading"
        ),
        pytest.param(
            [event("substance_use_report", "P1", "2019-03-01", change="reduced")],
            True,
            id="4.3 'report a reduction in harmful alcohol and drug use'",
        ),
    ],
)
def test_outcome_4_3_reduced_substance_use(evidence, met):
    result = check_outcome(family(evidence=evidence), "4.3")
    assert result.met is met
    if met:
        assert result.met_on == date(2019, 3, 1)


# 4.3 "reduced or cease their harmful alcohol and/or drug use at end of intervention"; the
# Rickter Scale "is repeated mid-way and at the end of the intervention" (seed 002 §3.4.6).
@pytest.mark.parametrize(
    ("scores", "met"),
    [
        pytest.param(
            _rickter("alcohol", 7, 2, 5, stage="review"),
            False,
            id="4.3 'at end of intervention': movement at a mid-way review is not enough",
        ),
        pytest.param(
            _rickter("alcohol", 7, 2, 5, stage="review")
            + [
                event(
                    "rickter_score", "P1", "2019-06-01", heading="alcohol", stage="close", score=7
                )
            ],
            False,
            id="4.3 'at end of intervention': moved mid-way, back at the baseline by the close",
        ),
        pytest.param(
            _rickter("alcohol", 7, 7, 7, stage="review")[1:]
            + _rickter("alcohol", 7, 2, 6, on="2019-06-01"),
            True,
            id="4.3 'at end of intervention': the close score shows movement",
        ),
    ],
)
def test_outcome_4_3_rickter_movement_judged_at_the_end(scores, met):
    result = check_outcome(family(evidence=scores), "4.3")
    assert result.met is met
    if met:
        assert result.met_on == date(2019, 6, 1)


@pytest.mark.parametrize(
    ("headings", "met"),
    [
        pytest.param(
            ("health", "happiness"),
            True,
            id="4.2 'in relation to health and happiness on the Rickter Lifeboard': both",
        ),
        pytest.param(
            ("health",), False, id="4.2 movement on Health alone is not health and happiness"
        ),
    ],
)
def test_outcome_4_2_rickter_health_and_happiness(headings, met):
    evidence = [e for h in headings for e in _rickter(h, 4, 8, 6)]
    assert check_outcome(family(evidence=evidence), "4.2").met is met


def test_indicator_4_1_mental_health_of_a_parent_or_child():
    snapshot = family(
        problems=[problem("4.1", "P1")],
        evidence=[event("health_need", "P1", "2018-08-01", need="mental_health")],
    )
    assert check_indicator(snapshot).evidenced


# --- 5 Domestic abuse --------------------------------------------------------------------------


def _incidents(*days_and_severity):
    return [
        event("domestic_incident", "P1", on, severity=s, police_callout=True)
        for on, s in days_and_severity
    ]


CURRENT = event(
    "domestic_abuse", "P1", "2018-08-01", role="victim", abuse="domestic", status="current"
)


@pytest.mark.parametrize(
    ("incidents", "met"),
    [
        pytest.param(
            _incidents(("2018-05-01", 3), ("2018-07-01", 2), ("2019-01-10", 1)),
            True,
            id="5.1 'reduced in severity during the period of intervention compared to the 6 "
            "month period prior'",
        ),
        pytest.param(
            _incidents(("2018-05-01", 2), ("2019-01-10", 2)),
            False,
            id="5.1 as many incidents, as severe, as in the 6 months before",
        ),
        pytest.param(
            _incidents(("2018-02-01", 3), ("2019-01-10", 1)),
            False,
            id="5.1 an incident 7 months before the start is outside 'the 6 month period prior'",
        ),
    ],
)
def test_outcome_5_1_incidents_reduced(incidents, met):
    result = check_outcome(family(evidence=[CURRENT, *incidents]), "5.1")
    assert result.met is met
    if met:  # sustained once the intervention has run 6 months
        assert result.sustained_on == date(2019, 3, 3)


@pytest.mark.parametrize(
    ("feeling", "met"),
    [
        pytest.param("somewhat_safer", True, id="5.2 'report feeling somewhat or much safer'"),
        pytest.param("no_change", False, id="5.2 feeling no safer"),
    ],
)
def test_outcome_5_2_feeling_safer(feeling, met):
    report = event("safety_report", "P1", "2019-06-01", feeling=feeling)
    assert check_outcome(family(evidence=[CURRENT, report]), "5.2").met is met


def test_outcome_5_3_applies_only_to_historic_abuse():
    assert not check_outcome(family(evidence=[CURRENT]), "5.3").applies
    historic = event(
        "domestic_abuse", "P1", "2016-01-01", role="victim", abuse="domestic", status="historic"
    )
    wellbeing = event("wellbeing_report", "P1", "2019-05-01", improved=True)
    result = check_outcome(family(evidence=[historic, wellbeing]), "5.3")
    assert result.applies and result.met


@pytest.mark.parametrize(
    ("on", "evidenced"),
    [
        pytest.param(
            "2018-07-04", True, id="indicator 5.7 'police call out ... in the last 2 months'"
        ),
        pytest.param("2018-07-02", False, id="indicator 5.7 a call-out 2 months and a day before"),
    ],
)
def test_indicator_5_7_police_call_out(on, evidenced):
    snapshot = family(problems=[problem("5.7", "P1")], evidence=_incidents((on, 2)))
    assert check_indicator(snapshot).evidenced is evidenced


# --- 6 Children who need help ------------------------------------------------------------------


def _care(*events):
    return [event("social_care_event", "P2", on, event=kind) for on, kind in events]


@pytest.mark.parametrize(
    ("events", "sustained", "met_on"),
    [
        pytest.param(
            _care(("2018-06-01", "cin_opened"), ("2019-05-01", "cin_closed")),
            True,
            date(2019, 5, 1),
            id="6.2 'CIN or CP cases closed ... with no subsequent re-referrals to Social Care "
            "for 3 months'",
        ),
        pytest.param(
            _care(
                ("2018-06-01", "cin_opened"),
                ("2019-05-01", "step_down"),
                ("2019-07-01", "referral"),
            ),
            False,
            date(2019, 7, 2),
            id="6.2 a re-referral within 3 months restarts the clock",
        ),
        pytest.param(
            _care(("2018-06-01", "cp_opened")),
            False,
            None,
            id="6.2 a child protection plan still open",
        ),
    ],
)
def test_outcome_6_2_social_care_closed(events, sustained, met_on):
    result = check_outcome(family(evidence=events), "6.2")
    assert result.sustained is sustained
    assert result.met_on == met_on


# 6.2 "CIN or CP cases closed or stepped down to Early Help Services with no subsequent
# re-referrals to Social Care for 3 months": a step-up recorded in the service is a re-referral.
@pytest.mark.parametrize(
    ("step_up_on", "sustained", "met_on"),
    [
        pytest.param(
            "2019-07-01",
            False,
            date(2019, 7, 2),
            id="6.2 a step-up within 3 months after the step-down blocks it ('no subsequent "
            "re-referrals to Social Care for 3 months')",
        ),
        pytest.param(
            "2019-08-15",
            True,
            date(2019, 5, 1),
            id="6.2 a step-up after the 3 months does not undo it",
        ),
        pytest.param(None, True, date(2019, 5, 1), id="6.2 stepped down, no step-up"),
    ],
)
def test_outcome_6_2_a_step_up_is_a_re_referral(step_up_on, sustained, met_on):
    events = _care(("2019-05-01", "step_down")) + (
        _care((step_up_on, "step_up")) if step_up_on else []
    )
    result = check_outcome(family(evidence=events), "6.2")
    assert result.applies  # a step-down is itself a case "stepped down to Early Help"
    assert result.sustained is sustained
    assert result.met_on == met_on
    if step_up_on == "2019-07-01":
        assert "re-referred (step-up) on 2019-07-01" in result.explanation[0].note


@pytest.mark.parametrize(
    ("closure_reason", "met"),
    [
        pytest.param("needs_met", True, id="6.1 'Intervention closed due to work being complete'"),
        pytest.param(
            "transferred", False, id="6.1 a transfer to another lead agency is not needs met"
        ),
    ],
)
def test_outcome_6_1_needs_met_at_closure(closure_reason, met):
    snapshot = family(ended="2019-06-30", closure_reason=closure_reason)
    result = check_outcome(snapshot, "6.1")
    assert result.met is met
    if met:
        assert result.met_on == date(2019, 6, 30)


@pytest.mark.parametrize(
    ("attendance_pct", "met"),
    [
        pytest.param(90, True, id="6.5 'Nursery place accessed and attendance is regular': 90%"),
        pytest.param(89, False, id="6.5 'attendance is regular': 89% is below the plan's line"),
    ],
)
def test_outcome_6_5_early_years_entitlement(attendance_pct, met):
    row = event(
        "early_years_entitlement",
        "P2",
        "2019-03-01",
        entitled=True,
        taken_up=True,
        attendance_pct=attendance_pct,
    )
    assert check_outcome(family(evidence=[row]), "6.5").met is met


def test_outcome_6_4_applies_only_where_the_plan_took_up_parenting():
    assert not check_outcome(family(), "6.4").applies
    start = assessed("6.4", "2018-09-20", judgement="not_met", stage="start")
    assert not check_outcome(family(evidence=[start]), "6.4").met
    result = check_outcome(family(evidence=[start, assessed("6.4", "2019-04-01")]), "6.4")
    assert result.met and result.met_on == date(2019, 4, 1)


def test_indicator_6_5_child_protection_plan_open_on_the_day():
    snapshot = family(problems=[problem("6.5", "P2")], evidence=_care(("2018-06-01", "cp_opened")))
    assert check_indicator(snapshot).evidenced
    closed = _care(("2018-06-01", "cp_opened"), ("2018-08-01", "cp_closed"))
    assert not check_indicator(family(problems=[problem("6.5", "P2")], evidence=closed)).evidenced
