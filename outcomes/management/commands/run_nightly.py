"""`manage.py run_nightly [--as-of DATE] [--family ID] [--workers]` — the nightly job, now.

Runs `outcomes.nightly.nightly_run` in this process with a progress bar (or, with `--workers`,
hands the chunks to the Celery workers and follows their progress), then prints the run's counts.
"""

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from cases.models import Family
from outcomes.models import NightlyRun
from outcomes.nightly import nightly_run


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of: expected a date as YYYY-MM-DD, got {text!r}") from None


class Command(BaseCommand):
    help = "Recompute every attached family's outcomes and claim status (the nightly job)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of", help="judge as on this date, YYYY-MM-DD (default: today)", default=None
        )
        parser.add_argument(
            "--family", help="only this family (its id or its reference, like F0000123)"
        )
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=settings.NIGHTLY_CHUNK_SIZE,
            help=f"families per chunk (default {settings.NIGHTLY_CHUNK_SIZE})",
        )
        parser.add_argument(
            "--workers",
            action="store_true",
            help="hand the chunks to the Celery workers instead of working them here",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        as_of = _date(options["as_of"]) if options["as_of"] else timezone.localdate()
        if options["chunk_size"] < 1:
            raise CommandError("--chunk-size: must be at least 1")
        family_id = self._family(options["family"]) if options["family"] else None
        if options["workers"] and settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError("--workers needs a Celery broker: set REDIS_URL")
        bar = None
        if not options["no_progress"] and not options["workers"]:
            bar = tqdm(total=0, unit="families", desc=f"Results as of {as_of}", file=self.stderr)

        def progress(run: NightlyRun, done: int) -> None:
            bar.total = run.families_total - run.families_unchanged  # those to judge
            bar.update(done)

        run = nightly_run(
            as_of=as_of,
            trigger=NightlyRun.Trigger.COMMAND,
            family_id=family_id,
            chunk_size=options["chunk_size"],
            dispatch=options["workers"],
            progress=progress if bar is not None else None,
        )
        if bar is not None:
            bar.close()
        if options["workers"]:
            self.stdout.write(f"Run {run.pk}: {run.chunks_total} chunks handed to the workers")
            return
        self.stdout.write(
            f"Run {run.pk} as of {as_of}: {run.get_status_display().lower()}; "
            f"{run.families_done - run.families_unchanged} of {run.families_total} families "
            f"judged, {run.results_written} results changed, {run.errors} problems; "
            f"{run.families_unchanged} passed over, their answers standing"
        )
        if run.status != NightlyRun.Status.COMPLETED:
            raise CommandError(run.error or "the run did not complete")

    def _family(self, given: str) -> int:
        family = Family.objects.filter(reference=given.upper()).first()
        if family is None and given.isdigit():
            family = Family.objects.filter(pk=int(given)).first()
        if family is None:
            raise CommandError(f"--family: no family {given!r}")
        if not family.attachments.exists():
            raise CommandError(f"--family: {family.reference} is not attached to the programme")
        return family.pk
