"""The nightly job against the engine, on records (DOMAIN §8: "reproducible (the same data gives
the same result), idempotent (re-running changes nothing)")."""

import dataclasses
import time
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from earlyhelp.tests.factories import UserFactory
from outcomes import nightly
from outcomes.engine import evaluate
from outcomes.models import (
    Attachment,
    Evidence,
    FamilyResult,
    NightlyChunk,
    NightlyRun,
    OutcomesPlanVersion,
)
from outcomes.rules_version import RULES_VERSION
from outcomes.snapshots import calendar, school_terms, snapshots_for

from .builders import attended, family, problem
from .engine_fuzz import generate
from .records import decisions, lose_the_job, records_from, restore_outcomes_data, stored_decisions

AS_OF = date(2019, 9, 30)


@pytest.fixture
def programme(db):
    return UserFactory(username="prog", role="programme")


def _plan():
    return OutcomesPlanVersion.objects.get(version=9).plan


def _clean(snapshot):
    """A fuzz snapshot the records can hold exactly: the records' school terms, and one reason
    for withdrawing or disengaging (ours is one reason where the seed names two)."""
    ep = snapshot.episode
    if ep.closure_reason == "withdrew_consent":
        ep = dataclasses.replace(ep, closure_reason="disengaged")
    return dataclasses.replace(snapshot, school_terms=school_terms(), episode=ep)


def _recordable(s) -> bool:
    corrected = [e.supersedes for e in s.evidence if e.supersedes]
    return (
        len(corrected) == len(set(corrected))  # one correction per item, as the records keep
        and s.attachment is not None
        and s.attachment.attached_on <= s.as_of
        and not s.previous_claims
        and (s.episode.ended_on is None or s.episode.ended_on <= s.as_of)
        and all(p.identified_on <= s.as_of for p in s.problems_identified)
        and all(
            p.person_id is None or p.person_id in {m.person_id for m in s.members}
            for p in s.problems_identified
        )
        and all(
            e.person_id is None or e.person_id in {m.person_id for m in s.members}
            for e in s.evidence
        )
    )


def test_results_read_back_from_the_records_equal_the_engines_own_answer(programme):
    snapshots = [_clean(s) for s in generate(_plan(), seed=11, count=200) if _recordable(s)][:40]
    assert len(snapshots) >= 20
    made = [records_from(s, by=programme) for s in snapshots]
    as_of = {s.as_of for s in snapshots}
    for when in sorted(as_of):
        expected = {
            m.family.pk: decisions(evaluate(s, _plan()))
            for s, m in zip(snapshots, made, strict=True)
            if s.as_of == when
        }
        run = nightly.nightly_run(as_of=when, chunk_size=7)
        assert run.status == NightlyRun.Status.COMPLETED, run.error
        stored = {
            r.family_id: stored_decisions(r)
            for r in FamilyResult.objects.filter(is_current=True, family_id__in=expected)
        }
        assert stored == expected


def test_the_example_family_is_claimable_by_continuous_employment(programme):
    made = records_from(_example(), by=programme)
    nightly.nightly_run(as_of=AS_OF)
    result = FamilyResult.objects.get(family=made.family, is_current=True)
    assert (result.claim_status, result.claimable_since, result.claim_route) == (
        "claimable",
        date(2019, 7, 15),
        2,
    )
    employment = next(o for o in result.decision.outcomes if o.outcome == "3.1")
    assert employment.sustained and employment.evidence  # the job it held, cited
    assert set(employment.evidence) <= set(result.decision.evidence)


def _example():
    import json
    from pathlib import Path

    from outcomes.engine.jsonio import snapshot_from_dict

    path = Path(__file__).resolve().parents[1] / "examples" / "family_snapshot.json"
    return _clean(snapshot_from_dict(json.loads(path.read_text())))


def _two_families(programme):
    a = records_from(
        family(problems=(problem("1.1", "P2"), problem("3.1", "P1")), evidence=attended("P2", 80)),
        by=programme,
    )
    b = records_from(_example(), by=programme)
    return a, b


