"""schemathesis against the live schema: every operation, generated requests, checked answers.

The schema is read from /api/schema/ through the WSGI app, in process (so inside the
test's transaction), and each operation gets a bounded number of generated requests
from a client holding every scope. Every answer must be no server error and conform
to the schema: a documented status, its content type, a body matching its schema.
"""

import time
from datetime import date

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cases import episode_services as services
from cases.models import DataKind
from earlyhelp.demo import DISTRICTS, ORGANISATIONS
from earlyhelp.tests.factories import LocalityFactory, OrganisationFactory, UserFactory
from partners.api.support_requests import EXAMPLE as REQUEST_EXAMPLE
from partners.scopes import SCOPES
from partners.services import api_client_create
from partners.tests.clients import share_with, token_for
from tests.worlds import make_family

pytestmark = pytest.mark.django_db
# No server error, and every answer as documented. Not positive_data_acceptance: data the
# schema allows may still break a rule it cannot say ("a date not in the future"), and the
# answer to that is a documented 400 problem, which the conformance checks cover.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    ignored_auth,
]
EXAMPLES = 15  # generated requests per operation, besides the schema's own examples
BUDGET = 60  # seconds, for every operation together


@pytest.fixture
def token():
    cache.clear()
    school = OrganisationFactory(name="Loughborough Grammar Academy", kind="education")
    LocalityFactory(name="Charnwood")
    partner = api_client_create(
        organisation=school, name="Fuzzer", scopes=list(SCOPES), requests_per_minute=100_000
    )
    lead = UserFactory(role="practitioner")
    family = make_family("Seen family", members=2, lead=lead)
    share_with(school, family, kinds=(DataKind.SUMMARY, DataKind.EVIDENCE, DataKind.CASEWORK))
    episode = family.episodes.get()
    services.taf_member_add(
        episode=episode, user=partner.client.user, joined_on=date(2026, 9, 2), by=lead
    )
    services.plan_action_add(
        episode=episode,
        what="Fuzzed",
        owner=partner.client.user,
        due_on=date(2026, 12, 1),
        by=lead,
    )
    return token_for(partner).json()["access_token"]


@pytest.fixture
def app(token):
    """The WSGI app, kept from closing the test's connection after each request (as
    Django's own test client does; after `token`, whose test client connects it again)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_every_operation_answers_as_its_schema_says(app, token):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 17
    headers = {"Authorization": f"Bearer {token}"}
    started = time.monotonic()
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except Exception as error:  # noqa: BLE001 (collect every operation's failure)
            failures.append(f"{operation.label}: {error}")
    elapsed = time.monotonic() - started
    assert failures == [], "\n\n".join(failures)
    assert elapsed < BUDGET, f"schemathesis took {elapsed:.0f}s"


def test_every_operation_is_described_and_every_write_has_an_example(client):
    schema = client.get("/api/schema/?format=json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("description"), f"{method.upper()} {path} says nothing"
            if method in {"post", "put", "patch"}:
                content = operation["requestBody"]["content"]["application/json"]
                assert content.get("examples"), f"{method.upper()} {path} has no example"
            assert operation["security"][0], f"{method.upper()} {path} names no scope"


def test_the_request_example_works_as_sent_against_the_demo_data(client):
    """Its agency and locality are the demo data's (`make run`), so a partner trying the docs'
    example gets a request into the queue, not a 400 for an agency that does not exist."""
    assert REQUEST_EXAMPLE["locality"] in DISTRICTS
    agencies = dict(ORGANISATIONS)
    assert set(REQUEST_EXAMPLE["consent"]["agencies"]) <= set(agencies)
    school = OrganisationFactory(name=REQUEST_EXAMPLE["consent"]["agencies"][0])
    LocalityFactory(name=REQUEST_EXAMPLE["locality"])
    partner = api_client_create(organisation=school, name="Referrals", scopes=["requests:write"])
    bearer = token_for(partner).json()["access_token"]
    response = client.post(
        "/api/v1/requests/",
        REQUEST_EXAMPLE,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {bearer}",
    )
    assert response.status_code == 201, response.content
