"""Allocation by the hub: a lead agency, and a lead practitioner only if already engaged with
the family, open the episode (DOMAIN §4 step 3). Two hub staff allocating at once give one
allocation. Naming the lead by the agency's team manager: test_naming_the_lead.py."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from cases.front_door.services import RequestAlreadyHandled, support_request_allocate
from cases.models import Allocation, Episode, Notification, SupportRequest, TafMember
from conftest import sign_in
from earlyhelp.models import AuditEntry, Organisation
from earlyhelp.tests.factories import TeamFactory, UserFactory
from tests.worlds import make_family, open_episode

from .requesting import waiting_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency():
    return Organisation.objects.create(
        name="Children and Family Wellbeing Service", kind="family_support", tier=2
    )


@pytest.fixture
def workers(agency):
    """Two family workers of the agency: Priya carries 3 families, Omar 10 (the target)."""
    team = TeamFactory(organisation=agency, name="Charnwood family support")
    priya = UserFactory(username="priya", first_name="Priya", last_name="Shah", team=team)
    omar = UserFactory(username="omar", first_name="Omar", last_name="Haddad", team=team)
    for lead, count in ((priya, 3), (omar, 10)):
        for i in range(count):
            make_family(f"Case{i} {lead.username} family", members=0, lead=lead)
    return priya, omar


@pytest.fixture
def waiting(users):
    return decided(waiting_request("Khan family", status=SupportRequest.Status.AWAITING_ALLOCATION))


def decided(support_request, priority="p3a"):
    """The hub's decision a request awaiting allocation was given (P3a unless said)."""
    from django.utils import timezone

    from cases.models import TriageDecision
    from earlyhelp.models import User

    hub = User.objects.filter(role="hub").first() or UserFactory(role="hub")
    TriageDecision.objects.create(
        request=support_request,
        priority=priority,
        rationale="Needs support",
        decided_by=hub,
        decided_at=timezone.now(),
        time_to_decision=timedelta(hours=1),
    )
    return support_request


def engage(user, family):
    """`user` was on the family's team around it in an earlier, closed episode."""
    episode = Episode.objects.create(
        family=family,
        started_on="2025-01-06",
        ended_on="2025-06-30",
        status="closed",
        lead_agency=user.team.organisation,
    )
    TafMember.objects.create(episode=episode, user=user, joined_on="2025-01-06")


@pytest.fixture
def hub(client_for):
    return client_for("hub")


@pytest.fixture
def manager(agency, workers):
    """The team manager of the agency's family support team."""
    boss = UserFactory(role="manager", first_name="Maya", last_name="Manager")
    boss.managed_teams.add(workers[0].team)
    return boss


def test_the_hub_may_name_only_an_engaged_practitioner_seeing_their_caseload(
    hub, users, agency, workers, waiting, manager
):
    priya, omar = workers
    engage(omar, waiting.family)
    url = reverse("triage-allocate", args=[waiting.pk])
    picker = hub.get(url)
    assert picker.status_code == 200 and "Select an agency" in picker.content.decode()
    page = hub.get(url, {"lead_agency": agency.pk}).content.decode()
    # Omar was on the family's team before: he may be named, with his caseload against target.
    assert "Omar Haddad" in page and "10 of 10 families" in page
    assert page.count("At or over target") == 1
    assert "were on its team around the family" in page  # what "engaged" means, said
    # Priya (lighter, but never engaged with the family) is for the team manager to choose.
    assert "Priya Shah" not in page
    assert "Children and Family Wellbeing Service" in page
    assert "s team manager names the lead practitioner" in page
    offered = page.count('name="lead_practitioner" type="radio"')
    assert offered == 2  # Omar, or the agency's team manager names the lead


def test_with_no_one_engaged_the_hub_allocates_to_the_agency(
    hub, agency, workers, waiting, manager
):
    page = hub.get(
        reverse("triage-allocate", args=[waiting.pk]), {"lead_agency": agency.pk}
    ).content.decode()
    assert "No practitioner of Children and Family Wellbeing Service is already engaged" in page
    assert 'type="radio"' not in page
    assert "Allocate to Children and Family Wellbeing Service" in page


@pytest.mark.parametrize(
    "query, message",
    [
        ({"lead_agency": ""}, "Select the lead agency"),
        ({"lead_agency": "999999"}, "Select lead agency from the list"),
        ({"lead_agency": "not-a-number"}, "Select lead agency from the list"),
    ],
)
def test_a_bad_agency_is_refused(hub, agency, waiting, query, message):
    response = hub.get(reverse("triage-allocate", args=[waiting.pk]), query)
    page = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in page and message in page


