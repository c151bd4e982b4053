"""The returns' pages: the programme team's alone, the GOV.UK date input's errors, the journey
from the choice to the file, the layouts as versioned data, and a fixed number of queries."""

import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from earlyhelp.access import ROLE_PAGES, Action
from earlyhelp.models import AuditEntry, Role
from returns.models import ReturnLayout
from returns.selectors import national_return
from returns.services import return_made_record

from .factories import evidence, member, programme_family

AS_OF = "2025-09-30"
PAGES = [
    reverse("return-start"),
    reverse("return-check", args=["nis", AS_OF]),
    reverse("return-download", args=["nis", AS_OF]),
    reverse("return-check", args=["fpd", AS_OF]),
    reverse("return-download", args=["fpd", AS_OF]),
]


@pytest.mark.parametrize("role", ["practitioner", "hub", "manager", "auditor", "administrator"])
def test_only_the_programme_team_makes_returns(client_for, users, role):
    member(programme_family(users))
    refused = client_for(role)
    for url in PAGES:
        assert refused.get(url).status_code == 403, url
    assert not AuditEntry.objects.filter(action="view").exists()
    programme = client_for("programme")
    for url in PAGES:
        assert programme.get(url).status_code == 200, url


def test_signed_out_people_sign_in_first(client):
    for url in PAGES:
        assert client.get(url).status_code == 302


def test_the_families_in_a_file_are_the_gates_answer_for_its_maker(client_for, users, monkeypatch):
    """Were another role given returns, its files would hold only the families it may see."""
    monkeypatch.setitem(ROLE_PAGES, Role.PRACTITIONER, frozenset({Action.MAKE_RETURNS}))
    led = programme_family(users, surname="Led", lead=users["practitioner"])
    other = programme_family(users, surname="Other")
    for family in (led, other):
        member(family)

    made = national_return(users["practitioner"], kind="nis", as_of=date(2025, 9, 30))

    assert made.family_ids == [led.pk]
    assert {row[0] for row in made.rows} == {led.reference}


def test_unknown_returns_and_dates_are_not_found(client_for):
    client = client_for("programme")
    for args in (["xyz", AS_OF], ["nis", "2025-02-30"], ["nis", "soon"], ["nis", "2999-01-01"]):
        assert client.get(reverse("return-check", args=args)).status_code == 404, args


def test_the_journey_from_the_choice_to_the_file(client_for, users):
    family = programme_family(users, surname="Quinn")
    member(family, first_name="Kit")
    client = client_for("programme")

    start = client.get(reverse("return-start"))
    assert "govuk-date-input" in start.content.decode()
    chosen = client.get(
        reverse("return-start"),
        {"kind": "nis", "as_of_day": "30", "as_of_month": "9", "as_of_year": "2025"},
    )
    assert chosen.status_code == 302
    assert chosen["Location"] == reverse("return-check", args=["nis", AS_OF])
    check = client.get(chosen["Location"])
    page = check.content.decode()
    assert "1 April 2025 to 30 September 2025" in page and "Nothing is missing or invalid" in page
    assert reverse("return-download", args=["nis", AS_OF]) in page
    listing = AuditEntry.objects.get(action="return_check")
    assert listing.user == users["programme"] and listing.listed_family_ids == []
    file = client.get(reverse("return-download", args=["nis", AS_OF]))
    assert "Kit" in file.content.decode() and family.reference in file.content.decode()


