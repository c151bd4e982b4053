"""Information sharing agreements kept by administrators in the configuration pages (issue 18:
"kept in pages by administrators, not only in the Django admin")."""

import html

import pytest
from django.urls import reverse

from earlyhelp.models import AuditEntry, Organisation
from earlyhelp.tests.factories import OrganisationFactory
from partners.models import InformationSharingAgreement

pytestmark = pytest.mark.django_db
ADD = reverse("manage-add", args=["agreements"])


@pytest.fixture
def agencies(db):
    return [OrganisationFactory(name=n) for n in ("Charnwood Schools", "Leicestershire Police")]


def answers(agencies, **changes):
    data = {
        "name": "Schools and police",
        "organisations": [a.pk for a in agencies],
        "data_kinds": ["summary", "evidence"],
        "starts_on_day": "1",
        "starts_on_month": "4",
        "starts_on_year": "2026",
        "ends_on_day": "",
        "ends_on_month": "",
        "ends_on_year": "",
    }
    return {**data, **changes}


def test_an_administrator_adds_and_changes_an_agreement(client_for, agencies):
    admin = client_for("administrator")
    assert "Add an information sharing agreement" in admin.get(ADD).content.decode()
    assert admin.post(ADD, answers(agencies)).status_code == 302
    agreement = InformationSharingAgreement.objects.get()
    assert set(agreement.organisations.all()) == set(agencies)
    assert agreement.data_kinds == ["summary", "evidence"]
    listed = html.unescape(admin.get(reverse("manage-list", args=["agreements"])).content.decode())
    assert "Schools and police" in listed and "1 April 2026" in listed
    assert "Charnwood Schools, Leicestershire Police" in listed
    change = reverse("manage-edit", args=["agreements", agreement.pk])
    assert 'value="2026"' in admin.get(change).content.decode()  # the GOV.UK date input
    ended = answers(agencies, ends_on_day="31", ends_on_month="3", ends_on_year="2027")
    assert admin.post(change, ended).status_code == 302
    agreement.refresh_from_db()
    assert str(agreement.ends_on) == "2027-03-31"
    saved = AuditEntry.objects.filter(action="agreement_save").order_by("pk")
    assert saved.count() == 2 and "to 31 March 2027" in saved.last().detail


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": ""}, "Enter the name of the agreement"),
        ({"organisations": []}, "Select the agencies in the agreement"),
        ({"data_kinds": []}, "Select the kinds of data they share"),
        ({"data_kinds": ["gossip"]}, "from the list"),
        (
            {"starts_on_day": "", "starts_on_month": "", "starts_on_year": ""},
            "Enter the start date",
        ),
        ({"starts_on_month": "13"}, "Start date must be a real date"),
        (
            {"ends_on_day": "1", "ends_on_month": "1", "ends_on_year": "2026"},
            "The end date must be the same as or after the start date",
        ),
    ],
)
def test_bad_agreements_are_refused_and_nothing_saved(client_for, agencies, changes, message):
    response = client_for("administrator").post(ADD, answers(agencies, **changes))
    page = html.unescape(response.content.decode())
    assert response.status_code == 400 and "govuk-error-summary" in page
    assert message in page, message
    assert not InformationSharingAgreement.objects.exists()
    assert not AuditEntry.objects.filter(action="agreement_save").exists()


def test_an_agreement_between_one_agency_is_refused_by_the_service(client_for, agencies):
    response = client_for("administrator").post(ADD, answers(agencies[:1]))
    assert response.status_code == 400
    assert "Select at least two organisations" in html.unescape(response.content.decode())
    assert not InformationSharingAgreement.objects.exists()


@pytest.mark.parametrize("role", ["practitioner", "hub", "manager", "programme", "auditor"])
def test_only_administrators_keep_agreements(client_for, agencies, role):
    someone = client_for(role)
    assert someone.get(reverse("manage-list", args=["agreements"])).status_code == 403
    assert someone.post(ADD, answers(agencies)).status_code == 403
    assert not InformationSharingAgreement.objects.exists()
    assert Organisation.objects.count() >= 2
