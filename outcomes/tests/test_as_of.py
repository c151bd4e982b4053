"""Results "as of" a date are reproducible: late evidence, corrections and determinism.

DOMAIN §6: "a correction supersedes an item and never erases it, so a result computed 'as of' a
date can be recomputed from exactly the evidence recorded by then."
"""

import json
import random
from dataclasses import replace
from datetime import date

import pytest

from outcomes.engine.jsonio import result_to_dict
from outcomes.tests.builders import (
    TERMS_DURING,
    attendance,
    attended,
    check_outcome,
    event,
    family,
    problem,
    run,
)


@pytest.mark.parametrize(
    ("recorded_on", "sustained"),
    [
        pytest.param("2019-09-30", False, id="an offence recorded on the as-of date counts"),
        pytest.param("2019-10-01", True, id="an offence recorded after the as-of date is ignored"),
    ],
)
def test_evidence_recorded_after_as_of_is_ignored(recorded_on, sustained):
    late = event("offence", "P2", "2019-06-01", recorded=recorded_on, proven=True)
    assert check_outcome(family(evidence=[late]), "2.1").sustained is sustained


def _corrected_attendance(correction_recorded_on):
    wrong = attendance("P2", "2019 summer", 70, id="ATT-SUMMER")
    fixed = attendance(
        "P2",
        "2019 summer",
        95,
        id="ATT-SUMMER-FIX",
        recorded=correction_recorded_on,
        supersedes="ATT-SUMMER",
    )
    return family(evidence=attended("P2", 95, terms=TERMS_DURING[:2]) + [wrong, fixed])


@pytest.mark.parametrize(
    ("recorded_on", "met", "evidence_used"),
    [
        pytest.param(
            "2019-09-01",
            True,
            "ATT-SUMMER-FIX",
            id="a correction recorded by the as-of date supersedes the item",
        ),
        pytest.param(
            "2019-10-01",
            False,
            "ATT-SUMMER",
            id="a correction recorded after the as-of date does not yet supersede",
        ),
    ],
)
def test_corrections_supersede_as_of_their_recording(recorded_on, met, evidence_used):
    result = check_outcome(_corrected_attendance(recorded_on), "1.1")
    assert result.met is met
    assert evidence_used in [e.id for e in result.explanation[0].evidence]


def test_a_retraction_withdraws_an_item_recorded_in_error():
    offence = event("offence", "P2", "2019-06-01", id="OFF-1", proven=True)
    retraction = event("retraction", "P2", "2019-06-01", recorded="2019-07-01", supersedes="OFF-1")
    assert not check_outcome(family(evidence=[offence]), "2.1").sustained
    assert check_outcome(family(evidence=[offence, retraction]), "2.1").sustained


def test_an_identification_naming_corrected_evidence_follows_the_correction():
    wrong = event("asb_intervention", "P2", "2017-01-01", id="ASB-OLD", intervention="x")
    fixed = event(
        "asb_intervention",
        "P2",
        "2018-06-01",
        id="ASB-NEW",
        recorded="2018-07-01",
        supersedes="ASB-OLD",
        intervention="x",
    )
    result = run(
        family(problems=[problem("2.2", "P2", evidence=["ASB-OLD"])], evidence=[wrong, fixed])
    )
    check = result.problems[0].identifications[0]
    assert check.evidenced
    assert [e.id for e in check.explanation[0].evidence] == ["ASB-NEW"]


def _busy_family():
    return family(
        problems=[problem("1.1", "P2"), problem("2.2", "P2"), problem("3.1", "P1")],
        evidence=[
            *attended("P2", 93),
            event("asb_intervention", "P2", "2018-06-10", intervention="contract"),
            event("step_towards_work", "P1", "2019-02-01", step="written_cv"),
            event("offence", "P2", "2019-03-01", proven=True),
        ],
    )


def test_re_running_gives_an_identical_result():
    snapshot = _busy_family()
    first, second = run(snapshot), run(snapshot)
    assert first == second
    assert json.dumps(result_to_dict(first)) == json.dumps(result_to_dict(second))


def test_the_order_evidence_arrives_in_does_not_change_the_result():
    snapshot = _busy_family()
    shuffled = list(snapshot.evidence)
    random.Random(7).shuffle(shuffled)
    assert run(replace(snapshot, evidence=tuple(shuffled))) == run(snapshot)


def test_a_later_as_of_date_sees_more_but_an_earlier_one_is_unchanged():
    snapshot = _busy_family()
    earlier = run(replace(snapshot, as_of=date(2019, 5, 1)))
    # Adding evidence recorded after 1 May 2019 changes nothing about the result as of 1 May.
    extra = event(
        "asb_intervention", "P1", "2019-04-20", recorded="2019-05-02", intervention="late"
    )
    again = run(replace(snapshot, as_of=date(2019, 5, 1), evidence=snapshot.evidence + (extra,)))
    # ... except that the answer now stands only until the day that evidence comes into view.
    assert again._replace(stands_until=None) == earlier._replace(stands_until=None)
    assert again.stands_until == date(2019, 5, 2) < earlier.stands_until
