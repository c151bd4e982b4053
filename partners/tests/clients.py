"""Partner systems in tests: an agency, its consent-backed sharing, tokens and API clients."""

import base64
from datetime import date

from django.test import Client
from django.urls import reverse

from cases.models import Consent, DataKind
from partners.models import InformationSharingAgreement


def share_with(organisation, family, kinds=(DataKind.SUMMARY, DataKind.EVIDENCE)):
    agreement, _ = InformationSharingAgreement.objects.get_or_create(
        name="Schools and early help",
        defaults={"data_kinds": list(kinds), "starts_on": "2025-01-01"},
    )
    agreement.organisations.add(organisation)
    consent = Consent.objects.create(
        person=family.memberships.first().person,
        family=family,
        kind="written",
        given_by="Parent",
        given_on=date(2026, 9, 1),
        covers=list(kinds),
        recorded_by=organisation.teams.first().members.first()
        if organisation.teams.exists() and organisation.teams.first().members.exists()
        else _any_user(),
    )
    consent.agencies.add(organisation)


def _any_user():
    from earlyhelp.tests.factories import UserFactory

    return UserFactory()


def token_for(new, scope=None):
    client = Client()
    basic = base64.b64encode(f"{new.client_id}:{new.client_secret}".encode()).decode()
    data = {"grant_type": "client_credentials"}
    if scope:
        data["scope"] = scope
    response = client.post(reverse("api-token"), data, HTTP_AUTHORIZATION=f"Basic {basic}")
    return response


def api(new, scope=None):
    token = token_for(new, scope).json()["access_token"]
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")
