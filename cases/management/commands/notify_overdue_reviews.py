from django.core.management.base import BaseCommand

from cases.notifications.services import notify_overdue_reviews


class Command(BaseCommand):
    help = "Tell lead practitioners and their managers, once, that a plan review is overdue."

    def handle(self, *args, **options):
        sent = notify_overdue_reviews()
        self.stdout.write(f"{sent} notification{'s' if sent != 1 else ''} sent")
