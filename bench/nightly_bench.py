"""How fast is the nightly job on 100,000 attached families of about 20 evidence rows each?

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/nightly_bench.py [--families 100000] [--workers 2] [--database NAME]

Standalone, in a database of its own (`earlyhelp_bench_nightly` on the server DATABASE_URL
names, or `--database NAME`), loaded once with COPY and reused by later runs. The families are
the engine bench's realistic generator (bench/engine_bench.py) with each child's earlier school
terms added as history, so a family has about 20 evidence rows. It then times, on this machine:

1. a plain SQL pass that reads every evidence row once (the floor any job must pay);
2. the nightly job from nothing (every result written), with `--workers` processes taking
   chunks as Celery workers would;
3. the job again with nothing changed (it must write nothing);
4. a real next night: as of the following day, after 0.1% of the families had a new evidence
   row recorded that day;
5. the job again (as of that day) after 1% of the families moved out of the area (or back, on
   the next bench run);
6. the job again after a new plan version is published, which judges no family yet.

Every change is an ordinary write (INSERT or UPDATE) in its own transaction, as the service
makes them. It prints families per second, the workers' peak memory, the results table's bytes
per family (with its indexes), each time beside the plain SQL pass, and whether each of issue
16's aims is met.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.family_page_bench import create_database, setup_django  # noqa: E402

BENCH_DATABASE = "earlyhelp_bench_nightly"
AS_OF = date(2021, 9, 30)
LOAD_BATCH = 5_000


def database_url(name: str = BENCH_DATABASE) -> str:
    from urllib.parse import urlsplit, urlunsplit

    url = os.environ.get("DATABASE_URL")
    if not url:
        from earlyhelp.devtools import database_for_test

        url = database_for_test()[0]
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def with_history(snapshot):
    """Each child's attendance in the terms before the episode: the history a school feed
    sends, so a family has about 20 rows."""
    import dataclasses

    from outcomes.engine import EvidenceItem

    extra = []
    for member in snapshot.members:
        if member.role != "child":
            continue
        for term in snapshot.school_terms:
            if term.ends_on < snapshot.episode.started_on - timedelta(days=400):
                continue
            if term.ends_on >= snapshot.episode.started_on:
                break
            extra.append(
                EvidenceItem(
                    f"{member.person_id}-{term.name}",
                    "school_attendance",
                    member.person_id,
                    term.starts_on,
                    term.ends_on,
                    term.ends_on,
                    "school census",
                    "bench",
                    {
                        "term": term.name,
                        "possible_sessions": 120,
                        "sessions_attended": 104,
                        "authorised_absence": 6,
                        "unexplained_absence": 10,
                        "concern": False,
                    },
                )
            )
    return dataclasses.replace(snapshot, evidence=tuple(extra) + snapshot.evidence)


def load(families: int) -> None:
    from django.db import transaction

    from bench.engine_bench import generate
    from earlyhelp.models import Organisation, User
    from outcomes.models import Attachment, OutcomesPlanVersion
    from outcomes.tests.bulk_records import load_snapshots

    have = Attachment.objects.count()
    if have >= families:
        return
    organisation, _ = Organisation.objects.get_or_create(
        name="Bench Family Support", defaults={"kind": "family_support", "tier": 2}
    )
    user, _ = User.objects.get_or_create(username="bench-programme", defaults={"role": "programme"})
    plans = {9: OutcomesPlanVersion.objects.get(version=9).pk}
    rng = random.Random(f"nightly-{have}")  # noqa: S311 (bench data, not secrets)
    n = have * 2
    started = time.monotonic()
    while have < families:
        batch = [
            with_history(s)
            for s in generate(rng, n, LOAD_BATCH)
            if s.attachment is not None and s.attachment.attached_on <= AS_OF
        ][: families - have]
        n += LOAD_BATCH
        with transaction.atomic():
            load_snapshots(
                batch, organisation_id=organisation.pk, user_id=user.pk, plan_version_ids=plans
            )
        have += len(batch)
        print(f"  loaded {have:,} families ({time.monotonic() - started:.0f}s)", flush=True)


def cpu_seconds() -> float:
    """This process's CPU time so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def database_cpu_seconds() -> float:
    """The CPU time of this connection's PostgreSQL backend so far (0 where its process cannot
    be read: a server on another machine). With other work on the machine, CPU time says what
    a pass costs when wall time cannot."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def plain_sql_pass() -> tuple[float, int, float]:
    """Every evidence row read once, in family order, by a server-side cursor; returns (seconds,
    rows, CPU seconds here and in the database)."""
    from django.db import connection, transaction

    cpu = cpu_seconds() + database_cpu_seconds()
    started = time.perf_counter()
    rows = 0
    with transaction.atomic(), connection.connection.cursor(name="plain") as cursor:
        cursor.itersize = 20_000
        cursor.execute(
            "SELECT family_id, id, kind, person_id, period_start, period_end, recorded_on, values"
            " FROM outcomes_evidence WHERE recorded_on <= %s ORDER BY family_id, id",
            [AS_OF],
        )
        for _ in cursor:
            rows += 1
    seconds = time.perf_counter() - started
    return seconds, rows, cpu_seconds() + database_cpu_seconds() - cpu


def _worker(run_id: int, numbers: list[int], peaks) -> None:
    from django.db import connection

    from outcomes.nightly import chunk_process

    connection.close()  # a fresh connection in this process
    for number in numbers:
        chunk_process(run_id, number)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peaks.put((usage.ru_maxrss, cpu_seconds(), database_cpu_seconds()))


def nightly(workers: int, as_of: date = AS_OF) -> tuple[float, object, list[tuple]]:
    """One run with `workers` processes taking chunks; returns (seconds, run, each worker's
    (peak memory in KiB, CPU seconds, its database backend's CPU seconds))."""
    from django.db import connection

    from outcomes.models import NightlyRun
    from outcomes.nightly import nightly_run_start

    started = time.perf_counter()
    run = nightly_run_start(as_of=as_of, trigger=NightlyRun.Trigger.COMMAND, chunk_size=1000)
    numbers = list(run.chunks.values_list("number", flat=True))
    connection.close()
    context = multiprocessing.get_context("fork")
    peaks = context.Queue()
    processes = [
        context.Process(target=_worker, args=(run.pk, numbers, peaks)) for _ in range(workers)
    ]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
    seconds = time.perf_counter() - started
    run.refresh_from_db()
    return seconds, run, [peaks.get() for _ in processes]


def stored_bytes() -> tuple[int, int]:
    """The results table with its indexes and TOAST, and how many families it holds."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_total_relation_size('outcomes_familyresult'),"
            " (SELECT count(DISTINCT family_id) FROM outcomes_familyresult)"
        )
        return cursor.fetchone()


def record_for_a_thousandth(on: date) -> int:
    """Every thousandth family has a new evidence row recorded on `on` (a step towards work
    by its first member), as a practitioner's page or a partner's feed would add it."""
    from django.db.models import F

    from cases.models import FamilyMember
    from outcomes.models import Attachment, Evidence

    chosen = Attachment.objects.alias(n=F("id") % 1000).filter(n=0).values("family_id")
    firsts = {}
    for family_id, person_id in (
        FamilyMember.objects.filter(family_id__in=chosen)
        .order_by("family_id", "id")
        .values_list("family_id", "person_id")
    ):
        firsts.setdefault(family_id, person_id)
    Evidence.objects.bulk_create(
        Evidence(
            family_id=family_id,
            person_id=person_id,
            kind="step_towards_work",
            period_start=on,
            values={"step": "written_cv"},
            source="bench",
            recorded_on=on,
        )
        for family_id, person_id in firsts.items()
    )
    return len(firsts)


def publish_a_plan_version() -> int:
    """A copy of version 9 published as the newest version: no family is attached under it."""
    from outcomes.models import OutcomesPlanVersion
    from outcomes.services import plan_version_copy, plan_version_publish

    v9 = OutcomesPlanVersion.objects.get(version=9)
    newest = (
        OutcomesPlanVersion.objects.filter(status=OutcomesPlanVersion.Status.PUBLISHED)
        .order_by("-effective_from")
        .first()
    )
    draft = plan_version_copy(source=v9, by=None)
    plan_version_publish(
        draft=draft, effective_from=newest.effective_from + timedelta(days=1), by=None
    )
    return draft.version


def touch_one_percent(families: int) -> int:
    """Every hundredth family moves out of the area, or back (each bench run flips them), so
    its claim status changes (DOMAIN §8, "moved out of area")."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE cases_episode e
                  SET status = CASE WHEN e.ended_on IS NULL THEN 'closed' ELSE 'open' END,
                      closure_reason = CASE WHEN e.ended_on IS NULL
                                            THEN 'moved_out_of_area' ELSE '' END,
                      ended_on = CASE WHEN e.ended_on IS NULL THEN %s::date END
                 FROM outcomes_attachment a
                WHERE a.episode_id = e.id AND a.id %% 100 = 0""",
            [AS_OF - timedelta(days=3)],
        )
        return cursor.rowcount


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--database",
        default=BENCH_DATABASE,
        help="the bench's own database (one per checkout when several share a server)",
    )
    args = parser.parse_args(argv)
    if args.families < 1 or args.workers < 1:
        parser.error("--families and --workers must be at least 1")
    url = database_url(args.database)
    create_database(url)
    setup_django(url)
    from django.db import connection

    from outcomes.models import Attachment, Evidence

    load(args.families)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE outcomes_familyresult, outcomes_nightlychunk, outcomes_nightlyrun,"
            " outcomes_familychange CASCADE"  # the first run judges every family
        )
        cursor.execute("VACUUM ANALYZE")
    families = Attachment.objects.count()
    rows = Evidence.objects.count()
    print(f"{families:,} attached families, {rows:,} evidence rows ({rows / families:.1f} each)")

    plain, read, plain_cpu = plain_sql_pass()
    print(f"plain SQL pass over the evidence: {plain:.1f}s ({read:,} rows), CPU {plain_cpu:.1f}s")
    first, run, workers = nightly(args.workers)
    peaks = [peak for peak, _, _ in workers]
    cpu = sum(c for _, c, _ in workers)
    db_cpu = sum(c for _, _, c in workers)
    size, judged = stored_bytes()
    per_family = size / max(judged, 1)
    print(
        f"nightly job, first run ({args.workers} workers): {first:.1f}s, "
        f"{run.families_done / first:,.0f} families/s, {run.results_written:,} results written, "
        f"{first / plain:.1f}x the plain SQL pass; CPU {cpu:.1f}s in the workers and "
        f"{db_cpu:.1f}s in the database ({(cpu + db_cpu) / plain_cpu:.1f}x the plain pass's); "
        f"peak memory {max(peaks) / 1024:.0f} MiB per process, {sum(peaks) / 1024:.0f} MiB for "
        f"all {args.workers}; results stored {size / 2**20:.0f} MiB, {per_family:,.0f} bytes "
        "per family"
    )
    again, run, _ = nightly(args.workers)
    print(
        f"re-run, nothing changed: {again:.1f}s, {_judged(run)} judged, "
        f"{run.results_written} written; {again / plain:.2f}x the plain SQL pass"
    )
    next_day = AS_OF + timedelta(days=1)
    touched = record_for_a_thousandth(next_day)
    night, run, _ = nightly(args.workers, next_day)
    print(
        f"next night (as of {next_day}, {touched:,} families (0.1%) with new evidence): "
        f"{night:.1f}s, {_judged(run)} judged, {run.results_written:,} written; "
        f"{night / plain:.2f}x the plain SQL pass"
    )
    moved = touch_one_percent(families)
    changed, run, _ = nightly(args.workers, next_day)
    print(
        f"re-run after {moved:,} families (1%) moved away or back: {changed:.1f}s, "
        f"{_judged(run)} judged, {run.results_written:,} written; "
        f"{changed / plain:.2f}x the plain SQL pass"
    )
    version = publish_a_plan_version()
    published, run, _ = nightly(args.workers, next_day)
    publish_judged = run.families_done - run.families_unchanged
    print(
        f"re-run after publishing plan version {version} (no family attached under it): "
        f"{published:.1f}s, {_judged(run)} judged, {run.results_written:,} written; "
        f"{published / plain:.2f}x the plain SQL pass"
    )
    size, _ = stored_bytes()
    print(f"results stored after it: {size / max(judged, 1):,.0f} bytes per family")
    if families >= 100_000:
        aims = [
            ("first run <= 30 s", first <= 30),
            ("first run <= 6x the plain SQL pass", first <= 6 * plain),
            ("peak memory <= 1 GiB", sum(peaks) <= 1024 * 1024),
            ("results stored <= 1 KB per family", per_family <= 1024),
            ("a real next night (0.1% changed) <= 5 s", night <= 5),
            ("1% of families changed <= 2 s", changed <= 2),
            ("publishing a plan version that judges no family: none judged", not publish_judged),
        ]
        for aim, met in aims:
            print(f"aim: {aim}: {'met' if met else 'NOT met'}")
    else:
        print("aims (100,000 families) not judged: fewer families than that")
    return 0


def _judged(run) -> str:
    return f"{run.families_done - run.families_unchanged:,}"


if __name__ == "__main__":
    raise SystemExit(main())
