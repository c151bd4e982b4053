"""schemathesis against the live schema: every operation, every check, generated requests.

The schema is read from /api/schema/ through the WSGI app, in process (so inside the test's
transaction), and each operation gets the schema's own examples, the coverage phase's
boundary cases (a missing header, a negative id, `page_size=null`, an empty date, a method the
operation lacks) and generated requests, valid and invalid, from a client holding every
scope. Every check schemathesis has is on, as tests/schemathesis.toml says (the same file a
person runs schemathesis with for longer: README, "The partner API"): no server error,
every answer as documented (status, content type, headers, body), invalid requests refused,
valid reads accepted, no answer without a token.
"""

from datetime import date, timedelta
from pathlib import Path

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import load_all_checks
from schemathesis.pytest.lazy import get_all_tests

from cases.episode import services
from cases.models import DataKind
from demo.organisations import DISTRICTS, ORGANISATIONS
from earlyhelp.tests.factories import LocalityFactory, OrganisationFactory, UserFactory
from partners.api.support_requests import EXAMPLE as REQUEST_EXAMPLE
from partners.scopes import SCOPES
from partners.services import api_client_create
from partners.tests.clients import share_with, token_for
from tests.worlds import make_family

pytestmark = pytest.mark.django_db
CONFIG = Path(__file__).with_name("schemathesis.toml")
EXAMPLES = 3  # generated requests per operation, besides the examples and coverage cases
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


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
        due_on=date.today() + timedelta(days=30),
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
    config = schemathesis.Config.from_path(CONFIG)
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app, config=config)
    load_all_checks()
    headers = {"Authorization": f"Bearer {token}"}

    def check(case):
        case.call_and_validate(headers=headers)

    # Each operation's test runs the phases the config enables (examples, coverage, fuzzing),
    # as schemathesis' own pytest plugin builds them.
    built = get_all_tests(schema=schema, test_func=check, settings=SETTINGS, given_kwargs=None)
    tests = [found.ok() for found in built]
    assert len(tests) >= 18
    failures = []
    for operation, test in tests:
        try:
            test()
        except Exception as error:  # noqa: BLE001 (collect every operation's failure)
            failures.append(f"{operation.label}: {error}")
    assert failures == [], "\n\n".join(failures)


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
