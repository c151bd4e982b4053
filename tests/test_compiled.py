"""Declared reads (earlyhelp.compiled): compiled once, prepared once a connection, and giving
exactly what the plain queryset gives, for every value."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cases.models import Episode, Family, FamilyMember
from earlyhelp import compiled
from tests.episode_worlds import agency_user, days_ago
from tests.worlds import make_family

pytestmark = pytest.mark.django_db


def members_of(family_id):
    return (
        FamilyMember.objects.filter(family=family_id)
        .select_related("person", "family")
        .order_by("role", "pk")
    )


def prepared_here() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def test_a_declared_read_gives_what_its_queryset_gives_for_each_value(users):
    first, second = make_family("First family"), make_family("Second family")
    for family in (first, second):
        got = compiled.rows("test.members", members_of, family.pk)
        expected = list(members_of(family.pk))
        assert [m.pk for m in got] == [m.pk for m in expected] != []
        with CaptureQueriesContext(connection) as queries:  # joined rows came with them
            assert [(m.person.full_name, m.family.name) for m in got] == [
                (m.person.full_name, m.family.name) for m in expected
            ]
        assert len(queries) == 0
    assert compiled.rows("test.members", members_of, 987_654_321) == []


@pytest.mark.django_db(transaction=True)  # it closes the connection
def test_it_is_compiled_once_and_prepared_once_a_connection():
    family = make_family("Prepared family")
    count = len(list(members_of(family.pk)))
    compiled.rows("test.prepared", members_of, family.pk)
    name = compiled._COMPILED[("test.prepared", connection.alias)].statement
    assert name in prepared_here()
    with CaptureQueriesContext(connection) as queries:
        compiled.rows("test.prepared", members_of, family.pk)
    assert [q["sql"].split("(")[0] for q in queries] == [f"EXECUTE {name}"]

    # A statement outlives a rolled-back transaction; a new connection prepares afresh.
    with pytest.raises(RuntimeError), transaction.atomic():
        compiled.rows("test.prepared", members_of, family.pk)
        raise RuntimeError
    assert len(compiled.rows("test.prepared", members_of, family.pk)) == count
    connection.close()
    assert name not in prepared_here()
    assert len(compiled.rows("test.prepared", members_of, family.pk)) == count
    assert name in prepared_here()


def test_values_lists_aggregates_and_a_first_row_are_declared_too(users):
    lead = agency_user()
    episode = Episode.objects.create(
        family=make_family("Counted family"), started_on=days_ago(10), lead_practitioner=lead
    )
    assert compiled.rows(
        "test.values",
        lambda pk: Episode.objects.filter(pk=pk).values_list("family__name", "started_on"),
        episode.pk,
    ) == [("Counted family", days_ago(10))]
    assert (
        compiled.first(
            "test.first",
            lambda pk: Family.objects.filter(pk=pk).order_by("pk")[:1],
            episode.family_id,
        )
        == episode.family
    )
    assert compiled.first("test.first", lambda pk: None, 987_654_321) is None  # built once


def test_a_read_whose_value_is_not_a_parameter_is_refused(users):
    with pytest.raises(ValueError, match="not a parameter"):
        compiled.rows("test.no_value", lambda pk: Family.objects.all().order_by("pk"), 1)


def test_placeholders_are_numbered_and_literal_percents_kept():
    assert compiled.numbered("SELECT %s, '%%', %s") == "SELECT $1, '%', $2"


def test_history_passes_over_declared_reads_as_over_any_select():
    """pghistory adds its context to every statement it takes for a write; a declared read's
    EXECUTE is a read (earlyhelp.compiled.pass_history_over_them)."""
    from pghistory import runtime

    name = compiled.statement_name("test.history")
    assert runtime._is_ignored_statement(f"EXECUTE {name}(1)")
    assert not runtime._is_ignored_statement("EXECUTE some_write(1)")
    assert runtime._is_ignored_statement('INSERT INTO "earlyhelp_auditentry" ("at") VALUES (1)')
    assert not runtime._is_ignored_statement("INSERT INTO cases_family VALUES (1)")


def test_a_read_may_take_several_values_ids_and_dates(users):
    """Each value has its own stand-in: a date changes with the day, and must never be kept
    from the first run."""
    lead = agency_user()
    old = Episode.objects.create(
        family=make_family("Old family"), started_on=days_ago(400), lead_practitioner=lead
    )
    new = Episode.objects.create(
        family=make_family("New family"), started_on=days_ago(10), lead_practitioner=lead
    )

    def begun_before(lead_id, day):
        return Episode.objects.filter(lead_practitioner=lead_id, started_on__lt=day).order_by("pk")

    assert compiled.rows("test.before", begun_before, lead.pk, days_ago(100)) == [old]
    assert compiled.rows("test.before", begun_before, lead.pk, days_ago(1)) == [old, new]
    assert compiled.rows("test.before", begun_before, lead.pk + 1000, days_ago(1)) == []
    with pytest.raises(TypeError, match="record ids and dates"):
        compiled.rows("test.before", begun_before, lead.pk, "yesterday")


def test_a_query_log_can_be_read_back_to_the_declared_sql(users):
    family = make_family("Logged family")
    with CaptureQueriesContext(connection) as queries:
        compiled.rows("test.logged", members_of, family.pk)
    (logged,) = [q["sql"] for q in queries]
    assert compiled.source_of(logged).startswith("SELECT") and "cases_familymember" in (
        compiled.source_of(logged)
    )
    assert compiled.source_of("SELECT 1") == "SELECT 1"
