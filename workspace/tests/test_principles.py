"""The seven principles are derived from the records: a complete case meets them all, and a
case missing each one in turn fails exactly that one, saying what lacks."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import AssessmentSection, EarlyHelpAssessment, SectionKey
from cases.models import Consent, PlanAction, PlanReview, TafMeeting, TafMember
from cases.people.selectors import family_detail
from tests.episode_worlds import complete_case
from workspace.family import family_story

pytestmark = pytest.mark.django_db
CASEWORK = {"view", "view_casework"}


def principles_of(family):
    detail = family_detail(family)
    story = family_story(
        family,
        episodes=detail["episodes"],
        members=detail["current_members"],
        consents=detail["consents"],
        can=CASEWORK,
    )
    return {p.key: p for p in story["principles"]}


def no_consent(family, episode):
    Consent.objects.filter(family=family).update(withdrawn_on=timezone.localdate())


def a_member_not_assessed(family, episode):
    member = family.memberships.order_by("pk").last()
    AssessmentSection.objects.filter(member=member, key=SectionKey.STRENGTHS).update(text=" ")


def no_actions(family, episode):
    PlanAction.objects.filter(episode=episode).delete()


def an_action_not_linked(family, episode):
    PlanAction.objects.filter(episode=episode).update(need="", outcome="")


def no_other_agency_on_the_team(family, episode):
    TafMember.objects.filter(episode=episode).update(left_on=timezone.localdate())


def review_overdue(family, episode, weeks=9):
    PlanReview.objects.filter(episode=episode).update(
        held_on=timezone.localdate() - timedelta(weeks=weeks)
    )


def not_signed_off(family, episode):
    EarlyHelpAssessment.objects.filter(episode=episode).update(status="submitted")


CASES = [
    (no_consent, "consent", "Consent was withdrawn"),
    (a_member_not_assessed, "whole_family", "Needs and strengths not yet recorded for Member1"),
    (no_actions, "action_plan", "The plan has no actions yet"),
    (an_action_not_linked, "outcomes", "1 action is not linked to a need or an outcome"),
    (no_other_agency_on_the_team, "team", "No practitioner from another agency is on the team"),
    (review_overdue, "review", "is overdue"),
    (not_signed_off, "oversight", "not signed off by a manager: submitted"),
]


def test_a_complete_case_meets_every_principle(users):
    family, _, _ = complete_case(users)
    principles = principles_of(family)
    assert len(principles) == 7
    assert {key: p.lacking for key, p in principles.items() if not p.met} == {}


@pytest.mark.parametrize("take_away, fails, says", CASES, ids=[case[1] for case in CASES])
def test_a_case_missing_one_principle_fails_that_one_only(users, take_away, fails, says):
    family, episode, _ = complete_case(users)
    take_away(family, episode)
    principles = principles_of(family)
    failing = [key for key, p in principles.items() if not p.met]
    assert failing == [fails]
    assert any(says in lack for lack in principles[fails].lacking), principles[fails].lacking


def test_no_meeting_is_a_lack_of_the_team_approach(users):
    family, episode, _ = complete_case(users)
    TafMeeting.objects.filter(episode=episode).delete()
    assert principles_of(family)["team"].lacking == (
        "No team around the family meeting is recorded",
    )


def test_the_review_interval_is_configurable(users, set_policy):
    family, episode, _ = complete_case(users)
    review_overdue(family, episode, weeks=7)
    assert principles_of(family)["review"].met
    set_policy(review_interval_weeks=6)
    assert not principles_of(family)["review"].met


def test_a_new_episode_lacks_what_it_has_not_done_yet(users):
    family, episode, _ = complete_case(users)
    EarlyHelpAssessment.objects.filter(episode=episode).delete()
    principles = principles_of(family)
    assert principles["whole_family"].lacking == ("The assessment has not been started",)
    assert principles["oversight"].lacking == ("No assessment to sign off yet",)
    assert principles["outcomes"].lacking == (
        "The assessment identifies no headline problem from the outcomes plan",
    )


def test_the_family_page_shows_the_principles_and_what_lacks(users, client_for):
    family, episode, _ = complete_case(users)
    not_signed_off(family, episode)
    page = client_for("practitioner").get(reverse("family-detail", args=[family.pk]))
    text = page.content.decode()
    assert "Early help principles" in text
    assert text.count('govuk-tag--green">Met') == 6
    assert "The assessment is not signed off by a manager" in text
