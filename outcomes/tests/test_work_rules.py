"""Headline problem 3 (work and money): continuous employment and steps towards work.

Test ids quote seed 002, Appendix One, version 9, section 3, and §3.1.5 (national framework).
"""

from datetime import date, timedelta

import pytest

from outcomes.tests.builders import (
    assessed,
    check_outcome,
    event,
    family,
    run,
    spell,
)

JOB_START = date(2019, 1, 1)


def _left_benefit(benefit, *, as_of, job_end=None, **claim):
    return family(
        as_of=as_of,
        evidence=[
            spell("benefit_claim", "P1", "2017-01-01", "2018-12-31", benefit=benefit, **claim),
            spell("employment", "P1", JOB_START, job_end, hours_per_week=30),
        ],
    )


@pytest.mark.parametrize(
    ("benefit", "days", "sustained"),
    [
        pytest.param(
            "JSA", 182, True, id="3.1 '26 weeks if previously claiming JSA': exactly 26 weeks"
        ),
        pytest.param(
            "JSA", 178, False, id="3.1 '26 weeks if previously claiming JSA': four days short"
        ),
        pytest.param(
            "ESA", 91, True, id="3.1 '13 weeks if previously claiming Employment Support Allowance'"
        ),
        pytest.param("ESA", 90, False, id="3.1 '13 weeks ... ESA': a day short"),
        pytest.param(
            "IS", 91, True, id="3.1 '3 months for those claiming ESA or IS': IS takes 13 weeks"
        ),
    ],
)
def test_outcome_3_1_continuous_employment_period_per_benefit(benefit, days, sustained):
    result = check_outcome(_left_benefit(benefit, as_of=JOB_START + timedelta(days=days)), "3.1")
    assert result.met and result.met_on == JOB_START
    assert result.sustained is sustained
    weeks = 26 if benefit == "JSA" else 13
    assert result.sustain_due_on == JOB_START + timedelta(weeks=weeks)


@pytest.mark.parametrize(
    ("conditions", "applies"),
    [
        pytest.param(
            True, True, id="3.1 'claiming Universal Credit and subject to work related conditions'"
        ),
        pytest.param(
            False,
            False,
            id="3.1 Universal Credit without work-related conditions is not out-of-work",
        ),
    ],
)
def test_outcome_3_1_universal_credit_with_conditions(conditions, applies):
    snapshot = _left_benefit("UC", as_of="2019-09-30", work_related_conditions=conditions)
    result = check_outcome(snapshot, "3.1")
    assert result.applies is applies
    if applies:  # UC's period is a local decision in the plan: 26 weeks
        assert result.sustained_on == JOB_START + timedelta(weeks=26)


def test_outcome_3_1_job_ending_early_is_not_continuous():
    snapshot = _left_benefit("JSA", as_of="2019-09-30", job_end="2019-05-31")
    assert not check_outcome(snapshot, "3.1").met


def test_outcome_3_1_back_on_benefits_breaks_continuity():
    snapshot = _left_benefit("JSA", as_of="2019-09-30")
    back = spell("benefit_claim", "P1", "2019-04-01", None, benefit="JSA")
    snapshot = family(as_of="2019-09-30", evidence=snapshot.evidence + (back,))
    assert not check_outcome(snapshot, "3.1").sustained


def test_outcome_3_1_a_sustained_job_stays_achieved_after_it_ends():
    snapshot = _left_benefit("ESA", as_of="2019-09-30", job_end="2019-06-30")
    result = check_outcome(snapshot, "3.1")
    assert result.sustained_on == date(2019, 4, 2)


# --- 3.2 steps towards work ------------------------------------------------------------------


def _steps(*codes, on="2019-02-01"):
    return [event("step_towards_work", "P1", on, step=code) for code in codes]


@pytest.mark.parametrize(
    ("evidence", "met"),
    [
        pytest.param(
            _steps("written_cv"),
            False,
            id="3.2 '2 or more of the following steps': one step is not enough",
        ),
        pytest.param(
            _steps("written_cv", "opened_bank_account"),
            True,
            id="3.2 '2 or more of the following steps': two",
        ),
        pytest.param(
            _steps("written_cv", "written_cv"), False, id="3.2 the same step twice is one step"
        ),
        pytest.param(
            _steps("written_cv", "bought_a_suit"),
            False,
            id="3.2 a step not on the plan's list does not count",
        ),
        pytest.param(
            _steps("written_cv", "obtained_id", on="2018-08-01"),
            False,
            id="3.2 steps before the intervention do not count",
        ),
    ],
)
def test_outcome_3_2_steps_towards_work(evidence, met):
    result = check_outcome(family(evidence=evidence), "3.2")
    assert result.met is met
    if met:
        assert result.met_on == date(2019, 2, 1)
    else:
        assert result.missing


@pytest.mark.parametrize(
    ("barrier", "met"),
    [
        pytest.param(
            "health",
            True,
            id="3.2 health outcome 4.1 counts as 1 step 'where the issue was identified as a barrier to work'",  # noqa: E501 (a quote)
        ),
        pytest.param(
            "childcare",
            False,
            id="3.2 health outcome 4.1 does not count where health was not a barrier to work",
        ),
    ],
)
def test_outcome_3_2_health_outcome_as_a_step(barrier, met):
    evidence = _steps("written_cv") + [
        event("barrier_to_work", "P1", "2018-09-10", barrier=barrier),
        assessed("4.1", "2019-03-01"),
    ]
    result = check_outcome(family(evidence=evidence), "3.2")
    assert result.met is met
    if met:
        assert result.met_on == date(2019, 3, 1)


def test_outcome_3_2_only_one_step_from_health():
    evidence = [
        event("barrier_to_work", "P1", "2018-09-10", barrier="health"),
        event("barrier_to_work", "P1", "2018-09-10", barrier="substance_misuse"),
        assessed("4.1", "2019-03-01"),
        assessed("4.3", "2019-03-01", stage="close"),
    ]
    assert not check_outcome(family(evidence=evidence), "3.2").met


def test_route_2_is_continuous_employment_for_the_family():
    result = run(_left_benefit("JSA", as_of="2019-09-30"))
    route_2 = result.routes[1]
    assert route_2.achieved and route_2.achieved_on == JOB_START + timedelta(weeks=26)
