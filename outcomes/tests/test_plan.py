"""The plan as data: version 9 is complete, round-trips, and a broken plan names its fault."""

import copy
import inspect

import pytest

from outcomes.engine import Plan, PlanError
from outcomes.engine.rules import INDICATOR_RULES, OUTCOME_RULES
from outcomes.tests.builders import PLAN, PLAN_DICT


def test_version_9_holds_every_indicator_and_outcome_of_the_seed():
    assert (PLAN.version, PLAN.effective_from.isoformat()) == (9, "2018-08-01")
    assert list(PLAN.indicators) == [
        *(f"1.{i}" for i in range(1, 7)),
        *(f"2.{i}" for i in range(1, 7)),
        *(f"3.{i}" for i in range(1, 5)),
        *(f"4.{i}" for i in range(1, 5)),
        *(f"5.{i}" for i in range(1, 8)),
        *(f"6.{i}" for i in range(1, 9)),
    ]
    assert list(PLAN.outcomes) == [
        *(f"1.{i}" for i in range(1, 6)),
        *(f"2.{i}" for i in range(1, 4)),
        *(f"3.{i}" for i in range(1, 5)),
        *(f"4.{i}" for i in range(1, 5)),
        *(f"5.{i}" for i in range(1, 4)),
        *(f"6.{i}" for i in range(1, 8)),
    ]


def test_thresholds_live_in_the_plan():
    o = PLAN.outcomes
    assert o["1.1"].params["min_attendance_pct"] == 90 and o["1.1"].window.describe() == "3 terms"
    assert o["1.2"].params["below_pct"] == 40 and o["1.2"].params["min_improvement_pct"] == 40
    assert (o["1.4"].params["max_exclusions_below"], o["1.4"].params["max_days_below"]) == (3, 10)
    assert o["2.1"].sustain.describe() == "6 months"
    periods = o["3.1"].params["periods"]
    assert (periods["JSA"], periods["ESA"], periods["IS"]) == (
        {"weeks": 26},
        {"weeks": 13},
        {"weeks": 13},
    )
    assert o["3.2"].params["min_steps"] == 2 and len(o["3.2"].params["steps"]) == 16
    assert o["6.2"].sustain.describe() == "3 months"
    assert (PLAN.payments["attachment_fee"], PLAN.payments["results_payment"]) == (1000, 800)
    assert [h.id for h in PLAN.rickter_headings if h.reversed] == [
        "influence",
        "stress",
        "alcohol",
        "drugs",
    ]
    assert len(PLAN.family_star_areas) == 10


def test_plan_round_trips_through_its_dict():
    assert PLAN.to_dict() == PLAN_DICT
    assert Plan.from_dict(PLAN.to_dict()) == PLAN


def test_every_rule_quotes_the_seed():
    for name, spec in {**INDICATOR_RULES, **OUTCOME_RULES}.items():
        doc = inspect.getdoc(spec.fn) or ""
        assert '"' in doc, f"rule {name} must quote the seed passage it implements"


def _broken(change):
    d = copy.deepcopy(PLAN_DICT)
    change(d)
    return d


def _set(path, value):
    def change(d):
        *parents, last = path
        for key in parents:
            d = d[key]
        d[last] = value

    return change


def _delete(path):
    def change(d):
        *parents, last = path
        for key in parents:
            d = d[key]
        del d[last]

    return change


ATT = ["headline_problems", 0, "outcomes", 0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            _set(["version"], "9"), r"^version: expected a whole number", id="version not a number"
        ),
        pytest.param(
            _set(["effective_from"], "01/08/2018"),
            r"plan\.effective_from: expected an ISO date",
            id="bad date",
        ),
        pytest.param(
            _delete([*ATT, "params", "min_attendance_pct"]),
            r"outcomes\[0\]\.params: missing 'min_attendance_pct'",
            id="missing threshold",
        ),
        pytest.param(
            _set([*ATT, "rule"], "attend_more"),
            r"outcomes\[0\]\.rule: unknown outcome rule 'attend_more'",
            id="unknown rule",
        ),
        pytest.param(
            _set([*ATT, "window"], {"fortnights": 3}),
            r"outcomes\[0\]\.window: unknown unit 'fortnights'",
            id="bad period",
        ),
        pytest.param(
            _set([*ATT, "evidence_kinds"], ["gossip"]),
            r"unknown evidence kind 'gossip'",
            id="unknown evidence kind",
        ),
        pytest.param(
            _set(["headline_problems", 0, "indicators", 0, "requires"], [{"any_of": ["9.9"]}]),
            r"indicators\[0\]\.requires\[0\]\.any_of: outcome '9\.9' is not in the plan",
            id="requires an unknown outcome",
        ),
        pytest.param(
            _set(["headline_problems", 0, "outcomes", 1, "id"], "1.1"),
            r"outcome 1\.1 appears twice",
            id="duplicate outcome",
        ),
        pytest.param(
            _set(["claims", "route_2_outcome"], "7.1"),
            r"claims\.route_2_outcome: outcome '7\.1'",
            id="route 2 outcome unknown",
        ),
        pytest.param(
            _set(["claim_windows", 0, "closes"], "2018-08-01"),
            r"claim_windows\[0\]: closes before it opens",
            id="claim window backwards",
        ),
        pytest.param(
            _set(["tools", "family_star_areas"], [f"Area {i}" for i in range(13)]),
            r"tools\.family_star_areas: 13 given, at most 12",
            id="more Family Star areas than the reports keep",
        ),
    ],
)
def test_a_broken_plan_names_the_field(change, message):
    with pytest.raises(PlanError, match=message):
        Plan.from_dict(_broken(change))