def test_a_rerun_writes_nothing(programme):
    _two_families(programme)
    first = nightly.nightly_run(as_of=AS_OF)
    assert first.results_written == 2
    rows = list(FamilyResult.objects.values_list("id", "digest", "is_current"))
    again = nightly.nightly_run(as_of=AS_OF)
    assert again.status == NightlyRun.Status.COMPLETED
    assert (again.families_done, again.results_written) == (2, 0)
    assert list(FamilyResult.objects.values_list("id", "digest", "is_current")) == rows


def test_new_evidence_writes_one_new_result_which_replaces_the_old(programme):
    a, b = _two_families(programme)
    nightly.nightly_run(as_of=AS_OF)
    before = FamilyResult.objects.get(family=b.family, is_current=True)
    # Route 2 needs 26 weeks of continuous employment; a job ending takes it away.
    lose_the_job(b)
    run = nightly.nightly_run(as_of=AS_OF)
    assert run.results_written == 1
    after = FamilyResult.objects.get(family=b.family, is_current=True)
    assert after.previous_id == before.pk and after.run == run
    assert after.claim_status != "claimable"
    before.refresh_from_db()
    assert not before.is_current


def test_evidence_recorded_after_the_as_of_date_is_ignored(programme):
    made = records_from(_example(), by=programme)
    nightly.nightly_run(as_of=AS_OF)
    job = next(e for e in made.evidence.values() if e.kind == "employment")
    Evidence.objects.create(
        family=made.family,
        person=job.person,
        kind=job.kind,
        period_start=job.period_start,
        period_end=date(2019, 3, 1),
        values=job.values,
        source="DWP",
        recorded_on=date(2019, 10, 1),  # the day after the as-of date
        supersedes=job,
    )
    assert nightly.nightly_run(as_of=AS_OF).results_written == 0
    assert nightly.nightly_run(as_of=date(2019, 10, 1)).results_written == 1


def test_the_same_data_and_date_give_the_same_answer_after_other_dates(programme):
    made = records_from(_example(), by=programme)
    nightly.nightly_run(as_of=AS_OF)
    first = FamilyResult.objects.get(family=made.family, is_current=True).digest
    nightly.nightly_run(as_of=date(2019, 3, 1))
    assert FamilyResult.objects.get(family=made.family, is_current=True).digest != first
    nightly.nightly_run(as_of=AS_OF)
    assert FamilyResult.objects.get(family=made.family, is_current=True).digest == first


def test_a_chunk_is_worked_once_however_often_it_is_asked_for(programme):
    _two_families(programme)
    run = nightly.nightly_run_start(as_of=AS_OF, trigger=NightlyRun.Trigger.COMMAND, chunk_size=1)
    assert nightly.chunk_process(run.pk, 1) == 1
    assert nightly.chunk_process(run.pk, 1) == 0
    run.refresh_from_db()
    assert (run.status, run.chunks_done, run.families_done) == ("running", 1, 1)
    nightly.chunk_process(run.pk, 2)
    run.refresh_from_db()
    assert (run.status, run.chunks_done, run.families_done) == ("completed", 2, 2)


def test_a_run_that_fails_part_way_is_completed_by_the_next(programme, monkeypatch):
    _two_families(programme)
    real = nightly.snapshots_for
    calls = []

    def second_chunk_breaks(ids, **kw):
        calls.append(ids)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(ids, **kw)

    monkeypatch.setattr(nightly, "snapshots_for", second_chunk_breaks)
    with pytest.raises(RuntimeError):
        nightly.nightly_run(as_of=AS_OF, chunk_size=1)
    broken = NightlyRun.objects.get()
    assert broken.status == NightlyRun.Status.FAILED
    assert "the database went away" in broken.error
    assert FamilyResult.objects.count() == 1  # the first chunk's work was kept whole
    monkeypatch.setattr(nightly, "snapshots_for", real)
    rerun = nightly.nightly_run(as_of=AS_OF, chunk_size=1)
    assert (rerun.status, rerun.results_written) == ("completed", 1)
    assert FamilyResult.objects.filter(is_current=True).count() == 2


def test_a_run_left_running_is_marked_abandoned_by_the_next(programme):
    _two_families(programme)
    stuck = nightly.nightly_run_start(as_of=AS_OF, trigger="command", chunk_size=1)
    nightly.chunk_process(stuck.pk, 1)
    nightly.nightly_run(as_of=AS_OF)
    stuck.refresh_from_db()
    assert stuck.status == NightlyRun.Status.ABANDONED
    assert nightly.chunk_process(stuck.pk, 2) == 0  # its last chunk is never worked now
    assert NightlyChunk.objects.get(run=stuck, number=2).status == "pending"


