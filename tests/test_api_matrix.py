"""The partner API, client by client and role by role, endpoint by endpoint.

Each client holds one scope (and one holds them all); each endpoint is called for a
record the client may see and for one it may not. A missing scope is 403, a record
it may not see 404, and a refusal says nothing about the record: the same words as
for a record that does not exist, and no counts. Every allowed read of a family or
person leaves an audit row naming the client.
"""

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from cases.episode import services
from cases.models import DataKind, SupportRequest, SupportRequestMember
from conftest import ROLES, sign_in
from earlyhelp.models import AuditEntry
from earlyhelp.tests.factories import LocalityFactory, OrganisationFactory, TeamFactory, UserFactory
from partners.api.support_requests import EXAMPLE as REQUEST
from partners.scopes import SCOPES
from partners.services import api_client_create
from partners.tests.clients import api, share_with
from tests.worlds import make_family

pytestmark = pytest.mark.django_db
SNAPSHOT = json.loads(
    (Path(__file__).resolve().parents[1] / "outcomes/examples/family_snapshot.json").read_text()
)
NO_SUCH = 987654321


@dataclass(frozen=True)
class Call:
    name: str
    method: str
    path: str  # {family} {person} {request} {action} filled per target
    scope: str
    ok: int
    body: object = None
    target: bool = True  # names a record (so has a "may not see" side)
    reads_family: bool = False  # an allowed call names the family in the audit
    reads_person: bool = False


CALLS = [
    Call(
        "families",
        "GET",
        "/api/v1/families/",
        "families:read",
        200,
        target=False,
        reads_family=True,
    ),
    Call("family", "GET", "/api/v1/families/{family}/", "families:read", 200, reads_family=True),
    Call(
        "family evidence",
        "GET",
        "/api/v1/families/{family}/evidence/",
        "evidence:read",
        200,
        reads_family=True,
    ),
    Call(
        "family outcomes",
        "GET",
        "/api/v1/families/{family}/outcomes/",
        "outcomes:read",
        200,
        reads_family=True,
    ),
    Call(
        "persons", "GET", "/api/v1/persons/", "families:read", 200, target=False, reads_person=True
    ),
    Call("person", "GET", "/api/v1/persons/{person}/", "families:read", 200, reads_person=True),
    Call("requests", "GET", "/api/v1/requests/", "requests:read", 200, target=False),
    Call("request", "GET", "/api/v1/requests/{request}/", "requests:read", 200),
    Call("actions", "GET", "/api/v1/actions/", "actions:read", 200, target=False),
    Call("action", "GET", "/api/v1/actions/{action}/", "actions:read", 200),
    Call(
        "action update",
        "PATCH",
        "/api/v1/actions/{action}/",
        "actions:write",
        200,
        body={"status": "in_progress"},
    ),
    Call("case notes", "GET", "/api/v1/case-notes/", "case_notes:read", 200, target=False),
    Call(
        "case note add",
        "POST",
        "/api/v1/case-notes/",
        "case_notes:write",
        201,
        body={"family": "{family}", "kind": "call", "happened_on": "2026-09-03", "text": "Hi"},
    ),
    Call("changes", "GET", "/api/v1/changes/", "changes:read", 200, target=False),
    Call(
        "evidence",
        "POST",
        "/api/v1/evidence/",
        "evidence:write",
        201,
        body={
            "family": "{reference}",
            "kind": "offence",
            "period_start": "2026-01-02",
            "values": {"proven": True},
            "source": "Matrix",
            "external_id": "{client}",
        },
    ),
    Call("evaluate", "POST", "/api/v1/evaluate/", "evaluate", 200, body=SNAPSHOT, target=False),
    Call(
        "request add",
        "POST",
        "/api/v1/requests/",
        "requests:write",
        201,
        body=REQUEST,
        target=False,
    ),
]


def test_every_scope_is_in_the_matrix():
    assert {call.scope for call in CALLS} == set(SCOPES)


