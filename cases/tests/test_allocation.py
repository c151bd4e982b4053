"""Allocation: a lead agency and practitioner, chosen against caseloads, open the episode
(DOMAIN §4 step 3). Two hub staff allocating at once give one allocation."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from cases.front_door.services import RequestAlreadyHandled, support_request_allocate
from cases.models import Allocation, Episode, SupportRequest, TafMember
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
def waiting():
    return waiting_request("Khan family", status=SupportRequest.Status.AWAITING_ALLOCATION)


@pytest.fixture
def hub(client_for):
    return client_for("hub")


def test_the_hub_sees_each_candidates_caseload_against_the_target(
    hub, users, agency, workers, waiting
):
    url = reverse("triage-allocate", args=[waiting.pk])
    picker = hub.get(url)
    assert picker.status_code == 200 and "Select an agency" in picker.content.decode()
    page = hub.get(url, {"lead_agency": agency.pk}).content.decode()
    assert "Priya Shah" in page and "3 of 10 families" in page
    assert "Omar Haddad" in page and "10 of 10 families" in page
    assert page.count("At or over target") == 1
    # Lightest caseload first.
    assert page.index("Priya Shah") < page.index("Omar Haddad")
    # Practitioners of another agency, and other roles, are not offered.
    other = UserFactory(first_name="Olu", last_name="Elsewhere")
    assert str(other) not in page
    offered = page.count('name="lead_practitioner" type="radio"')
    assert offered == 2


def test_the_caseload_target_is_configurable(hub, agency, workers, waiting, settings):
    settings.CASELOAD_TARGET = 12
    page = hub.get(
        reverse("triage-allocate", args=[waiting.pk]), {"lead_agency": agency.pk}
    ).content.decode()
    assert "10 of 12 families" in page and "At or over target" not in page


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


def test_a_bad_practitioner_is_refused_and_nothing_is_saved(hub, agency, workers, waiting):
    url = reverse("triage-allocate", args=[waiting.pk])
    outsider = UserFactory(first_name="Olu", last_name="Elsewhere")  # another agency's
    manager = UserFactory(role="manager", team=workers[0].team)  # not a practitioner
    for data, message in [
        ({"lead_agency": agency.pk}, "Select the lead practitioner"),
        ({"lead_agency": agency.pk, "lead_practitioner": outsider.pk}, "from the list"),
        ({"lead_agency": agency.pk, "lead_practitioner": manager.pk}, "from the list"),
        ({"lead_agency": agency.pk, "lead_practitioner": "x"}, "from the list"),
    ]:
        response = hub.post(url, data)
        page = response.content.decode()
        assert response.status_code == 400, data
        assert "govuk-error-summary" in page and message in page
    assert not Allocation.objects.exists()
    assert not Episode.objects.filter(family=waiting.family).exists()
    waiting.refresh_from_db()
    assert waiting.status == "awaiting_allocation"
    # Without an agency the page goes back to choosing one.
    assert hub.post(url, {"lead_practitioner": workers[0].pk}).status_code == 302


def test_allocation_opens_the_episode_and_the_lead_then_sees_the_family(
    hub, users, agency, workers, waiting
):
    priya = workers[0]
    response = hub.post(
        reverse("triage-allocate", args=[waiting.pk]),
        {"lead_agency": agency.pk, "lead_practitioner": priya.pk},
    )
    assert response.status_code == 302
    allocation = Allocation.objects.get()
    assert allocation.request == waiting and allocation.allocated_by == users["hub"]
    assert (allocation.lead_agency, allocation.lead_practitioner) == (agency, priya)
    assert allocation.caseload_then == 3
    episode = allocation.episode
    assert episode.family == waiting.family and episode.status == "open"
    assert (episode.lead_practitioner, episode.lead_agency) == (priya, agency)
    waiting.refresh_from_db()
    assert waiting.status == "allocated"
    assert AuditEntry.objects.filter(action="allocate", family_id=waiting.family_id).exists()

    lead = sign_in(Client(), priya)
    families = lead.get(reverse("family-list")).content.decode()
    assert "Khan family" in families
    assert lead.get(reverse("family-detail", args=[waiting.family_id])).status_code == 200
    page = hub.get(reverse("triage-request", args=[waiting.pk])).content.decode()
    assert "Priya Shah" in page and "3 families then" in page
    # The lead practitioner is told, in the service (and by email where she has one).
    from cases.models import Notification

    assert Notification.objects.filter(user=priya, family=waiting.family).exists()


def test_allocating_again_says_who_allocated_it(hub, users, agency, workers, waiting):
    priya, omar = workers
    url = reverse("triage-allocate", args=[waiting.pk])
    hub.post(url, {"lead_agency": agency.pk, "lead_practitioner": priya.pk})
    second = sign_in(Client(), UserFactory(role="hub"))
    late = second.post(url, {"lead_agency": agency.pk, "lead_practitioner": omar.pk}, follow=True)
    assert f"This request was allocated by {users['hub']} a moment ago" in late.content.decode()
    assert Allocation.objects.count() == 1
    assert Episode.objects.filter(family=waiting.family).count() == 1


def test_a_family_with_an_open_episode_is_not_given_a_second(hub, agency, workers, waiting):
    open_episode(waiting.family, UserFactory(first_name="Lena", last_name="Lead"))
    response = hub.post(
        reverse("triage-allocate", args=[waiting.pk]),
        {"lead_agency": agency.pk, "lead_practitioner": workers[0].pk},
        follow=True,
    )
    assert "This family already has an open episode led by Lena Lead" in response.content.decode()
    assert not Allocation.objects.exists()
    assert Episode.objects.filter(family=waiting.family).count() == 1


def test_a_request_not_triaged_for_allocation_cannot_be_allocated(hub, agency, workers):
    untriaged = waiting_request("Early family")
    response = hub.get(reverse("triage-allocate", args=[untriaged.pk]), follow=True)
    assert "This request has not been triaged yet" in response.content.decode()


def test_only_the_hub_allocates(client_for, users, agency, workers, waiting):
    url = reverse("triage-allocate", args=[waiting.pk])
    data = {"lead_agency": agency.pk, "lead_practitioner": workers[0].pk}
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
    waiting = waiting_request("Race family", status=SupportRequest.Status.AWAITING_ALLOCATION)
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
    assert Episode.objects.filter(family=waiting.family).count() == 1
    assert Episode.objects.get(family=waiting.family) == allocation.episode
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
    family = make_family("Twice family", members=0)
    requests = [
        waiting_request(family=family, status="awaiting_allocation", age=timedelta(hours=h))
        for h in (1, 2)
    ]
    both_read = threading.Barrier(2, timeout=10)
    outcomes = []

    def allocate(hub, lead, support_request):
        try:
            with transaction.atomic():
                Episode.objects.filter(family=family).exists()
                both_read.wait()
                support_request_allocate(
                    support_request_id=support_request.pk,
                    lead_agency=agency,
                    lead_practitioner=lead,
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
