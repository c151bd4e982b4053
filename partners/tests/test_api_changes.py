"""The change feed: replayed from the start it rebuilds exactly what a client may see."""

from datetime import date, timedelta

import pytest

from cases.episode import services
from cases.models import Consent, DataKind, TafMember
from earlyhelp.models import AuditEntry
from earlyhelp.tests.factories import OrganisationFactory, TeamFactory, UserFactory
from outcomes.models import Evidence
from partners.feed import cursor_encode
from partners.models import Change
from partners.scopes import SCOPES
from partners.services import api_client_create
from tests.worlds import make_family

from .clients import api, share_with

pytestmark = pytest.mark.django_db
KINDS = (DataKind.SUMMARY, DataKind.EVIDENCE, DataKind.CASEWORK)


def evidence(family, external_id, source="Academy"):
    return Evidence.objects.create(
        family=family,
        person=family.memberships.first().person,
        kind="fixed_term_exclusion",
        period_start=date(2026, 3, 2),
        values={"days": 1},
        source=source,
        external_id=external_id,
        recorded_on=date(2026, 3, 3),
    )


@pytest.fixture
def world():
    school = OrganisationFactory(name="Loughborough Grammar Academy", kind="education")
    partner = api_client_create(organisation=school, name="MIS", scopes=list(SCOPES))
    lead = UserFactory(role="practitioner", team=TeamFactory())
    shared = make_family("Shared family", members=2)
    share_with(school, shared, kinds=KINDS)
    evidence(shared, "S-1")
    team = make_family("Team family", members=1, lead=lead)
    episode = team.episodes.get()
    services.taf_member_add(
        episode=episode, user=partner.client.user, joined_on=date(2026, 9, 2), by=lead
    )
    action = services.plan_action_add(
        episode=episode,
        what="Attendance check",
        owner=partner.client.user,
        due_on=date.today() + timedelta(days=30),
        by=lead,
    )
    services.case_note_add(
        episode=episode,
        kind="call",
        happened_on=date(2026, 9, 3),
        about=[],
        text="Call",
        by=partner.client.user,
    )
    hidden = make_family("Hidden family", members=3)
    evidence(hidden, "H-1", source="Police")
    return locals()


def visible_now(client) -> dict:
    """What the client may read, from the resources' own endpoints."""
    found = {}
    lists = {
        "family": "/api/v1/families/",
        "person": "/api/v1/persons/",
        "request": "/api/v1/requests/",
        "action": "/api/v1/actions/",
        "case_note": "/api/v1/case-notes/",
    }
    for kind, url in lists.items():
        for row in client.get(url, {"page_size": 500}).json()["results"]:
            found[(kind, row["id"])] = row
    for kind, pk in list(found):
        if kind == "family":
            answer = client.get(f"/api/v1/families/{pk}/evidence/", {"page_size": 500})
            if answer.status_code == 200:
                for row in answer.json()["results"]:
                    found[("evidence", row["id"])] = row
    return found


def follow(client, state, cursor):
    """Apply the feed from `cursor` on to `state`, upserts and deletes in order."""
    while True:
        body = client.get("/api/v1/changes/", {"cursor": cursor, "page_size": 3}).json()
        for item in body["results"]:
            key = (item["kind"], item["id"])
            if item["op"] == "upsert":
                state[key] = item["data"]
            else:
                state.pop(key, None)
        cursor = body["cursor"]
        if not body["more"]:
            return state, cursor


