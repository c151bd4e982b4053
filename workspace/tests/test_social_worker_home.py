"""Issue 18: "The receiving social worker is notified of an accepted step-up and her home lists
the families and requests she holds"."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import StepDown, StepUp
from cases.models.steps import StepDecision
from conftest import sign_in
from earlyhelp.models import Organisation, Team
from earlyhelp.tests.factories import UserFactory
from tests.worlds import make_family

pytestmark = pytest.mark.django_db


@pytest.fixture
def handed(users):
    social_care = Organisation.objects.create(name="Social Care", kind="social_care", tier=1)
    team = Team.objects.create(name="Duty", organisation=social_care)
    sofia = UserFactory(username="sofia", first_name="Sofia", role="practitioner", team=team)
    family = make_family("Risk family", lead=users["practitioner"])
    step_up = StepUp.objects.create(
        episode=family.episodes.get(),
        reason="Bruises",
        requested_by=users["practitioner"],
        status=StepDecision.ACCEPTED,
        decided_by=users["hub"],
        decided_at=timezone.now(),
        received_by=sofia,
        handover="Strategy discussion",
    )
    return sofia, family, step_up


def home_of(user) -> str:
    return sign_in(Client(), user).get(reverse("home")).content.decode()


def test_her_home_lists_the_families_she_holds_and_their_step_down(handed, users):
    sofia, family, step_up = handed
    page = home_of(sofia)
    assert "Families handed to you from early help" in page and "Risk family" in page
    assert "None asked for" in page
    StepDown.objects.create(
        family=family, from_step_up=step_up, reason="Safe now", handover="x", requested_by=sofia
    )
    assert "Waiting for the front door" in home_of(sofia)


def test_a_family_handed_back_or_never_hers_is_not_listed(handed, users):
    sofia, family, step_up = handed
    other = UserFactory(username="omar", role="practitioner", team=sofia.team)
    assert "Families handed to you from early help" not in home_of(other)
    StepDown.objects.create(
        family=family,
        from_step_up=step_up,
        reason="Safe now",
        handover="x",
        requested_by=sofia,
        status=StepDecision.ACCEPTED,
    )
    assert "Families handed to you from early help" not in home_of(sofia)
