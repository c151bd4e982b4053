"""Withdrawing consent ends exactly the access it gave (DOMAIN §1): an agency that saw the family
only through it (under its sharing agreement) gets 404 on the family page and in the partner
API, audited; the lead and the team around the family keep what their roles give; an agency
another consent still covers keeps its sight."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.consent.services import consent_withdraw
from cases.gate import families_visible_to
from cases.models import Consent, DataKind, TafMember
from conftest import sign_in
from earlyhelp.models import AuditEntry
from partners.models import InformationSharingAgreement
from partners.services import api_client_create
from partners.tests.clients import api
from tests.episode_worlds import agency_user
from tests.worlds import make_family

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def consent_from(family, person, organisation, *, by):
    consent = Consent.objects.create(
        person=person,
        family=family,
        kind="written",
        given_by="Parent",
        given_on=TODAY - timedelta(days=30),
        covers=[DataKind.SUMMARY, DataKind.EVIDENCE],
        recorded_by=by,
    )
    consent.agencies.add(organisation)
    return consent


@pytest.fixture
def world(users):
    lead = agency_user("family_support")
    school = agency_user("education", name="Eastfield Primary")
    school_on_team = agency_user("education", organisation=school.team.organisation)
    family = make_family("Nowak family", members=2, lead=lead)
    TafMember.objects.create(
        episode=family.episodes.get(), user=school_on_team, joined_on=TODAY - timedelta(days=10)
    )
    agreement = InformationSharingAgreement.objects.create(
        name="Schools and early help",
        data_kinds=[DataKind.SUMMARY, DataKind.EVIDENCE],
        starts_on=date(2025, 1, 1),
    )
    agreement.organisations.add(school.team.organisation)
    first = family.memberships.order_by("pk").first().person
    consent = consent_from(family, first, school.team.organisation, by=lead)
    feed = api_client_create(
        organisation=school.team.organisation, name="Attendance feed", scopes=["families:read"]
    )
    return {
        "lead": lead,
        "school": school,
        "school_on_team": school_on_team,
        "family": family,
        "consent": consent,
        "feed": feed,
    }


def page_status(user, family):
    return sign_in(Client(), user).get(reverse("family-detail", args=[family.pk])).status_code


def withdraw(world):
    consent_withdraw(
        consent=world["consent"],
        withdrawn_on=TODAY,
        withdrawn_by="Anna Nowak, mother",
        reason="No longer wants the school to share",
        by=world["lead"],
    )


def test_the_agency_that_saw_the_family_through_the_consent_no_longer_does(world):
    family, school, feed = world["family"], world["school"], world["feed"]
    assert page_status(school, family) == 200
    assert api(feed).get(f"/api/v1/families/{family.pk}/").status_code == 200
    assert family in families_visible_to(school)

    withdraw(world)

    assert page_status(school, family) == 404
    response = api(feed).get(f"/api/v1/families/{family.pk}/")
    assert response.status_code == 404
    assert family not in families_visible_to(school)
    assert AuditEntry.objects.filter(user=school, family_id=family.pk, outcome="not_found").exists()
    assert AuditEntry.objects.filter(
        api_client=feed.client, family_id=family.pk, outcome="not_found"
    ).exists()


def test_the_lead_and_the_team_keep_what_their_roles_give(world):
    family = world["family"]
    withdraw(world)
    assert page_status(world["lead"], family) == 200
    # On the team, of the very agency whose consent ended: their place on the team stays.
    assert page_status(world["school_on_team"], family) == 200
    note = sign_in(Client(), world["school_on_team"]).get(
        reverse("case-note-add", args=[family.pk])
    )
    assert note.status_code == 200


def test_another_consent_covering_the_agency_keeps_its_sight(world):
    family, school = world["family"], world["school"]
    second = family.memberships.order_by("pk")[1].person
    consent_from(family, second, school.team.organisation, by=world["lead"])
    withdraw(world)
    assert page_status(school, family) == 200
    assert api(world["feed"]).get(f"/api/v1/families/{family.pk}/").status_code == 200


def test_withdrawal_ends_only_that_familys_sharing(world):
    other = make_family("Other family", lead=world["lead"])
    consent_from(
        other,
        other.memberships.first().person,
        world["school"].team.organisation,
        by=world["lead"],
    )
    withdraw(world)
    assert page_status(world["school"], other) == 200


def test_an_agency_that_sees_the_family_through_consent_cannot_change_it(world):
    """DOMAIN §1: the lead records consent; an agency reading through it gets 403, audited."""
    family, consent, school = world["family"], world["consent"], world["school"]
    client = sign_in(Client(), school)
    assert page_status(school, family) == 200
    for name, args in (
        ("consent-withdraw", [family.pk, consent.pk]),
        ("consent-add", [family.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 403
        assert client.post(reverse(name, args=args), {}).status_code == 403
    consent.refresh_from_db()
    assert consent.withdrawn_on is None and Consent.objects.count() == 1
    assert (
        AuditEntry.objects.filter(user=school, family_id=family.pk, outcome="forbidden").count()
        == 4
    )
