"""Eligibility, claim routes and claim status (DOMAIN §5 and §8; seed 002 §3.1.5, Table 6).

The "good family" below has two problems, both met and sustained by 20 July 2019: a child's school
attendance (1.1: 95% over the three terms of the intervention) and an anti-social behaviour
intervention before engagement (2.2: none since, sustained on 3 March 2019).
"""

from datetime import date

import pytest

from outcomes.tests.builders import (
    ATTACHED,
    TERMS_BEFORE,
    assessed,
    attendance,
    attended,
    event,
    family,
    problem,
    run,
    spell,
)

ASB = event("asb_intervention", "P2", "2018-06-10", id="ASB-1", intervention="contract")
BEFORE = [attendance("P2", t, 80) for t in TERMS_BEFORE]
GOOD_PROBLEMS = [problem("1.1", "P2"), problem("2.2", "P2")]
GOOD_EVIDENCE = [ASB, *BEFORE, *attended("P2", 95)]
SUSTAINED = date(2019, 7, 20)


def good(**kw):
    kw.setdefault("problems", GOOD_PROBLEMS)
    kw["evidence"] = GOOD_EVIDENCE + list(kw.get("evidence", []))
    return family(**kw)


def codes(result):
    return [r.code for r in result.claim.reasons]


# --- eligibility -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("problems", "eligible"),
    [
        pytest.param(
            [problem("2.2", "P2")],
            False,
            id="eligibility 'at least two' headline problems: one is not enough",
        ),
        pytest.param(
            [problem("2.2", "P2"), problem("2.1", "P2")],
            False,
            id="eligibility: two indicators of the same headline problem are still one problem",
        ),
        pytest.param(GOOD_PROBLEMS, True, id="eligibility 'at least two' headline problems: two"),
        pytest.param(
            [problem("2.2", "P2"), problem("4.1", "P1")],
            False,
            id="eligibility 'each evidenced by an indicator': an unevidenced problem does not count",  # noqa: E501 (a quote)
        ),
    ],
)
def test_eligibility(problems, eligible):
    result = run(good(problems=problems))
    assert result.eligibility.eligible is eligible
    assert result.attachment.ready_to_attach is eligible
    if not eligible:
        assert result.claim.status == "not_claimable"
        assert "ineligible" in codes(result)
        assert "At least two headline problems, each evidenced by an indicator" in result.missing


def test_attachment_needs_the_four_family_working_principles():
    result = run(good(working={"named_lead_worker": False}))
    assert result.eligibility.eligible
    assert not result.attachment.ready_to_attach
    assert dict(result.attachment.principles)["named_lead_worker"] is False


# --- route 1 and the claim date ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "status", "since"),
    [
        pytest.param(
            "2019-07-19",
            "in_progress",
            None,
            id="'valid on the date it is submitted': a day before sustained",
        ),
        pytest.param(
            "2019-07-20",
            "claimable",
            SUSTAINED,
            id="'valid on the date it is submitted': on the day sustained",
        ),
    ],
)
def test_claim_valid_on_the_as_of_date(as_of, status, since):
    result = run(good(as_of=as_of))
    assert result.claim.status == status
    assert result.claim.since == since
    if status == "claimable":
        assert result.claim.route == 1 and result.claim.results_payment == 800
        assert result.missing == ()


def test_a_claimable_family_stops_being_claimable_when_an_outcome_breaks():
    late = event("asb_intervention", "P1", "2019-09-01", intervention="warning")
    result = run(good(evidence=[late]))
    assert result.claim.status == "in_progress"
    assert any(
        "Outcome 2.2" in m and "will be sustained on 2020-03-02" in m for m in result.missing
    )


def test_claim_window_is_the_one_open_on_the_date_or_the_next():
    result = run(good(as_of="2019-07-20"))
    assert (result.claim.window.opens, result.claim.window.closes) == (
        date(2019, 9, 1),
        date(2019, 9, 30),
    )


@pytest.mark.parametrize(
    ("identified_on", "status"),
    [
        pytest.param(
            "2019-05-01",
            "in_progress",
            id="route 1 'and any identified during the intervention': an unmet one blocks",
        ),
        pytest.param(
            "2019-10-15",
            "claimable",
            id="route 1: a problem identified after the as-of date is not yet known",
        ),
    ],
)
def test_problem_identified_during_the_intervention(identified_on, status):
    mental_health = event("health_need", "P1", "2019-04-20", need="mental_health")
    later = problem("4.1", "P1", identified_on, stage="intervention")
    result = run(good(problems=GOOD_PROBLEMS + [later], evidence=[mental_health]))
    assert result.claim.status == status
    if status == "in_progress":
        health = result.problems[-1]
        assert health.stages == ("intervention",) and not health.sustained


