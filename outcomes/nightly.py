"""The nightly job: every attached family's results and claim status, recomputed (DOMAIN §8).

`nightly_run(as_of=…)` records a run, splits the attached families into chunks and works
through them — in this process (the command, the eager mode without a broker) or, with
`dispatch=True`, as one Celery task per chunk so that several workers on several machines share
the work. `chunk_process` is what each worker does with one chunk:

- it takes the chunk with a conditional UPDATE, so no chunk is ever worked twice;
- it builds the chunk's snapshots in a few queries, asks the engine, and compares each answer
  with the family's current result by digest: only a different answer is written, so a re-run
  writes nothing, and "what changed since last night" is exactly what a run wrote. What is
  written is the decision (`outcomes.decisions`), a few hundred bytes; its explanation is
  worked out again when someone reads it (`outcomes.explanations`);
- it commits the chunk's results and its progress in one transaction: killed part-way, a chunk
  leaves nothing half-written, and the next run completes the work and ends with the same
  results as an uninterrupted run.

Only what can have changed is judged (`outcomes.changes`): a run's chunks hold the families
whose records, plan version or school terms changed since they were last judged (triggers mark
them as the writes happen) and those whose answer no longer stands on the run's date (the
engine says until when each answer stands). Every other family is passed over, its answer
standing.

Reproducible: the answer depends only on the records, the plan version each family was attached
under, the school terms, the as-of date and the rules' code (each answer keeps the version of
the rules that gave it, `outcomes.rules_version`); evidence recorded after the as-of date is
ignored.
"""

from __future__ import annotations

import gc
import json
import os
import socket
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from earlyhelp.pgcopy import copy_rows
from outcomes.engine.evaluate import EvaluationError, evaluate

from . import changes
from .decisions import decision_json, decision_of, result_digest
from .models import Attachment, FamilyResult, NightlyChunk, NightlyRun, OutcomesPlanVersion
from .rules_version import RULES_VERSION
from .snapshots import next_in_view, snapshots_for

Progress = Callable[[NightlyRun, int], None]
# A run of few families is cut into about SHARES chunks of at least SMALLEST_SHARE families.
SHARES, SMALLEST_SHARE = 16, 50


def nightly_run(
    *,
    as_of: date,
    trigger: str = NightlyRun.Trigger.COMMAND,
    by=None,
    family_id: int | None = None,
    chunk_size: int | None = None,
    dispatch: bool = False,
    progress: Progress | None = None,
) -> NightlyRun:
    """Record a run for `as_of` and work through it (or hand its chunks to Celery workers)."""
    chunk_size = chunk_size or settings.NIGHTLY_CHUNK_SIZE
    run = nightly_run_start(
        as_of=as_of, trigger=trigger, by=by, family_id=family_id, chunk_size=chunk_size
    )
    if dispatch:
        from .tasks import nightly_chunk

        numbers = list(run.chunks.values_list("number", flat=True))
        transaction.on_commit(lambda: [nightly_chunk.delay(run.pk, number) for number in numbers])
        return run
    for number in run.chunks.values_list("number", flat=True):
        done = chunk_process(run.pk, number)
        if progress is not None:
            progress(run, done)
    run.refresh_from_db()
    return run


