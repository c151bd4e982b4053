"""The nightly job's runs: each run's progress and counts, and what changed since the night
before (newly claimable, no longer claimable, and why). For the programme team and
administrators; the families listed are only those the access gate lets the reader see."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from earlyhelp.models import Role
from earlyhelp.roles import role_required

from . import nightly, selectors
from .models import NightlyRun

programme_or_administrator = role_required(Role.PROGRAMME, Role.ADMINISTRATOR)


@programme_or_administrator
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


@programme_or_administrator
def run_detail(request, run_id):
    run = get_object_or_404(NightlyRun.objects.select_related("started_by"), pk=run_id)
    changes = selectors.run_changes(run, user=request.user)
    return render(request, "outcomes/run_detail.html", {"run": run, "changes": changes})


@require_POST
@programme_or_administrator
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