def test_snapshots_take_a_fixed_number_of_queries(programme, django_assert_num_queries):
    _two_families(programme)
    ids = list(Attachment.objects.values_list("family_id", flat=True))
    terms = calendar()
    # attachments, problems, members, evidence, who recorded it, step-ups and -downs, claims
    with django_assert_num_queries(7):
        found = snapshots_for(ids, as_of=AS_OF, terms=terms)
    assert len(found) == 2


def test_families_not_attached_by_the_as_of_date_are_not_judged(programme):
    made = records_from(_example(), by=programme)
    run = nightly.nightly_run(as_of=made.attachment.attached_on.replace(day=1))
    assert run.families_total == 0 and run.status == "completed"
    assert not FamilyResult.objects.exists()


def test_the_command_runs_one_family_and_reports(programme):
    a, b = _two_families(programme)
    out = StringIO()
    call_command(
        "run_nightly",
        "--as-of",
        "2019-09-30",
        "--family",
        b.family.reference,
        stdout=out,
        stderr=StringIO(),
    )
    assert "1 of 1 families judged, 1 results changed" in out.getvalue()
    assert list(FamilyResult.objects.values_list("family_id", flat=True)) == [b.family.pk]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "30/09/2019"], "--as-of: expected a date as YYYY-MM-DD"),
        (["--family", "F9999999"], "--family: no family 'F9999999'"),
        (["--chunk-size", "0"], "--chunk-size: must be at least 1"),
        (["--workers"], "--workers needs a Celery broker"),
    ],
)
def test_the_command_refuses_bad_arguments(programme, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("run_nightly", *args, stdout=StringIO(), stderr=StringIO())
    assert not NightlyRun.objects.exists()


def _judged(monkeypatch):
    """The families each chunk builds snapshots for."""
    seen = []
    real = nightly.snapshots_for

    def spy(ids, **kw):
        seen.extend(ids)
        return real(ids, **kw)

    monkeypatch.setattr(nightly, "snapshots_for", spy)
    return seen


@pytest.fixture
def committed(transactional_db):
    """Each change in its own transaction, as in service."""
    restore_outcomes_data()
    return UserFactory(username="prog", role="programme")


def _engine_digests(as_of) -> dict:
    """Each attached family's answer as of the date, straight from the engine."""
    plan = _plan()
    ids = list(Attachment.objects.values_list("family_id", flat=True))
    return {
        family_id: nightly.result_digest(evaluate(snapshot, plan))
        for family_id, snapshot in snapshots_for(ids, as_of=as_of).items()
    }


def _stored_digests() -> dict:
    return dict(FamilyResult.objects.filter(is_current=True).values_list("family_id", "digest"))


def test_a_rerun_passes_over_families_whose_records_did_not_change(committed, monkeypatch):
    a, b = _two_families(committed)
    nightly.nightly_run(as_of=AS_OF)
    seen = _judged(monkeypatch)
    again = nightly.nightly_run(as_of=AS_OF)
    assert (again.families_unchanged, again.families_done, again.families_total) == (2, 2, 2)
    assert (again.chunks_total, again.status) == (0, "completed")
    assert seen == []
    # A correction to one person's date of birth is a change to that family's records only.
    person = next(iter(b.person.values()))
    person.date_of_birth = person.date_of_birth.replace(day=2)
    person.save()
    third = nightly.nightly_run(as_of=AS_OF)
    assert seen == [b.family.pk] and third.families_unchanged == 1
    assert _stored_digests() == _engine_digests(AS_OF)


@pytest.mark.parametrize("between", ["other date", "one family", "killed", "new term"])
def test_whatever_ran_between_a_run_stores_the_engines_own_answers_for_its_date(
    programme, monkeypatch, between
):
    """A family is passed over only while its stored answer is the one the engine gives for
    the date: after a run for another date, for one family, one killed before it began, or a
    change to the school terms (which every family is judged by, so all are judged again)."""
    a, b = _two_families(programme)
    nightly.nightly_run(as_of=AS_OF)
    if between == "other date":
        nightly.nightly_run(as_of=date(2019, 3, 1))
    elif between == "one family":
        nightly.nightly_run(as_of=date(2019, 3, 1), family_id=a.family.pk)
    elif between == "killed":
        nightly.nightly_run_start(as_of=AS_OF, trigger="command", chunk_size=1)
    else:
        from outcomes.models import SchoolTerm

        SchoolTerm.objects.create(
            academic_year=2035,
            name="autumn",
            starts_on=date(2035, 9, 3),
            ends_on=date(2035, 12, 20),
        )
    seen = _judged(monkeypatch)
    run = nightly.nightly_run(as_of=AS_OF)
    assert run.status == "completed"
    assert _stored_digests() == _engine_digests(AS_OF)
    for r in FamilyResult.objects.filter(is_current=True):
        assert r.judged_on <= AS_OF and (r.stands_until is None or AS_OF < r.stands_until)
    if between == "killed":  # it judged nothing, so every answer stands
        assert seen == [] and run.families_unchanged == 2
    if between == "new term":
        assert sorted(seen) == sorted([a.family.pk, b.family.pk])
    if between == "one family":  # its answer as of March did not stand into September
        assert a.family.pk in seen


def test_a_family_is_judged_again_on_the_day_its_answer_stops_standing(programme, monkeypatch):
    """The example family is claimable in the September 2019 claim window: its answer as of
    2 September stands until 1 October, when the window has closed."""
    made = records_from(_example(), by=programme)
    nightly.nightly_run(as_of=date(2019, 9, 2))
    result = FamilyResult.objects.get(family=made.family, is_current=True)
    assert (result.judged_on, result.stands_until) == (date(2019, 9, 2), date(2019, 10, 1))
    seen = _judged(monkeypatch)
    nightly.nightly_run(as_of=date(2019, 9, 30))
    assert seen == []
    nightly.nightly_run(as_of=date(2019, 10, 1))
    assert seen == [made.family.pk]
    now = FamilyResult.objects.get(family=made.family, is_current=True)
    assert now.judged_on == date(2019, 10, 1) < now.stands_until
    assert _stored_digests() == _engine_digests(date(2019, 10, 1))


def test_a_record_the_snapshot_leaves_out_until_later_ends_the_answers_standing(programme):
    """Evidence recorded after the as-of date is not read, but the answer stands only until the
    day it is recorded: the job judges the family again that day, with nothing marked."""
    made = records_from(_example(), by=programme)
    lose_the_job(made, recorded_on=date(2019, 9, 20))
    nightly.nightly_run(as_of=date(2019, 9, 2))
    result = FamilyResult.objects.get(family=made.family, is_current=True)
    assert result.stands_until == date(2019, 9, 20)
    assert result.claim_status == "claimable"
    run = nightly.nightly_run(as_of=date(2019, 9, 20))
    assert run.families_unchanged == 0 and run.results_written == 1
    assert FamilyResult.objects.get(family=made.family, is_current=True).claim_status != (
        "claimable"
    )


def test_publishing_a_plan_version_that_judges_no_family_judges_nobody(programme, monkeypatch):
    from outcomes.services import plan_version_copy, plan_version_publish

    _two_families(programme)
    nightly.nightly_run(as_of=AS_OF)
    v9 = OutcomesPlanVersion.objects.get(version=9)
    draft = plan_version_copy(source=v9, by=programme)
    plan_version_publish(draft=draft, effective_from=date(2027, 1, 1), by=programme)
    seen = _judged(monkeypatch)
    run = nightly.nightly_run(as_of=AS_OF)
    assert seen == [] and (run.families_unchanged, run.results_written) == (2, 0)


def test_a_family_the_engine_cannot_judge_is_judged_again_the_next_night(programme, monkeypatch):
    a, b = _two_families(programme)
    real = nightly.evaluate

    def refuses_b(snapshot, plan):
        if snapshot.family_id == str(b.family.pk):
            raise nightly.EvaluationError("problems_identified[0].indicator: not in the plan")
        return real(snapshot, plan)

    monkeypatch.setattr(nightly, "evaluate", refuses_b)
    run = nightly.nightly_run(as_of=AS_OF)
    assert run.errors == 1
    monkeypatch.setattr(nightly, "evaluate", real)
    seen = _judged(monkeypatch)
    nightly.nightly_run(as_of=AS_OF)
    assert seen == [b.family.pk]
    assert _stored_digests() == _engine_digests(AS_OF)


def test_school_terms_are_named_as_evidence_names_them(db):
    """FORMAT.md's worked example names the term starting in January 2018 "2018 spring"; the
    terms held as data must give the engine the same names, or no attendance would match."""
    from outcomes.models import SchoolTerm

    spring = SchoolTerm.objects.get(academic_year=2017, name="spring")
    autumn = SchoolTerm.objects.get(academic_year=2017, name="autumn")
    assert (spring.engine_name, autumn.engine_name) == ("2018 spring", "2017 autumn")
    assert {t.name for t in school_terms()} >= {"2018 spring", "2018 summer", "2017 autumn"}


def test_two_workers_racing_for_one_chunk_take_it_once(committed):
    """Two real connections claim the same chunk; the second waits on the first's row lock and,
    once the first commits, must see the chunk taken (issue 16: with the run's status in a
    joined subquery both workers took it, and 3,000 families went unjudged one night)."""
    import threading

    from django.db import connection, connections, transaction

    _two_families(committed)
    run = nightly.nightly_run_start(as_of=AS_OF, trigger="command", chunk_size=1)
    first_holds, release = threading.Event(), threading.Event()
    won = {}

    def first():
        try:
            with transaction.atomic():
                won["first"] = nightly.chunk_claim(run.pk, 1)
                first_holds.set()
                release.wait(10)
        finally:
            connections.close_all()

    def second():
        try:
            won["second"] = nightly.chunk_claim(run.pk, 1)
        finally:
            connections.close_all()

    a = threading.Thread(target=first)
    a.start()
    assert first_holds.wait(10)
    b = threading.Thread(target=second)
    b.start()
    waiting = 0
    for _ in range(200):  # until the second worker is blocked on the chunk's row lock
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND datname = current_database()"
            )
            waiting = cursor.fetchone()[0]
        if waiting:
            break
        time.sleep(0.02)
    release.set()
    a.join(10)
    b.join(10)
    assert waiting == 1
    assert sorted(won.values()) == [False, True]
    assert NightlyChunk.objects.get(run=run, number=1).status == NightlyChunk.Status.TAKEN