@transaction.atomic
def nightly_run_start(
    *, as_of: date, trigger: str, by=None, family_id: int | None = None, chunk_size: int
) -> NightlyRun:
    """The run and its chunks of the families to judge; the others are passed over, counted
    done. Earlier runs left unfinished (a worker killed part-way) are marked abandoned: what
    they left undone is still to judge (no answer, or marks not taken), so this run does it."""
    now = timezone.now()
    NightlyRun.objects.filter(status=NightlyRun.Status.RUNNING).update(
        status=NightlyRun.Status.ABANDONED, finished_at=now
    )
    changes.prune()
    ids, passed = changes.families_to_judge(as_of=as_of, family_id=family_id)
    run = NightlyRun.objects.create(
        as_of=as_of,
        trigger=trigger,
        started_by=by,
        only_family_id=family_id,
        started_at=now,
        families_total=len(ids) + passed,
        families_done=passed,
        families_unchanged=passed,
    )
    # Few families to judge (a night after a few changes): smaller chunks, so that every worker
    # has a share of them.
    size = min(chunk_size, max(SMALLEST_SHARE, -(-len(ids) // SHARES)))
    chunks = [
        NightlyChunk(run=run, number=n, family_ids=ids[start : start + size])
        for n, start in enumerate(range(0, len(ids), size), start=1)
    ]
    NightlyChunk.objects.bulk_create(chunks)
    run.chunks_total = len(chunks)
    if not chunks:
        run.status = NightlyRun.Status.COMPLETED
        run.finished_at = now
    run.save(update_fields=["chunks_total", "status", "finished_at"])
    return run


def chunk_process(run_id: int, number: int) -> int:
    """Work one chunk if nobody has taken it; returns how many families it judged."""
    if not chunk_claim(run_id, number):
        return 0
    chunk = NightlyChunk.objects.select_related("run").get(run_id=run_id, number=number)
    try:
        with transaction.atomic(), _collector_paused():
            written, problems = _judge(chunk.run, chunk.family_ids)
            _chunk_done(chunk, written, problems)
    except Exception as error:
        _chunk_failed(chunk, error)
        raise
    return len(chunk.family_ids)


@contextmanager
def _collector_paused():
    """A chunk builds some hundred thousand short-lived objects (snapshots, answers) in no
    cycles, which reference counting frees; the cycle collector's passes over them cost a
    quarter of the chunk's time, so it waits until the chunk is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def chunk_claim(run_id: int, number: int) -> bool:
    """Take a waiting chunk of a running run for this worker; False if another worker has it.

    The chunk's own conditions sit in the UPDATE's WHERE and the run's in an EXISTS, so
    PostgreSQL re-checks them on the row after waiting for another worker's lock: a join would
    make Django write `WHERE id IN (SELECT … JOIN run …)`, whose subquery is not re-checked
    after the wait, and both workers would take the chunk."""
    running = NightlyRun.objects.filter(pk=OuterRef("run_id"), status=NightlyRun.Status.RUNNING)
    return bool(
        NightlyChunk.objects.filter(
            Exists(running), run_id=run_id, number=number, status=NightlyChunk.Status.PENDING
        ).update(
            status=NightlyChunk.Status.TAKEN,
            taken_by=f"{socket.gethostname()}:{os.getpid()}",
            taken_at=timezone.now(),
        )
    )


def _judge(run: NightlyRun, family_ids: list[int]) -> tuple[int, list[str]]:
    """Judge the families and write the answers that differ; returns (written, problems).
    Each judged family's current result says from and until when its answer stands."""
    with connection.cursor() as cursor:
        # Two workers (a late chunk of an abandoned run and tonight's) never write one family at
        # once: each holds the families' locks until it commits.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(7307, f::int) FROM unnest(%s::bigint[]) f ORDER BY f",
            [family_ids],
        )
        # A chunk's queries are index lookups of a few thousand rows: starting parallel workers
        # or compiling them costs more than it saves, and a run's parallelism is its workers.
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off")
    # Before the snapshots are read: every change these marks stand for is in them.
    changes.take(family_ids)
    snapshots = snapshots_for(family_ids, as_of=run.as_of)
    in_view = next_in_view(list(snapshots), as_of=run.as_of)
    current = {
        r.family_id: r
        for r in FamilyResult.objects.filter(family_id__in=family_ids, is_current=True)
        .order_by()  # in no order: the model's would join every family
        .only(
            "id",
            "family_id",
            "digest",
            "judged_on",
            "stands_until",
            "rules_version",
            "sustained_outcomes",
            "problems_achieved",
            "problems_identified",
            "processed",
        )
    }
    attachment_of = dict(
        Attachment.objects.filter(family_id__in=list(snapshots), attached_on__lte=run.as_of)
        .order_by("family_id", "attached_on", "id")
        .values_list("family_id", "id")
    )  # the latest by the as-of date wins, as in the snapshot
    plans = {
        v.version: v.plan
        for v in OutcomesPlanVersion.objects.filter(
            version__in={s.attachment.plan_version for s in snapshots.values()}
        )
    }
    fresh, replaced, problems, judged, standing = [], [], [], set(), []
    for family_id, snapshot in snapshots.items():
        try:
            result = evaluate(snapshot, plans[snapshot.attachment.plan_version])
        except EvaluationError as error:
            problems.append(f"family {family_id}: {error}")
            continue
        judged.add(family_id)
        stands = _earliest(result.stands_until, in_view.get(family_id))
        digest = result_digest(result)
        earlier = current.get(family_id)
        if earlier is not None and earlier.digest == digest:
            # The same answer, judged again: nothing to write but until when it now stands (and
            # that these rules give it too).
            # What the reports count can change where the answer does not (an episode closed
            # with nothing else to say), and rows older rules wrote may lack it: keep it true.
            now = counted(result, snapshot)
            refill = now if now != _counted_as_stored(earlier) else None
            if refill is not None or (
                earlier.judged_on,
                earlier.stands_until,
                earlier.rules_version,
            ) != (run.as_of, stands, RULES_VERSION):
                standing.append((earlier.pk, stands, refill))
            continue
        if earlier is not None:
            replaced.append(earlier.pk)
        row = _row(run, family_id, attachment_of[family_id], earlier, digest, result, snapshot)
        fresh.append((*row, run.as_of, stands))
    if replaced:
        FamilyResult.objects.filter(pk__in=replaced).update(is_current=False)
    _insert(fresh)
    _stand(run.as_of, standing)
    # One the engine could not judge is judged again the next night, as if it had changed.
    changes.mark(set(family_ids) - judged, source="nightly")
    return len(fresh), problems


def _earliest(*days):
    found = [d for d in days if d is not None]
    return min(found) if found else None


def _stand(as_of: date, standing: list[tuple]) -> None:
    """Answers judged again and found the same: they stand from `as_of` until their new date.
    Where what the reports count of one differs from what its row holds (rows written before
    those columns existed, an episode closed with nothing else to say), the row is brought up
    to date in the same pass."""
    if standing:
        ids, until = zip(*[(pk, stands) for pk, stands, _ in standing], strict=True)
        with connection.cursor() as cursor:
            cursor.execute(
                """UPDATE outcomes_familyresult r
                      SET judged_on = %s, stands_until = s.until, rules_version = %s
                     FROM unnest(%s::bigint[], %s::date[]) AS s(id, until) WHERE r.id = s.id""",
                [as_of, RULES_VERSION, list(ids), list(until)],
            )
            filled = [
                {"id": pk, "o": refill[0], "p": refill[1], "i": refill[2], "d": refill[3]}
                for pk, _, refill in standing
                if refill is not None
            ]
            if filled:
                cursor.execute(
                    """UPDATE outcomes_familyresult r
                          SET sustained_outcomes = ARRAY(SELECT json_array_elements_text(s.o)),
                              problems_achieved = ARRAY(SELECT json_array_elements_text(s.p)),
                              problems_identified = ARRAY(SELECT json_array_elements_text(s.i)),
                              processed = s.d
                         FROM json_to_recordset(%s::json)
                              AS s(id bigint, o json, p json, i json, d boolean)
                        WHERE r.id = s.id""",
                    [json.dumps(filled)],
                )


def _row(run, family_id, attachment_id, before, digest, result, snapshot) -> tuple:
    """One new result, as the columns `_insert` writes: the decision, not its explanation."""
    claim = result.claim
    applying = [o for o in result.outcomes if o.applies]
    return (
        family_id,
        attachment_id,
        run.pk,
        None if before is None else before.pk,
        True,
        run.as_of,
        result.plan_version,
        digest,
        claim.status,
        claim.since,
        claim.route,
        [r.code for r in claim.reasons],
        list(result.eligibility.problems_evidenced),
        sum(1 for o in applying if o.sustained),
        len(applying),
        decision_json(decision_of(result)),
        timezone.now(),
        RULES_VERSION,
        *counted(result, snapshot),
    )


def counted(result, snapshot) -> tuple:
    """What the reports count of an answer, as columns: the outcomes met and sustained, the
    headline problems achieved (every required outcome sustained), the problems identified,
    and whether the case is closed or processed (its episode closed by the as-of date, or a
    results claim made)."""
    return (
        [o.outcome for o in result.outcomes if o.applies and o.sustained_on is not None],
        [p.problem for p in result.problems if p.sustained],
        sorted({p.problem for p in result.problems}),
        snapshot.episode.ended_on is not None or result.claim.status == "claimed",
    )


def _counted_as_stored(row) -> tuple:
    return (
        row.sustained_outcomes,
        row.problems_achieved,
        row.problems_identified,
        row.processed,
    )


# `_row`'s columns, then the two `_judge` adds: from and until when the answer stands.
_COLUMNS = (
    "family_id",
    "attachment_id",
    "run_id",
    "previous_id",
    "is_current",
    "as_of",
    "plan_version",
    "digest",
    "claim_status",
    "claimable_since",
    "claim_route",
    "reasons",
    "problems",
    "outcomes_sustained",
    "outcomes_applying",
    "decision",
    "written_at",
    "rules_version",
    "sustained_outcomes",
    "problems_achieved",
    "problems_identified",
    "processed",
    "judged_on",
    "stands_until",
)


def _insert(rows: list[tuple]) -> None:
    """New results by COPY, which takes a first run's thousand rows a chunk as they are, without
    an INSERT's parameters to quote (`FamilyResult`'s columns)."""
    copy_rows(FamilyResult._meta.db_table, _COLUMNS, rows)


def _chunk_done(chunk, written: int, problems: list) -> None:
    NightlyChunk.objects.filter(pk=chunk.pk).update(
        status=NightlyChunk.Status.DONE,
        done_at=timezone.now(),
        written=written,
        error="\n".join(problems),
    )
    NightlyRun.objects.filter(pk=chunk.run_id).update(
        chunks_done=F("chunks_done") + 1,
        families_done=F("families_done") + len(chunk.family_ids),
        results_written=F("results_written") + written,
        errors=F("errors") + len(problems),
    )
    _finish_if_last(chunk.run_id)


def _chunk_failed(chunk: NightlyChunk, error: Exception) -> None:
    message = f"{type(error).__name__}: {error}"
    NightlyChunk.objects.filter(pk=chunk.pk).update(
        status=NightlyChunk.Status.FAILED, done_at=timezone.now(), error=message
    )
    NightlyRun.objects.filter(pk=chunk.run_id).update(
        chunks_done=F("chunks_done") + 1, errors=F("errors") + 1, error=message
    )
    _finish_if_last(chunk.run_id)


def _finish_if_last(run_id: int) -> None:
    """The worker that finishes the last chunk closes the run; the conditions make it happen
    once however many workers finish together, and only when no chunk is still waiting or
    being worked: every chunk done (or failed) exactly once."""
    chunks = NightlyChunk.objects.filter(run_id=run_id)
    unfinished = chunks.filter(status__in=[NightlyChunk.Status.PENDING, NightlyChunk.Status.TAKEN])
    failed = chunks.filter(status=NightlyChunk.Status.FAILED)
    NightlyRun.objects.filter(pk=run_id, status=NightlyRun.Status.RUNNING).exclude(
        Exists(unfinished)
    ).update(
        status=NightlyRun.Status.FAILED if failed.exists() else NightlyRun.Status.COMPLETED,
        finished_at=timezone.now(),
    )
