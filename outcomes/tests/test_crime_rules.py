"""Headline problem 2 (crime and anti-social behaviour): windows from both sides.

As of 30 September 2019 with the intervention begun on 3 September 2018. Test ids quote seed 002,
Appendix One, version 9, section 2.
"""

from datetime import date

import pytest

from outcomes.tests.builders import check_indicator, check_outcome, event, family, problem


@pytest.mark.parametrize(
    ("offence_on", "sustained", "met_on"),
    [
        pytest.param(
            "2019-02-28",
            True,
            date(2019, 3, 1),
            id="2.1 'no proven offences by minors ... in the last 6 months': 7 months ago",
        ),
        pytest.param(
            "2019-04-30",
            False,
            date(2019, 5, 1),
            id="2.1 'no proven offences by minors ... in the last 6 months': 5 months ago",
        ),
    ],
)
def test_outcome_2_1_offence_window(offence_on, sustained, met_on):
    snapshot = family(evidence=[event("offence", "P2", offence_on, proven=True)])
    result = check_outcome(snapshot, "2.1")
    assert result.met_on == met_on
    assert result.sustained is sustained
    if not sustained:
        assert result.sustain_due_on == date(2019, 11, 1)
        assert "will be sustained on 2019-11-01" in result.missing[0]


@pytest.mark.parametrize(
    ("item", "sustained"),
    [
        pytest.param(
            event("offence", "P1", "2019-08-01", proven=True),
            True,
            id="2.1 'by minors': an adult's offence does not count",
        ),
        pytest.param(
            event("offence", "P2", "2019-08-01", proven=False),
            True,
            id="2.1 'proven offences': an unproven one does not count",
        ),
        pytest.param(
            event("offence", "P2", "2018-08-01", proven=True),
            True,
            id="2.1 an offence before the intervention does not stop the clock",
        ),
    ],
)
def test_outcome_2_1_what_counts(item, sustained):
    assert check_outcome(family(evidence=[item]), "2.1").sustained is sustained


@pytest.mark.parametrize(
    ("on", "sustained"),
    [
        pytest.param(
            "2019-03-29",
            True,
            id="2.2 'subject to an ASB intervention in the last 6 months': 6 months and a day ago",
        ),
        pytest.param(
            "2019-03-31",
            False,
            id="2.2 'subject to an ASB intervention in the last 6 months': within 6 months",
        ),
    ],
)
def test_outcome_2_2_asb_window(on, sustained):
    # The parent's intervention counts too: "No family member".
    snapshot = family(evidence=[event("asb_intervention", "P1", on, intervention="warning letter")])
    assert check_outcome(snapshot, "2.2").sustained is sustained


@pytest.mark.parametrize(
    ("led_to_outcome", "sustained"),
    [
        pytest.param(True, False, id="2.3 'arrests of adults ... leading to an outcome': counts"),
        pytest.param(False, True, id="2.3 an arrest with no outcome does not count"),
    ],
)
def test_outcome_2_3_arrests(led_to_outcome, sustained):
    snapshot = family(evidence=[event("arrest", "P1", "2019-06-01", led_to_outcome=led_to_outcome)])
    assert check_outcome(snapshot, "2.3").sustained is sustained


@pytest.mark.parametrize(
    ("offence_on", "evidenced"),
    [
        pytest.param(
            "2017-10-04",
            True,
            id="indicator 2.1 'a proven offence in the previous 12 months': 11 months before",
        ),
        pytest.param(
            "2017-08-01",
            False,
            id="indicator 2.1 'a proven offence in the previous 12 months': 13 months before",
        ),
    ],
)
def test_indicator_2_1_window(offence_on, evidenced):
    snapshot = family(
        problems=[problem("2.1", "P2")], evidence=[event("offence", "P2", offence_on, proven=True)]
    )
    assert check_indicator(snapshot).evidenced is evidenced


@pytest.mark.parametrize(
    ("release_on", "evidenced"),
    [
        pytest.param(
            date(2019, 8, 1),
            True,
            id="indicator 2.3 'less than 12 months from his/her release date'",
        ),
        pytest.param(
            date(2019, 10, 1), False, id="indicator 2.3 13 months from release is too far"
        ),
    ],
)
def test_indicator_2_3_prisoner_near_release(release_on, evidenced):
    from outcomes.tests.builders import spell

    custody = spell(
        "criminal_justice_order", "P1", "2017-01-01", None, order="custody", release_on=release_on
    )
    snapshot = family(problems=[problem("2.3", "P1")], evidence=[custody])
    assert check_indicator(snapshot).evidenced is evidenced
