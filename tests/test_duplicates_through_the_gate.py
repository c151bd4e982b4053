"""Duplicate offers, linking a person by id, merging and "who has seen this" through the gate.

What a security probe found (issue 15): hub staff and administrators read and merged any
person; a lead practitioner who was offered another family's child could link them and then
read their whole record ("join to see"); the duplicate check told anyone signed in who is known
and where they live. Each page here shows a person only to those who may see them, says no more
than "already known" otherwise, and sends the linking to the hub, which may see both.
"""

import html
from datetime import date

import pytest
from django.urls import reverse

from cases.models import (
    Address,
    FamilyMember,
    Person,
    PersonMerge,
    PersonName,
)
from cases.people.merging import person_merge
from earlyhelp.models import AuditEntry
from earlyhelp.tests.factories import TeamFactory, UserFactory
from tests.worlds import make_family

pytestmark = pytest.mark.django_db


# What another agency's record of Niamh holds, none of which may reach anyone outside it.
@pytest.fixture
def niamh():
    """A child of a family another agency's practitioner leads, with an address history, an
    NHS number and a previous name: the record a stranger must not learn of."""
    other_lead = UserFactory(role="practitioner", team=TeamFactory())
    family = make_family("Bennett family", members=0, lead=other_lead)
    niamh = Person.objects.create(
        first_name="Niamh",
        last_name="Bennett",
        date_of_birth=date(2015, 12, 16),
        postcode="LE2 7QQ",
        nhs_number="4857773457",
    )
    FamilyMember.objects.create(family=family, person=niamh, role="child")
    Address.objects.create(
        person=niamh, line_1="12 Refuge Road", town="Leicester", postcode="LE2 7QQ"
    )
    PersonName.objects.create(person=niamh, kind="previous", first_name="Niamh", last_name="Walsh")
    return niamh


def text_of(response):
    return html.unescape(response.content.decode())


# --- Merging needs sight of both --------------------------------------------------------------


@pytest.mark.parametrize("role", ["hub", "administrator", "manager", "practitioner"])
def test_nobody_opens_duplicates_or_merges_records_they_may_not_see(client_for, role, niamh):
    other = Person.objects.create(
        first_name="Niamh", last_name="Bennet", date_of_birth="2015-12-16"
    )
    FamilyMember.objects.create(
        family=make_family("Bennet family", members=0), person=other, role="child"
    )
    client = client_for(role)
    for url in (
        reverse("person-duplicates", args=[niamh.pk]),
        reverse("person-merge", args=[niamh.pk, other.pk]),
    ):
        assert client.get(url).status_code == 404, (role, url)
        assert client.post(url, {"reason": "Same girl, same school"}).status_code == 404
    assert not PersonMerge.objects.exists()
    refused = AuditEntry.objects.filter(person_id=niamh.pk, outcome="not_found", action="merge")
    assert refused.exists()


def test_unmerging_needs_the_right_to_merge_both_records(client_for, users, niamh):
    other = Person.objects.create(
        first_name="Niamh", last_name="Bennet", date_of_birth="2015-12-16"
    )
    FamilyMember.objects.create(
        family=make_family("Bennet family", members=0), person=other, role="child"
    )
    merge = person_merge(survivor=niamh, duplicate=other, reason="Same girl", by=users["hub"])
    url = reverse("person-unmerge", args=[merge.pk])
    for role in ("hub", "administrator", "practitioner"):
        assert client_for(role).post(url).status_code == 404, role
    assert client_for("hub").post(reverse("person-unmerge", args=[987654321])).status_code == 404
    merge.refresh_from_db()
    assert merge.unmerged_at is None
    assert AuditEntry.objects.filter(detail="merge 987654321", outcome="not_found").exists()


# --- Who has seen this family ----------------------------------------------------------------


def test_the_seen_by_page_names_the_family_only_to_those_who_may_see_it(client_for, users):
    users["manager"].managed_teams.add(users["practitioner"].team)
    family = make_family("Osei family", lead=users["practitioner"])
    member = family.memberships.get().person
    practitioner = client_for("practitioner")
    practitioner.get(reverse("person-detail", args=[member.pk]))
    url = reverse("family-seen-by", args=[family.pk])

    admin_page = text_of(client_for("administrator").get(url))
    assert f"Family record {family.pk}: a family you cannot see" in admin_page
    assert str(users["practitioner"]) in admin_page  # who looked: the point of the page
    for secret in ("Osei", family.reference, reverse("family-detail", args=[family.pk])):
        assert secret not in admin_page, secret
    assert f"person record {member.pk}" in admin_page

    manager_page = text_of(client_for("manager").get(url))
    assert "Osei family" in manager_page and family.reference in manager_page
    assert f"view {member}" in manager_page
