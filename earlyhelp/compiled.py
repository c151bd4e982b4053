"""Queries about one record, compiled once per process: a page's many small reads of a family.

Django compiles a queryset's SQL every time it runs it: the family page's twenty reads spent
16 ms a request building SQL that differs only in the family's id (issue 16). Here a read is
declared once, by name, as a function of the one value that changes (`build(value)`); the
first run compiles it with a stand-in value no record has, remembers the SQL, the stand-in's
parameter positions and what Django needs to turn rows into objects (select_related
included), and every later run puts the real value in those positions. Every value stays a
parameter. Prefetches still run as Django runs them.

PostgreSQL, too, would plan the same SQL afresh each time (8 ms of the family page's 12 ms in
the database). So each connection prepares a declared read once (`PREPARE`, on the raw
connection: it is the session's, not any page's, and no page's query count) and runs it by
name (`EXECUTE`), which after a few runs uses one generic plan. A prepared statement outlives
a rolled-back transaction, and a new connection prepares afresh.

Only for reads whose SQL is the same for every value (a filter on the id, an order, a limit):
`build` must give the same shape whatever it is given, and use the values only as parameters;
every other input of the read (a setting, a limit, a page) must be in its key or be one of
the values. A read may take several values (record ids, dates): each has its own stand-in,
which must appear in the parameters, or the read is refused when first compiled.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler
from django.db.models.sql.query import Query
from pghistory import runtime as pghistory_runtime

STAND_IN = -7_654_321
STATEMENT_PREFIX = "execute eh_read_"  # as pghistory compares it: lower case


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: tuple[tuple[int, int], ...]  # (position in params, which value) of each stand-in
    select: list
    klass_info: dict | None
    annotation_col_map: dict | None
    col_count: int
    has_extra_select: bool
    statement: str  # its name when prepared


_COMPILED: dict[tuple[str, str], _Compiled] = {}
_BUILT: dict[str, QuerySet] = {}
# The statements each open connection has prepared (a closed one is forgotten with it).
_PREPARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def numbered(sql: str) -> str:
    """Django's `%s` placeholders as PostgreSQL's $1, $2…, and `%%` as `%`."""
    out, n, i = [], 0, 0
    while i < len(sql):
        pair = sql[i : i + 2]
        if pair == "%%":
            out.append("%")
            i += 2
        elif pair == "%s":
            n += 1
            out.append(f"${n}")
            i += 2
        else:
            out.append(sql[i])
            i += 1
    return "".join(out)


def prepared(connection, statement: str, sql: str, count: int) -> str:
    """The SQL that runs `sql` (Django's, with `%s` placeholders) by name on this connection,
    preparing it first if this connection has not; its `count` parameters stay `%s`."""
    connection.ensure_connection()
    raw = connection.connection
    done = _PREPARED.setdefault(raw, set())
    if statement not in done:
        with raw.cursor() as cursor:
            cursor.execute(f"PREPARE {statement} AS {numbered(sql)}")
        done.add(statement)
    return f"EXECUTE {statement}({', '.join(['%s'] * count)})" if count else f"EXECUTE {statement}"


# Statements pghistory need not put its request context before: declared reads, and the audit
# trail's own inserts (an audit entry keeps who and where in its own columns, and no field
# history is kept of that table). As pghistory compares them: stripped, in lower case.
NO_HISTORY_CONTEXT = (
    STATEMENT_PREFIX,
    'insert into "earlyhelp_auditentry"',
    "insert into earlyhelp_auditentry",
)


def pass_history_over_them() -> None:
    """django-pghistory puts its request context (`set_config` of who and where) before every
    statement but a SELECT, so that field changes carry it: a second statement and a JSON dump
    each. A declared read runs as `EXECUTE`, which it cannot tell from a write, and every page
    writes one audit entry; neither changes a field whose history is kept, so it passes over
    them as over any SELECT (called once, when the app is ready)."""
    ignored = pghistory_runtime.IGNORED_SQL_PREFIXES
    missing = tuple(prefix for prefix in NO_HISTORY_CONTEXT if prefix not in ignored)
    if missing:
        pghistory_runtime.IGNORED_SQL_PREFIXES = (*ignored, *missing)


def source_of(sql: str) -> str:
    """The SQL a declared read runs, for a statement as a query log shows it ("EXECUTE
    eh_read_…(…)"); any other statement as it is. For checks that read a page's SQL."""
    if sql.lower().startswith(STATEMENT_PREFIX):
        name = sql.split()[1].split("(")[0]
        for found in _COMPILED.values():
            if found.statement == name:
                return found.sql
    return sql


def statement_name(key: str) -> str:
    return "eh_read_" + hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:20]


class _Compiler(SQLCompiler):
    """Compiles a declared read once per database alias; later runs only swap the value."""

    def as_sql(self, with_limits=True, with_col_aliases=False):
        key = (self.query.compiled_key, self.using or self.connection.alias)
        found = _COMPILED.get(key)
        if found is None:
            sql, params = super().as_sql(with_limits, with_col_aliases)
            slots = _slots(key[0], params, self.query.compiled_stand_ins)
            found = _Compiled(
                sql,
                tuple(params),
                slots,
                self.select,
                self.klass_info,
                self.annotation_col_map,
                self.col_count,
                self.has_extra_select,
                statement_name(f"{key[0]}@{key[1]}"),
            )
            _COMPILED[key] = found
        else:
            self.select, self.klass_info = found.select, found.klass_info
            self.annotation_col_map, self.col_count = found.annotation_col_map, found.col_count
            self.has_extra_select = found.has_extra_select
        params = _with_values(found.params, found.slots, self.query.compiled_values)
        sql = prepared(self.connection, found.statement, found.sql, len(params))
        return sql, tuple(params)


def _slots(key: str, params, stand_ins: tuple) -> tuple[tuple[int, int], ...]:
    """Where each stand-in sits among `params`: (position, which value). Each must sit
    somewhere, or the read depends on its value otherwise than as a parameter."""
    slots = tuple(
        (i, which)
        for i, value in enumerate(params)
        for which, stand_in in enumerate(stand_ins)
        if type(value) is type(stand_in) and value == stand_in
    )
    if {which for _, which in slots} != set(range(len(stand_ins))):
        raise ValueError(f"{key}: a value is not a parameter of its SQL")
    return slots


def _with_values(params, slots, values) -> list:
    params = list(params)
    for i, which in slots:
        params[i] = values[which]
    return params


class _DeclaredQuery(Query):
    compiled_key = ""
    compiled_values: tuple = ()
    compiled_stand_ins: tuple = ()

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        connection = connection or connections[using]
        return _Compiler(self, connection, using or connection.alias, elide_empty)


def _stand_in(value, which: int):
    """A value no record holds, of `value`'s type, for the read's `which`th value."""
    if type(value) is int:
        return STAND_IN - which
    if type(value) is date:
        return date(1001, 1, 1) + timedelta(days=which)
    raise TypeError(f"a declared read takes record ids and dates, not {type(value).__name__}")


_SQL: dict[str, tuple[str, tuple, tuple]] = {}


def sql_of(key: str, build: Callable[..., QuerySet], *values) -> tuple[str, list]:
    """The SQL and parameters of `build(*values)`, compiled once under `key` like a declared
    read's, for a caller that puts it inside SQL of its own (the chronology's page)."""
    stand_ins = tuple(_stand_in(value, which) for which, value in enumerate(values))
    if key not in _SQL:
        sql, params = build(*stand_ins).query.sql_with_params()
        _SQL[key] = (sql, tuple(params), _slots(key, params, stand_ins))
    sql, params, slots = _SQL[key]
    return sql, _with_values(params, slots, values)


def rows(key: str, build: Callable[..., QuerySet], *values) -> list:
    """The rows of `build(*values)`, a read declared under `key` (unique to this read)."""
    stand_ins = tuple(_stand_in(value, which) for which, value in enumerate(values))
    template = _BUILT.get(key)
    if template is None:
        template = _BUILT[key] = build(*stand_ins)
    queryset = template._chain()
    query = queryset.query  # a clone: the template's own query is never run
    query.__class__ = _DeclaredQuery
    query.compiled_key, query.compiled_values = key, values
    query.compiled_stand_ins = stand_ins
    return list(queryset)


def first(key: str, build: Callable[..., QuerySet], *values):
    """The first row of `build(*values)` (which must be sliced to one), or None."""
    found = rows(key, build, *values)
    return found[0] if found else None
