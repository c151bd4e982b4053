"""The what-if page (issue 17): the programme team picks a family and a date and sees the
engine's answer with its explanation, and nothing is saved but the audit entries."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from earlyhelp.models import AuditEntry
from outcomes.models import Claim, Evidence, FamilyChange, FamilyResult, NightlyRun
from outcomes.tests.records import records_from, school_terms_as_the_builders_name_them
from outcomes.tests.test_attachment import attachable
from outcomes.tests.test_claims import good
from tests.worlds import make_family

pytestmark = pytest.mark.django_db
URL = "/programme/what-if/"
NIGHT = date(2019, 8, 15)  # the "good" family is claimable since 20 July 2019


@pytest.fixture
def attached(users):
    school_terms_as_the_builders_name_them()
    family = records_from(good(as_of=NIGHT), by=users["programme"]).family
    family.name = "Okafor family"
    family.save(update_fields=["name"])
    return family


def asked(family, on: date, **extra):
    return {
        "q": "",
        "family": family.pk,
        "on_day": on.day,
        "on_month": on.month,
        "on_year": on.year,
        **extra,
    }


def counts():
    return [m.objects.count() for m in (FamilyResult, Evidence, NightlyRun, Claim, FamilyChange)]


def test_the_programme_home_links_to_the_what_if(client_for):
    home = client_for("programme").get("/").content.decode()
    assert f'href="{reverse("what-if")}"' in home


def test_a_search_by_name_offers_the_families_the_user_may_see(client_for, attached, users):
    hidden = make_family("Okafor family", lead=users["practitioner"])  # not attached
    page = client_for("programme").get(URL, {"q": "Okafor"})
    assert page.status_code == 200
    offered = set(
        map(int, re.findall(r'name="family" type="radio" value="(\d+)"', page.content.decode()))
    )
    assert offered == {attached.pk}
    assert hidden.pk not in offered


def test_an_attached_family_is_judged_on_the_date_and_nothing_is_saved(client_for, attached):
    client = client_for("programme")
    before, audits = counts(), AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(URL, asked(attached, NIGHT))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Okafor family on 15 August 2019" in html
    assert re.search(r'id="decision">Claimable since 20 July 2019', html)
    assert 'id="what-if-explanation"' in html and "Problem " in html
    assert f"Family {attached.pk}" not in html  # named, never numbered
    # Every step in words: the plan's outcomes, verdicts, no codes or ISO dates.
    assert "Outcome 1.1: All school age children have a school place" in html
    assert "[PASS]" not in html and "school_attendance_at_least" not in html
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", html[html.index('id="what-if-answer"') :])

    assert counts() == before
    assert AuditEntry.objects.count() == audits + 1  # the gate's entry for viewing the family
    entry = AuditEntry.objects.latest("pk")
    assert (entry.family_id, entry.action, entry.outcome) == (
        attached.pk,
        "view_evidence",
        AuditEntry.Outcome.ALLOWED,
    )
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if re.match(r"\s*(INSERT|UPDATE|DELETE|COPY)", q["sql"], re.I)
    ]
    assert writes and all('"earlyhelp_auditentry"' in sql for sql in writes), writes


def test_an_earlier_date_gives_the_answer_of_that_date(client_for, attached):
    html = client_for("programme").get(URL, asked(attached, date(2019, 7, 1))).content.decode()
    assert "Okafor family on 1 July 2019" in html
    assert not re.search(r'id="decision">Claimable', html)


def test_a_candidate_not_yet_attached_is_judged_as_it_would_be_attached(client_for, users):
    family, _episode = attachable(users)
    before = counts()
    page = client_for("programme").get(URL, asked(family, date.today()))
    assert page.status_code == 200
    html = page.content.decode()
    assert "as a candidate not yet attached" in html
    assert 'id="decision"' in html and "Problem 2" in html
    assert counts() == before


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "2019", "Date to judge the family on must be a real date"),
        ("15", "", "2019", "Date to judge the family on must include a month"),
        ("x", "8", "2019", "Date to judge the family on must be a real date"),
        ("15", "8", "19", "Date to judge the family on must be a real date"),
        ("", "", "", "Enter the date to judge the family on"),
    ],
)
def test_a_bad_date_is_a_govuk_error(client_for, attached, day, month, year, message):
    before = counts()
    data = {**asked(attached, NIGHT), "on_day": day, "on_month": month, "on_year": year}
    page = client_for("programme").get(URL, data)
    assert page.status_code == 400
    html = page.content.decode()
    summary = re.search(r'class="govuk-error-summary".*?</ul>', html, re.S)[0]
    assert f'<a href="#id_on">{message}</a>' in summary
    assert re.search(
        rf'id="id_on-error" class="govuk-error-message">\s*<span[^>]*>Error:</span> {message}', html
    )
    assert 'id="id_on" name="on_day"' in html  # the summary's link lands on the day box
    assert 'id="what-if-answer"' not in html
    assert counts() == before


def test_no_family_chosen_is_a_govuk_error(client_for, attached):
    page = client_for("programme").get(
        URL, {"q": "Okafor", "on_day": "1", "on_month": "8", "on_year": "2019"}
    )
    assert page.status_code == 400
    assert '<a href="#id_family">Select a family</a>' in page.content.decode()


def test_a_family_the_user_may_not_see_answers_404(client_for, users, attached):
    other = make_family(
        "Thompson family", lead=users["practitioner"]
    )  # neither attached nor candidate
    programme = client_for("programme")
    assert programme.get(URL, asked(other, NIGHT)).status_code == 404
    assert programme.get(URL, {**asked(other, NIGHT), "on_month": ""}).status_code == 404
    assert AuditEntry.objects.filter(
        family_id=other.pk, outcome=AuditEntry.Outcome.NOT_FOUND
    ).exists()


def test_the_page_is_the_programme_teams(client_for, attached):
    assert client_for("practitioner").get(URL).status_code == 403
    assert client_for("auditor").get(URL, asked(attached, NIGHT)).status_code == 403
