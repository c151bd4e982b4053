from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from earlyhelp.models import Organisation
from partners.scopes import SCOPES
from partners.services import api_client_create


class Command(BaseCommand):
    help = "Create a partner system's API client and print its secret, once."

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, help="The organisation's exact name")
        parser.add_argument("--name", required=True, help="What the system is, e.g. 'SIMS feed'")
        parser.add_argument(
            "--scopes",
            required=True,
            help="Comma-separated, from: " + ", ".join(SCOPES),
        )
        parser.add_argument("--per-minute", type=int, default=120, help="Throttle rate")

    def handle(self, *args, agency, name, scopes, per_minute, **options):
        organisation = Organisation.objects.filter(name=agency).first()
        if organisation is None:
            raise CommandError(f"No organisation is called {agency!r}")
        if per_minute < 1:
            raise CommandError("--per-minute must be at least 1")
        try:
            new = api_client_create(
                organisation=organisation,
                name=name,
                scopes=[s.strip() for s in scopes.split(",") if s.strip()],
                requests_per_minute=per_minute,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"Client for {organisation}: {name}")
        self.stdout.write(f"  scopes:        {' '.join(new.client.scopes)}")
        self.stdout.write(f"  client id:     {new.client_id}")
        self.stdout.write(f"  client secret: {new.client_secret}")
        self.stdout.write("The secret is shown only now: store it in the partner system.")
