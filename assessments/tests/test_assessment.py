"""The Early Help Assessment: autosave, the two-editor conflict, the plain form without
JavaScript, submission, sign-off and return, and who may do what."""

import json
import time

import pytest
from django.core import mail
from django.urls import reverse

from assessments.models import AssessmentSection, EarlyHelpAssessment
from cases.models import Notification
from earlyhelp.middleware import LAST_ACTIVITY
from earlyhelp.models import AuditEntry
from tests.episode_worlds import agency_user, managed_by, write_assessment
from tests.worlds import make_family, open_episode

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(users):
    family = make_family("Adeyemi family", members=2, lead=users["practitioner"])
    managed_by(users["manager"], users["practitioner"])
    return family


def autosave(client, family, part, value, version=0):
    return client.post(
        reverse("assessment-autosave", args=[family.pk]),
        json.dumps({"part": part, "version": version, "value": value}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )


def section(family, key="working_well"):
    return AssessmentSection.objects.get(assessment__episode__family=family, key=key)


def test_autosave_saves_a_part_and_counts_its_versions(client_for, case):
    lead = client_for("practitioner")
    first = autosave(lead, case, "working_well", "Mum walks them to school")
    assert first.status_code == 200 and first.json()["version"] == 1
    second = autosave(lead, case, "working_well", "Mum walks them to school every day", 1)
    assert second.json()["version"] == 2
    assert section(case).text == "Mum walks them to school every day"
    assert section(case).events.count() == 2  # every saved version is kept (pghistory)
    assessment = EarlyHelpAssessment.objects.get(episode__family=case)
    assert assessment.status == "draft" and assessment.plan_version.version == 9


def test_autosave_does_not_extend_the_idle_timeout(client_for, case):
    lead = client_for("practitioner")
    lead.get(reverse("assessment", args=[case.pk]))
    session = lead.session
    session[LAST_ACTIVITY] = time.time() - 600
    session.save()
    assert autosave(lead, case, "working_well", "Typing").status_code == 200
    assert time.time() - lead.session[LAST_ACTIVITY] >= 599


def test_autosave_after_the_timeout_answers_401_and_saves_nothing(client_for, case, settings):
    lead = client_for("practitioner")
    lead.get(reverse("assessment", args=[case.pk]))
    session = lead.session
    session[LAST_ACTIVITY] = time.time() - settings.IDLE_TIMEOUT_SECONDS - 1
    session.save()
    assert autosave(lead, case, "working_well", "Lost?").status_code == 401
    assert not AssessmentSection.objects.exists()


def test_two_editors_get_a_conflict_with_both_texts_never_an_overwrite(client_for, case, users):
    # The lead on two devices (only the lead keeps the case): each opened version 1.
    office, laptop = client_for("practitioner"), client_for("practitioner")
    autosave(office, case, "worried_about", "Dad's drinking")
    autosave(office, case, "worried_about", "Dad's drinking at weekends", 1)
    clash = autosave(laptop, case, "worried_about", "Rent arrears", 1)
    assert clash.status_code == 409
    body = clash.json()
    assert body["conflict"] and body["theirs"] == "Dad's drinking at weekends"
    assert body["their_version"] == 2 and body["label"] == "What we are worried about"
    assert section(case, "worried_about").text == "Dad's drinking at weekends"
    # Choosing to keep their own text: saved against the version they were shown.
    kept = autosave(laptop, case, "worried_about", "Rent arrears and Dad's drinking", 2)
    assert kept.status_code == 200 and kept.json()["version"] == 3


def test_saving_what_is_already_there_is_not_a_conflict(client_for, case):
    lead = client_for("practitioner")
    autosave(lead, case, "working_well", "Same words")
    again = autosave(lead, case, "working_well", "Same words", 0)
    assert again.status_code == 200 and again.json()["version"] == 1


@pytest.mark.parametrize(
    "payload, status",
    [
        ({"part": "no_such_part", "version": 0, "value": "x"}, 400),
        ({"part": "working_well", "version": "one", "value": "x"}, 400),
        ({"part": "working_well", "version": 0, "value": ["a list"]}, 400),
        ({"part": "indicators", "version": 0, "value": ["9.9"]}, 400),
        ({"part": "indicators", "version": 0, "value": "1.1"}, 400),
        ({"version": 0, "value": "x"}, 400),
    ],
)
def test_bad_autosaves_are_refused_and_save_nothing(client_for, case, payload, status):
    lead = client_for("practitioner")
    response = lead.post(
        reverse("assessment-autosave", args=[case.pk]),
        json.dumps(payload),
        content_type="application/json",
    )
    assert response.status_code == status
    assert not AssessmentSection.objects.exists()
    assert not EarlyHelpAssessment.objects.filter(indicators__len__gt=0).exists()


def test_autosave_of_a_member_part_and_the_indicators(client_for, case):
    lead = client_for("practitioner")
    member = case.memberships.first()
    assert autosave(lead, case, f"needs-{member.pk}", "Speech therapy").status_code == 200
    assert autosave(lead, case, "indicators", ["6.2", "1.1", "1.1"]).json()["version"] == 1
    assessment = EarlyHelpAssessment.objects.get(episode__family=case)
    assert assessment.indicators == ["1.1", "6.2"]
    assert [p.id for p, _ in assessment.headline_problems()] == ["1", "6"]
    other = make_family("Other family", members=1)
    stranger = other.memberships.first()
    assert autosave(lead, case, f"needs-{stranger.pk}", "Not ours").status_code == 400


def form_data(family, **parts):
    data = {"save": "1"}
    for name, value in parts.items():
        data[f"section-{name}"] = value
    return data


def test_the_form_works_without_javascript(client_for, case):
    lead = client_for("practitioner")
    page = lead.get(reverse("assessment", args=[case.pk])).content.decode()
    assert 'data-module="app-autosave"' in page and 'name="version-working_well"' in page
    response = lead.post(
        reverse("assessment", args=[case.pk]),
        {
            "save": "1",
            "section-working_well": "Grandma helps",
            "version-working_well": "0",
            "digest-working_well": "",
            "section-indicators": ["1.1", "5.7"],
            "version-indicators": "0",
        },
    )
    assert response.status_code == 302
    assert section(case).text == "Grandma helps"
    assert EarlyHelpAssessment.objects.get().indicators == ["1.1", "5.7"]


def test_a_plain_form_conflict_shows_both_texts_and_saves_nothing(client_for, case):
    lead, other_tab = client_for("practitioner"), client_for("practitioner")
    autosave(lead, case, "working_well", "Version from the office")
    response = other_tab.post(
        reverse("assessment", args=[case.pk]),
        {
            "save": "1",
            "section-working_well": "Version from home",
            "version-working_well": "0",
            "digest-working_well": "",
            "section-family_views": "They want help with school",
            "version-family_views": "0",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "someone else saved a different version" in page
    assert "Version from the office" in page and "Version from home" in page
    assert section(case).text == "Version from the office"
    assert not AssessmentSection.objects.filter(key="family_views").exists()
    # The page now carries their version as its base: saving again keeps what is in the box.
    assert 'name="version-working_well" value="1"' in page
    again = other_tab.post(
        reverse("assessment", args=[case.pk]),
        {"save": "1", "section-working_well": "Version from home", "version-working_well": "1"},
    )
    assert again.status_code == 302 and section(case).text == "Version from home"


def test_an_untouched_part_is_not_a_conflict_when_someone_else_changed_it(client_for, case):
    lead, other_tab = client_for("practitioner"), client_for("practitioner")
    page = other_tab.get(reverse("assessment", args=[case.pk])).content.decode()
    assert 'name="digest-working_well"' in page
    autosave(lead, case, "working_well", "Written elsewhere")
    from assessments.sections import digest

    response = other_tab.post(
        reverse("assessment", args=[case.pk]),
        {
            "save": "1",
            "section-working_well": "",
            "version-working_well": "0",
            "digest-working_well": digest(""),
            "section-family_views": "Their view",
            "version-family_views": "0",
            "digest-family_views": digest(""),
        },
    )
    assert response.status_code == 302
    assert section(case).text == "Written elsewhere"
    assert section(case, "family_views").text == "Their view"


def test_submitting_an_incomplete_assessment_lists_what_lacks_and_keeps_the_draft(client_for, case):
    lead = client_for("practitioner")
    response = lead.post(
        reverse("assessment", args=[case.pk]),
        {"submit": "1", "section-working_well": "Good routines", "version-working_well": "0"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter what we are worried about" in page
    assert "Enter Member0 Adeyemi&#x27;s needs" in page
    assert "Enter Member1 Adeyemi&#x27;s own views" in page
    assert "Select the headline problems present" in page
    assessment = EarlyHelpAssessment.objects.get()
    assert assessment.status == "draft"  # not submitted…
    assert section(case).text == "Good routines"  # …but no word lost


def test_submit_return_and_sign_off(client_for, case, users, django_capture_on_commit_callbacks):
    episode = case.episodes.get()
    write_assessment(episode)
    lead, manager = client_for("practitioner"), client_for("manager")
    with django_capture_on_commit_callbacks(execute=True):
        submitted = lead.post(reverse("assessment", args=[case.pk]), {"submit": "1"})
    assert submitted.status_code == 302
    assessment = EarlyHelpAssessment.objects.get()
    assert assessment.status == "submitted"
    assert Notification.objects.filter(user=users["manager"], kind="assessment_awaits_sign_off")
    assert mail.outbox and case.reference in mail.outbox[-1].body
    assert case.name not in mail.outbox[-1].body  # emails carry the reference, not names
    # Submitted: the lead can no longer change it.
    assert autosave(lead, case, "working_well", "Late change", 1).status_code == 409

    url = reverse("assessment-sign-off", args=[case.pk])
    returned = manager.post(url, {"decision": "return", "comments": "Add the father's views"})
    assert returned.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "returned"
    assert Notification.objects.filter(user=users["practitioner"], kind="assessment_returned")
    page = lead.get(reverse("assessment", args=[case.pk])).content.decode()
    assert "Add the father&#x27;s views" in page
    assert autosave(lead, case, "family_views", "Dad: wants to help", 1).status_code == 200
    lead.post(reverse("assessment", args=[case.pk]), {"submit": "1"})
    assert manager.post(url, {"decision": "sign_off"}).status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "signed_off" and assessment.signed_off_by == users["manager"]
    assert list(assessment.status_changes.values_list("status", flat=True)) == [
        "signed_off",
        "submitted",
        "returned",
        "submitted",
    ]


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Select your decision"),
        ({"decision": "maybe"}, "Select your decision from the list"),
        ({"decision": "return", "comments": "  "}, "Enter what needs to change"),
    ],
)
def test_bad_sign_off_decisions_are_refused(client_for, case, data, message):
    write_assessment(case.episodes.get(), status="submitted")
    response = client_for("manager").post(reverse("assessment-sign-off", args=[case.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page and message in page
    assert EarlyHelpAssessment.objects.get().status == "submitted"


def test_a_taf_member_reads_but_cannot_sign_off_or_edit(client_for, case, users):
    from cases.models import TafMember

    episode = case.episodes.get()
    write_assessment(episode, status="submitted")
    TafMember.objects.create(
        episode=episode, user=users["practitioner"], joined_on=episode.started_on
    )
    lead = agency_user("family_support")
    episode.lead_practitioner = lead
    episode.save()
    member = client_for("practitioner")
    assert member.get(reverse("assessment", args=[case.pk])).status_code == 200
    assert member.get(reverse("assessment-sign-off", args=[case.pk])).status_code == 403
    assert (
        member.post(
            reverse("assessment-sign-off", args=[case.pk]), {"decision": "sign_off"}
        ).status_code
        == 403
    )
    assert autosave(member, case, "working_well", "Not mine to write").status_code == 403
    assert AuditEntry.objects.filter(action="sign_off", outcome="forbidden").exists()


def test_programme_team_cannot_read_the_assessment_narrative(client_for, case, users):
    from outcomes.models import Attachment, OutcomesPlanVersion

    episode = case.episodes.get()
    write_assessment(episode)
    Attachment.objects.create(
        family=case,
        episode=episode,
        attached_on=episode.started_on,
        lead_agency=episode.lead_agency,
        attached_by=users["programme"],
        plan_version=OutcomesPlanVersion.objects.get(version=9),
    )
    programme = client_for("programme")
    assert programme.get(reverse("family-detail", args=[case.pk])).status_code == 200
    for name in ("assessment", "assessment-print", "case-note-list"):
        assert programme.get(reverse(name, args=[case.pk])).status_code == 403
    family_page = programme.get(reverse("family-detail", args=[case.pk])).content.decode()
    assert "What is working well" not in family_page and "Chronology" not in family_page


def test_a_manager_of_another_team_gets_404(client_for, case):
    write_assessment(case.episodes.get(), status="submitted")
    other_manager = agency_user("family_support", role="manager")
    from django.test import Client

    from conftest import sign_in

    client = sign_in(Client(), other_manager)
    assert client.get(reverse("assessment-sign-off", args=[case.pk])).status_code == 404
    assert client.get(reverse("assessment", args=[case.pk])).status_code == 404


def test_the_printable_copy_has_the_assessment_and_the_plan(client_for, case):
    write_assessment(case.episodes.get(), status="signed_off")
    page = client_for("practitioner").get(reverse("assessment-print", args=[case.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Early Help Assessment and plan" in text and "css/episode.css" in text
    assert "What is working well: written" in text and "1.1" in text


def test_a_family_without_an_open_episode_has_nothing_to_edit(client_for, users):
    family = make_family("Closed family", members=1)
    episode = open_episode(family, users["practitioner"])
    episode.status, episode.ended_on = "closed", episode.started_on
    episode.save()
    assert (
        client_for("practitioner").get(reverse("assessment", args=[family.pk])).status_code == 404
    )


@pytest.mark.parametrize(
    "body, error",
    [
        ("[" * 100_000, "Send a part, its version and its value"),
        ('{"part": "working_well", "version": 0, "value": ' + "[" * 40 + "]" * 40 + "}", "Send"),
        (b"\xff\xfe not text", "Send a part, its version and its value"),
        (
            json.dumps({"part": "working_well", "version": 0, "value": "Mum\x00"}),
            "must not contain a null character",
        ),
    ],
    ids=["nested 100,000 deep", "nested 40 deep", "not UTF-8", "a NUL in the text"],
)
def test_autosave_refuses_bad_bodies_with_a_clear_answer_and_saves_nothing(
    client_for, case, body, error
):
    response = client_for("practitioner").post(
        reverse("assessment-autosave", args=[case.pk]), body, content_type="application/json"
    )
    assert response.status_code == 400 and error in response.json()["error"]
    assert not AssessmentSection.objects.filter(assessment__episode__family=case).exists()
