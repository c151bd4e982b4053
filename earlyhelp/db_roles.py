"""The database's two roles: an owner that migrates, and a service role that owns nothing.

Why two. Whoever owns a table may TRUNCATE it, disable or drop its triggers, and a
superuser may switch every trigger off for its session (`session_replication_role =
replica`). So the triggers that keep the audit trail and the field history append-only
bind only a role that owns nothing and is no superuser: the web server, the Celery worker
and beat connect as that service role, and only migrations run as the owner.

What the service role may do, and why:

- USAGE on the schema, to reach the tables at all; no CREATE: the service makes nothing.
- SELECT, INSERT, UPDATE and DELETE on every table: the application's reads and writes.
- Only SELECT and INSERT on the append-only tables (`append_only_tables`): the audit
  trail, evidence, the field history and its context; UPDATE of the few columns the code
  still changes there, and nothing more.
- Only SELECT on django_migrations: the health check and runserver read which migrations
  ran; only the owner records one.
- USAGE and SELECT on sequences: new ids, and family references (`nextval`).
- Nothing else: no TRUNCATE, REFERENCES or TRIGGER, no ownership, not a superuser, and a
  member of no role (not the owner, nor a predefined one such as pg_write_all_data).
"""

from __future__ import annotations

import re

import pghistory.models
import pgtrigger
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# The names a deployment uses (docker-compose.yml, `make run`); the commands' defaults.
OWNER = "earlyhelp"
SERVICE = "earlyhelp_service"
READ_ONLY = ["django_migrations"]
# pghistory upserts a request's context (`_pgh_attach_context`): INSERT … ON CONFLICT DO
# UPDATE needs UPDATE of the columns it sets, even when no row conflicts.
CONTEXT_COLUMNS = ["metadata", "updated_at"]
# The kinds of relation the owner takes over, and how ALTER names each.
KINDS = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}
# A sequence that belongs to a column ('a') or an identity ('i') follows its table's owner;
# what belongs to an extension ('e') stays the extension's.
RELATIONS_NOT_OWNED = """
    SELECT o.relkind, o.oid::regclass::text FROM pg_class o
    WHERE o.relnamespace = 'public'::regnamespace AND o.relkind IN %s
      AND o.relowner <> %s::regrole
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = o.oid AND d.deptype IN ('a','i','e'))
    ORDER BY 2
"""
# Trigger functions (pgtrigger's, pghistory's, the change feed's), not pg_trgm's.
ROUTINES_NOT_OWNED = """
    SELECT o.oid::regprocedure::text FROM pg_proc o
    WHERE o.pronamespace = 'public'::regnamespace AND o.proowner <> %s::regrole
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = o.oid AND d.deptype = 'e')
"""


def database_roles_apply(*, owner: str, service: str, service_password: str | None = None):
    """Create both roles if missing, make the owner own the app's database, grant the service.

    Idempotent, so it runs before migrate (an existing database may belong to another
    role) and again after it (a new table starts with no grants for the service).
    Needs a superuser, or the owner itself once both roles exist.
    """
    for role in (owner, service):
        if not ROLE_NAME.fullmatch(role):
            raise ValueError(f"{role!r} is not a plain lower-case role name")
    if owner == service:
        raise ValueError("The service role must not be the owner")
    with transaction.atomic(), connection.cursor() as cursor:
        for role in (owner, service):
            _create_role(cursor, role)
        if service_password:
            cursor.execute(f"ALTER ROLE {service} PASSWORD %s", [service_password])
        _refuse_a_powerful_service(cursor, owner=owner, service=service)
        _give_owner_everything(cursor, owner)
        _grant_service(cursor, service)


def append_only_tables() -> dict[str, list[str]]:
    """Each table the service may only read and add to, with the columns it may still UPDATE.

    Read from the models, so a model added later is covered without anyone listing it:
    every table whose pgtrigger.Protect refuses every DELETE, and pghistory's tables (the
    field history's events, and the context that says who made each change and where).
    """
    tables = {}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        if issubclass(model, pghistory.models.Event):
            tables[model._meta.db_table] = []
        elif model is pghistory.models.Context:
            tables[model._meta.db_table] = CONTEXT_COLUMNS
        elif any(t.condition is None for t in _protects(model, pgtrigger.Delete)):
            tables[model._meta.db_table] = _columns_still_changing(model)
    return tables


