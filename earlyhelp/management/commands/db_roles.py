import os

from django.core.management.base import BaseCommand

from earlyhelp.db_roles import OWNER, SERVICE, database_roles_apply


class Command(BaseCommand):
    help = (
        "Create the owner and service database roles if missing, make the owner own the "
        "database and give the service role only what it needs (earlyhelp/db_roles.py). "
        "Idempotent: run it after every migrate. SERVICE_DB_PASSWORD, when set, becomes "
        "the service role's password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--owner", default=OWNER, help="runs migrations, owns it all")
        parser.add_argument("--service", default=SERVICE, help="what the app uses")

    def handle(self, *args, owner, service, **options):
        # From the environment, never the command line, where `ps` would show it.
        password = os.environ.get("SERVICE_DB_PASSWORD")
        database_roles_apply(owner=owner, service=service, service_password=password)
        self.stdout.write(f"Database roles: {owner} owns everything, {service} owns nothing")
