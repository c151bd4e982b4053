"""A change to what a family is judged on is never missed (issue 16): every writer of a table
the nightly job reads for a family marks that family, by triggers in the writer's transaction
(outcomes migration 0009), so a night may pass over every family left unmarked.

The tables are not listed by hand here: a night is run with its SQL captured, and every table
its SELECTs read (bar the job's own) must carry the triggers. Then each writer is shown marking
the family it changes, and only that one."""

import re
import threading
from datetime import date

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import FamilyMember, Person, StepDown, StepUp
from earlyhelp import compiled
from earlyhelp.tests.factories import OrganisationFactory, UserFactory
from outcomes import nightly
from outcomes.models import (
    Claim,
    ClaimBatch,
    Evidence,
    FamilyChange,
    OutcomesPlanVersion,
    ProblemIdentified,
    SchoolTerm,
)
from outcomes.services import plan_version_copy, plan_version_publish
from outcomes.tests.records import records_from, restore_outcomes_data
from outcomes.tests.test_nightly import _example
from partners.models import ApiClient

pytestmark = pytest.mark.django_db

AS_OF = date(2019, 9, 30)
COMMENT = re.compile(r"--[^\n]*")
CTE = re.compile(
    r"(?:\bWITH|,)\s*([a-z_][a-z0-9_]*)\s+AS\s+(?:NOT\s+)?(?:MATERIALIZED\s+)?\(", re.I
)
TABLE = re.compile(r'\b(?:FROM|JOIN)\s+"?([a-z_][a-z0-9_]*)(?![a-z0-9_])"?(?!\s*\()', re.I)
# The job's own tables: what it writes, not what a family is judged on.
THE_JOBS_OWN = {
    "outcomes_familyresult",
    "outcomes_familychange",
    "outcomes_nightlyrun",
    "outcomes_nightlychunk",
}
# Tables a snapshot reads one name from (the lead agency's, the recorder's). A row is inserted
# before anything refers to it and cannot be deleted while anything does (the foreign keys
# protect it), so only an UPDATE — of the name — can change what a snapshot reads.
NAMES = {"earlyhelp_organisation", "earlyhelp_user", "partners_apiclient"}


def _tables_a_night_reads() -> set[str]:
    with CaptureQueriesContext(connection) as night:
        nightly.nightly_run(as_of=AS_OF)
    assert night.captured_queries, "the night ran no query"
    read = set()
    for query in night.captured_queries:
        sql = compiled.source_of(query["sql"])  # a declared read: the SQL it runs
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            sql = COMMENT.sub(" ", sql)
            ctes = {name.lower() for name in CTE.findall(sql)}
            read |= {t.lower() for t in TABLE.findall(sql)} - ctes
    return read - THE_JOBS_OWN


def _marking_triggers() -> dict[str, set[str]]:
    """table -> the events ('INSERT', 'UPDATE', 'DELETE') whose statements mark families."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                WHERE t.tgname LIKE 'outcomes_marks_%%' AND t.tgenabled <> 'D'"""
        )
        found: dict[str, set[str]] = {}
        for table, name in cursor.fetchall():
            found.setdefault(table, set()).add(name.removeprefix("outcomes_marks_").upper())
        return found


@pytest.fixture
def two(db):
    """Two families of the example (FORMAT.md), with lead agencies of their own."""
    restore_outcomes_data()  # after a transactional test's flush
    by = UserFactory(username="prog", role="programme")
    a = records_from(_example(), by=by, agency="Agency A")
    b = records_from(_example(), by=by, agency="Agency B")
    nightly.nightly_run(as_of=AS_OF)
    return a, b


def _marked() -> set[int]:
    return set(FamilyChange.objects.values_list("family_id", flat=True))


def test_every_table_a_night_reads_for_a_family_has_the_triggers(two):
    a, b = two
    # A change, so that the night judges the family and reads everything it reads for one.
    _new_evidence(a)
    read = _tables_a_night_reads()
    assert {"outcomes_evidence", "cases_person", "outcomes_attachment"} <= read
    triggers = _marking_triggers()
    missing = {
        table: {"INSERT", "UPDATE", "DELETE"} - triggers.get(table, set()) for table in read - NAMES
    } | {table: {"UPDATE"} - triggers.get(table, set()) for table in read & NAMES}
    assert {t: events for t, events in missing.items() if events} == {}


def _new_evidence(made, **extra):
    return Evidence.objects.create(
        family=made.family,
        person=next(iter(made.person.values())),
        kind="wellbeing_report",
        period_start=AS_OF,
        period_end=AS_OF,
        values={"improved": True},
        source="test",
        recorded_on=AS_OF,
        **extra,
    )


def _someone(made):
    return next(iter(made.person.values()))