@pytest.fixture
def world(users):
    school = OrganisationFactory(name="Loughborough Grammar Academy", kind="education")
    LocalityFactory(name="Charnwood")
    lead = users["practitioner"]
    lead.team = TeamFactory()
    lead.save()
    seen = make_family("Seen family", members=2, lead=lead)
    share_with(school, seen, kinds=(DataKind.SUMMARY, DataKind.EVIDENCE, DataKind.CASEWORK))
    hidden = make_family("Hidden family", members=1, lead=UserFactory(role="practitioner"))
    clients = {scope: [scope] for scope in SCOPES}
    clients["every scope"] = list(SCOPES)
    made = {}
    for name, scopes in clients.items():
        new = api_client_create(organisation=school, name=name, scopes=scopes)
        made[name] = {"new": new, **_records_of(new.client.user, seen, lead)}
    # The hidden family's records belong to someone else entirely.
    stranger = UserFactory(role="practitioner", team=TeamFactory())
    hidden_records = _records_of(stranger, hidden, hidden.episodes.get().lead_practitioner)
    return {
        "school": school,
        "seen": seen,
        "hidden": hidden,
        "clients": made,
        "hidden_records": hidden_records,
    }


def _records_of(user, family, lead):
    """A place on the family's team, an action the user owns, a note, a request they sent."""
    episode = family.episodes.get()
    services.taf_member_add(episode=episode, user=user, joined_on=date(2026, 9, 2), by=lead)
    action = services.plan_action_add(
        episode=episode,
        what="Matrix action",
        owner=user,
        due_on=date.today() + timedelta(days=30),
        by=lead,
    )
    services.case_note_add(
        episode=episode,
        kind="visit",
        happened_on=date(2026, 9, 3),
        about=[],
        text="Seen",
        by=user,
    )
    sent = SupportRequest.objects.create(
        family=family,
        received_at=timezone.now(),
        submitted_by=user,
        status="closed",
        triaged_at=timezone.now() - timedelta(days=400),
    )
    SupportRequestMember.objects.create(
        request=sent, person=family.memberships.first().person, role="child", name_as_given="X"
    )
    return {"action": action.pk, "request": sent.pk}


def fill(value, values):
    """A body with "{family}"-like placeholders filled in for the target."""
    if isinstance(value, str) and value.startswith("{") and value[1:-1] in values:
        return values[value[1:-1]]
    if isinstance(value, dict):
        return {k: fill(v, values) for k, v in value.items()}
    return value


def send(client, call, values):
    path = call.path.format(**values)
    body = fill(call.body, values)
    kwargs = {"content_type": "application/json", "HTTP_IF_MATCH": "*"}
    if call.method == "GET":
        return client.get(path)
    return getattr(client, call.method.lower())(path, body, **kwargs)


def values_for(world, name, *, target):
    family = world["seen"] if target == "seen" else world["hidden"]
    records = world["clients"][name] if target == "seen" else world["hidden_records"]
    if target == "missing":
        return {
            "family": NO_SUCH,
            "person": NO_SUCH,
            "request": NO_SUCH,
            "action": NO_SUCH,
            "reference": "F9999999",
            "client": name,
        }
    return {
        "family": family.pk,
        "person": family.memberships.first().person_id,
        "request": records["request"],
        "action": records["action"],
        "reference": family.reference,
        "client": name,
    }


def refusal(response):
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert set(body) <= {"type", "title", "status", "detail", "instance"}, body
    return body["detail"]


