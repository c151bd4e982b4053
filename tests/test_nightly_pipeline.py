"""The nightly job end to end, over real processes: a Celery worker on the real Redis broker, and
a run killed part-way with SIGKILL (issue 10: "killed half-way, the next run completes and equals
an uninterrupted run")."""

import os
import signal
import subprocess
import sys
import time
from datetime import date

import pytest
from django.conf import settings
from django.db import connection

from earlyhelp.tests.factories import OrganisationFactory, UserFactory
from outcomes.engine import evaluate
from outcomes.models import FamilyResult, NightlyRun, OutcomesPlanVersion
from outcomes.nightly import nightly_run, result_digest
from outcomes.snapshots import snapshots_for
from outcomes.tests.bulk_records import load_snapshots
from outcomes.tests.engine_fuzz import generate
from outcomes.tests.records import restore_outcomes_data

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

AS_OF = date(2020, 3, 31)


@pytest.fixture
def families():
    """Attached families loaded as records (the data migration's tables are flushed between
    transactional tests, so the plan and the terms are put back first)."""
    plan = restore_outcomes_data()
    snapshots = [s for s in generate(plan.plan, seed=5, count=500) if s.attachment is not None][
        :300
    ]
    ids = load_snapshots(
        snapshots,
        organisation_id=OrganisationFactory(name="Family Support").pk,
        user_id=UserFactory(role="programme").pk,
        plan_version_ids={9: plan.pk},
    )
    return ids


def _expected(ids) -> dict:
    """Each family's answer straight from the engine: what an uninterrupted run stores."""
    plan = OutcomesPlanVersion.objects.get(version=9).plan
    return {
        family_id: result_digest(evaluate(snapshot, plan))
        for family_id, snapshot in snapshots_for(ids, as_of=AS_OF).items()
    }


def _stored() -> dict:
    return dict(FamilyResult.objects.filter(is_current=True).values_list("family_id", "digest"))


def _env(**extra) -> dict:
    db = settings.DATABASES["default"]
    url = f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="earlyhelp.settings.local")
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


def _manage(*args, env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_run_killed_part_way_is_completed_by_the_next_and_equals_an_uninterrupted_run(families):
    expected = _expected(families)
    assert len(expected) == len(families)
    killed = _manage(
        "run_nightly",
        "--as-of",
        AS_OF.isoformat(),
        "--chunk-size",
        "2",
        "--no-progress",
        env=_env(),
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        run = NightlyRun.objects.filter(chunks_done__gte=10).first()
        if run is not None or killed.poll() is not None:
            break
        time.sleep(0.02)
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=30)
    assert killed.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    run = NightlyRun.objects.get()
    assert run.status == NightlyRun.Status.RUNNING  # nobody was left to close it
    written = FamilyResult.objects.count()
    assert 0 < written < len(families)

    rerun = nightly_run(as_of=AS_OF)
    assert rerun.status == NightlyRun.Status.COMPLETED
    assert rerun.results_written == len(families) - written
    assert _stored() == expected
    run.refresh_from_db()
    assert run.status == NightlyRun.Status.ABANDONED

    again = nightly_run(as_of=AS_OF)
    assert (again.results_written, FamilyResult.objects.count()) == (0, len(families))


@pytest.mark.skipif(not settings.TEST_REDIS_URL, reason="no Redis reachable (make test finds one)")
def test_the_nightly_job_runs_on_a_real_celery_worker_through_redis(families):
    queue = f"nightly-test-{os.getpid()}"
    env = _env(REDIS_URL=settings.TEST_REDIS_URL, CELERY_QUEUE=queue)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "earlyhelp",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "warning",
            "--queues",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        handed = _manage(
            "run_nightly",
            "--as-of",
            AS_OF.isoformat(),
            "--chunk-size",
            "50",
            "--workers",
            env=env,
        )
        out, err = handed.communicate(timeout=120)
        assert handed.returncode == 0, err
        assert "6 chunks handed to the workers" in out
        deadline = time.monotonic() + 180
        run = NightlyRun.objects.get()
        while run.status == NightlyRun.Status.RUNNING and time.monotonic() < deadline:
            time.sleep(0.2)
            run.refresh_from_db()
        assert run.status == NightlyRun.Status.COMPLETED, worker.poll()
        assert run.chunks.filter(taken_by__contains=":").count() == 6
        assert {c.taken_by for c in run.chunks.all()} != {""}
        assert _stored() == _expected(families)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    connection.close()
