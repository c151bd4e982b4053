"""The episode's rules are its services' own: each service, called directly with what a page's
form would have refused, refuses it keyed by field in the form's words, and saves nothing.

A page's form may ask the same rule for early feedback (`test_episode_work.py` sends the bad
answers through the pages); these call the services as any other caller would.
"""

import pytest

from cases.episode import services
from cases.models import PlanAction, PlanReview, TafMeeting, TafMember
from tests.episode_worlds import agency_user, days, episode_begun, refused

pytestmark = pytest.mark.django_db
STARTED = 30  # days before today that the episode began


@pytest.fixture
def episode(users):
    return episode_begun("Okafor family", lead=users["practitioner"], days_ago_started=STARTED)


def began(episode) -> str:
    return f"{episode.started_on.day} {episode.started_on:%B %Y}"


# --- the team: the dates a member joined and left ----------------------------------------------


@pytest.mark.parametrize(
    "joined, message",
    [
        (1, "Date they joined the team must be today or in the past"),
        (-STARTED - 1, "Date they joined the team must be on or after the episode began ({})"),
        (None, "Enter the date they joined the team"),
    ],
)
def test_a_member_joins_within_the_episode(episode, users, joined, message):
    problems = refused(
        lambda: services.taf_member_add(
            episode=episode,
            user=agency_user(),
            joined_on=None if joined is None else days(joined),
            by=users["practitioner"],
        )
    )
    assert problems == {"joined_on": [message.format(began(episode))]}
    assert not TafMember.objects.exists()


@pytest.mark.parametrize(
    "left, message",
    [
        (1, "Date they left the team must be today or in the past"),
        (-STARTED - 1, "Date they left the team must be on or after the episode began ({})"),
    ],
)
def test_a_member_leaves_within_the_episode(episode, users, left, message):
    member = TafMember.objects.create(episode=episode, user=agency_user(), joined_on=days(-5))
    problems = refused(
        lambda: services.taf_member_leave(
            member=member, left_on=days(left), by=users["practitioner"]
        )
    )
    assert problems == {"left_on": [message.format(began(episode))]}
    member.refresh_from_db()
    assert member.left_on is None


# --- the plan's actions: by when ---------------------------------------------------------------


def test_an_action_is_due_today_or_later(episode, users):
    problems = refused(
        lambda: services.plan_action_add(
            episode=episode,
            what="Attend parenting group",
            owner=None,
            due_on=days(-1),
            by=users["practitioner"],
        )
    )
    assert problems == {"due_on": ["The date it is due by must be today or in the future"]}
    assert not PlanAction.objects.exists()


def test_an_action_due_today_is_added(episode, users):
    action = services.plan_action_add(
        episode=episode, what="Call school", owner=None, due_on=days(0), by=users["practitioner"]
    )
    assert action.due_on == days(0)


def test_an_action_is_refused_for_every_broken_rule_at_once(episode, users):
    problems = refused(
        lambda: services.plan_action_add(
            episode=episode,
            what="x" * 10_001,
            owner=agency_user(),  # not on the team
            due_on=days(-1),
            by=users["practitioner"],
        )
    )
    assert set(problems) == {"what", "owner", "due_on"}


# --- meetings: who was there, and when ----------------------------------------------------------


def meeting(episode, by, **changes):
    answers = {
        "held_on": days(-1),
        "attendees": [],
        "family_present": [],
        "others_present": "",
        "decisions": "School meeting next week",
    } | changes
    return lambda: services.taf_meeting_record(episode=episode, by=by, **answers)


@pytest.mark.parametrize("others_present", ["", "   "])
def test_a_meeting_says_who_was_there(episode, users, others_present):
    problems = refused(meeting(episode, users["practitioner"], others_present=others_present))
    assert problems == {"attendees": ["Select who was at the meeting"]}
    assert not TafMeeting.objects.exists()


@pytest.mark.parametrize("who", ["attendees", "family_present", "others_present"])
def test_anyone_present_is_enough(episode, users, who):
    present = {
        "attendees": [users["practitioner"]],
        "family_present": [episode.family.memberships.first()],
        "others_present": "Aunt",
    }[who]
    meeting(episode, users["practitioner"], **{who: present})()
    assert TafMeeting.objects.count() == 1


@pytest.mark.parametrize(
    "held, message",
    [
        (1, "Date of the meeting must be today or in the past"),
        (-STARTED - 1, "Date of the meeting must be on or after the episode began ({})"),
        (None, "Enter the date of the meeting"),
    ],
)
def test_a_meeting_is_held_within_the_episode(episode, users, held, message):
    held_on = None if held is None else days(held)
    problems = refused(
        meeting(episode, users["practitioner"], held_on=held_on, others_present="Aunt")
    )
    assert problems == {"held_on": [message.format(began(episode))]}
    assert not TafMeeting.objects.exists()


# --- reviews: when -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "held, message",
    [
        (1, "Date of the review must be today or in the past"),
        (-STARTED - 1, "Date of the review must be on or after the episode began ({})"),
        (None, "Enter the date of the review"),
    ],
)
def test_a_review_is_held_within_the_episode(episode, users, held, message):
    problems = refused(
        lambda: services.plan_review_record(
            episode=episode,
            held_on=None if held is None else days(held),
            progress="Going well",
            changes_to_plan="",
            by=users["practitioner"],
        )
    )
    assert problems == {"held_on": [message.format(began(episode))]}
    assert not PlanReview.objects.exists()
