"""The one import service for evidence: checks row by row, saves all or none, resends are no-ops."""

from datetime import date

import pytest
from django.db import transaction
from django.db.utils import InternalError

from cases.models import FamilyMember, Person
from earlyhelp.models import AuditEntry
from outcomes.models import Evidence
from outcomes.services import evidence_import
from tests.worlds import make_family

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 1)


@pytest.fixture
def family(db):
    return make_family("Evans family", members=2)


def offence(family, /, **overrides):
    person = family.memberships.first().person
    row = {
        "family": family.reference,
        "person": person.pk,
        "kind": "offence",
        "period_start": "2026-05-04",
        "values": {"proven": True},
        "source": "Youth Offending Service",
        "external_id": "YOS-1",
    }
    return {**row, **overrides}


def test_valid_rows_are_saved_and_a_resend_changes_nothing(family):
    rows = [offence(family), offence(family, external_id="YOS-2", period_start="2026-06-01")]
    first = evidence_import(rows, today=TODAY)
    assert first.saved and len(first.created) == 2
    item = Evidence.objects.get(external_id="YOS-1")
    assert (item.period_end, item.recorded_on) == (date(2026, 5, 4), TODAY)  # an event's own day
    again = evidence_import(rows, today=TODAY)
    assert again.saved and again.created == [] and again.unchanged == [1, 2]
    assert Evidence.objects.count() == 2


def test_a_resend_with_different_content_is_refused(family):
    evidence_import([offence(family)], today=TODAY)
    report = evidence_import([offence(family, values={"proven": False})], today=TODAY)
    assert not report.saved
    assert "send a correction" in report.problems[0].message


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"family": "F9999999"}, "family", "no family"),
        ({"person": 10**9}, "person", "is not a member of this family"),
        ({"kind": "burglary"}, "kind", "unknown evidence kind"),
        ({"values": {}}, "values.proven", "missing"),
        ({"values": {"proven": "yes"}}, "values.proven", "expected a bool"),
        ({"period_start": "2026-02-30"}, "period_start", "not a real date"),
        ({"period_start": "2027-01-01"}, "period_start", "cannot be in the future"),
        ({"period_end": "2026-01-01"}, "period_end", "on or after the start"),
        ({"source": ""}, "source", "Say where the evidence came from"),
        ({"supersedes": 10**9}, "supersedes", "no evidence item"),
        ({"colour": "red"}, "colour", "is not a field of evidence"),
    ],
)
def test_each_bad_row_is_reported_and_nothing_is_saved(family, overrides, field, message):
    rows = [offence(family, external_id="ok"), offence(family, **overrides)]
    report = evidence_import(rows, today=TODAY)
    assert not report.saved and Evidence.objects.count() == 0
    problems = [(p.row, p.field) for p in report.problems]
    assert (2, field) in problems
    assert any(message in p.message for p in report.problems if p.field == field)


def test_the_same_external_id_twice_in_one_file_is_refused(family):
    report = evidence_import([offence(family), offence(family)], today=TODAY)
    assert report.problems[0].row == 2 and "repeats row 1" in report.problems[0].message


def test_a_family_outside_the_callers_reach_is_refused(family):
    other = make_family("Other family")
    report = evidence_import(
        [offence(family)], families=type(family).objects.filter(pk=other.pk), today=TODAY
    )
    assert report.problems[0].field == "family"


def test_a_correction_supersedes_and_the_original_stays(family):
    evidence_import([offence(family)], today=TODAY)
    original = Evidence.objects.get()
    row = offence(family, external_id="YOS-1b", values={"proven": False}, supersedes=original.pk)
    assert evidence_import([row], today=TODAY).saved
    original.refresh_from_db()
    assert original.superseded_by.values == {"proven": False}
    twice = evidence_import(
        [offence(family, external_id="c2", supersedes=original.pk)], today=TODAY
    )
    assert "already been corrected" in twice.problems[0].message


def test_evidence_cannot_be_edited_or_deleted_in_the_database(family):
    evidence_import([offence(family)], today=TODAY)
    item = Evidence.objects.get()
    with pytest.raises(InternalError), transaction.atomic():
        Evidence.objects.filter(pk=item.pk).update(values={"proven": False})
    with pytest.raises(InternalError), transaction.atomic():
        Evidence.objects.filter(pk=item.pk).delete()
    assert Evidence.objects.get().values == {"proven": True}


def test_evidence_follows_a_merged_person(family, users):
    from cases.people.merging import person_merge, person_unmerge

    evidence_import([offence(family)], today=TODAY)
    duplicate = Evidence.objects.get().person
    survivor = Person.objects.create(first_name="Keep", last_name="Evans")
    FamilyMember.objects.create(family=family, person=survivor, role="child")
    merge = person_merge(
        survivor=survivor, duplicate=duplicate, reason="Same person", by=users["hub"]
    )
    assert Evidence.objects.get().person == survivor
    person_unmerge(merge=merge, by=users["hub"])
    assert Evidence.objects.get().person == duplicate


def test_a_file_keeps_its_good_rows_and_reports_the_bad_ones(family, users):
    rows = [
        offence(family, external_id="a"),
        offence(family, external_id="b", kind="burglary"),
        offence(family, external_id=""),
        offence(family, external_id="c", period_start="2026-05-05"),
    ]
    report = evidence_import(
        rows, recorded_by=users["programme"], keep_good_rows=True, first_row=2, today=TODAY
    )
    assert report.saved and report.created == [2, 5]
    assert [(p.row, p.field) for p in report.problems] == [(3, "kind"), (4, "external_id")]
    assert sorted(Evidence.objects.values_list("external_id", flat=True)) == ["a", "c"]
    entries = AuditEntry.objects.filter(action="add_evidence").order_by("id")
    person = family.memberships.first().person_id
    assert [(e.user, e.role, e.family_id, e.person_id, e.detail) for e in entries] == [
        (users["programme"], "programme", family.pk, person, "offence")
    ] * 2
    # The same rows as one all-or-nothing call (the API's and the form's rule) save nothing.
    refused = evidence_import([offence(family, external_id="d"), rows[1]], today=TODAY)
    assert not refused.saved and not Evidence.objects.filter(external_id="d").exists()


def test_two_corrections_of_one_item_in_one_file_are_refused(family):
    evidence_import([offence(family)], today=TODAY)
    original = Evidence.objects.get()
    rows = [
        offence(family, external_id="c1", supersedes=original.pk),
        offence(family, external_id="c2", supersedes=original.pk),
    ]
    report = evidence_import(rows, today=TODAY)
    assert [(p.row, p.field, p.message) for p in report.problems] == [
        (2, "supersedes", "corrects the same item as row 1")
    ]


def test_another_familys_evidence_answers_like_a_missing_item(family):
    other = make_family("Other family")
    evidence_import(
        [offence(other, person=other.memberships.first().person_id, external_id="o")],
        today=TODAY,
    )
    theirs = Evidence.objects.get()
    report = evidence_import(
        [offence(family, supersedes=theirs.pk), offence(family, external_id="x", supersedes=0)],
        today=TODAY,
    )
    assert [p.message for p in report.problems] == [
        f"no evidence item {theirs.pk!r} of this family to correct",
        "no evidence item 0 of this family to correct",
    ]
