"""The National Impact Study extract: who is in it, what a missing or invalid identifier does,
and that the same as-of date gives the same file."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from earlyhelp.models import AuditEntry
from returns.selectors import national_return

from .factories import member, programme_family

AS_OF = date(2025, 9, 30)


def rows_of(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))


def download(client, kind="nis", as_of=AS_OF):
    response = client.get(reverse("return-download", args=[kind, as_of.isoformat()]))
    assert response.status_code == 200
    return response


@pytest.fixture
def two_families(users):
    hart = programme_family(users, surname="Hart")
    ann = member(hart, first_name="Ann", born=date(1985, 2, 3), role="parent_carer")
    ben = member(hart, first_name="Ben", born=date(2014, 7, 8))
    cole = programme_family(users, surname="Cole", attached_on=date(2025, 2, 10))
    cat = member(cole, first_name="Cat", born=date(2016, 1, 2), sex="male")
    return {"hart": hart, "cole": cole, "people": [ann, ben, cat]}


def test_a_row_per_member_with_the_default_columns(client_for, two_families):
    response = download(client_for("programme"))

    assert response["Content-Disposition"] == (
        'attachment; filename="national-impact-study-v1-2025-04-01-to-2025-09-30.csv"'
    )
    rows = rows_of(response.content)
    assert list(rows[0]) == [
        "Family ID",
        "First name",
        "Middle names",
        "Last name",
        "Date of birth",
        "Sex",
        "Postcode",
        "NHS number",
        "UPN",
        "NI number",
        "Attachment date",
    ]
    people = two_families["people"]
    assert [(r["Family ID"], r["First name"]) for r in rows] == [
        (two_families["hart"].reference, "Ann"),
        (two_families["hart"].reference, "Ben"),
        (two_families["cole"].reference, "Cat"),
    ]
    ann, ben, cat = rows
    assert ann["NHS number"] == people[0].nhs_number and ann["NI number"] == people[0].ni_number
    assert ben["UPN"] == people[1].upn and ben["Date of birth"] == "2014-07-08"
    assert cat["Sex"] == "M" and cat["Postcode"] == "LE2 1AA"
    assert cat["Attachment date"] == "2025-02-10"
    # CRLF line endings, no byte-order mark, one line a row plus the header.
    assert response.content.count(b"\r\n") == 4 and not response.content.startswith(b"\xef")


def test_a_return_built_twice_as_of_the_same_date_is_identical(client_for, users, two_families):
    client = client_for("programme")
    first = download(client).content
    second = download(client).content
    assert first == second
    # …and a family attached after the as-of date changes nothing in it.
    later = programme_family(users, surname="Later", attached_on=date(2025, 10, 1))
    member(later, first_name="Lou")
    assert download(client).content == first


def test_a_missing_identifier_is_reported_not_silently_dropped(client_for, users):
    family = programme_family(users, surname="Gale")
    member(family, first_name="Dee", born=date(1990, 1, 1), nhs_number="", role="parent_carer")
    member(family, first_name="Eli", born=date(2015, 3, 3))
    client = client_for("programme")

    check = client.get(reverse("return-check", args=["nis", AS_OF.isoformat()]))

    assert check.status_code == 200
    page = check.content.decode()
    assert "Gale family" in page and "Dee Gale" in page and "NHS number" in page
    assert "Missing: no NHS number recorded" in page
    made = national_return(users["programme"], kind="nis", as_of=AS_OF)
    assert [(p.family, p.person, p.column, p.problem) for p in made.problems] == [
        (
            f"Gale family ({family.reference})",
            "Dee Gale",
            "NHS number",
            "missing: no NHS number recorded",
        )
    ]
    rows = rows_of(download(client).content)
    assert [r["First name"] for r in rows] == ["Dee", "Eli"]  # both people, Dee too
    assert rows[0]["NHS number"] == ""


def test_an_invalid_identifier_is_left_blank_and_reported(client_for, users):
    family = programme_family(users, surname="Moss")
    # Saved without the form's validation, as an old import might have.
    member(family, first_name="Fay", nhs_number="9434765918", postcode="NOTACODE")

    made = national_return(users["programme"], kind="nis", as_of=AS_OF)

    problems = {p.column: p.problem for p in made.problems}
    assert problems["NHS number"].startswith("not valid, so left blank in the file: NHS number")
    assert (
        problems["Postcode"]
        == "not valid, so left blank in the file: NOTACODE is not a UK postcode"
    )
    (row,) = made.rows
    assert row[made.header.index("NHS number")] == "" and row[made.header.index("Postcode")] == ""


def test_upn_is_asked_of_school_age_children_and_ni_of_those_16_and_over(users):
    family = programme_family(users, surname="Pike")
    member(family, first_name="Baby", born=date(2024, 1, 1), upn="", ni_number="")
    member(family, first_name="Pupil", born=date(2015, 1, 1), upn="", ni_number="")
    member(family, first_name="Teen", born=date(2009, 9, 30), upn="", ni_number="")  # 16 that day
    member(family, first_name="Adult", born=date(1980, 1, 1), upn="", ni_number="")

    made = national_return(users["programme"], kind="nis", as_of=AS_OF)

    assert sorted((p.person, p.column) for p in made.problems) == [
        ("Adult Pike", "NI number"),
        ("Pupil Pike", "UPN"),
        ("Teen Pike", "NI number"),
        ("Teen Pike", "UPN"),
    ]
    assert len(made.rows) == 4


def test_who_counts_as_a_member(users):
    family = programme_family(users, surname="Rowe", started_on=date(2025, 3, 1))
    member(family, first_name="Here")
    member(family, first_name="Gone", left_on=date(2025, 2, 28))  # left before the episode
    member(family, first_name="Stayed", left_on=date(2025, 3, 1))  # there on its first day
    member(family, first_name="Later", joined_on=date(2025, 10, 1))  # joined after the as-of date
    member(family, first_name="Unborn", born=None, expected_date_of_birth=date(2025, 12, 1))
    member(family, first_name="Overdue", born=None, expected_date_of_birth=date(2025, 9, 1))

    made = national_return(users["programme"], kind="nis", as_of=AS_OF)

    names = sorted(row[made.header.index("First name")] for row in made.rows)
    assert names == ["Here", "Overdue", "Stayed"]
    assert [p.problem for p in made.problems] == [
        "missing: no date of birth recorded (the child was expected on 1 September 2025)"
    ]


def test_a_family_with_no_members_is_reported(users):
    family = programme_family(users, surname="Empty")
    made = national_return(users["programme"], kind="nis", as_of=AS_OF)
    assert made.rows == [] and made.family_ids == [family.pk]
    assert made.problems[0].column == "Household" and made.problems[0].family_id == family.pk


def test_the_postcode_is_the_one_lived_at_on_the_as_of_date(users):
    from cases.models import Address

    family = programme_family(users, surname="Vane")
    person = member(family, first_name="Val", postcode="LE5 5ZZ")
    Address.objects.create(
        person=person,
        line_1="1 Old St",
        postcode="LE3 3AA",
        moved_in=date(2020, 1, 1),
        moved_out=date(2025, 10, 5),
    )
    Address.objects.create(
        person=person, line_1="2 New St", postcode="le55zz", moved_in=date(2025, 10, 5)
    )

    made = national_return(users["programme"], kind="nis", as_of=AS_OF)

    assert made.rows[0][made.header.index("Postcode")] == "LE3 3AA"


def test_every_family_and_person_in_the_file_is_audited_as_a_view_by_its_maker(
    client_for, users, two_families
):
    download(client_for("programme"))
    entries = AuditEntry.objects.filter(action="view", user=users["programme"])
    expected_families = {two_families["hart"].pk, two_families["cole"].pk}
    assert {e.family_id for e in entries} == expected_families
    assert {e.person_id for e in entries if e.person_id} == {p.pk for p in two_families["people"]}
    assert entries.count() == 2 + 3
    assert all(e.detail.startswith("National Impact Study as of 2025-09-30") for e in entries)
