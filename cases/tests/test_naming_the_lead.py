"""The lead agency's team manager names the lead practitioner of a family the hub allocated to
the agency (DOMAIN §4 step 3): from their home, seeing each practitioner's caseload against the
target, the engaged first; the lead is told. Only the agency's managers may, and two naming at
once give one lead."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.allocation.services import LeadAlreadyNamed, allocation_name_lead
from cases.front_door.services import support_request_allocate
from cases.models import Allocation, Episode, LeadChange, Notification, SupportRequest
from conftest import sign_in
from earlyhelp.models import AuditEntry, Organisation
from earlyhelp.tests.factories import TeamFactory, UserFactory
from tests.worlds import make_family

from .requesting import waiting_request
from .test_allocation import decided, engage

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency():
    return Organisation.objects.create(
        name="Children and Family Wellbeing Service", kind="family_support", tier=2
    )


@pytest.fixture
def world(users, agency):
    """An agency with two teams, a manager of each, and a waiting family allocated to it."""
    north = TeamFactory(organisation=agency, name="North family support")
    south = TeamFactory(organisation=agency, name="South family support")
    priya = UserFactory(first_name="Priya", last_name="Shah", team=north)
    omar = UserFactory(first_name="Omar", last_name="Haddad", team=south)
    for i in range(4):
        make_family(f"Case{i} family", members=0, lead=priya)
    maya = UserFactory(role="manager", first_name="Maya", last_name="North")
    maya.managed_teams.add(north)
    sol = UserFactory(role="manager", first_name="Sol", last_name="South")
    sol.managed_teams.add(south)
    # A manager of another agency's team, and a worker of another agency.
    elsewhere = UserFactory(role="manager", first_name="Eli", last_name="Elsewhere")
    elsewhere.managed_teams.add(TeamFactory())
    outsider = UserFactory(first_name="Olu", last_name="Outsider")
    request = decided(waiting_request("Khan family", status="awaiting_allocation"))
    engage(omar, request.family)
    allocation = support_request_allocate(
        support_request_id=request.pk, lead_agency=agency, by=users["hub"]
    )
    return {
        "priya": priya,
        "omar": omar,
        "maya": maya,
        "sol": sol,
        "elsewhere": elsewhere,
        "outsider": outsider,
        "request": request,
        "allocation": allocation,
        "url": reverse("allocation-name-lead", args=[request.pk]),
    }


def test_each_manager_of_the_agency_is_told_and_sees_the_family_waiting(world):
    for manager in (world["maya"], world["sol"]):
        note = Notification.objects.get(user=manager)
        assert note.url == world["url"] and "waits for you to name" in note.message
        home = sign_in(Client(), manager).get(reverse("home"))
        page = home.content.decode()
        assert "Families waiting for a lead practitioner (1)" in page
        assert "Khan family" in page and world["url"] in page
        assert home.context["waiting_for_lead"].rows[0].request == world["request"]
    assert not Notification.objects.filter(user=world["elsewhere"]).exists()
    other_home = sign_in(Client(), world["elsewhere"]).get(reverse("home")).content.decode()
    assert "Khan family" not in other_home
    assert "No family is waiting for you to name its lead practitioner" in other_home


def test_the_page_shows_the_request_the_family_and_caseloads_engaged_first(world, set_policy):
    set_policy(caseload_target=4)
    response = sign_in(Client(), world["maya"]).get(world["url"])
    page = response.content.decode()
    assert response.status_code == 200
    assert "Name the lead practitioner" in page and "Khan family" in page
    assert "Attendance has fallen and the family are struggling." in page  # the request
    assert "Member0 Khan" in page  # the family's people
    # Every practitioner of the agency (both teams), with their caseload against the target;
    # Omar, engaged with the family before, first, though his caseload is lighter anyway.
    assert "Omar Haddad" in page and "0 of 4 families" in page
    assert "Priya Shah" in page and "4 of 4 families" in page
    assert page.index("Omar Haddad") < page.index("Priya Shah")
    assert page.count("Already engaged</strong>") == 1
    assert "were on its team around the family" in page
    assert "Olu Outsider" not in page
    # The read was through the gate, and audited.
    assert AuditEntry.objects.filter(
        user=world["maya"], family_id=world["request"].family_id, outcome="allowed"
    ).exists()


def test_naming_the_lead_sets_the_episodes_lead_and_tells_them(world):
    maya = sign_in(Client(), world["maya"])
    response = maya.post(world["url"], {"lead_practitioner": world["priya"].pk}, follow=True)
    assert "Priya Shah is the lead practitioner for the Khan family" in response.content.decode()
    allocation = Allocation.objects.get()
    assert (allocation.lead_practitioner, allocation.named_by) == (world["priya"], world["maya"])
    assert allocation.caseload_then == 4
    episode = allocation.episode
    assert episode.lead_practitioner == world["priya"] and episode.status == "open"
    assert Episode.objects.filter(family=episode.family, status="open").count() == 1
    # Named the day the hub allocated: the episode's first lead, no change of lead in history.
    assert not LeadChange.objects.exists()
    note = Notification.objects.get(user=world["priya"])
    assert note.kind == "allocated" and note.family == episode.family
    assert AuditEntry.objects.filter(action="name_lead", user=world["maya"]).exists()
    # The lead now sees the family; the hub's request page says who named her.
    lead = sign_in(Client(), world["priya"])
    assert lead.get(reverse("family-detail", args=[episode.family_id])).status_code == 200
    hub = sign_in(Client(), SupportRequest.objects.get().decision.decided_by)
    page = hub.get(reverse("triage-request", args=[world["request"].pk])).content.decode()
    assert "Priya Shah" in page and "Lead named by" in page and "Maya North" in page
    # The family is no longer waiting on any manager's home.
    home = sign_in(Client(), world["sol"]).get(reverse("home")).content.decode()
    assert "Families waiting for a lead practitioner (0)" in home


def test_named_on_a_later_day_the_days_without_a_lead_stay_in_its_history(world):
    episode = world["allocation"].episode
    Episode.objects.filter(pk=episode.pk).update(started_on=timezone.localdate() - timedelta(3))
    allocation_name_lead(
        allocation_id=world["allocation"].pk, lead_practitioner=world["omar"], by=world["sol"]
    )
    change = LeadChange.objects.get()
    assert change.from_practitioner is None and change.to_practitioner == world["omar"]
    assert change.changed_on == timezone.localdate()
    page = (
        sign_in(Client(), world["omar"])
        .get(reverse("family-detail", args=[episode.family_id]))
        .content.decode()
    )
    assert "No named lead" in page and "Omar Haddad" in page


def test_a_wrong_answer_is_refused_and_nothing_is_saved(world):
    maya = sign_in(Client(), world["maya"])
    for data, message in [
        ({}, "Select the lead practitioner"),
        ({"lead_practitioner": world["outsider"].pk}, "Select the lead practitioner from the list"),
        ({"lead_practitioner": world["maya"].pk}, "Select the lead practitioner from the list"),
        ({"lead_practitioner": "x"}, "Select the lead practitioner from the list"),
    ]:
        response = maya.post(world["url"], data)
        page = response.content.decode()
        assert response.status_code == 400, data
        assert "govuk-error-summary" in page and message in page
        assert page.count("<title>Error: ") == 1
    assert (
        Episode.objects.get(family=world["request"].family, status="open").lead_practitioner is None
    )
    assert not Notification.objects.filter(kind="allocated").exists()


@pytest.mark.parametrize("who", ["elsewhere", "outsider", "priya"])
def test_no_one_else_of_any_agency_finds_the_family_to_name(world, who):
    """A manager of another agency, a practitioner of another, and a practitioner of the agency
    itself: none may see the family (404, never confirming it exists), audited."""
    user = world[who]
    client = sign_in(Client(), user)
    assert client.get(world["url"]).status_code == 404
    posted = client.post(world["url"], {"lead_practitioner": world["priya"].pk})
    assert posted.status_code == 404
    assert Allocation.objects.get().lead_practitioner is None
    assert AuditEntry.objects.filter(
        user=user, family_id=world["request"].family_id, outcome="not_found"
    ).exists()


def test_the_hub_reads_the_request_but_does_not_name_the_lead(world, users):
    hub = sign_in(Client(), users["hub"])
    assert hub.get(world["url"]).status_code == 403
    assert hub.post(world["url"], {"lead_practitioner": world["priya"].pk}).status_code == 403
    assert AuditEntry.objects.filter(
        user=users["hub"], action="name_lead", outcome="forbidden"
    ).exists()
    assert Allocation.objects.get().lead_practitioner is None


def test_a_manager_who_comes_second_is_told_who_was_first(world):
    # Maya manages Priya's team, so still reads the family once Sol has named Priya.
    allocation_name_lead(
        allocation_id=world["allocation"].pk, lead_practitioner=world["priya"], by=world["sol"]
    )
    late = sign_in(Client(), world["maya"]).post(
        world["url"], {"lead_practitioner": world["omar"].pk}, follow=True
    )
    assert "Sol South named Priya Shah as lead practitioner first" in late.content.decode()
    assert Allocation.objects.get().lead_practitioner == world["priya"]
    with pytest.raises(LeadAlreadyNamed) as refused:
        allocation_name_lead(
            allocation_id=world["allocation"].pk, lead_practitioner=world["omar"], by=world["maya"]
        )
    assert (
        refused.value.messages[0] == "Sol South named Priya Shah as lead practitioner a moment ago"
    )


def test_the_managers_home_runs_a_fixed_number_of_queries(
    world, users, agency, django_assert_max_num_queries
):
    from django.test.utils import CaptureQueriesContext

    maya = sign_in(Client(), world["maya"])
    with CaptureQueriesContext(connection) as one:
        maya.get(reverse("home"))
    for i in range(6):
        request = decided(waiting_request(f"More{i} family", status="awaiting_allocation"))
        single = decided(waiting_request(f"Single{i} family", status="awaiting_allocation"), "p3b")
        for each in (request, single):
            support_request_allocate(
                support_request_id=each.pk, lead_agency=agency, by=users["hub"]
            )
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = maya.get(reverse("home")).content.decode()
    assert "Families waiting for a lead practitioner (7)" in page
    assert "Single-service responses, no named lead (6)" in page


@pytest.mark.django_db(transaction=True)
def test_two_managers_naming_at_once_give_one_lead():
    """Two real transactions: both managers read the family as waiting, then both name a lead.
    The allocation's row lock serves them one after the other; the second is told who won."""
    agency = Organisation.objects.create(name="Family Support", kind="family_support", tier=2)
    team = TeamFactory(organisation=agency)
    leads = [UserFactory(team=team, first_name=name, last_name="Lead") for name in ("A", "B")]
    managers = [UserFactory(role="manager", first_name=n, last_name="Boss") for n in ("Ma", "Mb")]
    for manager in managers:
        manager.managed_teams.add(team)
    request = decided(waiting_request("Race family", status="awaiting_allocation"))
    allocation = support_request_allocate(
        support_request_id=request.pk, lead_agency=agency, by=UserFactory(role="hub")
    )
    both_read = threading.Barrier(2, timeout=10)
    outcomes = {}

    def name(manager, lead):
        try:
            with transaction.atomic():
                seen = Episode.objects.get(pk=allocation.episode_id).lead_practitioner_id
                both_read.wait()
                allocation_name_lead(
                    allocation_id=allocation.pk, lead_practitioner=lead, by=manager
                )
            outcomes[manager.pk] = ("named", seen)
        except LeadAlreadyNamed as error:
            outcomes[manager.pk] = ("refused", error.messages[0])
        finally:
            connection.close()

    threads = [
        threading.Thread(target=name, args=args) for args in zip(managers, leads, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(not thread.is_alive() for thread in threads)
    results = sorted(outcomes.values())
    assert [r[0] for r in results] == ["named", "refused"], outcomes
    assert results[0][1] is None  # the winner had read it waiting too
    allocation.refresh_from_db()
    winner, lead = allocation.named_by, allocation.lead_practitioner
    assert results[1][1] == f"{winner} named {lead} as lead practitioner a moment ago"
    assert Episode.objects.get(pk=allocation.episode_id).lead_practitioner == lead
    assert Notification.objects.filter(kind="allocated").count() == 1


def test_every_page_says_plainly_the_family_waits_for_its_lead(world, users):
    waiting = "Allocated to Children and Family Wellbeing Service, waiting for a lead practitioner"
    family_id = world["request"].family_id
    maya = sign_in(Client(), world["maya"])
    hub = sign_in(Client(), users["hub"])
    for client, url in [
        (maya, reverse("family-detail", args=[family_id])),
        (maya, reverse("family-list")),
        (maya, reverse("triage-request", args=[world["request"].pk])),
        (hub, reverse("triage-request", args=[world["request"].pk])),
        (hub, reverse("family-detail", args=[family_id])),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert waiting in response.content.decode(), url
    # The manager's way from the request page to naming the lead; the hub has none.
    request_page = maya.get(reverse("triage-request", args=[world["request"].pk]))
    assert world["url"] in request_page.content.decode()
    assert (
        world["url"]
        not in hub.get(reverse("triage-request", args=[world["request"].pk])).content.decode()
    )
