"""Merging duplicate persons and undoing it: links move and come back, history stays."""

import datetime
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from cases.models import Address, Consent, DataKind, FamilyMember, Person, PersonMerge
from cases.people.merging import person_links, person_merge, person_unmerge
from cases.tests.factories import (
    AddressFactory,
    FamilyFactory,
    FamilyMemberFactory,
    PersonFactory,
    PersonNameFactory,
)
from earlyhelp.models import AuditEntry
from earlyhelp.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _consent(person, family, user):
    return Consent.objects.create(
        person=person,
        family=family,
        kind=Consent.Kind.WRITTEN,
        given_by="Their mother",
        given_on=datetime.date(2024, 2, 1),
        covers=[DataKind.SUMMARY],
        recorded_by=user,
    )


@pytest.fixture
def hub():
    return UserFactory(username="hub-worker", role="hub")


@pytest.fixture
def records(hub):
    """Two records of one child in two households, and a sister whose links must not move."""
    survivor = PersonFactory(first_name="Olivia", last_name="Hargreaves", with_nhs_number=True)
    duplicate = PersonFactory(first_name="Olivia", last_name="Hargraeves")
    sister = PersonFactory(first_name="Ruby", last_name="Hargreaves")
    mum, dad = FamilyFactory(surname="Hargreaves"), FamilyFactory(surname="Marsh")
    FamilyMemberFactory(family=mum, person=survivor)
    FamilyMemberFactory(family=mum, person=sister)
    # The duplicate is in both households: once in the one the survivor is
    # already in (same dates), once in her father's.
    FamilyMemberFactory(family=mum, person=duplicate)
    FamilyMemberFactory(family=dad, person=duplicate, joined_on=datetime.date(2023, 6, 1))
    AddressFactory(person=survivor)
    AddressFactory.create_batch(2, person=duplicate)
    AddressFactory(person=sister)
    PersonNameFactory(person=duplicate, last_name="Marsh")
    _consent(survivor, mum, hub)
    _consent(duplicate, dad, hub)
    _consent(sister, mum, hub)
    return survivor, duplicate, sister


def _links() -> set[tuple[str, int, int]]:
    """Every live link in the database, as (kind of link, row id, person id)."""
    return {
        (link.key, pk, person_id)
        for link in person_links()
        for pk, person_id in link.rows().values_list("pk", link.field)
    }


def _history() -> dict[str, set[tuple]]:
    """Every field-history event row, by model, as it stands."""
    events = {}
    for model in (Person, FamilyMember, Address, Consent):
        event_model = model.pgh_event_models["insert"]
        events[model._meta.label] = set(event_model.objects.values_list("pgh_id", "pgh_obj_id"))
    return events


# --- Merge ----------------------------------------------------------------------------------


def test_merge_moves_every_live_link_and_leaves_a_pointer(records, hub):
    survivor, duplicate, sister = records
    sisters_links = {link for link in _links() if link[2] == sister.pk}

    merge = person_merge(
        survivor=survivor, duplicate=duplicate, reason="Same child, surname typo", by=hub
    )

    assert not {link for link in _links() if link[2] == duplicate.pk}
    assert {link for link in _links() if link[2] == sister.pk} == sisters_links
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor
    assert survivor.memberships.count() == 3
    assert survivor.addresses.count() == 3
    assert survivor.other_names.get().last_name == "Marsh"
    assert survivor.consents.count() == 2
    assert merge.merged_by == hub
    assert merge.reason == "Same child, surname typo"


def test_merge_records_exactly_which_rows_moved(records, hub):
    survivor, duplicate, _ = records
    expected = {
        key: sorted(pk for k, pk, person_id in _links() if k == key and person_id == duplicate.pk)
        for key in {"cases.FamilyMember", "cases.Address", "cases.PersonName", "cases.Consent"}
    }

    merge = person_merge(survivor=survivor, duplicate=duplicate, reason="Typo in the name", by=hub)

    merge.refresh_from_db()
    assert merge.moved == expected
    assert sum(len(ids) for ids in merge.moved.values()) == 6


def test_a_person_twice_in_one_household_keeps_both_memberships(records, hub):
    survivor, duplicate, _ = records
    mum = survivor.memberships.get().family
    before = set(FamilyMember.objects.values_list("pk", flat=True))

    person_merge(survivor=survivor, duplicate=duplicate, reason="Typo in the name", by=hub)

    assert set(FamilyMember.objects.values_list("pk", flat=True)) == before
    assert FamilyMember.objects.filter(family=mum, person=survivor).count() == 2