def _protects(model, operation) -> list[pgtrigger.Protect]:
    triggers = getattr(model._meta, "triggers", [])
    return [t for t in triggers if isinstance(t, pgtrigger.Protect) and operation in t.operation]


def _columns_still_changing(model) -> list[str]:
    """The columns the model's own UPDATE rule lets change, so privileges and triggers agree.

    No column where a Protect refuses every UPDATE (or none guards UPDATE: append-only
    means that); where it refuses any change but some (`AnyChange(exclude=[...])`, as evidence
    does for the person a merge re-points), those columns.
    """
    conditions = [t.condition for t in _protects(model, pgtrigger.Update)]
    if not conditions or any(c is None for c in conditions):
        return []
    columns = []
    for condition in conditions:
        if not isinstance(condition, pgtrigger.AnyChange) or condition.fields:
            raise ImproperlyConfigured(
                f"{model._meta.label} refuses DELETE but guards UPDATE with a condition "
                "earlyhelp.db_roles cannot read: use AnyChange(exclude=[...])"
            )
        columns += [model._meta.get_field(name).column for name in condition.exclude]
    return columns


def _create_role(cursor, role: str) -> None:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    if cursor.fetchone():
        return
    # Another process may create it between the look and the CREATE: that is fine too.
    cursor.execute(
        f"DO $$ BEGIN CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    )


def _refuse_a_powerful_service(cursor, *, owner: str, service: str) -> None:
    """A service role made by hand may be able to do what the owner does: refuse to go on.

    A role it belongs to lends it that role's privileges (the owner's, or
    pg_write_all_data's UPDATE and DELETE everywhere), so it may belong to none.
    """
    cursor.execute(
        "SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls,"
        " EXISTS (SELECT FROM pg_auth_members m WHERE m.member = r.oid)"
        " FROM pg_roles r WHERE rolname = %s",
        [service],
    )
    powerful, belongs = cursor.fetchone()
    if powerful or belongs:
        raise ImproperlyConfigured(
            f"Database role {service} is a superuser, may create roles or databases, or is a "
            f"member of a role (such as {owner}): the service role may do none of these"
        )


def _give_owner_everything(cursor, owner: str) -> None:
    """The database, its tables, views, sequences and functions (not an extension's)."""
    cursor.execute(
        "SELECT current_database(), pg_get_userbyid(datdba) FROM pg_database"
        " WHERE datname = current_database()"
    )
    database, current = cursor.fetchone()
    if current != owner:
        cursor.execute(f"ALTER DATABASE {connection.ops.quote_name(database)} OWNER TO {owner}")
    cursor.execute(RELATIONS_NOT_OWNED, [tuple(KINDS), owner])
    for kind, name in cursor.fetchall():
        cursor.execute(f"ALTER {KINDS[kind]} {name} OWNER TO {owner}")
    cursor.execute(ROUTINES_NOT_OWNED, [owner])
    for (function,) in cursor.fetchall():
        cursor.execute(f"ALTER ROUTINE {function} OWNER TO {owner}")


def _grant_service(cursor, service: str) -> None:
    """Revoke everything, then grant what the module's docstring lists, in one transaction."""
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {service}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {service}",
        f"REVOKE CREATE ON SCHEMA public FROM PUBLIC, {service}",
        f"GRANT USAGE ON SCHEMA public TO {service}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {service}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {service}",
    ]
    existing = _existing_tables(cursor)
    for table, columns in append_only_tables().items():
        if table in existing:
            statements.append(f"REVOKE UPDATE, DELETE ON {table} FROM {service}")
            if columns:
                statements.append(f"GRANT UPDATE ({', '.join(columns)}) ON {table} TO {service}")
    statements += [
        f"REVOKE INSERT, UPDATE, DELETE ON {table} FROM {service}"
        for table in READ_ONLY
        if table in existing
    ]
    for statement in statements:
        cursor.execute(statement)


def _existing_tables(cursor) -> set[str]:
    """Before the first migrate there are none: nothing to grant or revoke on yet."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return {name for (name,) in cursor.fetchall()}
