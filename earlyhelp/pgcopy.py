"""Writing many rows with PostgreSQL's COPY: what the bulk writers (evidence files and the API's
evidence import, the nightly job's results) use where Django's bulk_create would spend most of
its time preparing each column of each object.

COPY fires the tables' triggers as an INSERT does (the audit's refusals, the change feed's
statement-level lines), and its errors reach the caller as Django's (an IntegrityError for a
unique row sent twice), so a caller that retries on a clash keeps working.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.db import connection


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Write `rows` (values in the order of `columns`) into `table`; returns how many."""
    buffer = io.StringIO()
    count = 0
    for row in rows:
        buffer.write("\t".join(map(copy_text, row)))
        buffer.write("\n")
        count += 1
    if not count:
        return 0
    buffer.seek(0)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.copy_expert(
            f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN",  # noqa: S608
            buffer,
        )
    return count


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value) -> str:
    """A value as a field of COPY's text format: NULL as \\N; a dict as JSON; a list or tuple
    as a PostgreSQL array of text; dates as ISO; a backslash, tab, newline or carriage return
    escaped."""
    kind = type(value)
    if kind is str:
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.translate(_ESCAPES)
        return value
    if kind is int:
        return str(value)
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, dict):
        value = json.dumps(value, default=str, separators=(",", ":"))
    elif isinstance(value, list | tuple):
        value = "{" + ",".join(_array_item(v) for v in value) + "}"
    elif isinstance(value, datetime | date):
        return value.isoformat()
    elif not isinstance(value, str):
        return str(value)
    return value.translate(_ESCAPES)


def _array_item(value) -> str:
    if value is None:
        return "NULL"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
