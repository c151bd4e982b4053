"""The partner API: OAuth 2 client credentials, scopes, the gate, problem details, evidence."""

import io
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from earlyhelp.models import AuditEntry
from outcomes.models import Evidence
from partners.services import api_client_create, api_client_revoke
from tests.worlds import make_family

from .clients import api, share_with, token_for

pytestmark = pytest.mark.django_db
EXAMPLE = Path(__file__).resolve().parents[2] / "outcomes" / "examples" / "family_snapshot.json"


@pytest.fixture
def feed(school):
    return api_client_create(
        organisation=school,
        name="Attendance feed",
        scopes=["families:read", "evidence:write", "evidence:read", "evaluate"],
    )


def test_a_client_gets_a_token_with_its_scopes_and_no_more(feed):
    response = token_for(feed)
    assert response.status_code == 200
    assert set(response.json()["scope"].split()) == set(feed.client.scopes)
    assert token_for(feed, scope="outcomes:read").status_code == 400  # not one of its scopes
    assert token_for(replace(feed, client_secret="wrong")).status_code == 401


def test_a_revoked_client_is_refused_at_once(feed):
    client = api(feed)
    assert client.get("/api/v1/families/").status_code == 200
    api_client_revoke(client=feed.client)
    assert client.get("/api/v1/families/").status_code == 401
    assert token_for(feed).status_code == 401


def test_families_are_those_the_agency_may_see_and_the_audit_names_the_client(feed, school):
    shared = make_family("Shared family", members=2)
    hidden = make_family("Hidden family")
    share_with(school, shared)
    client = api(feed)
    listing = client.get("/api/v1/families/")
    assert [f["reference"] for f in listing.json()["results"]] == [shared.reference]
    detail = client.get(f"/api/v1/families/{shared.pk}/")
    assert detail.status_code == 200 and len(detail.json()["members"]) == 2
    missing = client.get(f"/api/v1/families/{hidden.pk}/")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"
    assert missing.json()["status"] == 404 and missing.json()["title"] == "Not found"
    entries = AuditEntry.objects.filter(api_client=feed.client)
    assert entries.filter(family_id=shared.pk, outcome="allowed").exists()
    assert entries.filter(family_id=hidden.pk, outcome="not_found").exists()


def test_a_missing_scope_is_403(school):
    narrow = api_client_create(organisation=school, name="Narrow", scopes=["evaluate"])
    response = api(narrow).get("/api/v1/families/")
    assert response.status_code == 403 and response.json()["type"].endswith("403")


def test_evidence_rows_in_bulk_with_a_per_row_report_and_idempotent_resends(feed, school):
    family = make_family("Shared family", members=1)
    share_with(school, family)
    person = family.memberships.first().person
    rows = [
        {
            "family": family.reference,
            "person": person.pk,
            "kind": "fixed_term_exclusion",
            "period_start": f"2026-0{month}-02",
            "values": {"days": 2},
            "source": "Loughborough Academy",
            "external_id": f"EX-{month}",
        }
        for month in range(1, 7)
    ]
    client = api(feed)
    first = client.post("/api/v1/evidence/", rows, content_type="application/json")
    assert first.status_code == 201 and first.json()["created"] == 6
    again = client.post("/api/v1/evidence/", rows, content_type="application/json")
    assert again.status_code == 200 and again.json()["unchanged"] == 6
    assert Evidence.objects.count() == 6
    assert Evidence.objects.filter(api_client=feed.client).count() == 6

    bad = [*rows[:1], {**rows[1], "external_id": "EX-new", "values": {"days": -1}}]
    refused = client.post("/api/v1/evidence/", bad, content_type="application/json")
    body = refused.json()
    assert refused.status_code == 400 and "nothing was saved" in body["detail"]
    assert body["errors"] == [
        {"row": 2, "field": "values.days", "message": "expected a number ≥ 0, got -1"}
    ]


def test_evidence_as_a_csv_file(feed, school):
    family = make_family("Shared family", members=1)
    share_with(school, family)
    person = family.memberships.first().person
    text = "family,person,kind,period_start,values,source,external_id\n" + "".join(
        f'{family.reference},{person.pk},fixed_term_exclusion,2026-03-{day:02d},"{{""days"": 1}}",'
        f"Academy,CSV-{day}\n"
        for day in range(1, 21)
    )
    upload = io.BytesIO(text.encode())
    upload.name = "exclusions.csv"
    response = api(feed).post("/api/v1/evidence/", {"file": upload})
    assert response.status_code == 201 and response.json()["created"] == 20


