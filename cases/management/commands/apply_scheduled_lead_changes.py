from django.core.management.base import BaseCommand

from cases.closure.lead import lead_changes_apply_due


class Command(BaseCommand):
    help = "Apply every scheduled change of lead whose day has come (idempotent)."

    def handle(self, *args, **options):
        applied = lead_changes_apply_due()
        self.stdout.write(f"{applied} change{'s' if applied != 1 else ''} of lead applied")
