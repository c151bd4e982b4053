"""Attaching a family to the programme (DOMAIN §8): eligibility and the four family-working
principles read from the case records, each missing in turn; attach; never twice; the gate."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments.models import AssessmentSection, SectionKey
from cases.models import PlanAction
from earlyhelp.models import AuditEntry
from outcomes.models import Attachment, Evidence, ProblemIdentified
from outcomes.programme import attachment_check, attachment_create
from tests.episode_worlds import complete_case

pytestmark = pytest.mark.django_db


def attachable(users, *, early_help_need=True):
    """A family whose open episode meets everything attachment asks for, today: a signed-off
    assessment of both children ticking 2.2 and 6.2, each evidenced; an action for each child,
    linked to those needs; a named lead practitioner of a lead agency."""
    family, episode, _teacher = complete_case(users)
    today = timezone.localdate()
    assessment = episode.assessment
    assessment.indicators = ["2.2", "6.2"]
    assessment.save(update_fields=["indicators"])
    first, second = [m.person for m in family.memberships.order_by("pk")]
    Evidence.objects.create(
        family=family,
        person=first,
        kind="asb_intervention",
        period_start=today - timedelta(days=40),
        period_end=today - timedelta(days=40),
        values={"intervention": "acceptable behaviour contract"},
        source="Police",
        recorded_on=today - timedelta(days=40),
    )
    if early_help_need:
        Evidence.objects.create(
            family=family,
            person=second,
            kind="early_help_need",
            period_start=today - timedelta(days=30),
            period_end=today - timedelta(days=30),
            values={"stage": "assessed"},
            source="Early help",
            recorded_on=today - timedelta(days=30),
        )
    lead = episode.lead_practitioner
    for person, need in ((first, "2.2"), (second, "6.2")):
        PlanAction.objects.create(
            episode=episode,
            what=f"Work with {person.first_name}",
            owner=lead,
            for_person=person,
            due_on=today + timedelta(days=30),
            need=need,
            created_by=lead,
        )
    return family, episode


def principles(check):
    return {p.key: p.lacking for p in check.principles}


def test_attaches_when_eligible_and_all_four_principles_hold(users, client_for):
    family, episode = attachable(users)
    programme = client_for("programme")
    page = programme.get(reverse("programme-attach", args=[family.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Eligible" in html and "Missing" not in html
    assert html.count("Holds") == 4
    # The indicators and problems in the plan's own words, not its numbers alone.
    html = html.replace("&#x27;", "'")
    assert "<li>Indicator 2.2: An adult or child who has received an anti-social behaviour" in html
    assert "<li>Indicator 6.2: A child who has been assessed as needing early help</li>" in html
    assert (
        "Headline problems evidenced: 2 (Parents and children involved in crime or anti-social "
        "behaviour); 6 (" in html
    )
    assert family.reference not in html[html.index("<main") :]
    response = programme.post(reverse("programme-attach", args=[family.pk]))
    assert response.status_code == 302
    attachment = Attachment.objects.get(family=family)
    assert attachment.episode == episode
    assert attachment.attached_on == timezone.localdate()
    assert attachment.lead_agency == episode.lead_agency
    assert attachment.plan_version.version == 9
    assert attachment.attached_by == users["programme"]
    assert attachment.principles == {
        "whole_family_assessment": True,
        "plan_covers_all_members": True,
        "named_lead_worker": True,
        "objectives_aligned": True,
    }
    rows = list(ProblemIdentified.objects.filter(attachment=attachment))
    assert [(p.problem, p.indicator, p.stage, p.evidence_ids) for p in rows] == [
        ("2", "2.2", "engagement", []),
        ("6", "6.2", "engagement", []),
    ]
    assert AuditEntry.objects.filter(action="attach", family_id=family.pk).exists()


def _drop_strengths(family, episode):
    AssessmentSection.objects.filter(
        assessment=episode.assessment,
        key=SectionKey.STRENGTHS,
        member__person__first_name="Member1",
    ).delete()


def _action_for_the_wrong_child(family, episode):
    first = family.memberships.order_by("pk").first().person
    PlanAction.objects.filter(episode=episode, need="6.2").update(for_person=first)


def _no_lead(family, episode):
    episode.lead_practitioner = None
    episode.save(update_fields=["lead_practitioner"])


def _unlinked_action(family, episode):
    PlanAction.objects.filter(episode=episode, need="6.2").update(need="")


def _not_signed_off(family, episode):
    episode.assessment.status = "submitted"
    episode.assessment.save(update_fields=["status"])


@pytest.mark.parametrize(
    ("take_away", "principle", "message"),
    [
        pytest.param(
            _drop_strengths,
            "whole_family_assessment",
            "Needs and strengths not yet recorded for Member1 Complete",
            id="whole-family assessment: a member not assessed",
        ),
        pytest.param(
            _not_signed_off,
            "whole_family_assessment",
            "The assessment is not signed off by a manager: submitted: awaiting sign-off",
            id="whole-family assessment: not signed off",
        ),
        pytest.param(
            _action_for_the_wrong_child,
            "plan_covers_all_members",
            "No action in the plan is for Member1 Complete, whose needs the assessment records",
            id="plan covering all members: a member with needs has no action",
        ),
        pytest.param(
            _no_lead,
            "named_lead_worker",
            "No lead practitioner is named for the episode",
            id="named lead worker: none",
        ),
        pytest.param(
            _unlinked_action,
            "objectives_aligned",
            "No action works towards headline problem 6",
            id="objectives aligned: a headline problem no action works towards",
        ),
    ],
)
def test_each_principle_missing_in_turn_refuses_attachment(users, take_away, principle, message):
    family, episode = attachable(users)
    take_away(family, episode)
    check = attachment_check(family)
    lacking = principles(check)
    assert any(message in text for text in lacking[principle]), lacking[principle]
    assert [key for key, text in lacking.items() if text] == [principle]
    assert check.eligible and not check.ready
    with pytest.raises(ValidationError) as refused:
        attachment_create(family=family, by=users["programme"])
    assert any(message in text for text in refused.value.messages)
    assert not Attachment.objects.filter(family=family).exists()
    assert not ProblemIdentified.objects.exists()


def test_an_unlinked_action_is_named(users):
    family, episode = attachable(users)
    PlanAction.objects.create(
        episode=episode,
        what="Something else",
        owner=episode.lead_practitioner,
        for_person=family.memberships.first().person,
        due_on=timezone.localdate(),
        created_by=episode.lead_practitioner,
    )
    assert principles(attachment_check(family))["objectives_aligned"] == (
        "1 action is not linked to a need or an outcome of the outcomes plan",
    )


def test_not_eligible_when_a_problem_is_not_evidenced(users, client_for):
    family, _episode = attachable(users, early_help_need=False)
    check = attachment_check(family)
    assert not check.eligible and all(p.met for p in check.principles)
    assert check.problems_evidenced == ("2",)
    response = client_for("programme").post(reverse("programme-attach", args=[family.pk]))
    assert response.status_code == 400
    html = response.content.decode().replace("&#x27;", "'")
    assert "The family is not eligible" in html
    assert "identified but not evidenced: 6 (" in html
    assert "Indicator 6.2: A child who has been assessed as needing early help: not shown" in html
    assert "indicator 6.2:" not in html
    assert not Attachment.objects.exists()


def test_a_family_is_attached_once_per_episode(users, client_for):
    family, _episode = attachable(users)
    programme = client_for("programme")
    programme.post(reverse("programme-attach", args=[family.pk]))
    again = programme.post(reverse("programme-attach", args=[family.pk]))
    assert again.status_code == 400
    assert "already attached for this episode" in again.content.decode()
    assert Attachment.objects.filter(family=family).count() == 1
    with pytest.raises(ValidationError, match="already attached for this episode"):
        attachment_create(family=family, by=users["programme"])


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("practitioner", 403),
        ("manager", 404),
        ("hub", 404),
        ("auditor", 404),
        ("administrator", 404),
    ],
)
def test_only_the_programme_team_attaches(users, client_for, role, status):
    family, _episode = attachable(users)
    response = client_for(role).post(reverse("programme-attach", args=[family.pk]))
    assert response.status_code == status
    assert not Attachment.objects.exists()
    assert AuditEntry.objects.filter(
        user=users[role],
        action="attach",
        family_id=family.pk,
        outcome__in=["forbidden", "not_found"],
    ).exists()


def test_a_family_without_a_signed_off_assessment_is_not_a_candidate(users, client_for):
    family, episode = attachable(users)
    _not_signed_off(family, episode)
    response = client_for("programme").get(reverse("programme-attach", args=[family.pk]))
    assert response.status_code == 404


def test_an_indicator_ticked_after_attachment_is_identified_during_the_intervention(
    users, client_for
):
    family, episode = attachable(users)
    attachment = attachment_create(family=family, by=users["programme"])
    assessment = episode.assessment
    assessment.status = "returned"  # back with the lead, who ticks a further indicator
    assessment.save(update_fields=["status"])
    response = client_for("practitioner").post(
        reverse("assessment-autosave", args=[family.pk]),
        json.dumps({"part": "indicators", "version": 1, "value": ["2.2", "5.7", "6.2"]}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200, response.content
    rows = {p.indicator: p.stage for p in ProblemIdentified.objects.filter(attachment=attachment)}
    assert rows == {"2.2": "engagement", "6.2": "engagement", "5.7": "intervention"}
    added = ProblemIdentified.objects.get(attachment=attachment, indicator="5.7")
    assert added.problem == "5" and added.identified_on == timezone.localdate()


def test_ticking_on_an_unattached_episode_identifies_nothing(users, client_for):
    family, episode = attachable(users)
    episode.assessment.status = "returned"
    episode.assessment.save(update_fields=["status"])
    client_for("practitioner").post(
        reverse("assessment-autosave", args=[family.pk]),
        json.dumps({"part": "indicators", "version": 1, "value": ["2.2", "5.7", "6.2"]}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert not ProblemIdentified.objects.exists()


def test_a_plan_action_says_which_member_it_is_for(users, client_for):
    family, episode = attachable(users)
    child = family.memberships.order_by("pk").last().person
    lead = client_for("practitioner")
    url = reverse("plan-action-add", args=[family.pk])
    data = {"what": "Speech therapy", "owner": "family", "due_on": timezone.localdate()}
    response = lead.post(url, {**data, "for_person": child.pk, "link": "need:6.2"})
    assert response.status_code == 302
    assert PlanAction.objects.get(what="Speech therapy").for_person == child
    stranger = lead.post(url, {**data, "what": "Other", "for_person": 999999})
    assert stranger.status_code == 400
    assert not PlanAction.objects.filter(what="Other").exists()


def test_the_attach_page_says_when_and_how_the_family_is_already_on_the_programme(
    users, client_for
):
    """A family attached and claimed is not told to attach: the page names its attachment and
    its claim (a walk through the demo found claimed families told "can be attached once
    everything above holds")."""
    family, _ = attachable(users)
    client = client_for("programme")
    assert client.post(reverse("programme-attach", args=[family.pk])).status_code == 302
    page = client.get(reverse("programme-attach", args=[family.pk])).content.decode()
    attached = Attachment.objects.get(family=family)
    assert f"Attached on {attached.attached_on:%-d %B %Y} for the episode that started" in page
    assert "no results claim yet" in page
    assert "can be attached once everything above holds" not in page