def test_a_bad_practitioner_is_refused_and_nothing_is_saved(hub, agency, workers, waiting, manager):
    priya, omar = workers
    engage(omar, waiting.family)
    url = reverse("triage-allocate", args=[waiting.pk])
    outsider = UserFactory(first_name="Olu", last_name="Elsewhere")  # another agency's
    engage(outsider, waiting.family)
    for data, message in [
        ({"lead_agency": agency.pk}, "Select who will lead the work, or that the agency"),
        ({"lead_agency": agency.pk, "lead_practitioner": outsider.pk}, "from the list"),
        ({"lead_agency": agency.pk, "lead_practitioner": manager.pk}, "from the list"),
        # Priya is of the agency but not engaged with the family: not the hub's to name.
        ({"lead_agency": agency.pk, "lead_practitioner": priya.pk}, "from the list"),
        ({"lead_agency": agency.pk, "lead_practitioner": "x"}, "from the list"),
    ]:
        response = hub.post(url, data)
        page = response.content.decode()
        assert response.status_code == 400, data
        assert "govuk-error-summary" in page and message in page
    assert not Allocation.objects.exists()
    assert not Episode.objects.filter(family=waiting.family, status="open").exists()
    waiting.refresh_from_db()
    assert waiting.status == "awaiting_allocation"
    # Without an agency the page goes back to choosing one.
    assert hub.post(url, {"lead_practitioner": omar.pk}).status_code == 302


def test_the_service_refuses_a_practitioner_not_engaged(users, agency, workers, waiting):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        support_request_allocate(
            support_request_id=waiting.pk,
            lead_agency=agency,
            lead_practitioner=workers[0],
            by=users["hub"],
        )
    assert "Priya Shah is not yet engaged with this family" in refused.value.messages[0]
    assert not Allocation.objects.exists()


def test_the_hub_names_an_engaged_lead_and_the_episode_opens_with_them(
    hub, users, agency, workers, waiting, manager
):
    omar = workers[1]
    engage(omar, waiting.family)
    response = hub.post(
        reverse("triage-allocate", args=[waiting.pk]),
        {"lead_agency": agency.pk, "lead_practitioner": omar.pk},
    )
    assert response.status_code == 302
    allocation = Allocation.objects.get()
    assert allocation.request == waiting and allocation.allocated_by == users["hub"]
    assert (allocation.lead_agency, allocation.lead_practitioner) == (agency, omar)
    assert (allocation.caseload_then, allocation.named_by) == (10, users["hub"])
    episode = allocation.episode
    assert episode.family == waiting.family and episode.status == "open"
    assert (episode.lead_practitioner, episode.lead_agency) == (omar, agency)
    waiting.refresh_from_db()
    assert waiting.status == "allocated"
    assert AuditEntry.objects.filter(action="allocate", family_id=waiting.family_id).exists()

    lead = sign_in(Client(), omar)
    families = lead.get(reverse("family-list")).content.decode()
    assert "Khan family" in families
    assert lead.get(reverse("family-detail", args=[waiting.family_id])).status_code == 200
    page = hub.get(reverse("triage-request", args=[waiting.pk])).content.decode()
    assert "Omar Haddad" in page and "10 families then" in page
    # The lead practitioner is told; the agency's managers have nothing to name.
    assert Notification.objects.filter(user=omar, family=waiting.family).exists()
    assert not Notification.objects.filter(user=manager).exists()


def test_allocated_to_the_agency_the_family_waits_for_a_lead_and_its_managers_are_told(
    hub, users, agency, workers, waiting, manager
):
    other_agencys = UserFactory(role="manager")
    other_agencys.managed_teams.add(TeamFactory())
    response = hub.post(
        reverse("triage-allocate", args=[waiting.pk]), {"lead_agency": agency.pk}, follow=True
    )
    assert (
        "Allocated to Children and Family Wellbeing Service, waiting for a lead practitioner"
        in response.content.decode()
    )
    allocation = Allocation.objects.get()
    assert allocation.lead_practitioner is None and allocation.caseload_then is None
    episode = allocation.episode
    assert (episode.status, episode.lead_agency, episode.lead_practitioner) == (
        "open",
        agency,
        None,
    )
    assert not episode.single_service
    told = Notification.objects.get(user=manager)
    assert told.kind == "agency_allocated" and told.family == waiting.family
    assert told.url == reverse("allocation-name-lead", args=[waiting.pk])
    assert not Notification.objects.exclude(user=manager).exists()
    # No practitioner of the agency sees the family until one is named to lead it.
    for worker in workers:
        page = sign_in(Client(), worker).get(reverse("family-detail", args=[waiting.family_id]))
        assert page.status_code == 404


