import logging
import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from cases.models import Family
from simulation.run import START, simulate_year


class Command(BaseCommand):
    help = (
        "Play a council's year through the services on an empty database, checking the "
        "invariants after every day (issue 18). Exits 1 if any broke."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="the same seed, the same year")
        parser.add_argument(
            "--families", type=int, default=5000, help="families in the year (default 5,000)"
        )
        parser.add_argument("--days", type=int, default=365, help="days to play (default 365)")
        parser.add_argument(
            "--start",
            type=date.fromisoformat,
            default=START,
            help=f"the first day, YYYY-MM-DD (default {START})",
        )

    def handle(self, *args, seed, families, days, start, **options):
        if Family.objects.exists():
            raise CommandError(
                "The database holds families already: the simulation needs an empty one "
                "(make simulate makes its own)"
            )
        # One line a night from Celery's eager task runner would bury the progress bar.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        summary = simulate_year(
            families=families, days=days, seed=seed, start=start, out=self.stdout, progress=True
        )
        self.stdout.write(summary.table())
        if summary.broken:
            sys.exit(1)
