"""Programme years as data (issue 17, DOMAIN §12): defaults from the seed, the rules of every
change, the pages and who may use them, the history of who changed what, and the engine reading
its claim windows and amounts from them rather than from the outcomes plan."""

import dataclasses
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from outcomes import nightly, years
from outcomes.engine.plan import ClaimWindow
from outcomes.engine.snapshot import ProgrammeYear as EngineYear
from outcomes.models import (
    ClaimBatch,
    FamilyChange,
    FamilyResult,
    FundingLine,
    ProgrammeClaimWindow,
    ProgrammeYear,
    SchoolTerm,
)
from outcomes.snapshots import calendar
from outcomes.tests.builders import run
from outcomes.tests.records import records_from
from outcomes.tests.test_claim_batches import builder_terms  # noqa: F401 (a fixture)
from outcomes.tests.test_claims import SUSTAINED, good

pytestmark = pytest.mark.django_db


def amounts(starts_in):
    return dict(
        FundingLine.objects.filter(year__starts_in=starts_in).values_list("stream", "amount")
    )


def test_defaults_cover_2015_to_2031_with_the_seeds_amounts():
    """Seed 002 §3.1.9: "Attachment Fees … £1000 per family", "Payment by Results … £800 per
    family"; Table 1's service transformation grant and OPCC funding for 2015-16 to 2019-20."""
    assert list(ProgrammeYear.objects.values_list("starts_in", flat=True)) == list(
        range(2015, 2031)
    )
    for starts_in in range(2015, 2031):
        got = amounts(starts_in)
        assert got["attachment_fee"] == 1000
        assert got["results_payment"] == 800
        assert ProgrammeClaimWindow.objects.filter(year__starts_in=starts_in).count() == 4
    assert amounts(2015)["transformation_grant"] == 394_000
    assert amounts(2019)["transformation_grant"] == 262_500
    assert amounts(2017)["other"] == 114_750
    # Table 1's attachment fees at £1,000 a family: the targets they were paid against.
    assert ProgrammeYear.objects.get(starts_in=2016).attachment_target == 1043
    assert "transformation_grant" not in amounts(2026)


# --- the rules of each change -----------------------------------------------------------------


def test_a_claim_window_lies_inside_its_year_and_overlaps_no_other():
    year = ProgrammeYear.objects.get(starts_in=2026)
    with pytest.raises(ValidationError) as outside:
        years.window_save(year, opens=date(2027, 3, 20), closes=date(2027, 4, 2))
    assert "in the programme year, from 1 April 2026 to 31 March 2027" in str(outside.value)
    with pytest.raises(ValidationError) as overlapping:
        years.window_save(year, opens=date(2026, 6, 20), closes=date(2026, 7, 10))
    assert "overlaps the window from 1 June 2026 to 30 June 2026" in str(overlapping.value)
    with pytest.raises(ValidationError) as backwards:
        years.window_save(year, opens=date(2026, 7, 10), closes=date(2026, 7, 1))
    assert "must be the same as or after it opens" in str(backwards.value)
    made = years.window_save(year, opens=date(2026, 7, 1), closes=date(2026, 7, 1))
    assert made.year == year
    # A window moved within its own dates does not clash with itself.
    years.window_save(year, window=made, opens=date(2026, 7, 1), closes=date(2026, 7, 15))


def test_funding_lines_are_one_per_stream_and_other_contributions_are_named():
    year = ProgrammeYear.objects.get(starts_in=2026)
    with pytest.raises(ValidationError) as twice:
        years.funding_save(year, stream="results_payment", name="", amount=900)
    assert "already has a line for results payment per claim" in str(twice.value)
    with pytest.raises(ValidationError) as unnamed:
        years.funding_save(year, stream="other", name=" ", amount=5000)
    assert "Enter who the contribution comes from" in str(unnamed.value)
    years.funding_save(year, stream="other", name="Police and Crime Commissioner", amount=5000)
    years.funding_save(year, stream="other", name="Public health", amount=2000)
    assert amounts(2026)["other"] in {5000, 2000}
    assert FundingLine.objects.filter(year=year, stream="other").count() == 2


def test_school_terms_may_not_overlap():
    SchoolTerm.objects.all().delete()
    years.school_term_save(
        academic_year=2026, name="autumn", starts_on=date(2026, 9, 2), ends_on=date(2026, 12, 18)
    )
    with pytest.raises(ValidationError) as clash:
        years.school_term_save(
            academic_year=2026,
            name="spring",
            starts_on=date(2026, 12, 10),
            ends_on=date(2027, 3, 27),
        )
    assert "overlaps the Autumn 2026/27 term" in str(clash.value)