def test_every_client_gets_exactly_what_its_scopes_and_the_gate_allow(world):
    failures, forbidden, not_found = [], set(), set()
    for name, made in world["clients"].items():
        client, new = api(made["new"]), made["new"]
        for call in CALLS:
            for target in ("seen", "hidden", "missing") if call.target else ("seen",):
                values = values_for(world, name, target=target)
                response = send(client, call, values)
                allowed = call.scope in new.client.scopes
                if not allowed:
                    expected = 403
                elif target == "seen":
                    expected = call.ok
                elif call.name == "evidence":
                    expected = 400  # the import reports the row: no family it may add to
                else:
                    expected = 404
                if response.status_code != expected:
                    failures.append(
                        f"{name:16} {call.name:16} {target:7} "
                        f"{response.status_code} (expected {expected})"
                    )
                    continue
                if expected == 403:
                    forbidden.add(refusal(response))
                elif expected == 404:
                    not_found.add(refusal(response))
                elif expected == 400:
                    (error,) = response.json()["errors"]
                    not_found.add(error["message"].replace(values["reference"], "…"))
                if expected < 400 and target == "seen":
                    assert_audited(new.client, call, world["seen"], response)
                assert b'"count"' not in response.content
    assert failures == [], "\n".join(failures)
    # One answer for every missing scope; one for every record not seen, whether it
    # exists or not (the evidence import's per-row words are the same both ways too).
    assert forbidden == {"Your client does not hold the scope this needs"}
    assert not_found == {
        "No such record, or not one you may see",
        "no family '…' that you may add evidence to",
    }


def assert_audited(client, call, family, response):
    entries = AuditEntry.objects.filter(
        api_client=client, outcome="allowed", path__contains="/api/"
    )
    person = family.memberships.first().person_id
    if call.reads_family and call.target:
        assert entries.filter(family_id=family.pk).exists(), call.name
    if call.reads_family and not call.target:
        assert entries.filter(listed_family_ids__contains=[family.pk]).exists(), call.name
    if call.reads_person and call.target:
        assert entries.filter(person_id=person).exists(), call.name
    if call.reads_person and not call.target:
        assert entries.filter(listed_person_ids__contains=[person]).exists(), call.name
    if call.name == "changes":
        assert entries.filter(action="changes").exists()


def test_lists_hold_only_what_the_client_may_see(world):
    made = world["clients"]["every scope"]
    client = api(made["new"])
    hidden = world["hidden"]
    hidden_people = {m.person_id for m in hidden.memberships.all()}
    for url in (
        "/api/v1/families/",
        "/api/v1/persons/",
        "/api/v1/requests/",
        "/api/v1/actions/",
        "/api/v1/case-notes/",
    ):
        body = client.get(url).json()
        assert set(body) == {"next", "previous", "results"}, url
        assert body["results"], url
        for row in body["results"]:
            if "families" in url:
                assert row["id"] != hidden.pk
            elif "persons" in url:
                assert row["id"] not in hidden_people
            else:
                assert row["family"] != hidden.pk
    changes = client.get("/api/v1/changes/", {"page_size": 500}).json()["results"]
    assert changes and all(not (i["kind"] == "family" and i["id"] == hidden.pk) for i in changes)


# Signed-in people calling from the browser: no scopes, the gate alone decides.
ROLE_CALLS = [c for c in CALLS if c.method == "GET"]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_signed_in_gets_what_the_gate_allows(world, users, role):
    client = sign_in(Client(), users[role])
    seen = world["seen"]
    # The lead practitioner (the matrix's practitioner) sees the family and its people;
    # nobody else in the matrix has a relation to it. Actions and requests are their own.
    lead = role == "practitioner"
    person = seen.memberships.first().person_id
    own = {"family": seen.pk, "person": person, "request": NO_SUCH, "action": NO_SUCH}
    for call in ROLE_CALLS:
        response = client.get(call.path.format(**own))
        if not call.target:
            # The change feed follows practitioners' relations only (FOLLOW_CHANGES).
            follows = call.name != "changes" or role == "practitioner"
            assert response.status_code == (200 if follows else 403), (role, call.name)
            continue
        named = call.name in {"family", "family evidence", "family outcomes", "person"}
        expected = 200 if lead and named else 404
        assert response.status_code == expected, (role, call.name, response.status_code)
        if expected == 404:
            assert refusal(response) == "No such record, or not one you may see" or (
                call.name in {"request", "action"}
            )
    listed = client.get("/api/v1/families/").json()["results"]
    assert [f["id"] for f in listed] == ([seen.pk] if lead else [])
    if lead:
        assert AuditEntry.objects.filter(
            user=users[role], family_id=seen.pk, outcome="allowed", api_client=None
        ).exists()


