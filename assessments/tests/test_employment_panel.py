"""The weekly employment triage panel: every referral, one decision each, through the gate."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import work_services
from assessments.models import EmploymentProvider, WorkConversation
from assessments.selectors import week_of
from conftest import sign_in
from earlyhelp.models import AuditEntry
from earlyhelp.tests.factories import UserFactory

from .work_worlds import PROVIDERS, ensure_providers, referral, work_case

pytestmark = pytest.mark.django_db
PANEL = reverse("employment-panel")


@pytest.fixture
def providers():
    return ensure_providers()


@pytest.fixture
def case(users):
    return work_case(users["practitioner"])


def decide_url(conversation):
    return reverse("employment-panel-decide", args=[conversation.pk])


def text(response):
    return response.content.decode().replace("&#x27;", "'")


def test_the_providers_are_loaded_by_a_data_migration():
    assert set(EmploymentProvider.objects.values_list("name", flat=True)) >= set(PROVIDERS)


def test_the_panel_lists_referrals_awaiting_it_by_week_of_completion(client_for, users, case):
    lead = users["practitioner"]
    now = timezone.now()
    this_week = referral(case.episode, case.adult, lead, completed_at=now)
    other = work_case(lead, name="Mensah family")
    last_week = referral(other.episode, other.adult, lead, completed_at=now - timedelta(days=7))
    WorkConversation.objects.create(  # a draft is not a referral
        episode=case.episode,
        person=case.adult,
        held_on=timezone.localdate(),
        created_by=lead,
        updated_by=lead,
    )
    decided = referral(
        case.episode,
        case.adult,
        lead,
        decided_at=now,
        decided_by=users["hub"],
        not_allocated_reason="in_work",
    )
    page = text(client_for("hub").get(PANEL))
    older = f"week of {week_of(last_week.completed_at):%-d %B %Y}"
    newer = f"week of {week_of(this_week.completed_at):%-d %B %Y}"
    assert older in page and newer in page and page.index(older) < page.index(newer)
    assert page.count("Decide<span") == 2
    assert decide_url(this_week) in page and decide_url(last_week) in page
    assert decide_url(decided) not in page
    listed = AuditEntry.objects.filter(user=users["hub"]).latest("id").listed_family_ids
    assert sorted(listed) == sorted([case.pk, other.pk])


def test_only_hub_staff_run_the_panel(client_for, users, case):
    conversation = referral(case.episode, case.adult, users["practitioner"])
    for role in ["practitioner", "manager", "programme", "auditor", "administrator"]:
        client = client_for(role)
        assert client.get(PANEL).status_code == 403
        # Even the lead who referred: the decision is the panel's.
        assert client.get(decide_url(conversation)).status_code in {403, 404}
    assert client_for("practitioner").get(decide_url(conversation)).status_code == 403
    assert client_for("programme").get(decide_url(conversation)).status_code == 404
    assert AuditEntry.objects.filter(user=users["programme"], outcome="not_found").exists()
    assert AuditEntry.objects.filter(user=users["practitioner"], outcome="forbidden").exists()


def test_the_hub_loses_sight_of_a_referral_decided_long_ago(client_for, users, case, set_policy):
    window = set_policy(hub_recent_triage_days=20).hub_recent_triage_days
    conversation = referral(
        case.episode,
        case.adult,
        users["practitioner"],
        decided_at=timezone.now() - timedelta(days=window + 1),
        decided_by=users["hub"],
        not_allocated_reason="moved",
    )
    hub = client_for("hub")
    assert hub.get(decide_url(conversation)).status_code == 404
    assert hub.get(reverse("family-detail", args=[case.pk])).status_code == 404
    conversation.decided_at = timezone.now() - timedelta(days=1)
    conversation.save()
    assert hub.get(decide_url(conversation)).status_code == 200


def test_a_draft_or_missing_referral_is_not_found(client_for, users, case):
    lead = users["practitioner"]
    draft = WorkConversation.objects.create(
        episode=case.episode,
        person=case.adult,
        held_on=timezone.localdate(),
        created_by=lead,
        updated_by=lead,
    )
    hub = client_for("hub")
    assert hub.get(decide_url(draft)).status_code == 404
    assert hub.get(reverse("employment-panel-decide", args=[999999])).status_code == 404


def test_the_panel_allocates_once_and_refuses_a_second_decision(client_for, users, case, providers):
    conversation = referral(case.episode, case.adult, users["practitioner"])
    hub = client_for("hub")
    great = providers["GREAT project"]
    response = hub.post(decide_url(conversation), {"decision": great.pk})
    assert response.status_code == 302 and response["Location"] == PANEL
    conversation.refresh_from_db()
    assert conversation.provider == great and conversation.decided_by == users["hub"]
    assert conversation.decided_at is not None
    first_at = conversation.decided_at
    assert decide_url(conversation) not in text(hub.get(PANEL))

    # The same form sent again (a second panel member, or a double click).
    another = sign_in(Client(), UserFactory(role="hub", first_name="Second"))
    dwp = providers["DWP employment advisor"]
    response = another.post(decide_url(conversation), {"decision": dwp.pk})
    assert response.status_code == 409
    assert "The panel already decided this referral: Allocated to GREAT project" in text(response)
    assert "Nothing was changed" in text(response)
    conversation.refresh_from_db()
    assert conversation.provider == great and conversation.decided_at == first_at
    assert conversation.decided_by == users["hub"]
    # The lead sees the decision on the family page.
    page = text(client_for("practitioner").get(reverse("family-detail", args=[case.pk])))
    assert "Allocated to GREAT project" in page


def test_two_holders_of_the_same_referral_record_one_decision(users, case, providers):
    """Both read it undecided; the conditional update lets only the first write."""
    first = referral(case.episode, case.adult, users["practitioner"])
    second = WorkConversation.objects.get(pk=first.pk)
    work_services.referral_decide(referral=first, by=users["hub"], reason="declined")
    with pytest.raises(work_services.AlreadyDecided, match="Not allocated \\(Declined support\\)"):
        work_services.referral_decide(
            referral=second, by=users["hub"], provider=providers["GREAT project"]
        )
    stored = WorkConversation.objects.get(pk=first.pk)
    assert stored.not_allocated_reason == "declined" and stored.provider is None


def test_not_allocated_records_the_reason_and_other_needs_words(client_for, users, case):
    conversation = referral(case.episode, case.adult, users["practitioner"])
    hub = client_for("hub")
    response = hub.post(decide_url(conversation), {"decision": "not:other", "detail": " "})
    assert response.status_code == 400
    assert "Enter the reason it is not allocated" in text(response)
    conversation.refresh_from_db()
    assert conversation.decided_at is None
    response = hub.post(
        decide_url(conversation), {"decision": "not:other", "detail": "In prison until May"}
    )
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.not_allocated_reason == "other" and conversation.provider is None
    assert conversation.decision_label == "Not allocated (Other reason: In prison until May)"


def test_a_reason_other_than_other_keeps_no_detail(users, case):
    conversation = referral(case.episode, case.adult, users["practitioner"])
    decided = work_services.referral_decide(
        referral=conversation, by=users["hub"], reason="moved", detail="to Leeds"
    )
    assert decided.not_allocated_reason == "moved" and decided.not_allocated_detail == ""


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Select a provider to allocate to, or a reason it is not allocated"),
        ({"decision": "not:retired"}, "Select the panel's decision from the list"),
        ({"decision": "0"}, "Select the panel's decision from the list"),
    ],
)
def test_bad_decisions_are_refused(client_for, users, case, data, message):
    conversation = referral(case.episode, case.adult, users["practitioner"])
    response = client_for("hub").post(decide_url(conversation), data)
    assert response.status_code == 400 and message in text(response)
    assert "There is a problem" in text(response)
    conversation.refresh_from_db()
    assert conversation.decided_at is None


def test_an_inactive_provider_is_not_offered_and_is_refused(client_for, users, case, providers):
    dwp = providers["DWP employment advisor"]
    dwp.is_active = False
    dwp.save()
    conversation = referral(case.episode, case.adult, users["practitioner"])
    hub = client_for("hub")
    assert "Allocate to DWP employment advisor" not in text(hub.get(decide_url(conversation)))
    assert hub.post(decide_url(conversation), {"decision": dwp.pk}).status_code == 400
    with pytest.raises(ValidationError, match="no longer takes referrals"):
        work_services.referral_decide(referral=conversation, by=users["hub"], provider=dwp)
    conversation.refresh_from_db()
    assert conversation.decided_at is None


def test_an_administrator_adds_a_provider_in_the_admin(client_for, users, case):
    admin = client_for("administrator")
    response = admin.post(
        reverse("admin:assessments_employmentprovider_add"),
        {"name": "Leicester Works", "is_active": "on"},
    )
    assert response.status_code == 302
    conversation = referral(case.episode, case.adult, users["practitioner"])
    assert "Allocate to Leicester Works" in text(client_for("hub").get(decide_url(conversation)))