def test_next_year_takes_the_amounts_of_the_year_before():
    years.funding_save(
        ProgrammeYear.objects.get(starts_in=2030),
        line=FundingLine.objects.get(year__starts_in=2030, stream="results_payment"),
        stream="results_payment",
        name="",
        amount=850,
    )
    made = years.year_create(starts_in=2031)
    assert amounts(2031) == {"attachment_fee": 1000, "results_payment": 850}
    assert made.starts_on == date(2031, 4, 1) and made.ends_on == date(2032, 3, 31)


# --- pages: who may, what they show, and the history ------------------------------------------


@pytest.mark.parametrize("role", ["programme", "administrator"])
def test_the_programme_team_and_administrators_keep_the_years(role, users, client_for):
    client = client_for(role)
    response = client.post(
        reverse("programme-year-change", args=[2026]),
        {"attachment_target": "150", "audit_sample_percent": "12"},
    )
    assert response.status_code == 302
    assert ProgrammeYear.objects.get(starts_in=2026).attachment_target == 150
    response = client.post(
        reverse("programme-window-add", args=[2026]),
        {
            "opens_day": "1",
            "opens_month": "12",
            "opens_year": "2026",
            "closes_day": "31",
            "closes_month": "12",
            "closes_year": "2026",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("programme-year-detail", args=[2026])).content.decode()
    name = users[role].get_full_name() or users[role].username
    assert "attachment target changed from 0 to 150; audit sample changed from 10% to 12%" in page
    assert "Claim window 1 December 2026 to 31 December 2026 added" in page
    assert page.count(name) >= 2  # who made each change


@pytest.mark.parametrize("role", ["practitioner", "manager", "hub", "auditor"])
def test_other_roles_may_not(role, client_for):
    client = client_for(role)
    assert client.get(reverse("programme-year-list")).status_code == 403
    assert client.get(reverse("school-term-list")).status_code == 403
    response = client.post(
        reverse("programme-year-change", args=[2026]),
        {"attachment_target": "1", "audit_sample_percent": "50"},
    )
    assert response.status_code == 403
    assert ProgrammeYear.objects.get(starts_in=2026).attachment_target == 0


def test_a_refused_change_is_a_field_error_and_saves_nothing(client_for):
    response = client_for("programme").post(
        reverse("programme-window-add", args=[2026]),
        {
            "opens_day": "20",
            "opens_month": "3",
            "opens_year": "2027",
            "closes_day": "2",
            "closes_month": "4",
            "closes_year": "2027",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page and "<title>Error:" in page
    assert "The date must be in the programme year" in page
    assert not ProgrammeClaimWindow.objects.filter(opens=date(2027, 3, 20)).exists()


def test_removing_a_window_keeps_it_in_the_history(client_for):
    window = ProgrammeClaimWindow.objects.get(opens=date(2026, 6, 1))
    client = client_for("programme")
    url = reverse("programme-year-part-remove", args=[2026, "windows", window.pk])
    assert "Remove the claim window 1 June 2026 to 30 June 2026" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not ProgrammeClaimWindow.objects.filter(pk=window.pk).exists()
    page = client.get(reverse("programme-year-detail", args=[2026])).content.decode()
    assert "Claim window 1 June 2026 to 30 June 2026 removed" in page


def test_school_terms_are_kept_in_pages_with_history(client_for):
    client = client_for("administrator")
    term = SchoolTerm.objects.order_by("-starts_on").first()
    response = client.post(
        reverse("school-term-change", args=[term.pk]),
        {
            "academic_year": term.academic_year,
            "name": term.name,
            "starts_on_day": term.starts_on.day,
            "starts_on_month": term.starts_on.month,
            "starts_on_year": term.starts_on.year,
            "ends_on_day": 1,
            "ends_on_month": term.ends_on.month,
            "ends_on_year": term.ends_on.year,
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("school-term-list")).content.decode()
    assert f"end changed from {term.ends_on:%-d %B %Y} to 1 {term.ends_on:%B %Y}" in page


# --- the engine reads the programme years -------------------------------------------------------


def test_the_engine_takes_windows_and_amounts_from_the_programme_years():
    snapshot = good(as_of=date(2019, 8, 15))
    year = EngineYear(
        date(2019, 4, 1),
        date(2020, 3, 31),
        1200,
        950,
        (ClaimWindow(date(2019, 10, 7), date(2019, 10, 18)),),
    )
    with_years = dataclasses.replace(snapshot, programme_years=(year,))
    result = run(with_years)
    assert result.claim.status == "claimable" and result.claim.since == SUSTAINED
    assert result.claim.results_payment == 950
    assert result.attachment.attachment_fee == 0  # attached in 2018-19, which has no year here
    assert (result.claim.window.opens, result.claim.window.closes) == (
        date(2019, 10, 7),
        date(2019, 10, 18),
    )
    # The quoted payment is this year's until the year ends.
    assert result.stands_until <= date(2020, 4, 1)
    without = run(snapshot)
    assert without.claim.results_payment == 800  # the plan's own, with no programme years


def test_a_change_to_the_amounts_is_judged_again_that_night(users):
    made = records_from(good(as_of=date(2019, 8, 15)), by=users["programme"])
    nightly.nightly_run(as_of=date(2019, 8, 15))
    first = FamilyResult.objects.get(family=made.family, is_current=True)
    assert first.claim_status == "claimable"
    FamilyChange.objects.all().delete()
    line = FundingLine.objects.get(year__starts_in=2019, stream="results_payment")
    years.funding_save(line.year, line=line, stream="results_payment", name="", amount=900)
    assert FamilyChange.objects.filter(family_id=made.family.pk).exists()
    nightly.nightly_run(as_of=date(2019, 8, 15))
    again = FamilyResult.objects.get(family=made.family, is_current=True)
    assert again.pk != first.pk
    assert calendar().years[4].results_payment == 900


def test_a_change_of_target_or_sample_marks_nobody_and_a_new_window_marks_everyone(users):
    made = records_from(good(as_of=date(2019, 8, 15)), by=users["programme"])
    FamilyChange.objects.all().delete()
    year = ProgrammeYear.objects.get(starts_in=2019)
    years.year_update(year, attachment_target=500, audit_sample_percent=20)
    assert not FamilyChange.objects.exists()  # no answer reads the target or the sample
    years.window_save(year, opens=date(2019, 11, 1), closes=date(2019, 11, 15))
    assert FamilyChange.objects.filter(family_id=made.family.pk).exists()


def test_a_window_claims_were_submitted_in_is_neither_moved_nor_removed(client_for):
    window = ProgrammeClaimWindow.objects.get(opens=date(2026, 9, 1))
    ClaimBatch.objects.create(
        name="September's claims",
        window_opens=window.opens,
        window_closes=window.closes,
        submitted_on=date(2026, 9, 30),
        sample_seed=1,
        sample_percent=10,
    )
    with pytest.raises(ValidationError, match="cannot be changed"):
        years.window_save(window.year, window=window, opens=window.opens, closes=date(2026, 9, 15))
    client = client_for("programme")
    url = reverse("programme-year-part-remove", args=[2026, "windows", window.pk])
    response = client.post(url)
    assert response.status_code == 400
    assert "Claims were submitted in this window on 30 September 2026" in response.content.decode()
    assert ProgrammeClaimWindow.objects.filter(pk=window.pk, closes=date(2026, 9, 30)).exists()


def test_the_audit_sample_is_at_least_ten_percent():
    """DOMAIN §8: internal audit verifies a representative sample "(at least 10%, configurable)"."""
    year = ProgrammeYear.objects.get(starts_in=2026)
    with pytest.raises(ValidationError, match="between 10% and 100%"):
        years.year_update(year, attachment_target=10, audit_sample_percent=9)
    years.year_update(year, attachment_target=10, audit_sample_percent=10)


def test_the_years_list_adds_each_years_grant_and_contributions_once(client_for):
    page = client_for("programme").get(reverse("programme-year-list")).content.decode()
    assert "£483,250" in page  # 2015-16: £394,000 grant and £89,250 from the OPCC (Table 1)


def test_a_change_page_shows_the_dates_as_they_are(client_for):
    window = ProgrammeClaimWindow.objects.get(opens=date(2026, 6, 1))
    page = (
        client_for("programme")
        .get(reverse("programme-window-change", args=[2026, window.pk]))
        .content.decode()
    )
    assert "Change the claim window 1 June 2026 to 30 June 2026" in page
    assert 'name="closes_day" type="text" inputmode="numeric" value="30"' in page