def test_a_run_is_completed_only_when_every_chunk_is_done(programme):
    _two_families(programme)
    run = nightly.nightly_run_start(as_of=AS_OF, trigger="command", chunk_size=1)
    # A count that ran ahead of the chunks (as a double-taken chunk made it) closes nothing.
    NightlyRun.objects.filter(pk=run.pk).update(chunks_done=2)
    nightly.chunk_process(run.pk, 1)
    run.refresh_from_db()
    assert run.status == NightlyRun.Status.RUNNING
    nightly.chunk_process(run.pk, 2)
    run.refresh_from_db()
    assert run.status == NightlyRun.Status.COMPLETED


def test_answers_given_by_other_rules_are_judged_again(programme):
    """The cache of answers is keyed by the rules' code too (`outcomes.rules_version`): after a
    deployment that changes a rule, every family is judged again, and an answer that comes out
    the same is kept, marked as given by these rules."""
    records_from(_example(), by=programme)
    first = nightly.nightly_run(as_of=AS_OF)
    assert FamilyResult.objects.get(is_current=True).rules_version == RULES_VERSION
    assert nightly.nightly_run(as_of=AS_OF).families_unchanged == first.families_total
    kept = FamilyResult.objects.get(is_current=True)
    counted = (kept.sustained_outcomes, kept.problems_achieved)
    assert counted[0], "the example sustains outcomes"
    # Rows older rules wrote lack the columns the reports count: the same answer fills them.
    FamilyResult.objects.update(
        rules_version="older rules", sustained_outcomes=[], problems_achieved=[]
    )
    again = nightly.nightly_run(as_of=AS_OF)
    assert again.families_unchanged == 0 and again.results_written == 0
    current = FamilyResult.objects.get(is_current=True)
    assert current.rules_version == RULES_VERSION
    assert (current.sustained_outcomes, current.problems_achieved) == counted
