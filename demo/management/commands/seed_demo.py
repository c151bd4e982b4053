import os
import sys
import time
from base64 import b32encode
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import reset_queries
from tqdm import tqdm

from cases.models import Family
from demo.families import TODAY, seed_families
from demo.organisations import seed_demo
from demo.requests import seed_demo_requests
from earlyhelp.models import Role

# More than any one council holds: beyond this a typo (an extra zero) is likelier than intent.
MAX_FAMILIES = 200_000


class Command(BaseCommand):
    help = (
        "Load demo localities, organisations, teams, one user per role and, into an empty "
        "database, demo families (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_PASSWORD", "early-help-demo"),
            help="Password for every demo account (default: $DEMO_PASSWORD or early-help-demo)",
        )
        parser.add_argument(
            "--families",
            type=int,
            default=300,
            help="How many demo families to load when there are none yet (default: 300)",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help="Seed for the families: the same seed always gives the same data (default: 1)",
        )
        parser.add_argument(
            "--skip-results",
            action="store_true",
            help="do not run the nightly job on the families loaded (benchmarks that time it)",
        )
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=TODAY,
            help=f"The date the demo data is as of, YYYY-MM-DD (default: {TODAY})",
        )

    def handle(self, *args, password, families, seed, today, **options):
        if not settings.DEBUG and not os.environ.get("ALLOW_DEMO_DATA"):
            raise CommandError(
                "Refusing to load demo accounts with DEBUG off. "
                "Set ALLOW_DEMO_DATA=1 if this really is a demonstration server."
            )
        if len(password) < 8:
            raise CommandError("--password must be at least 8 characters")
        if families < 0:
            raise CommandError(f"--families must be 0 or more, not {families}")
        if families > MAX_FAMILIES:
            raise CommandError(
                f"--families {families:,} is more than the {MAX_FAMILIES:,} a demonstration "
                "or benchmark needs; ask for fewer"
            )
        created = seed_demo(password=password)
        out = self.stdout
        out.write("")
        out.write("Demo accounts (one per role), all with the password: " + password)
        for demo, device in created:
            line = f"  {demo.username:<13} {Role(demo.role).label:<16}"
            if device is not None:
                secret = b32encode(device.bin_key).decode().rstrip("=")
                line += f" two-factor key {secret}  (or: make code ACCOUNT={demo.username})"
            out.write(line)
        out.write("")
        self.skip_results = options["skip_results"]
        self.load_families(families, seed, today, quiet=options["verbosity"] == 0)
        # After the families, which load only into an empty table: a school's request, a
        # family's own and a step-down, made through the front door's own service.
        made = seed_demo_requests()
        if made:
            self.stdout.write(f"Demo requests: {len(made)} sent to the hub's queue.")

    def load_families(self, families: int, seed: int, today: date, *, quiet: bool) -> None:
        # Families load only into an empty table, so `make run` can run this every
        # time; to load a different number or seed, start from an empty database.
        existing = Family.objects.count()
        if existing:
            self.stdout.write(f"Demo families: already loaded {existing:,} families; none added.")
            return
        if families == 0:
            self.stdout.write("Demo families: none asked for.")
            return
        bar = tqdm(
            total=families, desc="Demo families", unit=" families", file=sys.stderr, disable=quiet
        )

        def progress(done: int) -> None:
            bar.update(done)
            # With DEBUG on, Django keeps every query's SQL; a bulk load's are large.
            reset_queries()

        started = time.monotonic()
        with bar:
            # The programme pages start with last night's results and a claim batch built from
            # them, as they would in service (benchmarks that time the nightly job skip both).
            loaded = seed_families(
                families=families,
                seed=seed,
                today=today,
                progress=progress,
                results=not self.skip_results,
            )
        self.stdout.write(
            f"Demo families: loaded {loaded['families']:,} families, {loaded['persons']:,} "
            f"people ({loaded['duplicates']:,} entered twice, for the duplicate finder), "
            f"{loaded['open_episodes']:,} open episodes, {loaded['awaiting_triage']:,} requests "
            f"awaiting triage, as of {today}, seed {seed}, "
            f"in {time.monotonic() - started:.0f}s."
        )
        run, batch = loaded["nightly_run"], loaded["claim_batch"]
        if run is not None:
            self.stdout.write(
                f"Nightly results: {run.families_done:,} attached families judged "
                f"as of {today} (run {run.pk}, {run.get_status_display().lower()})."
            )
        if batch is not None:
            self.stdout.write(
                f"Claim batch: {batch.claims.count()} families claimed, "
                f"submitted {batch.submitted_on} ({batch.name})."
            )
