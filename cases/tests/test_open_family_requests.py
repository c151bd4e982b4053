"""A request for a family whose episode is already open (issue 18): flagged to the sender as far
as the gate allows and to the hub in full, then added to the episode, passed to its lead, or
closed with a reason: never left "Awaiting allocation" for ever."""

import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from cases.front_door.open_episode import NoOpenEpisode, support_request_resolve_open
from cases.front_door.selectors import open_episodes_of_people
from cases.front_door.services import RequestAlreadyHandled
from cases.models import (
    Allocation,
    Episode,
    FamilyMember,
    Notification,
    OpenEpisodeResolution,
    Person,
    SupportRequest,
)
from earlyhelp.models import AuditEntry, Organisation
from earlyhelp.tests.factories import TeamFactory, UserFactory
from tests.worlds import make_family, open_episode

from .requesting import CHILD, fill_request, waiting_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    agency = Organisation.objects.create(name="Family Support", kind="family_support", tier=2)
    return UserFactory(
        username="lena", first_name="Lena", last_name="Lead", team=TeamFactory(organisation=agency)
    )


@pytest.fixture
def waiting(lead):
    family = make_family("Khan family")
    open_episode(family, lead)
    return waiting_request(family=family, status=SupportRequest.Status.AWAITING_ALLOCATION)


def chronology_of(family, user) -> str:
    """The family page as `user` reads it, where its chronology is (workspace composes it)."""
    from django.test import Client

    from conftest import sign_in

    return sign_in(Client(), user).get(reverse("family-detail", args=[family.pk])).content.decode()


@pytest.fixture
def hub(client_for):
    return client_for("hub")


def test_added_to_the_open_episode_the_lead_is_told_and_the_chronology_shows_it(
    users, lead, waiting
):
    resolution = support_request_resolve_open(
        support_request_id=waiting.pk, outcome="added", by=users["hub"]
    )
    waiting.refresh_from_db()
    assert waiting.status == "added_to_episode"
    assert waiting.get_status_display() == "Added to the open episode"
    assert resolution.episode == waiting.family.episodes.get()
    assert resolution.lead_practitioner == lead
    told = Notification.objects.get(user=lead)
    assert told.kind == "request_added"
    assert told.message == (
        "The hub added a new request for support for the Khan family to the episode you lead."
    )
    assert told.url == reverse("triage-request", args=[waiting.pk])
    assert "Request for support from the family added to the episode" in chronology_of(
        waiting.family, lead
    )
    assert AuditEntry.objects.filter(action="resolve_open", family_id=waiting.family_id).exists()
    # No second episode, no allocation.
    assert Episode.objects.filter(family=waiting.family).count() == 1
    assert not Allocation.objects.exists()


def test_passed_to_the_lead_closes_the_request_as_passed_on(users, lead, waiting):
    support_request_resolve_open(
        support_request_id=waiting.pk, outcome="passed", by=users["hub"], reason="Her call"
    )
    waiting.refresh_from_db()
    assert waiting.status == "passed_to_lead"
    told = Notification.objects.get(user=lead)
    assert told.kind == "request_passed"
    assert "passed a new request for support for the Khan family to you" in told.message
    assert "Request for support from the family passed to Lena Lead" in chronology_of(
        waiting.family, lead
    )


def test_closing_needs_the_hubs_reason_and_keeps_it(users, lead, waiting):
    with pytest.raises(ValidationError) as refused:
        support_request_resolve_open(
            support_request_id=waiting.pk, outcome="closed", by=users["hub"], reason="  "
        )
    assert refused.value.message_dict == {"reason": ["Enter the reason for closing the request"]}
    waiting.refresh_from_db()
    assert waiting.status == "awaiting_allocation"
    support_request_resolve_open(
        support_request_id=waiting.pk,
        outcome="closed",
        by=users["hub"],
        reason="The same concern the lead is already working on.",
    )
    waiting.refresh_from_db()
    assert waiting.status == "closed_by_hub"
    assert waiting.open_episode_resolution.reason == (
        "The same concern the lead is already working on."
    )
    assert not Notification.objects.exists()
    assert "Request for support from" not in chronology_of(waiting.family, lead)


def test_an_unknown_outcome_and_an_overlong_reason_are_refused(users, waiting):
    with pytest.raises(ValidationError) as refused:
        support_request_resolve_open(
            support_request_id=waiting.pk, outcome="lost", by=users["hub"], reason="x" * 2001
        )
    assert refused.value.message_dict == {
        "outcome": ["Select what happens to the request"],
        "reason": ["The reason must be 2000 characters or fewer"],
    }