def test_a_record_of_another_family_answers_as_a_missing_one(world):
    """Each record the API names by id (an action, a request, an evidence item to correct)
    answers for another family's record exactly as for one that does not exist."""
    from outcomes.models import Evidence

    client = api(world["clients"]["every scope"]["new"])
    hidden, records = world["hidden"], world["hidden_records"]
    theirs = Evidence.objects.create(
        family=hidden,
        person=hidden.memberships.first().person,
        kind="offence",
        period_start="2026-01-02",
        period_end="2026-01-02",
        values={"proven": True},
        source="Matrix",
        recorded_on="2026-02-01",
    )

    def answers(path, method="get", body=None):
        response = getattr(client, method)(
            path, body, content_type="application/json", HTTP_IF_MATCH="*"
        )
        body = response.json()
        body.pop("instance", None)  # the path asked: the one part that may differ
        return response.status_code, body

    for path in ("/api/v1/actions/{}/", "/api/v1/requests/{}/"):
        record = records["action" if "actions" in path else "request"]
        assert answers(path.format(record)) == answers(path.format(NO_SUCH))
        assert answers(path.format(record))[0] == 404
    patched = answers(f"/api/v1/actions/{records['action']}/", "patch", {"status": "done"})
    assert patched == answers(f"/api/v1/actions/{NO_SUCH}/", "patch", {"status": "done"})

    def correction(item_id):
        row = {
            "family": world["seen"].reference,
            "kind": "offence",
            "period_start": "2026-01-02",
            "values": {"proven": False},
            "source": "Matrix",
            "external_id": f"fix-{item_id}",
            "supersedes": item_id,
        }
        status, body = answers("/api/v1/evidence/", "post", row)
        return status, [
            (e["field"], e["message"].replace(str(item_id), "…")) for e in body["errors"]
        ]

    assert correction(theirs.pk) == correction(NO_SUCH)
    assert correction(theirs.pk)[0] == 400
    assert not Evidence.objects.filter(supersedes=theirs).exists()


def test_linking_a_person_the_client_may_not_see_answers_as_for_one_that_does_not_exist(world):
    """The same rule as the request pages (`cases.gate.person_to_link`), the same one answer."""
    made = world["clients"]["requests:write"]
    client = api(made["new"])
    hidden = world["hidden"].memberships.first().person_id
    answers = []
    for target in (hidden, NO_SUCH):
        person = {"role": "child", "concerns": "Known to school", "person_id": target}
        response = client.post(
            "/api/v1/requests/", {**REQUEST, "people": [person]}, content_type="application/json"
        )
        answers.append((response.status_code, response["Content-Type"], response.json()))
    assert answers[0] == answers[1]
    status, content_type, body = answers[0]
    assert status == 400 and content_type == "application/problem+json"
    assert body["errors"] == [
        {"field": "people[0].person_id", "message": "No such person you may see"}
    ]
    assert (
        not SupportRequest.objects.filter(submitted_by=made["new"].client.user)
        .exclude(pk=made["request"])
        .exists()
    )
    refused = AuditEntry.objects.get(api_client=made["new"].client, person_id=hidden)
    assert refused.outcome == "not_found"
    # A person the client may see is linked.
    seen = world["seen"].memberships.first().person_id
    person = {"role": "child", "concerns": "Known to school", "person_id": seen}
    linked = client.post(
        "/api/v1/requests/", {**REQUEST, "people": [person]}, content_type="application/json"
    )
    assert linked.status_code == 201, linked.content
