from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from earlyhelp.backup import BackupError, backup_restore
from earlyhelp.db_roles import OWNER, SERVICE


class Command(BaseCommand):
    help = (
        "Restore a backup_database archive into an empty database (made if missing), give it "
        "the owner and service roles as db_roles does, and check every table's rows and "
        "triggers against the backup's manifest; exits non-zero if any differ. "
        "SERVICE_DB_PASSWORD, when set, becomes the service role's password."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="a .dump file beside its .json manifest")
        parser.add_argument(
            "--into",
            required=True,
            help="a database URL, or a database name on the configured server",
        )
        parser.add_argument("--owner", default=OWNER, help="the role that owns the tables")
        parser.add_argument("--service", default=SERVICE, help="the role the service runs as")

    def handle(self, *args, archive, into, owner, service, **options):
        try:
            restored = backup_restore(archive, into=into, owner=owner, service=service)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = restored.manifest["rows"]
        if restored.differences:
            for difference in restored.differences:
                self.stderr.write(
                    f"  {difference.table}: {difference.what} {difference.in_backup} in the "
                    f"backup, {difference.restored} restored"
                )
            raise CommandError(
                f"Restored into {restored.database}, but {len(restored.differences)} "
                "differences from the backup's manifest (above)"
            )
        self.stdout.write(
            f"Restored {restored.manifest['database']} of {restored.manifest['made_at']} into "
            f"{restored.database} in {restored.seconds} s: {len(rows)} tables and "
            f"{sum(rows.values()):,} rows, each table's rows and triggers as in the manifest; "
            f"{owner} owns everything, {service} has the service's grants"
        )
