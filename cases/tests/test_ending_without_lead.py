"""An episode no one leads can end (issue 18: never a state with no way forward). A P3b is
"short-term targeted single-agency support (up to ~3 months)" (DOMAIN §2) with no named lead,
and a P3a family may go before its lead is named; with no lead to ask for closure, a manager of
the lead agency ends the episode. Only they may; afterwards a new request can be allocated."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from cases.allocation.services import allocation_name_lead
from cases.closure.services import unled_episode_end
from cases.front_door.services import support_request_allocate
from cases.models import Closure, Episode
from conftest import sign_in
from earlyhelp.models import AuditEntry

from . import test_naming_the_lead as naming
from .requesting import waiting_request
from .test_allocation import decided

agency, world = naming.agency, naming.world  # the naming tests' agency and waiting family

pytestmark = pytest.mark.django_db
ENDED = {"reason": "needs_met", "needs_at_closure": "Six sessions on routines; none now."}


def url(world):
    return reverse("episode-end-unled", args=[world["request"].family_id])


def test_a_manager_of_the_agency_ends_it_from_their_home_and_it_closes_at_once(
    world, agency, users
):
    manager = sign_in(Client(), world["maya"])
    home = manager.get(reverse("home")).content.decode()
    assert url(world) in home and "End the episode" in home
    page = manager.get(url(world))
    episode = world["allocation"].episode
    assert page.status_code == 200 and episode.lead_label in page.content.decode()

    done = manager.post(url(world), ENDED, follow=True)

    # Back home, told it ended (the family page is no longer theirs to open).
    assert done.redirect_chain[-1][0] == reverse("home") and done.status_code == 200
    assert "The Khan family&#x27;s episode has ended." in done.content.decode()
    episode.refresh_from_db()
    assert episode.status == "closed" and episode.closure_reason == "needs_met"
    closure = Closure.objects.get(episode=episode)
    assert (closure.status, closure.requested_by, closure.decided_by) == (
        "signed_off",
        world["maya"],
        world["maya"],
    )
    assert closure.needs_at_closure == ENDED["needs_at_closure"]
    assert AuditEntry.objects.filter(action="unled_episode_end", user=world["maya"]).exists()
    # The family is no longer the agency's to end (404), and a new request can be allocated.
    assert manager.get(url(world)).status_code == 404
    again = decided(waiting_request("Khan family", status="awaiting_allocation"))
    again.family = world["request"].family
    again.save()
    support_request_allocate(support_request_id=again.pk, lead_agency=agency, by=users["hub"])
    assert Episode.objects.filter(family=again.family, status="open").count() == 1


def test_a_wrong_answer_says_what_to_fix_and_nothing_closes(world):
    manager = sign_in(Client(), world["maya"])
    refused = manager.post(url(world), {"reason": "", "needs_at_closure": " "})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Select why the episode ends" in text
    assert "Enter what the service did and what the family need now" in text
    assert Episode.objects.get(pk=world["allocation"].episode_id).status == "open"
    stepped = manager.post(url(world), {**ENDED, "reason": "stepped_up"})
    assert stepped.status_code == 400  # a step-up is the front door's decision, not an ending


@pytest.mark.parametrize("who", ["elsewhere", "outsider", "priya"])
def test_no_one_else_finds_it_to_end(world, who):
    assert sign_in(Client(), world[who]).post(url(world), ENDED).status_code == 404
    assert Episode.objects.get(pk=world["allocation"].episode_id).status == "open"
    assert AuditEntry.objects.filter(user=world[who], outcome="not_found").exists()


def test_the_hub_which_reads_the_family_may_not_end_it(world, users):
    assert sign_in(Client(), users["hub"]).post(url(world), ENDED).status_code == 403
    with pytest.raises(PermissionDenied):
        unled_episode_end(episode=world["allocation"].episode, by=users["hub"], **ENDED)


def test_once_a_lead_is_named_the_lead_asks_for_closure_instead(world):
    allocation_name_lead(
        allocation_id=world["allocation"].pk, lead_practitioner=world["priya"], by=world["maya"]
    )
    with pytest.raises(ValidationError, match="A lead practitioner leads this episode now"):
        unled_episode_end(episode=world["allocation"].episode, by=world["maya"], **ENDED)
    # ... and the page refuses the manager, who now sees the family as Priya's manager (403).
    assert sign_in(Client(), world["maya"]).post(url(world), ENDED).status_code == 403
