"""The nightly job's runs: each run's progress and counts, and what changed since the night
before (newly claimable, no longer claimable, and why). For the programme team and
administrators; the families listed are only those the access gate lets the reader see."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from earlyhelp.access import Action, page_for, record_listing

from . import nightly, selectors
from .models import NightlyRun

runs_page = page_for(Action.RUN_NIGHTLY)


@runs_page
def run_list(request):
    runs = NightlyRun.objects.select_related("started_by", "only_family")[:60]
    return render(
        request,
        "outcomes/run_list.html",
        {
            "runs": runs,
            "eager": settings.CELERY_TASK_ALWAYS_EAGER,
            "run_at": settings.NIGHTLY_RUN_AT,
        },
    )


@runs_page
def run_detail(request, run_id):
    run = get_object_or_404(NightlyRun.objects.select_related("started_by"), pk=run_id)
    changes = selectors.run_changes(run, user=request.user)
    rows = changes.newly_claimable + changes.no_longer_claimable
    record_listing(request.user, [row.family for row, _before in rows], action="nightly_run")
    return render(request, "outcomes/run_detail.html", {"run": run, "changes": changes})


@require_POST
@runs_page
def run_start(request):
    """Run the job now for today. Without a broker it runs here and now (the demo's few hundred
    families take seconds); with one, the workers take its chunks."""
    run = nightly.nightly_run(
        as_of=timezone.localdate(),
        trigger=NightlyRun.Trigger.PAGE,
        by=request.user,
        dispatch=not settings.CELERY_TASK_ALWAYS_EAGER,
    )
    messages.success(request, f"Run {run.pk} started for {run.as_of:%-d %B %Y}")
    return redirect("nightly-run-detail", run_id=run.pk)
