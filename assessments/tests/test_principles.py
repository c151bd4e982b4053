"""The principles' words: the family page's seven and attachment's four come from one module
(`assessments.principles`), and a lack both sets see is said the same way in both."""

from datetime import date

import pytest

from assessments.principles import (
    CaseFacts,
    PlannedAction,
    WorkingFacts,
    derive,
    family_working,
)
from outcomes.tests.builders import PLAN

TODAY = date(2026, 3, 2)
MEMBERS = ((1, "Ann Lee"), (2, "Ben Lee"), (3, "Cat Lee"))
LINKED = PlannedAction(1, "2.2", "")


def case(**change) -> CaseFacts:
    facts = {
        "today": TODAY,
        "consents_held": 1,
        "consents_withdrawn": 0,
        "members": MEMBERS,
        "members_assessed": frozenset({1, 2, 3}),
        "assessment_status": "signed_off",
        "assessment_status_label": "Signed off",
        "headline_problems": 2,
        "actions": 1,
        "unlinked_actions": 0,
        "other_agencies_on_team": 1,
        "meetings": 1,
        "review_due_on": TODAY,
    }
    return CaseFacts(**(facts | change))


def working(**change) -> WorkingFacts:
    facts = {
        "members": MEMBERS,
        "members_assessed": frozenset({1, 2, 3}),
        "members_with_needs": frozenset({1}),
        "assessment_status": "signed_off",
        "assessment_status_label": "Signed off",
        "indicators": ("2.2",),
        "actions": (LINKED,),
        "lead": "Priya Shah",
        "lead_active": True,
        "plan": PLAN,
    }
    return WorkingFacts(**(facts | change))


def lacks(principles, key) -> tuple[str, ...]:
    return {p.key: p.lacking for p in principles}[key]


def test_complete_facts_meet_both_sets():
    assert all(p.met for p in derive(case()))
    assert all(p.met for p in family_working(working()))


@pytest.mark.parametrize(
    ("change", "says"),
    [
        pytest.param(
            {"assessment_status": None},
            "The assessment has not been started",
            id="not started",
        ),
        pytest.param(
            {"members_assessed": frozenset({2})},
            "Needs and strengths not yet recorded for Ann Lee and Cat Lee",
            id="members not assessed",
        ),
        pytest.param(
            {"members": ()},
            "No current members of the household are recorded",
            id="no members",
        ),
    ],
)
def test_the_whole_family_assessment_lacks_the_same_in_both(change, says):
    assert says in lacks(derive(case(**change)), "whole_family")
    assert says in lacks(family_working(working(**change)), "whole_family_assessment")


def test_not_signed_off_is_said_the_same_in_both():
    change = {"assessment_status": "submitted", "assessment_status_label": "Submitted"}
    says = "The assessment is not signed off by a manager: submitted"
    assert lacks(derive(case(**change)), "oversight") == (says,)
    assert lacks(family_working(working(**change)), "whole_family_assessment") == (says,)


def test_an_action_linked_to_nothing_is_said_the_same_in_both():
    says = "1 action is not linked to a need or an outcome of the outcomes plan"
    assert lacks(derive(case(unlinked_actions=1)), "outcomes") == (says,)
    unlinked = (LINKED, PlannedAction(2, "", ""))
    assert lacks(family_working(working(actions=unlinked)), "objectives_aligned") == (says,)


def test_no_actions_is_said_from_the_same_words():
    assert lacks(derive(case(actions=0)), "action_plan") == ("The plan has no actions yet",)
    four = family_working(working(actions=()))
    assert lacks(four, "plan_covers_all_members") == (
        "The plan has no actions yet: add an action for each member with needs",
    )
    assert lacks(four, "objectives_aligned") == (
        "The plan has no actions yet to align with the outcomes plan",
    )