def test_problem_identified_during_the_intervention_counts_once_met():
    mental_health = event("health_need", "P1", "2019-04-20", need="mental_health")
    later = problem("4.1", "P1", "2019-05-01", stage="intervention")
    result = run(
        good(
            problems=GOOD_PROBLEMS + [later],
            evidence=[mental_health, assessed("4.1", "2019-08-01")],
        )
    )
    assert result.claim.status == "claimable"
    assert result.claim.since == date(2019, 8, 1)


# --- the mandatory work outcome ---------------------------------------------------------------

JSA = spell("benefit_claim", "P1", "2017-01-01", None, benefit="JSA")


@pytest.mark.parametrize(
    ("steps", "status"),
    [
        pytest.param(
            (),
            "in_progress",
            id="'where an adult on out-of-work benefits was identified (3.1), a work outcome is mandatory'",  # noqa: E501 (a quote)
        ),
        pytest.param(
            ("written_cv", "obtained_id"),
            "claimable",
            id="3.1 identified: two steps towards work meet the mandatory work outcome",
        ),
    ],
)
def test_mandatory_work_outcome(steps, status):
    evidence = [JSA] + [event("step_towards_work", "P1", "2019-05-01", step=s) for s in steps]
    result = run(good(problems=GOOD_PROBLEMS + [problem("3.1", "P1")], evidence=evidence))
    assert result.claim.status == status
    route_1 = result.routes[0]
    work_step = [s for s in route_1.explanation if s.rule == "mandatory_work_outcome"][0]
    assert work_step.result is (status == "claimable")


def test_closed_with_only_the_work_outcome_missing_is_work_outcome_not_met():
    result = run(
        good(
            problems=GOOD_PROBLEMS + [problem("3.1", "P1")],
            evidence=[JSA],
            ended="2019-08-31",
            closure_reason="needs_met",
        )
    )
    assert result.claim.status == "not_claimable"
    assert codes(result) == ["work_outcome_not_met"]


def test_closed_with_an_outcome_unmet_is_outcomes_not_met():
    result = run(
        good(
            evidence=[event("asb_intervention", "P1", "2019-08-01", intervention="x")],
            ended="2019-08-31",
            closure_reason="needs_met",
        )
    )
    # The ASB outcome is met again from 2 August and only waits for its 6 months: still in progress.
    assert result.claim.status == "in_progress"
    low = [attendance("P2", "2019 summer", 50, id="LOW", supersedes=None)]
    result = run(
        family(
            problems=GOOD_PROBLEMS,
            evidence=[ASB, *BEFORE, *attended("P2", 95)[:2], *low],
            ended="2019-08-31",
            closure_reason="needs_met",
        )
    )
    assert result.claim.status == "not_claimable"
    assert codes(result) == ["outcomes_not_met"]


# --- one results claim per attachment and the other reasons -----------------------------------


def test_second_results_claim_for_the_same_attachment_is_refused():
    result = run(good(previous_claims=[(1, "2019-08-01", ATTACHED)]))
    assert result.claim.status == "claimed"
    assert result.claim.claimed_on == date(2019, 8, 1)
    assert result.claim.refusal.code == "already_claimed"
    assert "one results claim per attachment" in result.claim.refusal.text.lower()


def test_a_claim_against_an_earlier_attachment_does_not_block():
    result = run(good(previous_claims=[(1, "2016-05-01", "2015-09-01")]))
    assert result.claim.status == "claimable"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            dict(ended="2019-04-01", closure_reason="moved_out_of_area", as_of="2019-05-01"),
            ["moved_out_of_area", "outcomes_not_met"],
            id="'family moving out of area'",
        ),
        pytest.param(
            dict(ended="2019-04-01", closure_reason="withdrew_consent", as_of="2019-05-01"),
            ["disengaged", "outcomes_not_met"],
            id="'disengagement/withdrawal of consent'",
        ),
        pytest.param(
            dict(working={"whole_family_assessment": False}, as_of="2019-05-01"),
            ["no_assessment_or_action_plan", "outcomes_not_met"],
            id="'no assessment or action plan'",
        ),
        pytest.param(dict(attached=None), ["other"], id="not attached to the programme"),
        pytest.param(
            dict(
                problems=[problem("2.2", "P2"), problem("4.1", "P1")],
                working={"plan_covers_all_members": False},
            ),
            ["ineligible", "no_assessment_or_action_plan", "outcomes_not_met"],
            id="every reason is given: ineligible and no action plan and outcomes not met",
        ),
    ],
)
def test_not_claimable_reasons(changes, expected):
    result = run(good(**changes))
    assert result.claim.status == "not_claimable"
    assert codes(result) == expected


def test_moving_away_after_the_results_were_sustained_does_not_take_them_away():
    result = run(good(ended="2019-08-15", closure_reason="moved_out_of_area"))
    assert result.claim.status == "claimable" and result.claim.since == SUSTAINED
