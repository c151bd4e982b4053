"""The service's own database login cannot wipe or rewrite the audit trail or the field history.

Issue 15: connected as the owner of every table, the service could TRUNCATE the audit
table, disable or drop its triggers, or switch them off for the session. Here the test
database gets the same two roles `make run` and docker-compose.yml use (through the same
code, `earlyhelp.db_roles`), and a separate connection as the service role tries each route.
The roles are named after the test database, so sessions sharing a server never share them.
"""

import datetime
import re
import secrets
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg2
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.utils import InternalError

from cases.people.merging import person_merge, person_unmerge
from cases.tests.factories import FamilyFactory, FamilyMemberFactory, PersonFactory
from earlyhelp import audit
from earlyhelp.db_roles import append_only_tables, database_roles_apply
from earlyhelp.models import AuditEntry
from earlyhelp.tests.factories import UserFactory
from outcomes.models import Evidence

AUDIT = "earlyhelp_auditentry"
INSUFFICIENT_PRIVILEGE = "42501"


@dataclass(frozen=True)
class Roles:
    owner: str
    service: str
    password: str


def role_prefix() -> str:
    return re.sub(r"[^a-z0-9_]", "_", connection.settings_dict["NAME"].lower())[:40]


@pytest.fixture
def roles() -> Roles:
    base = role_prefix()
    made = Roles(f"{base}_owner", f"{base}_service", secrets.token_urlsafe(24))
    database_roles_apply(owner=made.owner, service=made.service, service_password=made.password)
    return made


@pytest.fixture
def as_service(roles):
    """A second connection, logged in as the service role, in a transaction per statement list."""
    settings = connection.settings_dict
    conn = psycopg2.connect(
        dbname=settings["NAME"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=roles.service,
        password=roles.password,
    )
    yield conn
    conn.close()


def run(conn, *statements, params=None):
    """Run statements in one transaction as the service role; undo whatever got through."""
    try:
        with conn.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else None
    finally:
        conn.rollback()


def refused(conn, *statements, params=None) -> psycopg2.Error:
    with pytest.raises(psycopg2.Error) as caught:
        run(conn, *statements, params=params)
    return caught.value


def triggers_on(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [table],
        )
        return [name for (name,) in cursor.fetchall()]


DELETE = f"DELETE FROM {AUDIT} WHERE id = %(id)s"


def routes(triggers: list[str]) -> dict[str, list[str]]:
    """Each way to remove or rewrite an audit row, as statements ending with the removal."""
    return {
        "delete": [DELETE],
        "update": [f"UPDATE {AUDIT} SET detail = 'nothing happened' WHERE id = %(id)s"],
        "truncate": [f"TRUNCATE {AUDIT}"],
        "disable its triggers": [f"ALTER TABLE {AUDIT} DISABLE TRIGGER ALL", DELETE],
        "switch triggers off for the session": ["SET session_replication_role = replica", DELETE],
        "drop its triggers": [*(f"DROP TRIGGER {t} ON {AUDIT}" for t in triggers), DELETE],
        # pgtrigger's own escape hatch is a setting any session may set.
        "ask pgtrigger to ignore them": [
            "SELECT set_config('pgtrigger.ignore', %(ignored)s, true)",
            DELETE,
        ],
    }


@pytest.mark.django_db(transaction=True)
def test_the_service_role_cannot_remove_an_audit_row_by_any_route(as_service):
    entry = AuditEntry.objects.create(action="view", outcome="allowed", family_id=7, detail="seen")
    triggers = triggers_on(AUDIT)
    ignored = "{" + ",".join(triggers + [f"{AUDIT}:{t}" for t in triggers]) + "}"
    for name, statements in routes(triggers).items():
        error = refused(as_service, *statements, params={"id": entry.pk, "ignored": ignored})
        # Refused for want of the privilege, before any trigger is asked.
        assert error.pgcode == INSUFFICIENT_PRIVILEGE, (name, error)
        assert AuditEntry.objects.filter(pk=entry.pk, detail="seen").exists(), name
        assert sorted(triggers_on(AUDIT)) == sorted(triggers), name


@pytest.mark.django_db(transaction=True)
def test_the_service_role_only_reads_and_adds_to_field_history_and_other_append_only_tables(
    as_service,
):
    family = FamilyFactory(name="Okafor family")
    event = family.pgh_event_models["insert"].objects.get(pgh_obj_id=family.pk)
    for statement in (
        "UPDATE cases_familyevent SET name = 'Someone else' WHERE pgh_id = %(id)s",
        "DELETE FROM cases_familyevent WHERE pgh_id = %(id)s",
    ):
        error = refused(as_service, statement, params={"id": event.pk})
        assert error.pgcode == INSUFFICIENT_PRIVILEGE, (statement, error)
    event.refresh_from_db()
    assert event.name == "Okafor family"

    tables = append_only_tables()
    assert {AUDIT, "outcomes_evidence", "cases_familyevent", "pghistory_context"} <= set(tables)
    for table, changing in tables.items():
        for statement in (f"DELETE FROM {table}", f"TRUNCATE {table}"):
            assert refused(as_service, statement).pgcode == INSUFFICIENT_PRIVILEGE, statement
        for column in columns_of(table):
            if column not in changing:
                update = f"UPDATE {table} SET {column} = {column}"
                assert refused(as_service, update).pgcode == INSUFFICIENT_PRIVILEGE, update
        run(as_service, f"SELECT count(*) FROM {table}")


def columns_of(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass"
            " AND attnum > 0 AND NOT attisdropped",
            [table],
        )
        return [column for (column,) in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_the_service_role_owns_nothing_yet_does_the_services_work(roles, as_service):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class"
            " WHERE relnamespace = 'public'::regnamespace"
        )
        owners = cursor.fetchall()
        cursor.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"
        )
        owners += cursor.fetchall()
    assert set(owners) == {(roles.owner,)}

    added = run(
        as_service,
        f"INSERT INTO {AUDIT} (at, role, action, outcome, listed_family_ids, listed_person_ids,"
        " path, method, user_agent, detail) VALUES (now(), '', 'view', 'allowed', '{}', '{}',"
        " '', '', '', 'added by the service') RETURNING id",
        f"SELECT detail FROM {AUDIT} WHERE detail = 'added by the service'",
    )
    assert added == [("added by the service",)]
    family = FamilyFactory(name="Okafor family")
    changed = run(
        as_service,
        "SELECT nextval('cases_family_reference')",
        "UPDATE cases_family SET name = 'Okafor-Smith family' WHERE id = %(id)s",
        "SELECT count(*) FROM cases_familyevent WHERE pgh_obj_id = %(id)s",
        params={"id": family.pk},
    )
    assert changed == [(2,)], "the update was made, and its field history written"
    assert refused(as_service, "DELETE FROM django_migrations").pgcode == INSUFFICIENT_PRIVILEGE


