"""A partner system on a family's team: the actions it owns (with If-Match) and its case notes."""

from datetime import date, timedelta

import pytest

from cases.episode import services
from cases.models import CaseNote, PlanAction, PlanActionUpdate, TafMember
from earlyhelp.models import AuditEntry
from earlyhelp.tests.factories import TeamFactory, UserFactory
from partners.services import api_client_create
from tests.worlds import make_family

from .clients import api, share_with

pytestmark = pytest.mark.django_db
SCOPES = ["actions:read", "actions:write", "case_notes:read", "case_notes:write"]


@pytest.fixture
def world(school):
    lead = UserFactory(role="practitioner", team=TeamFactory())
    family = make_family("Team family", members=2, lead=lead)
    episode = family.episodes.get()
    partner = api_client_create(organisation=school, name="Attendance team", scopes=SCOPES)
    services.taf_member_add(
        episode=episode, user=partner.client.user, joined_on=date(2026, 9, 2), by=lead
    )
    ours = services.plan_action_add(
        episode=episode,
        what="Daily attendance check",
        owner=partner.client.user,
        due_on=date.today() + timedelta(days=30),
        by=lead,
    )
    theirs = services.plan_action_add(
        episode=episode,
        what="Home visit",
        owner=lead,
        due_on=date.today() + timedelta(days=30),
        by=lead,
    )
    return {
        "lead": lead,
        "family": family,
        "episode": episode,
        "partner": partner,
        "ours": ours,
        "theirs": theirs,
    }


def patch(client, action, body, etag=None):
    headers = {"HTTP_IF_MATCH": etag} if etag else {}
    return client.patch(
        f"/api/v1/actions/{action.pk}/", body, content_type="application/json", **headers
    )


def test_the_client_reads_only_the_actions_it_owns(world):
    client = api(world["partner"])
    listing = client.get("/api/v1/actions/").json()
    assert [a["what"] for a in listing["results"]] == ["Daily attendance check"]
    detail = client.get(f"/api/v1/actions/{world['ours'].pk}/")
    assert detail.status_code == 200 and detail["ETag"].startswith('"')
    other = client.get(f"/api/v1/actions/{world['theirs'].pk}/")
    missing = client.get("/api/v1/actions/999999/")
    assert other.status_code == missing.status_code == 404
    assert patch(client, world["theirs"], {"status": "done"}, etag="*").status_code == 404
    assert PlanAction.objects.get(pk=world["theirs"].pk).status == "not_started"


def test_updates_need_the_etag_read_and_a_stale_one_is_refused(world):
    client = api(world["partner"])
    action = world["ours"]
    etag = client.get(f"/api/v1/actions/{action.pk}/")["ETag"]
    without = patch(client, action, {"status": "in_progress"})
    assert without.status_code == 428 and without["Content-Type"] == "application/problem+json"
    assert not PlanActionUpdate.objects.exists()

    done = patch(client, action, {"status": "in_progress", "note": "Started"}, etag=etag)
    assert done.status_code == 200 and done.json()["status"] == "in_progress"
    assert done["ETag"] != etag
    update = PlanActionUpdate.objects.get()
    assert update.by == world["partner"].client.user and update.note == "Started"

    # Another system (or a person on the page) changed it since this one read it.
    stale = patch(client, action, {"status": "done"}, etag=etag)
    assert stale.status_code == 412 and stale["ETag"] == done["ETag"]
    assert PlanAction.objects.get(pk=action.pk).status == "in_progress"
    assert PlanActionUpdate.objects.count() == 1

    # The pages' own rule: a stopped action says why.
    why = patch(client, action, {"status": "stopped"}, etag=done["ETag"])
    assert why.status_code == 400 and why.json()["errors"][0]["field"] == "note"
    put = client.put(
        f"/api/v1/actions/{action.pk}/",
        {"status": "done"},
        content_type="application/json",
        HTTP_IF_MATCH=done["ETag"],
    )
    assert put.status_code == 200 and put.json()["status"] == "done"


def test_leaving_the_team_ends_the_clients_access_to_its_actions(world):
    client = api(world["partner"])
    member = TafMember.objects.get(user=world["partner"].client.user)
    services.taf_member_leave(member=member, left_on=date(2026, 10, 1), by=world["lead"])
    assert client.get("/api/v1/actions/").json()["results"] == []
    assert client.get(f"/api/v1/actions/{world['ours'].pk}/").status_code == 404
    assert patch(client, world["ours"], {"status": "done"}, etag="*").status_code == 404


def test_the_client_adds_case_notes_and_reads_its_own(world):
    client = api(world["partner"])
    family = world["family"]
    person = family.memberships.first().person
    services.case_note_add(
        episode=world["episode"],
        kind="visit",
        happened_on=date(2026, 9, 3),
        about=[],
        text="The lead's visit",
        by=world["lead"],
    )
    body = {
        "family": family.pk,
        "kind": "call",
        "happened_on": "2026-10-01",
        "about": [person.pk],
        "text": "Spoke to mum about attendance",
    }
    response = client.post("/api/v1/case-notes/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["about"] == [person.pk]
    note = CaseNote.objects.get(pk=response.json()["id"])
    assert note.written_by == world["partner"].client.user
    assert AuditEntry.objects.filter(
        api_client=world["partner"].client, action="case_note", family_id=family.pk
    ).exists()
    listing = client.get("/api/v1/case-notes/").json()
    assert [n["text"] for n in listing["results"]] == ["Spoke to mum about attendance"]

    future = client.post(
        "/api/v1/case-notes/",
        {**body, "happened_on": "2999-01-01"},
        content_type="application/json",
    )
    assert future.status_code == 400 and future.json()["errors"][0]["field"] == "happened_on"
    stranger = client.post(
        "/api/v1/case-notes/", {**body, "about": [999999]}, content_type="application/json"
    )
    assert stranger.status_code == 400 and stranger.json()["errors"][0]["field"] == "about"
    assert CaseNote.objects.count() == 2


def test_notes_for_families_the_client_is_not_on_the_team_of_are_refused(world, school):
    client = api(world["partner"])
    hidden = make_family("Hidden family", lead=world["lead"])
    seen = make_family("Seen family", lead=world["lead"])
    share_with(school, seen)  # visible to the agency, but it is not on the team
    note = {"kind": "call", "happened_on": "2026-10-01", "text": "x"}
    post = lambda family_id: client.post(  # noqa: E731
        "/api/v1/case-notes/", {**note, "family": family_id}, content_type="application/json"
    )
    assert post(hidden.pk).status_code == 404
    assert post(999999).status_code == 404
    assert post(seen.pk).status_code == 403
    assert post("x").status_code == 400
    assert not CaseNote.objects.exists()


def test_text_over_the_cap_is_refused_by_field_as_the_pages_refuse_it(world):
    client = api(world["partner"])
    family = world["family"]
    long = "x" * 10_001
    note = client.post(
        "/api/v1/case-notes/",
        {"family": family.pk, "kind": "call", "happened_on": "2026-10-01", "text": long},
        content_type="application/json",
    )
    assert note.status_code == 400
    assert note.json()["errors"] == [
        {"field": "text", "message": "Note must be 10,000 characters or fewer"}
    ]
    assert not CaseNote.objects.filter(written_by=world["partner"].client.user).exists()
    update = patch(client, world["ours"], {"status": "done", "note": long}, etag="*")
    assert update.status_code == 400
    assert update.json()["errors"] == [
        {"field": "note", "message": "What has happened must be 10,000 characters or fewer"}
    ]
    world["ours"].refresh_from_db()
    assert world["ours"].status == "not_started" and not PlanActionUpdate.objects.exists()
