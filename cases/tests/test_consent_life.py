"""Consent's whole life after the request (issue 18, DOMAIN §1): the written form arriving for a
verbal consent, its chase date on the lead's home and a notification when it passes, consent
from another member or for another agency, and withdrawal with the offer to close."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import tasks
from cases.consent import services
from cases.models import Consent, DataKind, Notification, TafMember
from conftest import sign_in
from earlyhelp.models import AuditEntry
from tests.episode_worlds import agency_user
from tests.worlds import make_family

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days_ago(n):
    return TODAY - timedelta(days=n)


def date_fields(name, value):
    if value is None:
        return {f"{name}_day": "", f"{name}_month": "", f"{name}_year": ""}
    return {f"{name}_day": value.day, f"{name}_month": value.month, f"{name}_year": value.year}


def title_of(body):
    return body.split("<title>")[1].split("</title>")[0].strip()


def verbal(family, *, person=None, agencies=(), chase_on=None, by, given_on=None):
    consent = Consent.objects.create(
        person=person or family.memberships.order_by("pk").first().person,
        family=family,
        kind=Consent.Kind.VERBAL,
        given_by="Grace Okafor, mother",
        given_on=given_on or days_ago(20),
        chase_on=chase_on or days_ago(2),
        covers=[DataKind.SUMMARY],
        recorded_by=by,
    )
    consent.agencies.set(agencies)
    return consent


@pytest.fixture
def world(users):
    lead = agency_user("family_support", first_name="Priya", last_name="Shah")
    school = agency_user("education", first_name="Sam", last_name="Teacher")
    family = make_family("Okafor family", members=2, lead=lead)
    consent = verbal(family, agencies=[school.team.organisation], by=lead)
    return {"lead": lead, "school": school, "family": family, "consent": consent}


def client_of(user):
    return sign_in(Client(), user)


def url(name, family, consent=None):
    args = [family.pk] if consent is None else [family.pk, consent.pk]
    return reverse(name, args=args)


# --- the written form arriving -------------------------------------------------------------


def test_the_written_form_makes_a_verbal_consent_written_and_keeps_its_history(world):
    consent, lead = world["consent"], world["lead"]
    page = client_of(lead).get(url("consent-written", world["family"], consent))
    assert page.status_code == 200
    assert "Date the written form arrived" in page.content.decode()

    response = client_of(lead).post(
        url("consent-written", world["family"], consent), date_fields("received_on", days_ago(1))
    )

    assert response.status_code == 302 and response["Location"].endswith("#consent")
    consent.refresh_from_db()
    assert consent.kind == Consent.Kind.WRITTEN
    assert consent.written_received_on == days_ago(1)
    history = list(consent.events.order_by("pgh_id").values_list("kind", "chase_on"))
    assert history == [("verbal", days_ago(2)), ("written", days_ago(2))]
    assert AuditEntry.objects.filter(
        user=lead, action="consent_written", family_id=consent.family_id
    ).exists()


@pytest.mark.parametrize(
    ("received_on", "message"),
    [
        (None, "Enter the date the written form arrived"),
        (TODAY + timedelta(days=1), "Date the written form arrived must be today or in the past"),
        (
            days_ago(21),
            "Date the written form arrived must be on or after the day consent was given",
        ),
    ],
)
def test_the_written_forms_date_is_given_and_between_consent_and_today(world, received_on, message):
    response = client_of(world["lead"]).post(
        url("consent-written", world["family"], world["consent"]),
        date_fields("received_on", received_on),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body and "govuk-error-summary" in body
    assert title_of(body).startswith("Error: ") and title_of(body).count("Error:") == 1
    world["consent"].refresh_from_db()
    assert world["consent"].kind == Consent.Kind.VERBAL  # nothing saved


def test_a_date_that_is_not_real_is_refused_as_the_pattern_says(world):
    data = {"received_on_day": "31", "received_on_month": "2", "received_on_year": "2026"}
    response = client_of(world["lead"]).post(
        url("consent-written", world["family"], world["consent"]), data
    )
    assert response.status_code == 400
    assert "Date the written form arrived must be a real date" in response.content.decode()


def test_only_a_verbal_consent_not_withdrawn_awaits_its_form(world):
    consent = services.consent_written_received(
        consent=world["consent"], received_on=days_ago(1), by=world["lead"]
    )
    with pytest.raises(ValidationError, match=services.ALREADY_WRITTEN):
        services.consent_written_received(consent=consent, received_on=TODAY, by=world["lead"])
    other = verbal(world["family"], by=world["lead"])
    services.consent_withdraw(
        consent=other, withdrawn_on=TODAY, withdrawn_by="Grace", reason="Moving", by=world["lead"]
    )
    with pytest.raises(ValidationError, match=services.ALREADY_WITHDRAWN):
        services.consent_written_received(consent=other, received_on=TODAY, by=world["lead"])


# --- the chase date on the lead's home, and its notification ----------------------------------


def test_the_leads_home_lists_verbal_consent_to_chase_overdue_ones_marked(world):
    family = world["family"]
    later = verbal(family, chase_on=TODAY + timedelta(days=5), by=world["lead"])
    other = make_family("Stranger family", lead=agency_user("health"))
    verbal(other, by=world["lead"])

    response = client_of(world["lead"]).get(reverse("home"))

    assert response.context["consents_awaiting"] == [world["consent"], later]
    body = response.content.decode()
    listed = body.split('id="consent-to-chase"')[1].split("</ul>")[0]
    assert listed.count("Overdue") == 1
    assert "Stranger family" not in listed
    home = AuditEntry.objects.filter(user=world["lead"], action="home").latest("pk")
    assert family.pk in home.listed_family_ids and other.pk not in home.listed_family_ids


def test_the_consent_list_on_the_home_costs_a_fixed_number_of_queries(
    world, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as one:
        client_of(world["lead"]).get(reverse("home"))
    for i in range(10):
        verbal(make_family(f"Family {i}", lead=world["lead"]), by=world["lead"])
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client_of(world["lead"]).get(reverse("home"))
    assert len(response.context["consents_awaiting"]) == 11


def test_the_lead_is_told_once_when_a_chase_date_passes(world):
    lead = world["lead"]
    verbal(world["family"], chase_on=TODAY, by=lead)  # due today: not passed yet
    written = verbal(world["family"], by=lead)
    services.consent_written_received(consent=written, received_on=TODAY, by=lead)

    assert tasks.notify_consent_chase_due() == 1
    assert services.consent_chase_notify() == 0  # a re-run tells nobody twice

    note = Notification.objects.get(user=lead, kind=Notification.Kind.CONSENT_CHASE_DUE)
    # In the service the family's name; never the person who gave it (cases.notifications).
    assert note.message.startswith("The written consent form for the Okafor family")
    assert "Grace" not in note.message
    assert note.url.endswith(f"/families/{world['family'].pk}/#consent")
    assert services.consent_chase_notify(today=TODAY + timedelta(days=1)) == 1  # today's passes


def test_no_notification_without_an_open_episode_or_once_withdrawn(world):
    services.consent_withdraw(
        consent=world["consent"],
        withdrawn_on=TODAY,
        withdrawn_by="Grace",
        reason="Moving away",
        by=world["lead"],
    )
    no_lead = make_family("Unallocated family")
    verbal(no_lead, by=world["lead"])
    assert services.consent_chase_notify() == 0


# --- consent from another member, or for another agency --------------------------------------


def add_form(family, person, agencies, **changes):
    data = {
        "person": person.pk,
        "kind": "written",
        "given_by": "Grace Okafor, mother",
        "covers": [DataKind.SUMMARY, DataKind.CASEWORK],
        "agencies": [a.pk for a in agencies],
        **date_fields("given_on", days_ago(1)),
        **date_fields("chase_on", None),
    }
    data.update(changes)
    return data


def test_consent_for_a_member_who_had_none(world):
    family = world["family"]
    second = family.memberships.order_by("pk")[1].person
    page = client_of(world["lead"]).get(url("consent-add", family))
    assert f"{second} (no consent yet)" in page.content.decode()

    agency = world["school"].team.organisation
    response = client_of(world["lead"]).post(
        url("consent-add", family), add_form(family, second, [agency])
    )

    assert response.status_code == 302
    added = Consent.objects.get(person=second)
    assert added.kind == "written" and list(added.agencies.all()) == [agency]
    assert AuditEntry.objects.filter(action="consent_add", person_id=second.pk).exists()


def test_consent_for_another_agency_is_a_record_of_its_own(world):
    family, first = world["family"], world["consent"].person
    health = agency_user("health").team.organisation
    response = client_of(world["lead"]).post(
        url("consent-add", family),
        add_form(family, first, [health], kind="verbal", **date_fields("chase_on", TODAY)),
    )
    assert response.status_code == 302
    assert Consent.objects.filter(person=first).count() == 2
    world["consent"].refresh_from_db()
    assert list(world["consent"].agencies.all()) == [world["school"].team.organisation]
    new = Consent.objects.get(person=first, agencies=health)
    assert new.kind == "verbal" and new.chase_on == TODAY


def test_consent_that_adds_nothing_is_refused(world):
    family, consent = world["family"], world["consent"]
    response = client_of(world["lead"]).post(
        url("consent-add", family),
        add_form(
            family, consent.person, [world["school"].team.organisation], covers=[DataKind.SUMMARY]
        ),
    )
    assert response.status_code == 400
    assert services.NOTHING_NEW in response.content.decode()
    assert Consent.objects.count() == 1


def test_every_missing_answer_has_its_own_message(world):
    response = client_of(world["lead"]).post(url("consent-add", world["family"]), {})
    body = response.content.decode()
    assert response.status_code == 400
    for message in (
        "Select whose consent it is",
        "Select how the family gave consent",
        "Enter who gave consent",
        "Enter the date consent was given",
        "Select what the family agreed may be shared",
    ):
        assert message in body, message
    assert title_of(body).startswith("Error: ") and title_of(body).count("Error:") == 1


def test_someone_not_in_the_family_cannot_be_named(world):
    outsider = make_family("Other family").memberships.first().person
    with pytest.raises(ValidationError) as refused:
        services.consent_add(
            family=world["family"],
            person_id=outsider.pk,
            kind="written",
            given_by="Them",
            given_on=TODAY,
            chase_on=None,
            covers=[DataKind.SUMMARY],
            agencies=[world["school"].team.organisation],
            by=world["lead"],
        )
    assert refused.value.message_dict["person"] == [services.PERSON_NOT_MEMBER]


# --- withdrawal -----------------------------------------------------------------------------


def withdraw_form(**changes):
    return {
        **date_fields("withdrawn_on", TODAY),
        "withdrawn_by": "Grace Okafor, mother",
        "reason": "The family no longer want support",
        **changes,
    }


def test_withdrawal_is_recorded_and_offers_closure_with_that_reason(world):
    family, consent, lead = world["family"], world["consent"], world["lead"]
    response = client_of(lead).post(url("consent-withdraw", family, consent), withdraw_form())

    assert response.status_code == 302
    assert response["Location"] == url("consent-withdrawn", family, consent)
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY and consent.withdrawal_recorded_by == lead
    assert consent.withdrawn_by == "Grace Okafor, mother"
    assert AuditEntry.objects.filter(user=lead, action="consent_withdraw").exists()

    page = client_of(lead).get(response["Location"])
    body = page.content.decode()
    closure = url("closure-request", family) + "?reason=withdrew_or_disengaged"
    assert closure in body
    assert world["school"].team.organisation.name in body.split('id="sharing-ended"')[1]

    form = client_of(lead).get(closure).content.decode()
    assert 'value="withdrew_or_disengaged" checked' in form


def test_withdrawal_needs_a_date_who_and_why(world):
    response = client_of(world["lead"]).post(
        url("consent-withdraw", world["family"], world["consent"]),
        withdraw_form(
            withdrawn_by="", reason="", **date_fields("withdrawn_on", TODAY + timedelta(days=1))
        ),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert services.WITHDRAWN_BY_MISSING in body and services.REASON_MISSING in body
    assert "Date consent was withdrawn must be today or in the past" in body
    world["consent"].refresh_from_db()
    assert world["consent"].withdrawn_on is None


def test_an_agency_covered_by_other_consent_is_named_as_still_sharing(world):
    family, lead = world["family"], world["lead"]
    agency = world["school"].team.organisation
    second = family.memberships.order_by("pk")[1].person
    verbal(family, person=second, agencies=[agency], by=lead)
    services.consent_withdraw(
        consent=world["consent"], withdrawn_on=TODAY, withdrawn_by="G", reason="R", by=lead
    )
    body = client_of(lead).get(url("consent-withdrawn", family, world["consent"])).content
    assert 'id="sharing-ended"' not in body.decode()
    assert agency.name in body.decode().split('id="sharing-kept"')[1]


# --- who may: the lead alone -----------------------------------------------------------------


# An agency that sees the family through consent is refused alike:
# tests/test_consent_withdrawal_access.py (the sharing agreements are the partners app's).
@pytest.mark.parametrize("who", ["taf", "manager", "stranger"])
def test_only_the_lead_records_or_withdraws_consent(world, users, who):
    family, consent = world["family"], world["consent"]
    if who == "taf":
        user = agency_user("health")
        TafMember.objects.create(episode=family.episodes.get(), user=user, joined_on=days_ago(5))
    elif who == "manager":
        user = users["manager"]
        user.managed_teams.add(world["lead"].team)
    else:
        user = agency_user("police")
    expected = 404 if who == "stranger" else 403
    client = client_of(user)
    assert client.get(reverse("family-detail", args=[family.pk])).status_code == (
        404 if who == "stranger" else 200
    )
    for page, data in (
        (url("consent-written", family, consent), date_fields("received_on", TODAY)),
        (url("consent-withdraw", family, consent), withdraw_form()),
        (url("consent-add", family), add_form(family, consent.person, [])),
    ):
        assert client.get(page).status_code == expected, page
        assert client.post(page, data).status_code == expected, page
    consent.refresh_from_db()
    assert consent.kind == "verbal" and consent.withdrawn_on is None
    assert Consent.objects.count() == 1
    outcome = "not_found" if who == "stranger" else "forbidden"
    assert AuditEntry.objects.filter(user=user, family_id=family.pk, outcome=outcome).count() >= 6


def test_a_consent_of_another_family_answers_404(world):
    other = make_family("Other family", lead=world["lead"])
    response = client_of(world["lead"]).get(url("consent-withdraw", other, world["consent"]))
    assert response.status_code == 404
