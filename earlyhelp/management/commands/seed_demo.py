import os
from base64 import b32encode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from earlyhelp.demo import seed_demo
from earlyhelp.models import Role


class Command(BaseCommand):
    help = "Load demo localities, organisations, teams and one user per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_PASSWORD", "early-help-demo"),
            help="Password for every demo account (default: $DEMO_PASSWORD or early-help-demo)",
        )

    def handle(self, *args, password, **options):
        if not settings.DEBUG and not os.environ.get("ALLOW_DEMO_DATA"):
            raise CommandError(
                "Refusing to load demo accounts with DEBUG off. "
                "Set ALLOW_DEMO_DATA=1 if this really is a demonstration server."
            )
        if len(password) < 8:
            raise CommandError("--password must be at least 8 characters")
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