def test_merge_writes_an_audit_entry_for_each_person(records, hub):
    survivor, duplicate, _ = records

    merge = person_merge(survivor=survivor, duplicate=duplicate, reason="Typo in the name", by=hub)

    entries = AuditEntry.objects.filter(action="merge").order_by("id")
    assert [(e.person_id, e.user, e.outcome) for e in entries] == [
        (survivor.pk, hub, "allowed"),
        (duplicate.pk, hub, "allowed"),
    ]
    assert f"Record {duplicate.pk} merged into this one (merge {merge.pk})" in entries[0].detail
    assert "2 FamilyMember" in entries[0].detail
    assert entries[1].detail.startswith(f"Merged into record {survivor.pk}")


# --- Unmerge --------------------------------------------------------------------------------


def test_unmerge_puts_every_link_back_exactly(records, hub):
    survivor, duplicate, _ = records
    before = _links()

    merge = person_merge(survivor=survivor, duplicate=duplicate, reason="Typo in the name", by=hub)
    assert _links() != before
    person_unmerge(merge=merge, by=hub)

    assert _links() == before
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    merge.refresh_from_db()
    assert merge.unmerged_by == hub
    assert merge.unmerged_at is not None


def test_history_and_audit_keep_their_rows_through_merge_and_unmerge(records, hub):
    survivor, duplicate, _ = records
    history_before = _history()
    person_merge(survivor=survivor, duplicate=duplicate, reason="Typo in the name", by=hub)
    audit_after_merge = set(AuditEntry.objects.values_list("pk", "person_id"))

    merge = PersonMerge.objects.get()
    person_unmerge(merge=merge, by=hub)

    history_after = _history()
    for label, rows in history_before.items():
        assert rows <= history_after[label], label
    assert audit_after_merge <= set(AuditEntry.objects.values_list("pk", "person_id"))
    # The duplicate's own history still names it, including the merge itself.
    event = Person.pgh_event_models["update"]
    assert list(
        event.objects.filter(pgh_obj_id=duplicate.pk, pgh_label="update")
        .order_by("pgh_id")
        .values_list("merged_into_id", flat=True)
    ) == [survivor.pk, None]
    merged_event = event.objects.filter(pgh_obj_id=duplicate.pk, pgh_label="update").first()
    assert merged_event.pgh_context.metadata["person_merge"] == merge.pk
    membership_event = FamilyMember.pgh_event_models["insert"]
    assert membership_event.objects.filter(person_id=duplicate.pk, pgh_label="insert").count() == 2


def test_unmerge_writes_an_audit_entry_for_each_person(records, hub):
    survivor, duplicate, _ = records
    merge = person_merge(survivor=survivor, duplicate=duplicate, reason="Typo in the name", by=hub)
    manager = UserFactory(role="manager")

    person_unmerge(merge=merge, by=manager)

    entries = AuditEntry.objects.filter(action="unmerge").order_by("id")
    assert [(e.person_id, e.user) for e in entries] == [
        (survivor.pk, manager),
        (duplicate.pk, manager),
    ]


def test_unmerge_leaves_links_added_to_the_survivor_since(records, hub):
    survivor, duplicate, _ = records
    merge = person_merge(survivor=survivor, duplicate=duplicate, reason="Typo in the name", by=hub)
    since = AddressFactory(person=survivor)

    person_unmerge(merge=merge, by=hub)

    since.refresh_from_db()
    assert since.person == survivor
    assert duplicate.addresses.count() == 2


def test_unmerge_leaves_a_row_someone_moved_on_and_says_so(records, hub):
    survivor, duplicate, sister = records
    merge = person_merge(survivor=survivor, duplicate=duplicate, reason="Typo in the name", by=hub)
    moved_on = survivor.addresses.get(pk=merge.moved["cases.Address"][0])
    moved_on.person = sister
    moved_on.save()

    person_unmerge(merge=merge, by=hub)

    moved_on.refresh_from_db()
    assert moved_on.person == sister
    entry = AuditEntry.objects.filter(action="unmerge", person_id=survivor.pk).get()
    assert "1 no longer on record" in entry.detail


def test_a_record_can_be_merged_again_after_an_unmerge(records, hub):
    survivor, duplicate, _ = records
    addresses = sorted(duplicate.addresses.values_list("pk", flat=True))
    person_unmerge(
        merge=person_merge(
            survivor=survivor, duplicate=duplicate, reason="Typo in the name", by=hub
        ),
        by=hub,
    )

    again = person_merge(survivor=survivor, duplicate=duplicate, reason="Checked again", by=hub)

    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor
    assert PersonMerge.objects.count() == 2
    assert again.moved["cases.Address"] == addresses


# --- Refusals -------------------------------------------------------------------------------


def test_refuses_merging_a_person_into_themselves(records, hub):
    survivor, _, _ = records
    with pytest.raises(ValidationError, match="cannot be merged into their own record"):
        person_merge(survivor=survivor, duplicate=survivor, reason="Oops, the same record", by=hub)
    assert not PersonMerge.objects.exists()