WRITERS = {
    "evidence added": lambda a, b: _new_evidence(a),
    "evidence re-pointed to another person (a merge)": lambda a, b: Evidence.objects.filter(
        pk=next(iter(a.evidence.values())).pk
    ).update(person=Person.objects.create(first_name="Merged", last_name="Into")),
    "the attachment's principles": lambda a, b: (
        type(a.attachment).objects.filter(pk=a.attachment.pk).update(principles={})
    ),
    "the lead agency renamed": lambda a, b: (
        type(a.attachment.lead_agency)
        .objects.filter(pk=a.attachment.lead_agency_id)
        .update(name="Agency A renamed")
    ),
    "the episode closed": lambda a, b: (
        type(a.attachment.episode)
        .objects.filter(pk=a.attachment.episode_id)
        .update(ended_on=AS_OF, closure_reason="moved_out_of_area", status="closed")
    ),
    "a member joins": lambda a, b: FamilyMember.objects.create(
        family=a.family,
        person=Person.objects.create(first_name="New", last_name="Baby", date_of_birth=AS_OF),
        role="child",
    ),
    "a member leaves": lambda a, b: FamilyMember.objects.filter(
        family=a.family, person=_someone(a)
    ).update(left_on=date(2018, 1, 1)),
    "a membership removed": lambda a, b: FamilyMember.objects.filter(
        family=a.family, person=_someone(a)
    ).delete(),
    "a person's date of birth corrected": lambda a, b: Person.objects.filter(
        pk=_someone(a).pk
    ).update(date_of_birth=date(1984, 3, 3)),
    "a problem identified during the intervention": lambda a, b: ProblemIdentified.objects.create(
        attachment=a.attachment,
        problem="4",
        indicator="4.1",
        identified_on=date(2019, 6, 1),
        stage="intervention",
    ),
    "a problem removed": lambda a, b: ProblemIdentified.objects.filter(
        attachment=a.attachment
    ).delete(),
    "a step-down accepted": lambda a, b: StepDown.objects.create(
        family=a.family,
        reason="Early help can meet the needs",
        handover="Handover",
        requested_by=a.attachment.attached_by,
        status="accepted",
        decided_at=timezone.now(),
    ),
    "a step-up of the episode": lambda a, b: StepUp.objects.create(
        episode=a.attachment.episode, reason="Risk", requested_by=a.attachment.attached_by
    ),
    "a claim made": lambda a, b: Claim.objects.create(
        batch=ClaimBatch.objects.create(
            name="September 2019",
            window_opens=date(2019, 9, 1),
            window_closes=AS_OF,
            submitted_on=AS_OF,
            sample_seed=1,
            sample_percent=10,
        ),
        family=a.family,
        attachment=a.attachment,
        route=2,
        claimed_on=AS_OF,
        results_payment=800,
    ),
}


@pytest.mark.parametrize("writer", WRITERS)
def test_each_writer_marks_the_family_it_changes_and_no_other(two, writer):
    a, b = two
    FamilyChange.objects.all().delete()
    WRITERS[writer](a, b)
    assert _marked() == {a.family.pk}


def test_a_member_moving_household_marks_both_families(two):
    a, b = two
    FamilyChange.objects.all().delete()
    FamilyMember.objects.filter(family=a.family, person=_someone(a)).update(family=b.family)
    assert _marked() == {a.family.pk, b.family.pk}


def test_renaming_who_recorded_evidence_marks_their_families(two):
    a, b = two
    recorder = UserFactory(username="census")
    client = ApiClient.objects.create(organisation=OrganisationFactory(), name="SIMS feed")
    _new_evidence(a, recorded_by=recorder)
    _new_evidence(b, api_client=client)
    FamilyChange.objects.all().delete()
    recorder.last_login = recorder.date_joined  # a sign-in: nothing a snapshot reads
    recorder.save()
    assert _marked() == set()
    recorder.username = "census-feed"
    recorder.save()
    assert _marked() == {a.family.pk}
    client.name = "SIMS census feed"
    client.save()
    assert _marked() == {a.family.pk, b.family.pk}


def test_a_plan_version_marks_the_families_judged_by_it_and_publishing_one_marks_nobody(two):
    a, b = two
    v9 = OutcomesPlanVersion.objects.get(version=9)
    FamilyChange.objects.all().delete()
    draft = plan_version_copy(source=v9, by=None)
    plan_version_publish(draft=draft, effective_from=date(2027, 1, 1), by=None)
    assert _marked() == set()
    # A draft nobody should judge by, but the database allows it: editing it marks its family.
    other = plan_version_copy(source=v9, by=None)
    type(a.attachment).objects.filter(pk=a.attachment.pk).update(plan_version=other)
    FamilyChange.objects.all().delete()
    OutcomesPlanVersion.objects.filter(pk=other.pk).update(title="Edited")
    assert _marked() == {a.family.pk}


def test_a_change_to_the_school_terms_marks_every_attached_family(two):
    a, b = two
    FamilyChange.objects.all().delete()
    first = SchoolTerm.objects.order_by("starts_on").first()
    SchoolTerm.objects.filter(pk=first.pk).update(ends_on=first.ends_on.replace(day=19))
    assert _marked() == {a.family.pk, b.family.pk}
    FamilyChange.objects.all().delete()
    SchoolTerm.objects.filter(pk=-1).update(name="autumn")  # a statement that changes no row
    assert _marked() == set()


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_while_a_chunk_judges_the_family_is_judged_the_next_night():
    """A writer whose transaction is open while the chunk takes the family's marks and reads its
    records commits after the chunk: the chunk never saw the change, so its mark must stay."""
    restore_outcomes_data()
    made = records_from(_example(), by=UserFactory(username="prog", role="programme"))
    FamilyChange.objects.all().delete()
    FamilyChange.objects.create(family_id=made.family.pk, source="test")  # due to be judged
    run = nightly.nightly_run_start(as_of=AS_OF, trigger="command", chunk_size=10)
    written, release = threading.Event(), threading.Event()

    def writer():
        try:
            with transaction.atomic():
                _new_evidence(made)
                written.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    assert written.wait(10)
    nightly.chunk_process(run.pk, 1)  # takes the marks, reads the records, commits
    release.set()
    thread.join(10)
    assert _marked() == {made.family.pk}
    again = nightly.nightly_run(as_of=AS_OF)
    assert (again.families_unchanged, again.families_total) == (0, 1)
    assert _marked() == set()
