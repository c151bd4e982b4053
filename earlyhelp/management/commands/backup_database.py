import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from earlyhelp.backup import BackupError, backup_write


class Command(BaseCommand):
    help = (
        "Back up the configured database with pg_dump (one custom-format archive, from one "
        "snapshot) and the documents storage if one is configured, into FOLDER, with a JSON "
        "manifest of what a restore must find again (earlyhelp/backup.py)."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="an existing, writable folder")
        parser.add_argument(
            "--keep", type=int, help="then remove all but the newest KEEP backups of this database"
        )

    def handle(self, *args, folder, keep, **options):
        if keep is not None and keep < 1:
            raise CommandError("--keep must be at least 1")
        try:
            path = backup_write(folder, keep=keep)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = json.loads(path.read_text())
        documents = manifest["documents"]
        self.stdout.write(
            f"Backed up {manifest['database']}: {len(manifest['rows'])} tables, "
            f"{sum(manifest['rows'].values()):,} rows, {manifest['archive']['bytes']:,} bytes "
            f"in {manifest['seconds']} s\n"
            f"  archive   {folder / manifest['archive']['file']}\n"
            f"  manifest  {path}\n"
            f"  documents {folder / documents['file'] if 'file' in documents else 'none: '}"
            f"{documents.get('skipped', '')}"
        )
