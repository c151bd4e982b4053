"""A backup a council has restored (issue 19): `backup_database`, then `restore_database` into a
new database, gives back every table's rows, the same family page, the same grants and an audit
trail that still refuses DELETE. And the ways it is refused: a database that has tables, an
archive that is missing, unfinished or changed, a folder that is not one, a pg_dump that fails.
"""

import hashlib
import json
import os
import re
import secrets
import tarfile
from contextlib import contextmanager

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from earlyhelp import backup
from earlyhelp.backup import (
    BackupError,
    Difference,
    Restored,
    differences,
    table_row_counts,
)
from earlyhelp.db_roles import database_roles_apply
from earlyhelp.management.commands import restore_database
from tests.episode_worlds import complete_case, ensure_plan_v9

AUDIT = "earlyhelp_auditentry"
INSUFFICIENT_PRIVILEGE = "42501"
# Every privilege a role holds on the public schema's tables and columns, and on the schema.
GRANTS = """
    SELECT c.relname, '', a.privilege_type FROM pg_class c, aclexplode(c.relacl) a
    WHERE c.relnamespace = 'public'::regnamespace AND a.grantee = %(role)s::regrole
    UNION ALL
    SELECT c.relname, t.attname, a.privilege_type
    FROM pg_attribute t JOIN pg_class c ON c.oid = t.attrelid, aclexplode(t.attacl) a
    WHERE c.relnamespace = 'public'::regnamespace AND a.grantee = %(role)s::regrole
    UNION ALL
    SELECT 'schema public', '', p FROM unnest(ARRAY['USAGE', 'CREATE']) p
    WHERE has_schema_privilege(%(role)s, 'public', p)
    ORDER BY 1, 2, 3
"""
OWNERS = """
    SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relnamespace = 'public'::regnamespace
    UNION SELECT pg_get_userbyid(proowner) FROM pg_proc
    WHERE pronamespace = 'public'::regnamespace
    UNION SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()
"""


def source_name() -> str:
    return connection.settings_dict["NAME"]


@contextmanager
def connected(database: str, *, user: str | None = None, password: str | None = None):
    """A cursor on `database` of the test server, as `user` (else the tests' own login)."""
    settings = connection.settings_dict
    link = psycopg2.connect(
        dbname=database,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=user or settings["USER"] or None,
        password=password if user else settings["PASSWORD"] or None,
    )
    link.autocommit = True
    try:
        with link.cursor() as cursor:
            yield cursor
    finally:
        link.close()


@contextmanager
def django_connected(**changes):
    """The application's own connection with these settings changed (another login, another
    database) until the block ends."""
    settings = connection.settings_dict
    saved = {key: settings[key] for key in changes}
    connection.close()
    settings.update(changes)
    try:
        yield
    finally:
        connection.close()
        settings.update(saved)


@pytest.fixture
def restored_name():
    """A database name no one uses, dropped at the end whatever happened."""
    name = f"{source_name()}_restored"[:63]

    def drop():
        with connected("postgres") as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    yield name
    drop()


@pytest.fixture
def roles(monkeypatch):
    """The owner and service roles on the source, named after the test database (as
    tests/test_db_roles.py names them, so sessions sharing a server never share them)."""
    base = re.sub(r"[^a-z0-9_]", "_", source_name().lower())[:40]
    owner, service, password = f"{base}_owner", f"{base}_service", secrets.token_urlsafe(24)
    database_roles_apply(owner=owner, service=service, service_password=password)
    # What restore_database's db_roles step reads, as the migrate job's does.
    monkeypatch.setenv("SERVICE_DB_PASSWORD", password)
    return owner, service, password


# What differs between any two requests for the same page.
PER_REQUEST = re.compile(r'(name="csrfmiddlewaretoken" value|data-csrf-token|nonce)="[^"]*"')