def test_an_agency_no_manager_can_name_for_is_refused(hub, users, agency, workers, waiting):
    url = reverse("triage-allocate", args=[waiting.pk])
    page = hub.get(url, {"lead_agency": agency.pk}).content.decode()
    assert "No team manager of Children and Family Wellbeing Service can name" in page
    response = hub.post(url, {"lead_agency": agency.pk})
    assert response.status_code == 400
    assert "No team manager of Children and Family Wellbeing Service" in response.content.decode()
    assert not Allocation.objects.exists()


def test_a_p3b_goes_to_the_service_without_a_named_lead(hub, users, agency, workers, manager):
    waiting = decided(
        waiting_request("Single family", status=SupportRequest.Status.AWAITING_ALLOCATION), "p3b"
    )
    engage(workers[1], waiting.family)
    url = reverse("triage-allocate", args=[waiting.pk])
    page = hub.get(url, {"lead_agency": agency.pk}).content.decode()
    assert "single-service response (P3b)" in page and 'type="radio"' not in page
    # Even an engaged practitioner is not named for a single-service response.
    refused = hub.post(url, {"lead_agency": agency.pk, "lead_practitioner": workers[1].pk})
    assert refused.status_code == 302
    episode = Episode.objects.get(family=waiting.family, status="open")
    assert episode.single_service and episode.lead_practitioner is None
    assert episode.lead_agency == agency
    label = "No named lead: single-service response by Children and Family Wellbeing Service"
    assert episode.lead_label == label
    assert label in hub.get(reverse("triage-request", args=[waiting.pk])).content.decode()
    # The agency's manager sees the family, saying so plainly, and has no lead to name.
    boss = sign_in(Client(), manager)
    family_page = boss.get(reverse("family-detail", args=[waiting.family_id]))
    assert family_page.status_code == 200 and label in family_page.content.decode()
    assert label in boss.get(reverse("family-list")).content.decode()
    home = boss.get(reverse("home")).content.decode()
    assert "Single family" in home and "Single-service responses, no named lead (1)" in home
    naming = boss.get(reverse("allocation-name-lead", args=[waiting.pk]), follow=True)
    assert "This request has no lead practitioner to name" in naming.content.decode()
    assert Notification.objects.get(user=manager).kind == "agency_allocated"


def test_the_service_refuses_a_named_lead_for_a_p3b(users, agency, workers, manager):
    from django.core.exceptions import ValidationError

    waiting = decided(waiting_request(status="awaiting_allocation"), "p3b")
    engage(workers[0], waiting.family)
    with pytest.raises(ValidationError) as refused:
        support_request_allocate(
            support_request_id=waiting.pk,
            lead_agency=agency,
            lead_practitioner=workers[0],
            by=users["hub"],
        )
    assert "single-service response goes to the agency without" in refused.value.messages[0]


def test_allocating_again_says_who_allocated_it(hub, users, agency, workers, waiting, manager):
    url = reverse("triage-allocate", args=[waiting.pk])
    hub.post(url, {"lead_agency": agency.pk})
    second = sign_in(Client(), UserFactory(role="hub"))
    late = second.post(url, {"lead_agency": agency.pk}, follow=True)
    assert f"This request was allocated by {users['hub']} a moment ago" in late.content.decode()
    assert Allocation.objects.count() == 1
    assert Episode.objects.filter(family=waiting.family).count() == 1


def test_a_family_with_an_open_episode_is_not_given_a_second(
    hub, agency, workers, waiting, manager
):
    open_episode(waiting.family, UserFactory(first_name="Lena", last_name="Lead"))
    response = hub.post(
        reverse("triage-allocate", args=[waiting.pk]), {"lead_agency": agency.pk}, follow=True
    )
    assert "This family already has an open episode led by Lena Lead" in response.content.decode()
    assert not Allocation.objects.exists()
    assert Episode.objects.filter(family=waiting.family).count() == 1


def test_a_request_not_triaged_for_allocation_cannot_be_allocated(hub, agency, workers):
    untriaged = waiting_request("Early family")
    response = hub.get(reverse("triage-allocate", args=[untriaged.pk]), follow=True)
    assert "This request has not been triaged yet" in response.content.decode()