@contextmanager
def django_connected_as(role: str, password: str):
    """The application's own connection, logged in as `role` until the block ends."""
    settings = connection.settings_dict
    saved = settings["USER"], settings["PASSWORD"]
    connection.close()
    settings["USER"], settings["PASSWORD"] = role, password
    try:
        yield
    finally:
        connection.close()
        settings["USER"], settings["PASSWORD"] = saved


@pytest.mark.django_db(transaction=True)
def test_a_merge_and_its_unmerge_run_as_the_service_role(roles):
    """Evidence is append-only except its person, which a merge re-points; pghistory records
    the merge's context by upsert. The service role may do exactly these."""
    hub = UserFactory(role="hub")
    survivor, duplicate = PersonFactory.create_batch(2)
    family = FamilyMemberFactory(person=duplicate).family
    item = Evidence.objects.create(
        family=family,
        person=duplicate,
        kind="early_help_need",
        period_start=datetime.date(2024, 3, 1),
        values={"stage": "assessed"},
        source="Early help",
        recorded_on=datetime.date(2024, 3, 1),
    )
    with django_connected_as(roles.service, roles.password):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == (roles.service,)
        merge = person_merge(survivor=survivor, duplicate=duplicate, reason="Same child", by=hub)
        item.refresh_from_db()
        assert item.person == survivor
        person_unmerge(merge=merge, by=hub)
        audit.record(hub, action="view", outcome="allowed", person_id=duplicate.pk)
    item.refresh_from_db()
    assert item.person == duplicate
    assert AuditEntry.objects.filter(user=hub).count() == 5


@pytest.mark.django_db
@pytest.mark.parametrize("table", [AUDIT, "outcomes_evidence", "outcomes_outcomesplanversion"])
def test_append_only_tables_refuse_truncate_even_to_their_owner(table):
    """The second wall: even a role that owns the table (here a superuser) cannot empty it."""
    with pytest.raises(InternalError, match="Cannot truncate"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {table} CASCADE")


@pytest.mark.django_db
def test_a_service_role_that_borrows_privileges_from_another_role_is_refused():
    """pg_write_all_data would give it UPDATE and DELETE on every table, whatever is revoked."""
    base = role_prefix()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {base}_borrower LOGIN IN ROLE pg_write_all_data")
    with pytest.raises(ImproperlyConfigured, match="member of a role"):
        database_roles_apply(owner=f"{base}_owner", service=f"{base}_borrower")
