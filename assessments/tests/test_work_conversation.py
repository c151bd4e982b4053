"""The work readiness conversation: who records it, with whom, draft then completed."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import work_services
from assessments.models import WorkConversation
from cases.models import TafMember
from conftest import sign_in
from earlyhelp.models import AuditEntry
from tests.episode_worlds import agency_user, managed_by

from .work_worlds import add_member, answers, ensure_providers, work_case, years_ago

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def providers():
    return ensure_providers()


@pytest.fixture
def case(users):
    return work_case(users["practitioner"])


def add_url(family):
    return reverse("work-conversation-add", args=[family.pk])


def page_text(response):
    return response.content.decode().replace("&#x27;", "'")


def test_the_lead_saves_a_draft_then_completes_it_as_a_referral(client_for, users, case):
    lead = client_for("practitioner")
    draft = {"person": case.adult.pk, "held_on": timezone.localdate().isoformat(), "save": "1"}
    response = lead.post(add_url(case), draft)
    assert response.status_code == 302 and response["Location"].endswith("#work")
    conversation = WorkConversation.objects.get()
    assert conversation.status == "draft" and conversation.completed_at is None
    page = page_text(lead.get(reverse("family-detail", args=[case.pk])))
    assert "Work readiness conversations" in page and "Draft" in page

    url = reverse("work-conversation", args=[case.pk, conversation.pk])
    assert 'name="complete"' in lead.get(url).content.decode()  # a draft opens as a form
    assert lead.post(url, answers(case.adult)).status_code == 302
    conversation.refresh_from_db()
    assert conversation.status == "completed"
    assert conversation.completed_by == users["practitioner"] and conversation.completed_at
    assert conversation.benefits == ["uc"] and conversation.steps_taken == ["id", "bank"]
    assert conversation.decided_at is None  # a referral awaiting the panel
    page = page_text(lead.get(reverse("family-detail", args=[case.pk])))
    assert "Awaiting the triage panel" in page


def test_completing_needs_every_answer_and_saves_nothing_without_them(client_for, case):
    response = client_for("practitioner").post(
        add_url(case),
        answers(
            case.adult,
            situation="",
            benefits=None,
            aspirations=" ",
            next_steps="",
            agrees_to_referral=None,
        ),
    )
    text = page_text(response)
    assert response.status_code == 400 and "There is a problem" in text
    for message in [
        "Select their work situation now",
        "Select the benefits they claim, or 'None of these'",
        "Enter the work they would like to do",
        "Enter the next steps agreed",
        "Confirm they agree to be referred to the employment providers",
    ]:
        assert message in text
    assert not WorkConversation.objects.exists()


def test_the_same_answers_save_as_a_draft(client_for, case):
    response = client_for("practitioner").post(
        add_url(case), answers(case.adult, situation="", complete=None, save="1")
    )
    assert response.status_code == 302
    assert WorkConversation.objects.get().status == "draft"


def test_only_adults_are_offered_and_a_17_year_old_is_refused(client_for, case):
    lead = client_for("practitioner")
    form_page = page_text(lead.get(add_url(case)))
    assert case.adult.full_name in form_page
    assert case.teenager.full_name not in form_page and "Member0" not in form_page
    response = lead.post(add_url(case), answers(case.teenager))
    assert response.status_code == 400
    assert "Select who the conversation is with from the list" in page_text(response)
    assert not WorkConversation.objects.exists()


def test_the_age_is_taken_on_the_date_of_the_conversation(client_for, case):
    # 18 today, but the conversation was a week ago, when they were 17.
    turned_18_today = add_member(case, "Yaw", years_ago(18), role="child")
    lead = client_for("practitioner")
    week_ago = (timezone.localdate() - timedelta(days=7)).isoformat()
    response = lead.post(add_url(case), answers(turned_18_today, held_on=week_ago))
    assert response.status_code == 400
    assert f"{turned_18_today} was 17 on the date of the conversation" in page_text(response)
    assert not WorkConversation.objects.exists()
    # On their 18th birthday itself they are an adult.
    today = timezone.localdate().isoformat()
    assert lead.post(add_url(case), answers(turned_18_today, held_on=today)).status_code == 302
    assert WorkConversation.objects.get().person == turned_18_today


def test_the_service_refuses_a_child_and_a_non_member(users, case):
    adult_elsewhere = work_case(users["practitioner"], name="Other family").adult
    for person, message in [
        (case.teenager, "was 17 on the date of the conversation"),
        (adult_elsewhere, "is not a current member of this family"),
    ]:
        with pytest.raises(ValidationError, match=message):
            work_services.work_conversation_save(
                episode=case.episode,
                answers=work_services.Answers(person=person, held_on=timezone.localdate()),
                by=users["practitioner"],
            )
    assert not WorkConversation.objects.exists()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"held_on": ""}, "Enter the date of the conversation"),
        ({"held_on": "2026-02-30"}, "Date of the conversation must be a real date"),
        ({"held_on": "2099-01-01"}, "must be today or in the past"),
        ({"held_on": "2020-01-01"}, "must be on or after the episode began"),
        ({"benefits": ["uc", "none"]}, "or 'None of these' on its own"),
        ({"situation": "retired"}, "Select one of the options"),
        ({"person": ""}, "Select who the conversation is with"),
    ],
)
def test_bad_answers_are_refused(client_for, case, change, message):
    response = client_for("practitioner").post(add_url(case), answers(case.adult, **change))
    assert response.status_code == 400 and message in page_text(response)
    assert not WorkConversation.objects.exists()


def test_a_completed_conversation_no_longer_changes(client_for, users, case):
    lead = client_for("practitioner")
    lead.post(add_url(case), answers(case.adult))
    conversation = WorkConversation.objects.get()
    url = reverse("work-conversation", args=[case.pk, conversation.pk])
    page = lead.get(url)
    assert page.status_code == 200 and 'name="complete"' not in page.content.decode()
    assert "Part-time work in a care home" in page.content.decode()
    response = lead.post(url, answers(case.adult, aspirations="Something else"), follow=True)
    assert "This conversation cannot be changed now" in page_text(response)
    conversation.refresh_from_db()
    assert conversation.aspirations.startswith("Part-time work")
    with pytest.raises(ValidationError, match="it is the referral"):
        work_services.work_conversation_save(
            episode=case.episode,
            answers=work_services.Answers(person=case.adult, held_on=timezone.localdate()),
            by=users["practitioner"],
            conversation=conversation,
        )


def test_a_taf_member_records_one_and_the_others_may_not(client_for, users, case):
    teacher = agency_user("education")
    TafMember.objects.create(episode=case.episode, user=teacher, joined_on=case.episode.started_on)
    assert sign_in(Client(), teacher).post(add_url(case), answers(case.adult)).status_code == 302
    conversation = WorkConversation.objects.get()
    assert conversation.created_by == teacher

    # A manager of the lead's team reads the casework but does not record conversations.
    manager = managed_by(users["manager"], users["practitioner"])
    outsider = agency_user("education")
    former = agency_user("health")
    TafMember.objects.create(
        episode=case.episode,
        user=former,
        joined_on=case.episode.started_on,
        left_on=timezone.localdate(),
    )
    view = reverse("work-conversation", args=[case.pk, conversation.pk])
    for user in [outsider, former, users["programme"]]:
        client = sign_in(Client(), user)
        assert client.get(add_url(case)).status_code == 404
        assert client.get(view).status_code == 404
    # The hub sees the family while its referral awaits the panel, but not the casework.
    hub = client_for("hub")
    assert hub.get(add_url(case)).status_code == 403
    assert hub.get(view).status_code == 403
    assert AuditEntry.objects.filter(user=outsider, outcome="not_found").exists()
    client = client_for("manager")
    assert client.get(add_url(case)).status_code == 403
    assert (
        client.get(reverse("work-conversation", args=[case.pk, conversation.pk])).status_code == 200
    )
    assert AuditEntry.objects.filter(user=manager, outcome="forbidden").exists()


def test_a_conversation_of_another_family_is_not_found_through_this_one(client_for, users, case):
    other = work_case(users["practitioner"], name="Mensah family")
    client_for("practitioner").post(add_url(other), answers(other.adult))
    conversation = WorkConversation.objects.get()
    url = reverse("work-conversation", args=[case.pk, conversation.pk])
    assert client_for("practitioner").get(url).status_code == 404


def test_no_open_episode_sends_the_lead_back(client_for, case):
    case.episode.status = "closed"
    case.episode.ended_on = timezone.localdate()
    case.episode.save()
    # A closed episode's lead no longer holds the case: the gate answers first.
    assert client_for("practitioner").get(add_url(case)).status_code == 404
