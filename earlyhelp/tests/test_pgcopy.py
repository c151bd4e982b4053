"""COPY writes exactly what it is given: text with COPY's special characters, NULLs, arrays,
JSON and dates come back from the table as they went in."""

import json
from datetime import UTC, date, datetime

import pytest
from django.db import IntegrityError, connection, transaction

from earlyhelp.pgcopy import copy_rows, copy_text

TRICKY = ["plain", "tab\there", "two\nlines", "back\\slash", "\\N", "cr\rhere", 'quote"s', ""]


@pytest.fixture
def table(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE copied (id int PRIMARY KEY, words text, tags text[],"
            " doc jsonb, day date, at timestamptz, flag boolean)"
        )
    return "copied"


def _read(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def test_text_arrays_json_and_dates_come_back_as_written(table):
    at = datetime(2026, 12, 7, 3, 4, 5, tzinfo=UTC)
    rows = [
        (i, text, [text, None, "x"], {"text": text, "n": i}, date(2026, 1, 1 + i), at, i % 2 == 0)
        for i, text in enumerate(TRICKY)
    ]
    rows.append((99, None, None, None, None, None, None))
    assert copy_rows(table, ["id", "words", "tags", "doc", "day", "at", "flag"], rows) == 9
    back = [
        (i, w, t, None if d is None else json.loads(d), day, at, f)
        for i, w, t, d, day, at, f in _read(
            "SELECT id, words, tags, doc::text, day, at, flag FROM copied ORDER BY id"
        )
    ]
    assert back == [
        (i, text, [text, None, "x"], {"text": text, "n": i}, date(2026, 1, 1 + i), at, i % 2 == 0)
        for i, text in enumerate(TRICKY)
    ] + [(99, None, None, None, None, None, None)]


def test_nothing_to_write_sends_nothing(table, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert copy_rows(table, ["id"], []) == 0


def test_a_clash_reaches_the_caller_as_djangos_integrity_error(table):
    copy_rows(table, ["id"], [(1,)])
    with pytest.raises(IntegrityError), transaction.atomic():
        copy_rows(table, ["id"], [(2,), (1,)])
    assert _read("SELECT id FROM copied") == [(1,)]  # the failed COPY wrote nothing


def test_null_is_the_only_value_written_as_backslash_n():
    assert copy_text(None) == "\\N"
    assert copy_text("\\N") == "\\\\N"
