"""The change feed's triggers cover every table the gate reads for the feed's readers.

The feed's migration restates the gate's relations in SQL: a write to a table in its
ACCESS set appends a line for every record of the families it touches, a write to one in
RECORDS a line for the record. If a relation came to read a table neither set names, a
change there would change what a client may read without a line in the feed, and a client
would keep a record it may no longer see. So each relation of the feed's readers (API
clients, whose system users are practitioners of their agency) is compiled to SQL, with the
queries run to build it, and every table they read must be in the feed's sets.
"""

import importlib
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import DataKind, Family
from earlyhelp import compiled
from earlyhelp.access import ROLE_RELATIONS, Action, Relation, relation_subqueries, roles_that_may
from earlyhelp.models import Role
from partners.models import InformationSharingAgreement
from partners.services import api_client_create

pytestmark = pytest.mark.django_db
FEED = importlib.import_module("partners.migrations.0005_change_feed")
FEED_TABLES = frozenset(FEED.ACCESS) | frozenset(FEED.RECORDS)
# Tables about the reader, not about any family: a change there (the client's system user
# moves agency) is not a change of a family the feed could name. The README says so.
ABOUT_THE_READER = frozenset({"earlyhelp_user", "earlyhelp_team"})
TABLE = re.compile(r'\b(?:FROM|JOIN)\s+"(\w+)"')


def tables_in(sql: str) -> set[str]:
    return set(TABLE.findall(sql))


def tables_each_relation_reads(user) -> dict[Relation, set[str]]:
    """Each relation of `user`'s role and the tables it reads: its Exists subquery compiled to
    SQL, and the queries run while building it (an agency's agreements are read first)."""
    with CaptureQueriesContext(connection) as building:
        subqueries = relation_subqueries(user)
    # A read declared once (earlyhelp.compiled) shows in the log by its name: read its SQL.
    built = set().union(
        *(tables_in(compiled.source_of(query["sql"])) for query in building.captured_queries)
    )
    return {
        relation: tables_in(str(Family.objects.filter(exists).query)) | built
        for relation, exists in subqueries.items()
    }


def uncovered(reads: dict[Relation, set[str]], feed_tables) -> dict[Relation, set[str]]:
    """Per relation, the tables it reads that no trigger of the feed watches."""
    gaps = {relation: tables - feed_tables - ABOUT_THE_READER for relation, tables in reads.items()}
    return {relation: tables for relation, tables in gaps.items() if tables}


@pytest.fixture
def reader(school):
    """An API client's system user, whose agency shares every kind of data under an
    agreement, so that each of its relations is built (one per kind the agreement covers)."""
    agreement = InformationSharingAgreement.objects.create(
        name="Everything", data_kinds=[kind.value for kind in DataKind], starts_on=date(2025, 1, 1)
    )
    agreement.organisations.add(school)
    return api_client_create(organisation=school, name="Feed reader", scopes=["changes:read"])


def test_every_relation_of_the_feeds_readers_reads_only_tables_the_feed_watches(reader):
    user = reader.client.user
    assert user.role == Role.PRACTITIONER  # API clients read as practitioners of their agency
    # The feed answers exactly the roles the access table lets follow it; a role added there
    # fails here until its relations are shown to read only watched tables.
    assert roles_that_may(Action.FOLLOW_CHANGES) == {Role.PRACTITIONER}
    reads = tables_each_relation_reads(user)
    assert set(reads) == set(ROLE_RELATIONS[Role.PRACTITIONER])  # none left unbuilt
    assert all(reads.values())
    assert uncovered(reads, FEED_TABLES) == {}
    # The list the next test drops tables from is every one the relations read.
    read = set().union(*reads.values()) - ABOUT_THE_READER - {"cases_family"}
    assert read == set(_tables_the_gate_reads())


def _tables_the_gate_reads():
    """Every feed table some practitioner relation reads (worked out by hand from
    cases/relations.py and partners/relations.py, and checked against the compiled SQL in
    the test below)."""
    return sorted(
        {
            "cases_consent",
            "cases_consent_agencies",
            "cases_episode",
            "cases_stepdown",
            "cases_stepup",
            "cases_tafmember",
            "partners_informationsharingagreement",
            "partners_informationsharingagreement_organisations",
        }
    )


@pytest.mark.parametrize("dropped", _tables_the_gate_reads())
def test_a_table_dropped_from_the_feed_is_found_out(reader, dropped):
    """The check above would fail: take any table the gate reads out of the feed's sets and
    the relations that read it are named."""
    reads = tables_each_relation_reads(reader.client.user)
    assert any(dropped in tables for tables in reads.values())
    gaps = uncovered(reads, FEED_TABLES - {dropped})
    assert gaps and all(tables == {dropped} for tables in gaps.values())
    assert set(gaps) == {relation for relation, tables in reads.items() if dropped in tables}


def test_the_feed_refuses_a_role_whose_relations_it_does_not_follow(client_for):
    for role in ("hub", "manager", "programme", "auditor", "administrator"):
        response = client_for(role).get("/api/v1/changes/")
        assert response.status_code == 403, role
        assert response["Content-Type"] == "application/problem+json"
    assert client_for("practitioner").get("/api/v1/changes/").status_code == 200