def test_the_second_hub_worker_is_told_who_was_first(users, waiting):
    support_request_resolve_open(support_request_id=waiting.pk, outcome="added", by=users["hub"])
    other = UserFactory(role="hub", first_name="Hana", last_name="Second")
    with pytest.raises(RequestAlreadyHandled) as late:
        support_request_resolve_open(support_request_id=waiting.pk, outcome="passed", by=other)
    assert late.value.messages[0] == (
        f"This request was added to the open episode by {users['hub']} a moment ago"
    )
    assert OpenEpisodeResolution.objects.count() == 1


def test_a_request_not_yet_triaged_or_a_family_no_longer_open_is_refused(users, lead):
    untriaged = waiting_request(family=make_family("Early family", lead=lead))
    with pytest.raises(RequestAlreadyHandled, match="has not been triaged yet"):
        support_request_resolve_open(
            support_request_id=untriaged.pk, outcome="added", by=users["hub"]
        )
    closed = waiting_request("Closed family", status="awaiting_allocation")
    with pytest.raises(NoOpenEpisode, match="allocate a lead practitioner instead"):
        support_request_resolve_open(support_request_id=closed.pk, outcome="added", by=users["hub"])


@pytest.mark.parametrize("role", ["practitioner", "manager", "programme", "auditor"])
def test_only_the_hub_resolves(users, lead, waiting, role):
    with pytest.raises(PermissionDenied):
        support_request_resolve_open(support_request_id=waiting.pk, outcome="added", by=users[role])
    with pytest.raises(PermissionDenied):  # the lead practitioner neither
        support_request_resolve_open(support_request_id=waiting.pk, outcome="added", by=lead)
    waiting.refresh_from_db()
    assert waiting.status == "awaiting_allocation"