@pytest.mark.parametrize(
    "day, month, year, message",
    [
        ("", "", "", "Enter the date the return is as of"),
        ("30", "", "2025", "The date the return is as of must include a month"),
        ("31", "9", "2025", "The date the return is as of must be a real date"),
        ("1", "1", "2999", "The date the return is as of must be today or in the past"),
    ],
)
def test_the_date_inputs_errors(client_for, day, month, year, message):
    response = client_for("programme").get(
        reverse("return-start"),
        {"kind": "fpd", "as_of_day": day, "as_of_month": month, "as_of_year": year},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and message in page
    assert 'href="#id_as_of"' in page and 'id="id_as_of"' in page  # the summary finds the day


def test_a_kind_must_be_chosen(client_for):
    response = client_for("programme").get(
        reverse("return-start"),
        {"kind": "", "as_of_day": "30", "as_of_month": "9", "as_of_year": "2025"},
    )
    assert "Select which return to make" in response.content.decode()


def test_the_default_layouts_are_seeded_as_version_1(db):
    nis = ReturnLayout.objects.get(kind="nis")
    fpd = ReturnLayout.objects.get(kind="fpd")
    assert nis.version == fpd.version == 1
    assert [c["source"] for c in nis.columns] == [
        "family.reference",
        "person.first_name",
        "person.middle_names",
        "person.last_name",
        "person.date_of_birth",
        "person.sex",
        "person.postcode",
        "person.nhs_number",
        "person.upn",
        "person.ni_number",
        "attachment.attached_on",
    ]
    assert sum(c["source"].startswith("indicator.") for c in fpd.columns) == 26


def test_a_layout_change_is_a_new_version_with_who_and_why(client_for, users):
    member(programme_family(users, surname="Ives"), first_name="Jo")
    client = client_for("programme")
    url = reverse("return-layout-edit", args=["nis"])
    assert client.get(url).status_code == 200
    columns = [
        {"header": "LA family ID", "source": "family.reference", "format": "text"},
        {
            "header": "NHS",
            "source": "person.nhs_number",
            "format": "identifier",
            "required": "always",
        },
        {"header": "DOB", "source": "person.date_of_birth", "format": "date_uk"},
    ]

    saved = client.post(url, {"columns": json.dumps(columns), "note": "Shorter for the pilot"})

    assert saved.status_code == 302
    layout = ReturnLayout.objects.get(kind="nis", version=2)
    assert layout.created_by == users["programme"] and layout.note == "Shorter for the pilot"
    assert ReturnLayout.objects.get(kind="nis", version=1).columns != columns  # kept as it was
    assert layout.events.filter(pgh_label="insert").exists()  # pghistory keeps it too
    file = client.get(reverse("return-download", args=["nis", AS_OF]))
    assert file["Content-Disposition"].endswith('-v2-2025-04-01-to-2025-09-30.csv"')
    header, row = file.content.decode().splitlines()
    assert header == "LA family ID,NHS,DOB" and row.endswith(",01/06/2012")
    assert "Shorter for the pilot" in client.get(reverse("return-layouts")).content.decode()


def test_a_layout_that_cannot_be_built_is_refused_in_plain_words(client_for):
    client = client_for("programme")
    url = reverse("return-layout-edit", args=["fpd"])
    bad = [
        {"header": "NHS", "source": "person.nhs_number", "format": "identifier"},
        {"header": "NHS", "source": "indicator.neet.before", "format": "colour"},
    ]
    page = client.post(url, {"columns": json.dumps(bad), "note": "x"}).content.decode()
    assert "Column 1 reads &#x27;person.nhs_number&#x27;, which this return cannot read" in page
    assert "Column 2 repeats the header" in page and "format &#x27;colour&#x27;" in page
    assert "not valid JSON" in client.post(url, {"columns": "[", "note": "x"}).content.decode()
    assert ReturnLayout.objects.filter(kind="fpd").count() == 1


def test_administrators_may_change_layouts_but_not_make_returns(client_for):
    admin = client_for("administrator")
    assert admin.get(reverse("return-layouts")).status_code == 200
    assert admin.get(reverse("return-start")).status_code == 403
    for role in ("practitioner", "hub", "manager", "auditor"):
        assert client_for(role).get(reverse("return-layouts")).status_code == 403


def families(users, count):
    for i in range(count):
        family = programme_family(users, surname=f"Size{i}", attached_on=date(2025, 1, 15))
        member(family, first_name="One")
        member(family, first_name="Two", nhs_number="")
        evidence(family, "health_need", date(2025, 6, 1), need="mental_health")


@pytest.mark.parametrize("kind", ["nis", "fpd"])
def test_a_fixed_number_of_queries_whatever_the_number_of_families(users, kind):
    """The layout, the attachments, the members and their addresses (NIS) or the evidence
    (FPD), and one INSERT of the audit trail: the same at 2 families as at 12."""
    expected = 5 if kind == "nis" else 4
    counted = []
    for size in (2, 12):
        families(users, size - len(counted) * 2)
        with CaptureQueriesContext(connection) as queries:
            made = national_return(users["programme"], kind=kind, as_of=date(2025, 9, 30))
            written = return_made_record(made, by=users["programme"])
        counted.append(len(queries))
        assert len(made.family_ids) == size
        assert written == size * (3 if kind == "nis" else 1)  # each family, and each person
    assert counted == [expected, expected]


def test_the_download_page_costs_the_same_at_two_sizes(
    client_for, users, django_assert_num_queries
):
    client = client_for("programme")
    url = reverse("return-download", args=["nis", AS_OF])
    families(users, 1)
    client.get(url)  # the session's first use settles its own queries
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    families(users, 9)
    with django_assert_num_queries(len(small)):
        response = client.get(url)
    assert response.content.decode().count("\r\n") == 1 + 10 * 2
