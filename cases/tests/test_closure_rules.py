"""The rules of closing and moving an episode are their services' own: each service, called
directly with what a page's form would have refused, refuses it keyed by field in the form's
words, and changes nothing (`workspace/tests/test_closure_steps.py` goes through the pages)."""

import pytest

from cases.closure import services
from cases.closure.reallocation import caseload_reallocate
from cases.models import Closure, Episode, LeadChange, StepDecision, StepDown, StepUp
from earlyhelp.services import user_deactivate
from earlyhelp.tests.factories import UserFactory
from tests.episode_worlds import agency_user, days, episode_begun, refused
from tests.worlds import make_family

pytestmark = pytest.mark.django_db
STARTED = 60  # days before today that the episode began


@pytest.fixture
def episode(users):
    return episode_begun("Hussain family", lead=users["practitioner"], days_ago_started=STARTED)


def still_open(episode) -> bool:
    return Episode.objects.get(pk=episode.pk).status == Episode.Status.OPEN


# --- closure ------------------------------------------------------------------------------------


@pytest.mark.parametrize("why", ["", "   "])
def test_a_closure_without_final_scores_says_why(episode, users, why):
    problems = refused(
        lambda: services.closure_request(
            episode=episode,
            reason="needs_met",
            needs_at_closure="None left",
            final_scores_recorded=False,
            no_final_scores_reason=why,
            by=users["practitioner"],
        )
    )
    assert problems == {
        "no_final_scores_reason": [
            "Enter why there are no final outcome tool scores, or record them first"
        ]
    }
    assert not Closure.objects.exists()


def test_a_closure_with_final_scores_needs_no_reason(episode, users):
    closure = services.closure_request(
        episode=episode,
        reason="needs_met",
        needs_at_closure="None left",
        final_scores_recorded=True,
        by=users["practitioner"],
    )
    assert closure.status == Closure.Status.AWAITING_SIGN_OFF


@pytest.fixture
def closure(episode, users):
    return Closure.objects.create(
        episode=episode,
        reason="needs_met",
        needs_at_closure="None left",
        requested_by=users["practitioner"],
    )


@pytest.mark.parametrize("comments", ["", "  "])
def test_a_closure_is_returned_with_what_needs_to_change(closure, users, comments):
    problems = refused(
        lambda: services.closure_decide(
            closure=closure, sign_off=False, comments=comments, by=users["manager"]
        )
    )
    assert problems == {"comments": ["Enter what needs to change"]}
    closure.refresh_from_db()
    assert closure.status == Closure.Status.AWAITING_SIGN_OFF and closure.decided_by is None


def test_a_closure_is_signed_off_without_comments(closure, users):
    services.closure_decide(closure=closure, sign_off=True, comments="", by=users["manager"])
    assert not still_open(closure.episode)


# --- step-up and step-down decisions ------------------------------------------------------------


@pytest.fixture
def step_up(episode, users):
    return StepUp.objects.create(
        episode=episode, reason="Disclosure at school", requested_by=users["practitioner"]
    )


@pytest.fixture
def social_worker():
    return agency_user("social_care")


@pytest.mark.parametrize(
    "decision, problems",
    [
        ({"accept": False, "note": " "}, {"note": ["Enter why you decline it"]}),
        (
            {"accept": True, "received_by": None, "handover": "Strategy meeting"},
            {"received_by": ["Select the social worker who takes it"]},
        ),
        (
            {"accept": True, "received_by": "SW", "handover": ""},
            {"handover": ["Enter the handover to social care"]},
        ),
        (
            {"accept": True, "received_by": None, "handover": ""},
            {
                "received_by": ["Select the social worker who takes it"],
                "handover": ["Enter the handover to social care"],
            },
        ),
    ],
)
def test_bad_step_up_decisions_are_refused(step_up, users, social_worker, decision, problems):
    decision = {"note": "", **decision}
    if decision.get("received_by") == "SW":
        decision["received_by"] = social_worker
    refusal = refused(lambda: services.step_up_decide(step_up=step_up, by=users["hub"], **decision))
    assert refusal == problems
    step_up.refresh_from_db()
    assert step_up.status == StepDecision.PENDING and step_up.decided_by is None
    assert still_open(step_up.episode)