def family_page(client, family) -> str:
    response = client.get(reverse("family-detail", args=[family.pk]))
    assert response.status_code == 200
    return PER_REQUEST.sub("", response.content.decode())


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_gives_back_every_row_the_family_page_the_grants_and_the_triggers(
    users, roles, restored_name, tmp_path, settings
):
    owner, service, password = roles
    ensure_plan_v9()
    family, _, _ = complete_case(users)
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "letter.txt").write_text("A letter to the family")
    settings.MEDIA_ROOT = str(documents)
    backups = tmp_path / "backups"
    backups.mkdir()
    # Signed in (the session is a row) and the page seen once (audit rows) before the backup.
    lead = sign_in(Client(), users["practitioner"])
    with django_connected(USER=service, PASSWORD=password):
        family_page(lead, family)
        # As docker-compose.yml's backup service runs it: the service role may read it all.
        call_command("backup_database", str(backups))
    with connection.cursor() as cursor:
        rows = table_row_counts(cursor)
    (manifest_path,) = backups.glob("*.json")
    manifest = json.loads(manifest_path.read_text())
    assert manifest["rows"] == rows
    with tarfile.open(backups / manifest["documents"]["file"]) as archive:
        assert archive.extractfile("./letter.txt").read() == b"A letter to the family"

    call_command(
        "restore_database",
        str(backups / manifest["archive"]["file"]),
        "--into",
        restored_name,
        "--owner",
        owner,
        "--service",
        service,
    )

    with connected(source_name()) as source, connected(restored_name) as restored:
        assert table_row_counts(restored) == rows
        assert rows[AUDIT] > 0 and rows["cases_family"] == 1
        source.execute(GRANTS, {"role": service})
        grants = source.fetchall()
        restored.execute(GRANTS, {"role": service})
        assert ("earlyhelp_auditentry", "", "INSERT") in grants
        assert restored.fetchall() == grants
        source.execute(OWNERS)
        owners = sorted(source.fetchall())
        restored.execute(OWNERS)
        # The owner, and whoever made the extensions (their functions stay theirs).
        assert sorted(restored.fetchall()) == owners and (owner,) in owners

    # The same page for the same user, the service role reading each database.
    with django_connected(USER=service, PASSWORD=password):
        before = family_page(lead, family)
    with django_connected(NAME=restored_name, USER=service, PASSWORD=password):
        after = family_page(lead, family)
    assert family.name in after and "Meet the school about attendance" in after
    assert after == before

    # The audit trail keeps its walls: the service may not DELETE, and the trigger refuses
    # even the owner.
    delete = f"DELETE FROM {AUDIT}"
    with connected(restored_name, user=service, password=password) as cursor:
        with pytest.raises(psycopg2.Error) as refused:
            cursor.execute(delete)
        assert refused.value.pgcode == INSUFFICIENT_PRIVILEGE
    with connected(restored_name, user=owner) as cursor:
        with pytest.raises(
            psycopg2.Error, match="Cannot update or delete rows from earlyhelp_auditentry"
        ):
            cursor.execute(delete)
        cursor.execute(f"SELECT count(*) FROM {AUDIT}")
        assert cursor.fetchone()[0] == rows[AUDIT] + 1  # and the second page view's row


def test_a_restore_that_differs_from_its_manifest_says_where_and_fails(monkeypatch, capsys):
    found = [Difference("earlyhelp_auditentry", "rows", 41, 40)]
    found.append(Difference("cases_family", "triggers", 9, None))
    restored = Restored("earlyhelp_restored", {"rows": {}}, found, 1.0)
    monkeypatch.setattr(restore_database, "backup_restore", lambda *a, **kw: restored)
    with pytest.raises(CommandError, match="into earlyhelp_restored, but 2 differences from"):
        call_command("restore_database", "any.dump", "--into", "earlyhelp_restored")
    assert capsys.readouterr().err.splitlines() == [
        "  earlyhelp_auditentry: rows 41 in the backup, 40 restored",
        "  cases_family: triggers 9 in the backup, None restored",
    ]


def test_differences_name_each_table_whose_rows_or_triggers_changed():
    manifest = {"rows": {"a": 1, "b": 2}, "triggers": {"a": 3}}
    assert differences(manifest, rows={"a": 1, "b": 2}, triggers={"a": 3}) == []
    assert differences(manifest, rows={"a": 1, "c": 0}, triggers={}) == [
        Difference("b", "rows", 2, None),
        Difference("c", "rows", None, 0),
        Difference("a", "triggers", 3, None),
    ]


def fake_tool(folder, major: int):
    tool = folder / str(major) / "pg_dump"
    tool.parent.mkdir()
    tool.write_text(f"#!/bin/sh\necho 'pg_dump (PostgreSQL) {major}.2'\n")
    tool.chmod(0o755)
    return tool