def test_replaying_the_feed_rebuilds_what_the_client_may_see_as_it_changes(world):
    client = api(world["partner"])
    state, cursor = follow(client, {}, "")
    expected = visible_now(client)
    assert state == expected
    kinds = {kind for kind, _ in expected}
    assert kinds == {"family", "person", "evidence", "action", "case_note"}
    hidden = world["hidden"]
    assert ("family", hidden.pk) not in state

    # Changes: a rename, new evidence, access lost to one family, an action deleted,
    # the client leaves one team; and a change it may not see at all.
    shared, team = world["shared"], world["team"]
    shared.name = "Shared family (renamed)"
    shared.save()
    evidence(team, "T-1")  # the client may not read evidence of the team family
    Consent.objects.filter(family=shared).update(withdrawn_on=date(2026, 10, 1))
    hidden.name = "Hidden family (renamed)"
    hidden.save()
    evidence(hidden, "H-2", source="Police")
    world["action"].delete()
    TafMember.objects.filter(user=world["partner"].client.user).update(left_on=date(2026, 10, 2))

    state, cursor = follow(client, state, cursor)
    assert state == visible_now(client) == {}
    fresh, _ = follow(client, {}, "")
    assert fresh == {}

    # Access comes back: the family and its records come back with it.
    Consent.objects.filter(family=shared).update(withdrawn_on=None)
    state, cursor = follow(client, state, cursor)
    assert state == visible_now(client)
    assert state[("family", shared.pk)]["name"] == "Shared family (renamed)"
    assert follow(client, {}, "")[0] == state
    assert AuditEntry.objects.filter(
        api_client=world["partner"].client, action="changes", listed_family_ids=[shared.pk]
    ).exists()


def test_the_feed_tells_a_client_nothing_of_what_it_never_could_see(world):
    stranger = api_client_create(
        organisation=OrganisationFactory(name="Other agency"), name="X", scopes=list(SCOPES)
    )
    client = api(stranger)
    assert Change.objects.count() > 10
    first = client.get("/api/v1/changes/").json()
    assert first["results"] == [] and first["more"] is False
    Consent.objects.filter(family=world["shared"]).update(withdrawn_on=date(2026, 10, 1))
    assert client.get("/api/v1/changes/", {"cursor": first["cursor"]}).json()["results"] == []


def test_scopes_limit_the_kinds_of_change_and_the_feed_needs_its_own(world):
    narrow = api_client_create(
        organisation=world["school"],
        name="Families only",
        scopes=["families:read", "changes:read"],
    )
    state, _ = follow(api(narrow), {}, "")
    assert {kind for kind, _ in state} == {"family", "person"}
    blind = api_client_create(
        organisation=world["school"], name="No feed", scopes=["families:read"]
    )
    assert api(blind).get("/api/v1/changes/").status_code == 403


def test_a_cursor_the_feed_did_not_give_is_refused(world):
    client = api(world["partner"])
    assert client.get("/api/v1/changes/", {"cursor": "nonsense"}).status_code == 400
    assert client.get("/api/v1/changes/", {"page_size": "0"}).status_code == 400
    far = cursor_encode(2**62)
    assert client.get("/api/v1/changes/", {"cursor": far}).json()["results"] == []


@pytest.mark.django_db(transaction=True)
def test_a_change_that_commits_late_is_not_skipped(school):
    """Line ids are taken at insert, not commit: a reader must not pass a line still to come."""
    import threading

    from django.db import connection, transaction

    partner = api_client_create(organisation=school, name="MIS", scopes=list(SCOPES))
    slow, quick = make_family("Slow family"), make_family("Quick family")
    share_with(school, slow)
    share_with(school, quick)
    client = api(partner)
    _, cursor = follow(client, {}, "")
    written, release = threading.Event(), threading.Event()

    def slow_writer():
        try:
            with transaction.atomic():
                slow.name = "Slow family (renamed)"
                slow.save()  # its line takes the lower id…
                written.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert written.wait(10)
    quick.name = "Quick family (renamed)"
    quick.save()  # …this one the higher, and commits first
    state, cursor = follow(client, {}, cursor)
    assert list(state) == [("family", quick.pk)]
    release.set()
    thread.join(10)
    state, cursor = follow(client, {}, cursor)
    assert state[("family", slow.pk)]["name"] == "Slow family (renamed)"