@pytest.mark.parametrize("where", ["no agency", "a school"])
def test_only_a_social_worker_takes_a_family_stepped_up(step_up, users, where):
    """DOMAIN §4 step 8: "Social care is an organisation in the system (tier 1)"."""
    worker = agency_user() if where == "a school" else UserFactory(role="practitioner", team=None)
    problems = refused(
        lambda: services.step_up_decide(
            step_up=step_up,
            accept=True,
            note="",
            received_by=worker,
            handover="x",
            by=users["hub"],
        )
    )
    assert problems == {"received_by": ["Select the social worker who takes it"]}


@pytest.fixture
def step_down(users, social_worker):
    family = make_family("Byrne family")
    return StepDown.objects.create(
        family=family, reason="CIN plan ended", handover="Mum engaging", requested_by=social_worker
    )


@pytest.mark.parametrize(
    "decision, problems",
    [
        ({"accept": False, "note": ""}, {"note": ["Enter why you decline it"]}),
        ({"accept": True, "note": ""}, {"lead_practitioner": ["Select the lead practitioner"]}),
    ],
)
def test_bad_step_down_decisions_are_refused(step_down, users, decision, problems):
    refusal = refused(
        lambda: services.step_down_decide(step_down=step_down, by=users["hub"], **decision)
    )
    assert refusal == problems
    step_down.refresh_from_db()
    assert step_down.status == StepDecision.PENDING and step_down.new_episode is None
    assert not Episode.objects.filter(family=step_down.family).exists()


def test_a_step_down_is_not_given_to_someone_who_has_left(step_down, users):
    leaver = UserFactory(
        role="practitioner", team=users["practitioner"].team, first_name="Dee", last_name="Parr"
    )
    user_deactivate(leaver)
    refusal = refused(
        lambda: services.step_down_decide(
            step_down=step_down,
            accept=True,
            note="Early help can meet the needs",
            lead_practitioner=leaver,
            by=users["hub"],
        )
    )
    assert refusal == {"lead_practitioner": ["Dee Parr has left the service: select someone else"]}
    assert not Episode.objects.filter(family=step_down.family).exists()


# --- a change of lead ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changed, message",
    [
        (-1, "The date the new lead takes over must be today or in the future"),
        (
            -STARTED - 1,
            "The date the new lead takes over must be the same as or after {}, when {} "
            "became the lead",
        ),
        (None, "Enter the date the new lead takes over"),
    ],
)
def test_a_new_lead_takes_over_within_the_episode(episode, users, changed, message):
    lead = episode.lead_practitioner
    problems = refused(
        lambda: services.lead_change(
            episode=episode,
            to_practitioner=agency_user("family_support"),
            changed_on=None if changed is None else days(changed),
            reason="Caseload",
            by=users["manager"],
        )
    )
    began = f"{episode.started_on.day} {episode.started_on:%B %Y}"
    assert problems == {"changed_on": [message.format(began, lead)]}
    assert not LeadChange.objects.exists()
    assert Episode.objects.get(pk=episode.pk).lead_practitioner == lead


def test_a_caseload_moves_today_or_later(episode, users):
    """Re-allocating a leaver's caseload (issues 9, 18) is a change of lead for each episode,
    so it is never back-dated either."""
    ann = episode.lead_practitioner
    bob = UserFactory(role="practitioner", team=ann.team)
    users["manager"].managed_teams.add(ann.team)
    problems = refused(
        lambda: caseload_reallocate(
            from_practitioner=ann,
            moves={episode: bob},
            changed_on=days(-1),
            reason="Leaving",
            by=users["manager"],
        )
    )
    assert problems == {
        "changed_on": ["The date the new lead takes over must be today or in the future"]
    }
    assert not LeadChange.objects.exists()
    assert Episode.objects.get(pk=episode.pk).lead_practitioner == ann