def test_the_pg_dump_of_the_servers_version_is_chosen_else_the_oldest_newer_one(
    tmp_path, monkeypatch
):
    """A newer pg_dump reads an older server; a newer pg_restore may write what it refuses."""
    tools = [fake_tool(tmp_path, major) for major in (18, 15, 17)]
    monkeypatch.setattr(backup, "_tool_candidates", lambda name: tools)
    assert backup.postgres_tool("pg_dump", server_major=15) == tools[1]
    assert backup.postgres_tool("pg_dump", server_major=16) == tools[2]
    assert backup.postgres_tool("pg_dump", server_major=18) == tools[0]
    with pytest.raises(BackupError, match=r"No pg_dump for PostgreSQL 19 \(found: .*18/pg_dump"):
        backup.postgres_tool("pg_dump", server_major=19)


def a_backup(folder, content=b"an archive"):
    """An archive and its manifest as backup_database leaves them, without PostgreSQL."""
    archive = folder / "earlyhelp-20261207T020000Z.dump"
    archive.write_bytes(content)
    manifest = {
        "database": "earlyhelp",
        "archive": {"file": archive.name, "sha256": hashlib.sha256(content).hexdigest()},
        "rows": {},
        "triggers": {},
    }
    archive.with_suffix(".json").write_text(json.dumps(manifest))
    return archive


@pytest.mark.django_db
def test_a_restore_into_a_database_that_has_tables_is_refused(tmp_path):
    archive = a_backup(tmp_path)
    with pytest.raises(CommandError, match=r"already has \d+ tables: restore only into an empty"):
        call_command("restore_database", str(archive), "--into", source_name())


def test_a_missing_unfinished_or_changed_archive_is_refused(tmp_path):
    with pytest.raises(CommandError, match="No backup archive at .*nothing.dump"):
        call_command("restore_database", str(tmp_path / "nothing.dump"), "--into", "anywhere")
    archive = a_backup(tmp_path)
    archive.write_bytes(b"an archive, changed")
    with pytest.raises(CommandError, match="is not the archive its manifest describes"):
        call_command("restore_database", str(archive), "--into", "anywhere")
    archive.with_suffix(".json").unlink()
    with pytest.raises(
        CommandError, match="No manifest .*json beside .*: the backup is unfinished"
    ):
        call_command("restore_database", str(archive), "--into", "anywhere")


def test_a_backup_needs_a_folder_it_can_write_to(tmp_path):
    with pytest.raises(CommandError, match="missing does not exist"):
        call_command("backup_database", str(tmp_path / "missing"))
    (tmp_path / "a-file").write_text("")
    with pytest.raises(CommandError, match="a-file does not exist \\(or is not a folder\\)"):
        call_command("backup_database", str(tmp_path / "a-file"))
    if os.geteuid() != 0:  # root may write anywhere
        (tmp_path / "read-only").mkdir(mode=0o500)
        with pytest.raises(CommandError, match="read-only is not writable"):
            call_command("backup_database", str(tmp_path / "read-only"))


@pytest.mark.django_db
def test_a_backup_inside_a_transaction_is_refused(tmp_path):
    with pytest.raises(CommandError, match="run it outside a transaction"):
        call_command("backup_database", str(tmp_path))


@pytest.mark.django_db(transaction=True)
def test_a_failing_pg_dump_leaves_no_half_written_archive(tmp_path, monkeypatch):
    """pg_dump writes part of the archive, then the connection drops."""
    fake = tmp_path / "bin" / "pg_dump"
    fake.parent.mkdir()
    fake.write_text(
        '#!/bin/sh\nfor a; do case "$a" in --file=*) echo half > "${a#--file=}";; esac; done\n'
        'echo "pg_dump: error: connection to server lost" >&2\nexit 1\n'
    )
    fake.chmod(0o755)
    monkeypatch.setattr("earlyhelp.backup.postgres_tool", lambda name, server_major: fake)
    backups = tmp_path / "backups"
    backups.mkdir()
    with pytest.raises(CommandError, match="^pg_dump failed: pg_dump: error: connection to se"):
        call_command("backup_database", str(backups))
    assert list(backups.iterdir()) == []
