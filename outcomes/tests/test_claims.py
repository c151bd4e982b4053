"""Eligibility, claim routes and claim status (DOMAIN §5 and §8; seed 002 §3.1.5, Table 6).

The "good family" below has two problems, both met and sustained by 20 July 2019: a child's school
attendance (1.1: 95% over the three terms of the intervention) and an anti-social behaviour
intervention before engagement (2.2: none since, sustained on 3 March 2019).
"""

from datetime import date

import pytest

from outcomes.engine import Plan
from outcomes.engine.results import REASON_TEXT
from outcomes.tests.builders import (
    ATTACHED,
    PLAN,
    PLAN_DICT,
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
            id="eligibility 'each evidenced by an indicator': an unevidenced one does not count",
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


# Seed 002 §3.1.2: the four principles "had to apply to all families declared as 'engaged' under
# the programme and for which a claim is made". The v9 plan's `principles_blocking` names only
# two of them; the engine requires all four whatever the plan names.
@pytest.mark.parametrize(
    ("principle", "code"),
    [
        pytest.param(
            "whole_family_assessment",
            "no_assessment_or_action_plan",
            id="'an assessment that takes into account the needs of the whole family'",
        ),
        pytest.param(
            "plan_covers_all_members",
            "no_assessment_or_action_plan",
            id="'an action plan that takes account of all (relevant) family members'",
        ),
        pytest.param(
            "named_lead_worker",
            "other",
            id="'a lead / key worker ... recognised by the family and other professionals'",
        ),
        pytest.param(
            "objectives_aligned",
            "no_assessment_or_action_plan",
            id="'the objectives in the family action plan are aligned to' the outcomes plan",
        ),
    ],
)
def test_every_principle_must_hold_for_any_results_claim(principle, code):
    result = run(good(working={principle: False}))
    assert result.claim.status == "not_claimable"
    assert codes(result) == [code]
    # No PASS on a claim step beside the failing principle, and the step says why in words.
    steps = result.claim.explanation
    assert not any(s.result for s in steps)
    ruled_out = [s for s in steps if s.rule == "claim_ruled_out"]
    assert [s.threshold for s in ruled_out] == [
        "the four family-working principles hold for any results claim (seed 002 §3.1.2)"
    ]
    assert ruled_out[0].note.startswith(REASON_TEXT[code] + ": no ")
    assert any("(a family-working principle)" in m for m in result.missing)
    assert result.attachment.attachment_fee == 0  # not ready to attach either


def test_the_plan_may_name_the_reason_of_a_principle_not_whether_it_counts():
    plan = Plan.from_dict(
        {
            **PLAN_DICT,
            "claims": {
                **PLAN_DICT["claims"],
                "principles_blocking": {"named_lead_worker": "no_assessment_or_action_plan"},
            },
        }
    )
    lead = run(good(working={"named_lead_worker": False}), plan)
    assert codes(lead) == ["no_assessment_or_action_plan"]
    # Left out of the plan's table, a principle still rules a claim out, with its default reason.
    assessment = run(good(working={"whole_family_assessment": False}), plan)
    assert codes(assessment) == ["no_assessment_or_action_plan"]


def test_no_principles_recorded_names_every_one_missing():
    result = run(good(working=False))
    assert codes(result) == ["no_assessment_or_action_plan", "other"]
    principles = [m for m in result.missing if m.endswith("(a family-working principle)")]
    assert principles == [
        "An assessment that takes into account the needs of the whole family "
        "(a family-working principle)",
        "An action plan that takes account of all relevant family members "
        "(a family-working principle)",
        "A lead worker for the family, recognised by the family and the other professionals "
        "involved (a family-working principle)",
        "The objectives of the family's action plan aligned to the Family Outcomes Plan "
        "(a family-working principle)",
    ]


def test_the_attachment_fee_is_shown_only_for_a_family_ready_to_attach():
    assert run(good()).attachment.attachment_fee == PLAN.payments["attachment_fee"]
    one_problem = run(good(problems=[problem("2.2", "P2")]))
    assert not one_problem.attachment.ready_to_attach
    assert one_problem.attachment.attachment_fee == 0


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
            id="'where an adult on out-of-work benefits was identified (3.1)' a work outcome "
            "is mandatory",
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


def test_reasons_are_in_plain_words_with_their_detail():
    result = run(good(ended="2019-04-01", closure_reason="moved_out_of_area", as_of="2019-05-01"))
    texts = [r.text for r in result.claim.reasons]
    assert texts == [
        "The family moved out of the area (moved out of area; the episode closed on 2019-04-01)",
        "Outcomes not met",
    ]
