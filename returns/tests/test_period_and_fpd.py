"""The six months a return covers, on both sides of its boundaries, and Family Progress Data's
indicators before and during the intervention."""

from datetime import date

import pytest

from outcomes.models import Evidence
from returns.indicators import INDICATORS
from returns.selectors import Period, national_return

from .factories import evidence, member, programme_family

AS_OF = date(2025, 9, 30)  # the period is 1 April to 30 September 2025


@pytest.mark.parametrize(
    "as_of, starts_on",
    [
        (date(2025, 9, 30), date(2025, 4, 1)),
        (date(2025, 3, 31), date(2024, 10, 1)),
        (date(2025, 8, 31), date(2025, 3, 1)),
        (date(2024, 8, 29), date(2024, 2, 29)),  # a leap year's February
        (date(2025, 8, 29), date(2025, 2, 28)),  # the 30th of February is its last day
        (date(2025, 6, 15), date(2024, 12, 16)),
    ],
)
def test_the_period_is_the_six_months_ending_on_the_as_of_date(as_of, starts_on):
    assert Period.ending_on(as_of) == Period(starts_on, as_of)


def families_in(users, kind="nis", as_of=AS_OF):
    made = national_return(users["programme"], kind=kind, as_of=as_of)
    return {row[0] for row in made.rows}


def test_an_episode_closed_the_day_before_the_period_is_out_and_on_its_first_day_in(users):
    out = programme_family(
        users, surname="Out", attached_on=date(2025, 1, 10), ended_on=date(2025, 3, 31)
    )
    in_ = programme_family(
        users, surname="In", attached_on=date(2025, 1, 10), ended_on=date(2025, 4, 1)
    )
    for family in (out, in_):
        member(family)

    assert families_in(users) == {in_.reference}
    assert families_in(users, "fpd") == {in_.reference}
    # A day earlier, the period starts on 31 March and takes the other family in too.
    assert families_in(users, as_of=date(2025, 9, 29)) == {out.reference, in_.reference}


def test_a_family_attached_on_the_as_of_date_is_in_and_the_day_after_out(users):
    on = programme_family(users, surname="On", attached_on=AS_OF)
    after = programme_family(users, surname="After", attached_on=date(2025, 10, 1))
    for family in (on, after):
        member(family)

    assert families_in(users) == {on.reference}
    assert families_in(users, "fpd") == {on.reference}


def test_fpd_has_a_row_per_family_with_the_thirteen_indicators_before_and_during(users):
    family = programme_family(users, surname="Ford", attached_on=date(2025, 1, 15))
    made = national_return(users["programme"], kind="fpd", as_of=AS_OF)

    assert len(INDICATORS) == 13
    assert made.header[:4] == ["Family ID", "Attachment date", "Period start", "Period end"]
    assert len(made.header) == 4 + 2 * 13
    assert made.rows == [[family.reference, "2025-01-15", "2025-04-01", "2025-09-30"] + ["N"] * 26]
    assert made.filename == "family-progress-data-v1-2025-04-01-to-2025-09-30.csv"


def column(made, header):
    (row,) = made.rows
    return row[made.header.index(header)]


def test_during_counts_from_the_period_start_on_both_sides_of_the_boundary(users):
    # Attached before the period: "during" this return is the period itself.
    family = programme_family(users, surname="Dale", attached_on=date(2025, 1, 15))
    evidence(family, "health_need", date(2025, 3, 31), need="mental_health")
    evidence(family, "asb_intervention", date(2025, 4, 1), intervention="warning")
    evidence(family, "eet_status", AS_OF, status="NEET")
    evidence(family, "health_need", date(2025, 10, 1), recorded_on=AS_OF, need="substance_misuse")

    made = national_return(users["programme"], kind="fpd", as_of=AS_OF)

    assert column(made, "Mental health need (during)") == "N"  # 31 March: before the period
    assert column(made, "Anti-social behaviour intervention (during)") == "Y"  # 1 April
    assert column(made, "Young person not in education, employment or training (during)") == "Y"
    assert column(made, "Substance misuse (during)") == "N"  # after the as-of date


def test_before_is_the_six_months_before_attachment_on_both_sides(users):
    family = programme_family(users, surname="Bell", attached_on=date(2025, 1, 15))
    # Before: 15 July 2024 to 14 January 2025.
    evidence(family, "financial_exclusion_risk", date(2024, 7, 14), reason="rent_arrears")
    evidence(family, "financial_exclusion_risk", date(2024, 7, 15), reason="unmanageable_debt")
    evidence(family, "social_care_event", date(2025, 1, 14), event="cp_opened")
    evidence(family, "social_care_event", date(2025, 1, 15), event="cin_opened")

    made = national_return(users["programme"], kind="fpd", as_of=AS_OF)

    assert column(made, "Rent arrears (before)") == "N"
    assert column(made, "Unmanageable debt (before)") == "Y"
    assert column(made, "Child protection enquiry or plan (before)") == "Y"
    assert column(made, "Child in need (before)") == "N"  # the day of attachment is during
    assert made.problems == []  # there is a baseline


def test_only_the_indicators_values_count(users):
    family = programme_family(users, surname="Hale", attached_on=date(2025, 5, 1))
    evidence(family, "domestic_incident", date(2025, 6, 1), severity=2, police_callout=False)
    evidence(
        family,
        "domestic_abuse",
        date(2025, 6, 2),
        role="victim",
        abuse="domestic",
        status="historic",
    )
    evidence(family, "early_years_entitlement", date(2025, 6, 3), entitled=True, taken_up=False)

    made = national_return(users["programme"], kind="fpd", as_of=AS_OF)

    assert column(made, "Police call-out to a domestic incident (during)") == "N"
    assert column(made, "Domestic abuse, current or a risk (during)") == "N"
    assert column(made, "Funded early education not taken up (during)") == "Y"


def test_evidence_recorded_or_withdrawn_after_the_as_of_date_does_not_change_the_file(users):
    family = programme_family(users, surname="Nash", attached_on=date(2025, 5, 1))
    item = evidence(family, "health_need", date(2025, 6, 1), need="mental_health")
    first = national_return(users["programme"], kind="fpd", as_of=AS_OF).csv_bytes()
    assert b"Y" in first

    # Recorded in October: a late item and a withdrawal of the June one.
    evidence(family, "not_on_roll", date(2025, 9, 1), recorded_on=date(2025, 10, 2))
    Evidence.objects.create(
        family=family,
        kind="retraction",
        period_start=date(2025, 6, 1),
        period_end=date(2025, 6, 1),
        source="Test",
        recorded_on=date(2025, 10, 3),
        supersedes=item,
    )
    assert national_return(users["programme"], kind="fpd", as_of=AS_OF).csv_bytes() == first
    # As of the day of the withdrawal, the June item no longer counts, and the late one does.
    later = national_return(users["programme"], kind="fpd", as_of=date(2025, 10, 3))
    assert column(later, "Mental health need (during)") == "N"
    assert column(later, "Child not on a school roll (during)") == "Y"


def test_a_family_with_nothing_recorded_before_attachment_is_reported(users):
    family = programme_family(users, surname="Bare", attached_on=date(2025, 5, 1))
    evidence(family, "health_need", date(2025, 6, 1), need="mental_health")

    made = national_return(users["programme"], kind="fpd", as_of=AS_OF)

    (problem,) = made.problems
    assert problem.family == f"Bare family ({family.reference})"
    assert problem.column == "Before intervention"
    assert "before it was attached on 1 May 2025" in problem.problem
    assert len(made.rows) == 1  # reported, and still in the file
