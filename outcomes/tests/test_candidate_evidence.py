"""The programme team records evidence for a candidate family before attaching it (issue 17):
the evidence that makes attachment possible often arrives through them."""

import pytest
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from earlyhelp.tests.factories import UserFactory
from outcomes.models import Evidence
from outcomes.relations import programme_candidates
from outcomes.tests.test_attachment import attachable
from outcomes.tests.test_outcomes_pages import offence_form
from tests.worlds import make_family

pytestmark = pytest.mark.django_db


def test_the_programme_team_records_evidence_for_a_candidate(users, client_for):
    family, _episode = attachable(users)
    assert programme_candidates().filter(family=family).exists()
    programme = client_for("programme")
    before = Evidence.objects.filter(family=family).count()

    chosen = programme.get(reverse("evidence-add", args=[family.pk]), {"kind": "offence"})
    assert chosen.status_code == 302
    url = reverse("evidence-add-kind", args=[family.pk, "offence"])
    assert programme.get(url).status_code == 200
    response = programme.post(url, offence_form(family))
    assert response.status_code == 302
    assert response["Location"] == reverse("evidence-list", args=[family.pk])

    item = Evidence.objects.filter(family=family).latest("pk")
    assert Evidence.objects.filter(family=family).count() == before + 1
    assert (item.kind, item.recorded_by) == ("offence", users["programme"])
    listing = programme.get(reverse("evidence-list", args=[family.pk]))
    assert listing.status_code == 200 and "Youth Offending Service" in listing.content.decode()


def test_no_evidence_for_a_family_neither_candidate_nor_attached(users, client_for):
    other = make_family("Thompson family", members=2, lead=users["practitioner"])
    assert not programme_candidates().filter(family=other).exists()
    programme = client_for("programme")
    url = reverse("evidence-add-kind", args=[other.pk, "offence"])

    assert programme.get(reverse("evidence-add", args=[other.pk])).status_code == 404
    assert programme.get(url).status_code == 404
    assert programme.post(url, offence_form(other)).status_code == 404
    assert programme.get(reverse("evidence-list", args=[other.pk])).status_code == 404
    assert not Evidence.objects.filter(family=other).exists()


def test_a_practitioner_unrelated_to_the_candidate_gets_404(users):
    family, _episode = attachable(users)
    stranger = sign_in(Client(), UserFactory(role="practitioner"))
    url = reverse("evidence-add-kind", args=[family.pk, "offence"])
    before = Evidence.objects.filter(family=family).count()

    assert stranger.get(reverse("evidence-add", args=[family.pk])).status_code == 404
    assert stranger.post(url, offence_form(family)).status_code == 404
    assert Evidence.objects.filter(family=family).count() == before