def test_only_the_hub_allocates(client_for, users, agency, workers, waiting, manager):
    url = reverse("triage-allocate", args=[waiting.pk])
    data = {"lead_agency": agency.pk}
    for role in ("practitioner", "manager", "programme", "auditor", "administrator"):
        assert client_for(role).post(url, data).status_code == 404, role
    # On the family's team, a practitioner sees the family but may not allocate (403).
    episode = open_episode(make_family("Taf family"), UserFactory())
    TafMember.objects.create(episode=episode, user=users["practitioner"], joined_on="2026-01-01")
    taf_request = waiting_request(family=episode.family, status="awaiting_allocation")
    response = client_for("practitioner").post(
        reverse("triage-allocate", args=[taf_request.pk]), data
    )
    assert response.status_code == 403
    assert not Allocation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_hub_users_allocating_at_once_give_one_allocation():
    """Two real transactions on two connections: both read the request as waiting, then both
    allocate. The row lock serves them one after the other; the second is told who won."""
    agency = Organisation.objects.create(name="Family Support", kind="family_support", tier=2)
    team = TeamFactory(organisation=agency)
    leads = [UserFactory(team=team, first_name=name, last_name="Lead") for name in ("A", "B")]
    hubs = [UserFactory(role="hub", first_name=name, last_name="Hub") for name in ("Ha", "Hb")]
    UserFactory(role="manager").managed_teams.add(team)
    waiting = decided(
        waiting_request("Race family", status=SupportRequest.Status.AWAITING_ALLOCATION)
    )
    for lead in leads:
        engage(lead, waiting.family)
    both_read = threading.Barrier(2, timeout=10)
    outcomes = {}

    def allocate(hub, lead):
        try:
            with transaction.atomic():
                seen = SupportRequest.objects.get(pk=waiting.pk).status
                both_read.wait()  # neither writes before both have read "awaiting allocation"
                outcomes[hub.pk] = ("read", seen)
                support_request_allocate(
                    support_request_id=waiting.pk,
                    lead_agency=agency,
                    lead_practitioner=lead,
                    by=hub,
                )
            outcomes[hub.pk] = ("allocated", seen)
        except RequestAlreadyHandled as error:
            outcomes[hub.pk] = ("refused", error.messages[0])
        finally:
            connection.close()

    threads = [
        threading.Thread(target=allocate, args=(hub, lead))
        for hub, lead in zip(hubs, leads, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(not thread.is_alive() for thread in threads)

    results = sorted(outcomes.values())
    assert [r[0] for r in results] == ["allocated", "refused"], outcomes
    assert results[0][1] == "awaiting_allocation"  # the winner had read it waiting too
    allocation = Allocation.objects.get()
    winner = allocation.allocated_by
    assert results[1][1] == f"This request was allocated by {winner} a moment ago"
    assert Episode.objects.filter(family=waiting.family, status="open").count() == 1
    assert Episode.objects.get(family=waiting.family, status="open") == allocation.episode
    waiting.refresh_from_db()
    assert waiting.status == "allocated"


@pytest.mark.django_db(transaction=True)
def test_the_open_episode_rule_stands_behind_the_lock():
    """Two requests for one family, allocated at once: different rows, so the row lock does not
    serialise them, and the database's one-open-episode rule refuses the second."""
    from cases.front_door.services import FamilyAlreadyOpen

    agency = Organisation.objects.create(name="Family Support", kind="family_support", tier=2)
    team = TeamFactory(organisation=agency)
    leads = [UserFactory(team=team, first_name=name, last_name="Lead") for name in ("A", "B")]
    hubs = [UserFactory(role="hub") for _ in range(2)]
    UserFactory(role="manager").managed_teams.add(team)
    family = make_family("Twice family", members=0)
    requests = [
        decided(
            waiting_request(family=family, status="awaiting_allocation", age=timedelta(hours=h))
        )
        for h in (1, 2)
    ]
    both_read = threading.Barrier(2, timeout=10)
    outcomes = []

    def allocate(hub, lead, support_request):
        try:
            with transaction.atomic():
                Episode.objects.filter(family=family, status="open").exists()
                both_read.wait()
                support_request_allocate(
                    support_request_id=support_request.pk,
                    lead_agency=agency,
                    lead_practitioner=None,  # to the agency: its manager names the lead
                    by=hub,
                )
            outcomes.append("allocated")
        except FamilyAlreadyOpen as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [
        threading.Thread(target=allocate, args=args)
        for args in zip(hubs, leads, requests, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes.count("allocated") == 1, outcomes
    (refusal,) = [outcome for outcome in outcomes if outcome != "allocated"]
    assert refusal.startswith("This family already has an open episode")
    assert Episode.objects.filter(family=family, status="open").count() == 1
    assert Allocation.objects.count() == 1