@pytest.mark.parametrize(
    "text, status, detail",
    [
        ("family,kind\nF1,offence\n", 400, "missing the columns period_start, source"),
        ("family,kind,period_start,source\n", 400, "has no evidence rows"),
        ("family,kind,period_start,source\nF1,caf\xe9,2026-01-01,x\n", 400, "not UTF-8"),
    ],
)
def test_a_csv_file_that_cannot_be_read_is_one_problem_not_one_per_row(feed, text, status, detail):
    upload = io.BytesIO(text.encode("latin-1"))
    upload.name = "feed.csv"
    response = api(feed).post("/api/v1/evidence/", {"file": upload})
    assert response.status_code == status and detail in response.json()["detail"]
    assert not Evidence.objects.exists()


def test_evidence_for_a_family_the_agency_cannot_see_is_refused(feed):
    hidden = make_family("Hidden family")
    row = {
        "family": hidden.reference,
        "kind": "offence",
        "period_start": "2026-01-01",
        "values": {"proven": True},
        "source": "x",
    }
    response = api(feed).post("/api/v1/evidence/", row, content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "family"
    assert not Evidence.objects.exists()


def test_what_if_evaluation_in_the_engines_format(feed):
    snapshot = json.loads(EXAMPLE.read_text())
    response = api(feed).post("/api/v1/evaluate/", snapshot, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["claim"]["status"] == "claimable"
    broken = {**snapshot, "members": "nobody"}
    refused = api(feed).post("/api/v1/evaluate/", [broken], content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"].startswith("[0].members")


def test_each_client_is_throttled_at_its_own_rate(school):
    from django.core.cache import cache

    cache.clear()
    slow = api_client_create(
        organisation=school, name="Slow", scopes=["evaluate"], requests_per_minute=2
    )
    client = api(slow)
    answers = [
        client.post("/api/v1/evaluate/", {}, content_type="application/json").status_code
        for _ in range(3)
    ]
    assert answers[:2] == [400, 400] and answers[2] == 429


def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/families/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower()


def test_the_api_docs_load_their_script_from_the_app_and_style_with_the_nonce(client):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    page = response.content.decode()
    nonce = re.search(r"'nonce-([\w-]+)'", response["Content-Security-Policy"])[1]
    assert f'<style nonce="{nonce}">' in page
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts and all("src=" in attributes for attributes in scripts)
    setup = re.search(r'<script src="([^"]*script=[^"]*)"', page)[1]
    script = client.get(setup.replace("&amp;", "&"))
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_an_api_answer_is_kept_by_no_cache(feed):
    response = api(feed).get("/api/v1/families/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Content-Security-Policy" in response


def test_head_is_answered_as_get_and_a_missing_method_is_405(feed, school):
    share_with(school, make_family("Shared family", members=1))
    client = api(feed)
    got = client.get("/api/v1/families/")
    head = client.head("/api/v1/families/")
    assert head.status_code == 200 and head["Content-Type"] == got["Content-Type"]
    refused = client.delete("/api/v1/families/")
    assert refused.status_code == 405 and refused["Allow"] == "GET, HEAD, OPTIONS"
    assert refused["Content-Type"] == "application/problem+json"
    assert client.get("/api/v1/evidence/").status_code == 405  # not a missing scope's 403


def test_create_api_client_prints_the_secret_once(school, capsys):
    call_command(
        "create_api_client",
        "--agency",
        school.name,
        "--name",
        "SIMS",
        "--scopes",
        "families:read,evidence:write",
    )
    out = capsys.readouterr().out
    assert "client secret:" in out and "shown only now" in out
    with pytest.raises(CommandError, match="Unknown scope"):
        call_command(
            "create_api_client", "--agency", school.name, "--name", "X", "--scopes", "everything"
        )
    with pytest.raises(CommandError, match="No organisation"):
        call_command(
            "create_api_client", "--agency", "Nowhere", "--name", "X", "--scopes", "evaluate"
        )


def test_administrators_add_and_revoke_clients_in_the_admin(client_for, school):
    admin = client_for("administrator")
    data = {
        "organisation": school.pk,
        "name": "Police feed",
        "scopes": ["evidence:write"],
        "requests_per_minute": 60,
    }
    response = admin.post(reverse("admin:partners_apiclient_add"), data, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "shown only once" in page
    from partners.models import ApiClient

    client = ApiClient.objects.get(name="Police feed")
    assert client.user.team.organisation == school and client.application is not None
    admin.post(
        reverse("admin:partners_apiclient_changelist"),
        {"action": "revoke", "_selected_action": [client.pk]},
    )
    client.refresh_from_db()
    assert not client.is_active
