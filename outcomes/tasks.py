"""Celery tasks of the nightly job: thin wrappers around `outcomes.nightly` (CONVENTIONS.md)."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .models import NightlyRun
from .nightly import chunk_process, nightly_run


@shared_task
def nightly_schedule() -> int:
    """The beat's 02:00 run: records the run and hands each chunk to whichever worker is free."""
    run = nightly_run(
        as_of=timezone.localdate(),
        trigger=NightlyRun.Trigger.SCHEDULE,
        dispatch=not settings.CELERY_TASK_ALWAYS_EAGER,
    )
    return run.pk


@shared_task(acks_late=True)
def nightly_chunk(run_id: int, number: int) -> int:
    return chunk_process(run_id, number)