@pytest.mark.parametrize("reason", ["  ", "Same kid ", None])
def test_refuses_a_merge_without_a_reason_of_ten_characters(records, hub, reason):
    """The merge page's form asks the same; the rule is the merge's, whoever calls it."""
    survivor, duplicate, _ = records
    before = _links()
    with pytest.raises(ValidationError) as refusal:
        person_merge(survivor=survivor, duplicate=duplicate, reason=reason, by=hub)
    assert refusal.value.message_dict == {"reason": ["Give a reason of at least 10 characters"]}
    assert not PersonMerge.objects.exists() and _links() == before
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None


def test_refuses_merging_into_a_record_that_was_itself_merged(records, hub):
    survivor, duplicate, sister = records
    person_merge(survivor=survivor, duplicate=duplicate, reason="Typo in the name", by=hub)
    before = _links()

    with pytest.raises(
        ValidationError,
        match=(
            "This record of Olivia Hargraeves was itself merged into the record of "
            "Olivia Hargreaves"
        ),
    ):
        person_merge(survivor=duplicate, duplicate=sister, reason="Wrong way round", by=hub)
    assert _links() == before


def test_refuses_merging_a_record_already_merged(records, hub):
    survivor, duplicate, sister = records
    person_merge(survivor=survivor, duplicate=duplicate, reason="Typo in the name", by=hub)

    with pytest.raises(ValidationError) as refused:
        person_merge(survivor=sister, duplicate=duplicate, reason="Merging again", by=hub)
    # Names and a date of birth, never record numbers (the hub reads this).
    (message,) = refused.value.messages
    assert message.startswith(
        "This record of Olivia Hargraeves was already merged into the record of "
        "Olivia Hargreaves, born "
    )
    assert str(duplicate.pk) not in message and str(survivor.pk) not in message
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor


def test_refuses_undoing_a_merge_twice(records, hub):
    survivor, duplicate, _ = records
    merge = person_merge(survivor=survivor, duplicate=duplicate, reason="Typo in the name", by=hub)
    person_unmerge(merge=merge, by=hub)
    before = _links()

    with pytest.raises(ValidationError, match="already undone"):
        person_unmerge(merge=merge, by=hub)
    assert _links() == before
    assert AuditEntry.objects.filter(action="unmerge").count() == 2


def test_refuses_an_unmerge_once_the_survivor_was_merged_elsewhere(records, hub):
    survivor, duplicate, sister = records
    first = person_merge(survivor=survivor, duplicate=duplicate, reason="Typo in the name", by=hub)
    person_merge(survivor=sister, duplicate=survivor, reason="Wrongly, say", by=hub)
    before = _links()

    with pytest.raises(ValidationError, match="has since been merged into the record of"):
        person_unmerge(merge=first, by=hub)
    assert _links() == before
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor


# --- What counts as a live link -------------------------------------------------------------


def test_live_links_are_every_person_foreign_key_but_history_and_merges():
    keys = {link.key for link in person_links()}
    assert keys == {
        "cases.Address",
        "cases.Consent",
        "cases.FamilyMember",
        "cases.PersonName",
        "cases.SupportRequestMember",  # a request is about the surviving record
        "outcomes.Evidence",  # added after merging was written: it follows without a change
    }


# --- Two people merging at once -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_people_merging_the_same_duplicate_at_once_cannot_both_succeed():
    """The second merge waits for the first one's lock, then sees the pointer and refuses."""
    first_user, second_user = UserFactory(), UserFactory()
    survivor, other, duplicate = PersonFactory.create_batch(3)
    AddressFactory(person=duplicate)
    outcome = {}

    def second_merge():
        try:
            person_merge(
                survivor=other, duplicate=duplicate, reason="Second to merge", by=second_user
            )
            outcome["second"] = "merged"
        except ValidationError as error:
            outcome["second"] = error.messages[0]
        finally:
            connection.close()

    with transaction.atomic():
        Person.objects.select_for_update().get(pk=duplicate.pk)  # hold the row, as a merge does
        waiting = threading.Thread(target=second_merge)
        waiting.start()
        _wait_until_someone_waits_for_a_lock()
        person_merge(survivor=survivor, duplicate=duplicate, reason="First to merge", by=first_user)
    waiting.join(timeout=10)

    assert "was already merged into the record of" in outcome["second"]
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor
    assert PersonMerge.objects.count() == 1


def _wait_until_someone_waits_for_a_lock():
    with connection.cursor() as cursor:
        for _ in range(200):
            # pg_locks, not pg_stat_activity: the latter is a snapshot frozen
            # for the rest of this test's transaction.
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("The second merge never waited for the lock")