@pytest.mark.django_db(transaction=True)
def test_two_hub_workers_at_once_give_one_resolution(lead):
    family = make_family("Twice family")
    open_episode(family, lead)
    support_request = waiting_request(family=family, status="awaiting_allocation")
    hubs = [UserFactory(role="hub") for _ in range(2)]
    both_ready = threading.Barrier(2, timeout=10)
    outcomes = []

    def resolve(hub, outcome):
        try:
            both_ready.wait()
            with transaction.atomic():
                support_request_resolve_open(
                    support_request_id=support_request.pk, outcome=outcome, by=hub
                )
            outcomes.append("done")
        except RequestAlreadyHandled as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [
        threading.Thread(target=resolve, args=args)
        for args in zip(hubs, ("added", "passed"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes.count("done") == 1, outcomes
    assert OpenEpisodeResolution.objects.count() == 1
    assert Notification.objects.filter(user=lead).count() == 1


# --- pages ----------------------------------------------------------------------------


def test_allocation_offers_the_ways_forward_instead_of_the_refusal(hub, users, waiting):
    allocate = hub.get(reverse("triage-allocate", args=[waiting.pk]))
    url = reverse("triage-open-episode", args=[waiting.pk])
    assert allocate.status_code == 302 and allocate.url == url
    page = hub.get(url).content.decode()
    assert (
        "This family already has an open episode led by Lena Lead (Family Support) since "
        "1 September 2026" in page
    )
    for label in ("Add it to the open episode", "Pass it to the lead practitioner", "Close it"):
        assert label in page
    request_page = hub.get(reverse("triage-request", args=[waiting.pk])).content.decode()
    assert "Decide what happens to this request" in request_page
    assert "already has an open episode led by Lena Lead" in request_page


def test_the_page_refuses_a_missing_choice_and_a_close_without_reason(hub, waiting):
    url = reverse("triage-open-episode", args=[waiting.pk])
    response = hub.post(url, {})
    page = response.content.decode()
    assert response.status_code == 400
    assert page.count("<title>Error: ") == 1
    assert "Select what happens to the request" in page
    response = hub.post(url, {"outcome": "closed", "reason": ""})
    assert response.status_code == 400
    assert "Enter the reason for closing the request" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == "awaiting_allocation"


def test_the_hub_adds_the_request_and_the_referrer_is_told(hub, client_for, users, waiting):
    SupportRequest.objects.filter(pk=waiting.pk).update(submitted_by=users["practitioner"])
    response = hub.post(
        reverse("triage-open-episode", args=[waiting.pk]), {"outcome": "added"}, follow=True
    )
    page = response.content.decode()
    assert "The request is added to the open episode. Lena Lead is told." in page
    assert "Added to the open episode" in page
    yours = client_for("practitioner").get(reverse("request-list")).content.decode()
    assert "Added to the open episode" in yours
    assert "the hub added your request to that support" in yours
    # Once decided, the page sends a second worker back with who was first.
    again = hub.get(reverse("triage-open-episode", args=[waiting.pk]), follow=True)
    assert "This request was added to the open episode by" in again.content.decode()


def test_a_closed_requests_reason_is_not_shown_to_a_referrer_who_cannot_see_the_family(
    hub, client_for, users, waiting
):
    SupportRequest.objects.filter(pk=waiting.pk).update(submitted_by=users["practitioner"])
    hub.post(
        reverse("triage-open-episode", args=[waiting.pk]),
        {"outcome": "closed", "reason": "Lena Lead already knows"},
    )
    yours = client_for("practitioner").get(reverse("request-list")).content.decode()
    assert "the hub closed your request." in yours
    assert "Lena Lead" not in yours


@pytest.mark.parametrize("role", ["practitioner", "manager", "programme"])
def test_others_cannot_open_the_page(client_for, waiting, role):
    response = client_for(role).get(reverse("triage-open-episode", args=[waiting.pk]))
    assert response.status_code in (403, 404)
    assert AuditEntry.objects.filter(
        user__username=role, outcome__in=["forbidden", "not_found"]
    ).exists()


def test_the_lead_opens_the_request_from_the_notification(client_for, users, lead, waiting):
    support_request_resolve_open(support_request_id=waiting.pk, outcome="added", by=users["hub"])
    from django.test import Client

    from conftest import sign_in

    page = sign_in(Client(), lead).get(Notification.objects.get(user=lead).url)
    assert page.status_code == 200
    assert "Request for the Khan family" in page.content.decode()


# --- the sender, before sending --------------------------------------------------------


def nowak_in_open_family(lead):
    family = make_family("Nowak family", members=0)
    tomasz = Person.objects.create(
        first_name="Tomasz", last_name="Nowak", date_of_birth=date(2014, 3, 2), postcode="LE11 2AB"
    )
    FamilyMember.objects.create(family=family, person=tomasz, role="child")
    open_episode(family, lead)
    return family, tomasz


def test_a_sender_who_sees_the_family_is_told_who_leads_it(lead):
    from django.test import Client

    from conftest import sign_in

    family, tomasz = nowak_in_open_family(lead)
    client = sign_in(Client(), lead)
    fill_request(client, people=(CHILD,), matches=[tomasz.pk])
    page = client.get(reverse("request-check")).content.decode()
    assert (
        "The Nowak family already has an open episode, led by Lena Lead (Family Support) since "
        "1 September 2026" in page
    )
    response = client.post(reverse("request-check"), {}, follow=True)
    assert "The family already has an open episode, led by Lena Lead" in response.content.decode()
    assert AuditEntry.objects.filter(action="request_check", user=lead).exists()


def test_a_sender_who_cannot_see_the_family_learns_only_that_it_is_supported(users, lead):
    family, tomasz = nowak_in_open_family(lead)
    (found,) = open_episodes_of_people(users["practitioner"], [tomasz.pk])
    assert found["visible"] is False and found["family"] == family
    (found,) = open_episodes_of_people(lead, [tomasz.pk])
    assert found["visible"] is True


def test_a_triage_page_flags_the_open_family_before_the_decision(hub, lead):
    family = make_family("Flag family", lead=lead)
    support_request = waiting_request(family=family)
    page = hub.get(reverse("triage-request", args=[support_request.pk])).content.decode()
    assert "This family already has an open episode led by Lena Lead" in page
    assert "Once you have decided, you can add this request to the open episode" in page


def test_the_notice_names_no_lead_to_a_sender_who_cannot_see_the_family(lead):
    from django.template.loader import render_to_string

    family, tomasz = nowak_in_open_family(lead)
    episode = family.episodes.get()
    hidden = render_to_string(
        "requests/open_family_notice.html",
        {"open_families": [{"episode": episode, "family": family, "visible": False}]},
    )
    assert "The family is already being supported" in hidden
    assert "Lena Lead" not in hidden and "Nowak" not in hidden and "Family Support" not in hidden
    shown = render_to_string(
        "requests/open_family_notice.html",
        {"open_families": [{"episode": episode, "family": family, "visible": True}]},
    )
    assert "led by Lena Lead (Family Support)" in shown


def test_a_sender_linking_nobody_in_an_open_family_sees_no_notice_and_no_audit(lead):
    from django.test import Client

    from conftest import sign_in

    client = sign_in(Client(), lead)
    fill_request(client, people=(CHILD,))
    page = client.get(reverse("request-check")).content.decode()
    assert "already has an open episode" not in page
    assert not AuditEntry.objects.filter(action="request_check").exists()


def test_a_request_triaged_long_ago_is_decided_and_the_hub_goes_back_to_its_queue(
    hub, set_policy, waiting
):
    window = set_policy().hub_recent_triage_days
    long_ago = timezone.now() - timedelta(days=window + 1)
    SupportRequest.objects.filter(pk=waiting.pk).update(triaged_at=long_ago)
    response = hub.post(
        reverse("triage-open-episode", args=[waiting.pk]), {"outcome": "passed"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("triage-queue")
    assert "The request is passed to Lena Lead, who is told." in response.content.decode()
