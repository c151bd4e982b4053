"""Closure with a manager's sign-off; step-up and step-down as requests decided at the front
door (DOMAIN §4 steps 7–8); the lead-agency history; re-referrals after a step-down."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import ToolScore
from cases.closure import services as closure_services
from cases.episode.selectors import rereferral_rates
from cases.gate import family_for
from cases.models import (
    Closure,
    Episode,
    LeadChange,
    Notification,
    PlanAction,
    StepDown,
    StepUp,
    TafMember,
)
from conftest import sign_in
from earlyhelp.access import Action
from tests.episode_worlds import agency_user, managed_by, plan_version
from tests.worlds import make_family

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def date_fields(name, value):
    """A date as the GOV.UK date input posts it: day, month and year."""
    return {f"{name}_day": value.day, f"{name}_month": value.month, f"{name}_year": value.year}


@pytest.fixture
def case(users):
    family = make_family("Hussain family", members=2, lead=users["practitioner"])
    managed_by(users["manager"], users["practitioner"])
    episode = family.episodes.get()
    episode.started_on = TODAY - timedelta(days=60)
    episode.save()
    return family


def url(name, *args):
    return reverse(name, args=args)


def test_closure_is_asked_for_then_returned_then_signed_off(client_for, case, users):
    lead, manager = client_for("practitioner"), client_for("manager")
    data = {
        "reason": "needs_met",
        "needs_at_closure": "None left",
        "no_final_scores_reason": "Moved fast",
    }
    assert lead.post(url("closure-request", case.pk), data).status_code == 302
    assert Notification.objects.filter(user=users["manager"], kind="closure_awaits_sign_off")
    # Only one closure may await sign-off.
    assert lead.get(url("closure-request", case.pk)).status_code == 200
    assert lead.post(url("closure-request", case.pk), data).status_code == 400
    sign_off = url("closure-sign-off", case.pk)
    assert lead.get(sign_off).status_code == 403  # the lead does everything but sign off
    assert (
        manager.post(sign_off, {"decision": "return", "comments": "Do the final Star"}).status_code
        == 302
    )
    assert Episode.objects.get(family=case).status == "open"
    ToolScore.objects.create(
        episode=case.episodes.get(),
        tool="family_star",
        stage="close",
        scored_on=TODAY,
        plan_version=plan_version(),
        scores={"Physical health": 7},
        recorded_by=users["practitioner"],
    )
    form = lead.get(url("closure-request", case.pk)).content.decode()
    assert "Why are there no final outcome tool scores" not in form
    assert (
        lead.post(
            url("closure-request", case.pk), {"reason": "needs_met", "needs_at_closure": "None"}
        ).status_code
        == 302
    )
    assert manager.post(sign_off, {"decision": "sign_off"}).status_code == 302
    episode = Episode.objects.get(family=case)
    assert (episode.status, episode.closure_reason, episode.ended_on) == (
        "closed",
        "needs_met",
        TODAY,
    )
    assert list(Closure.objects.values_list("status", flat=True)) == ["signed_off", "returned"]
    # Closed: the lead no longer sees the family; the manager still reads it.
    assert lead.get(url("family-detail", case.pk)).status_code == 404
    assert (
        "Episode closed: needs met" in manager.get(url("family-detail", case.pk)).content.decode()
    )


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"needs_at_closure": "x", "no_final_scores_reason": "x"},
            "Select why the episode is closing",
        ),
        (
            {"reason": "stepped_up", "needs_at_closure": "x", "no_final_scores_reason": "x"},
            "Select one of the options",
        ),
        (
            {"reason": "needs_met", "no_final_scores_reason": "x"},
            "Enter the family&#x27;s needs at closure",
        ),
        (
            {"reason": "needs_met", "needs_at_closure": "x"},
            "Enter why there are no final outcome tool scores",
        ),
    ],
)
def test_bad_closures_are_refused(client_for, case, data, message):
    response = client_for("practitioner").post(url("closure-request", case.pk), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Closure.objects.exists()


def test_closing_for_needs_met_with_actions_not_done_is_confirmed_and_shown_to_the_manager(
    client_for, case, users
):
    """Issue 18: closing "needs met" with every action "not started" drew no warning."""
    episode = case.episodes.get()
    for what, status in (("Weekly school run plan", "not_started"), ("Debt advice", "done")):
        PlanAction.objects.create(
            episode=episode,
            what=what,
            owner=users["practitioner"],
            due_on=TODAY + timedelta(days=14),
            status=status,
            created_by=users["practitioner"],
        )
    lead = client_for("practitioner")
    page = lead.get(url("closure-request", case.pk)).content.decode()
    assert "1 of the plan's actions is not done" in page
    assert "Weekly school run plan" in page and "Debt advice" not in page
    data = {"reason": "needs_met", "needs_at_closure": "None", "no_final_scores_reason": "Left"}
    refused = lead.post(url("closure-request", case.pk), data)
    assert refused.status_code == 400
    assert closure_services.UNFINISHED_NOT_CONFIRMED in refused.content.decode().replace(
        "&#x27;", "'"
    )
    assert not Closure.objects.exists()
    # Another reason needs no confirming; nor does "needs met" said on purpose.
    confirmed = lead.post(url("closure-request", case.pk), {**data, "unfinished_confirmed": "on"})
    assert confirmed.status_code == 302
    sign_off = client_for("manager").get(url("closure-sign-off", case.pk)).content.decode()
    assert "Weekly school run plan" in sign_off and "not started" in sign_off


def test_the_service_refuses_needs_met_with_actions_not_done_unconfirmed(case, users):
    episode = case.episodes.get()
    PlanAction.objects.create(
        episode=episode,
        what="Weekly school run plan",
        owner=users["practitioner"],
        due_on=TODAY,
        created_by=users["practitioner"],
    )
    ask = {
        "episode": episode,
        "needs_at_closure": "None",
        "final_scores_recorded": False,
        "no_final_scores_reason": "Left",
        "by": users["practitioner"],
    }
    with pytest.raises(ValidationError, match="plan actions are not done"):
        closure_services.closure_request(reason="needs_met", **ask)
    assert closure_services.closure_request(reason="moved_out_of_area", **ask).pk


def test_bad_closure_decisions_are_refused(client_for, case, users):
    Closure.objects.create(
        episode=case.episodes.get(),
        reason="needs_met",
        needs_at_closure="x",
        requested_by=users["practitioner"],
    )
    response = client_for("manager").post(url("closure-sign-off", case.pk), {"decision": "return"})
    assert response.status_code == 400 and "Enter what needs to change" in response.content.decode()
    assert Closure.objects.get().status == "awaiting_sign_off"


@pytest.fixture
def social_worker():
    return agency_user("social_care", first_name="Sam", last_name="Social")


def step_up(client_for, case, social_worker):
    hub = client_for("hub")
    lead = client_for("practitioner")
    assert (
        lead.post(url("step-up-request", case.pk), {"reason": "Disclosure at school"}).status_code
        == 302
    )
    step = StepUp.objects.get()
    # The front door now sees the family, through the step-up alone.
    assert hub.get(url("family-detail", case.pk)).status_code == 200
    assert "Disclosure at school" in hub.get(url("step-up-decision", step.pk)).content.decode()
    response = hub.post(
        url("step-up-decision", step.pk),
        {
            "decision": "accept",
            "received_by": social_worker.pk,
            "handover": "Strategy meeting today",
        },
    )
    assert response.status_code == 302
    return step


def test_an_accepted_step_up_closes_the_episode_and_hands_the_family_to_social_care(
    client_for, case, users, social_worker
):
    teacher = agency_user("education")
    TafMember.objects.create(episode=case.episodes.get(), user=teacher, joined_on=TODAY)
    step = step_up(client_for, case, social_worker)
    episode = Episode.objects.get(family=case)
    assert (episode.status, episode.closure_reason) == ("closed", "stepped_up")
    step.refresh_from_db()
    assert step.social_care == social_worker.organisation and step.handover
    # The lead's access ends; the social worker's begins; TAF partners stay known to the family.
    assert client_for("practitioner").get(url("family-detail", case.pk)).status_code == 404
    as_social = sign_in(Client(), social_worker)
    assert as_social.get(url("family-detail", case.pk)).status_code == 200
    assert sign_in(Client(), teacher).get(url("family-detail", case.pk)).status_code == 200
    page = as_social.get(url("family-detail", case.pk)).content.decode()
    assert "Stepped up to children&#x27;s social care" in page
    assert "Ask for a step-down to early help" in page
    # Links only where there is something behind them: never assessed, no plan, nothing to
    # print (the page itself still opens, for a link kept from before).
    assert "Printable assessment" not in page and "Printable plan" not in page
    assert as_social.get(url("assessment-print", case.pk)).status_code == 200
    # Issue 18: the receiving social worker is told, by the family's name, and only she is.
    told = Notification.objects.get(kind="step_up_received")
    assert told.user == social_worker and told.family == case
    assert told.message.startswith("The Hussain family is handed to you")
    assert told.url == url("family-detail", case.pk)


def test_an_accepted_step_down_opens_a_new_episode_with_its_lead(
    client_for, case, users, social_worker, django_capture_on_commit_callbacks
):
    step_up(client_for, case, social_worker)
    teacher = agency_user("education")
    TafMember.objects.create(episode=case.episodes.get(), user=teacher, joined_on=TODAY)
    as_social = sign_in(Client(), social_worker)
    response = as_social.post(
        url("step-down-request", case.pk), {"reason": "CIN plan ended", "handover": "Mum engaging"}
    )
    assert response.status_code == 302
    down = StepDown.objects.get()
    assert down.from_step_up == StepUp.objects.get()
    new_lead = agency_user("family_support")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("hub").post(
            url("step-down-decision", down.pk),
            {"decision": "accept", "lead_practitioner": new_lead.pk},
        )
    assert response.status_code == 302
    new = Episode.objects.get(family=case, status="open")
    assert new.lead_practitioner == new_lead and new.lead_agency == new_lead.organisation
    assert Notification.objects.filter(user=new_lead, kind="allocated").exists()
    # Handed back: the social worker and the old team's partners no longer see the family.
    assert as_social.get(url("family-detail", case.pk)).status_code == 404
    assert sign_in(Client(), teacher).get(url("family-detail", case.pk)).status_code == 404
    page = sign_in(Client(), new_lead).get(url("family-detail", case.pk)).content.decode()
    assert "Stepped down from social care" in page and "Stepped up to children" in page


def test_a_declined_step_up_leaves_the_episode_open(client_for, case, social_worker):
    client_for("practitioner").post(url("step-up-request", case.pk), {"reason": "Worried"})
    step = StepUp.objects.get()
    response = client_for("hub").post(
        url("step-up-decision", step.pk),
        {"decision": "decline", "note": "Below threshold: continue EH"},
    )
    assert response.status_code == 302
    assert Episode.objects.get(family=case).status == "open"
    assert StepUp.objects.get().status == "declined"
    assert not Notification.objects.filter(kind="step_up_received").exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Select your decision"),
        ({"decision": "accept", "handover": "x"}, "Select the social worker who takes it"),
        ({"decision": "accept", "received_by": "SW"}, "Enter the handover to social care"),
        ({"decision": "accept", "received_by": "LEAD", "handover": "x"}, "from the list"),
        ({"decision": "decline"}, "Enter why you decline it"),
    ],
)
def test_bad_step_up_decisions_are_refused(client_for, case, users, social_worker, data, message):
    client_for("practitioner").post(url("step-up-request", case.pk), {"reason": "Worried"})
    step = StepUp.objects.get()
    data = {
        k: {"SW": social_worker.pk, "LEAD": users["practitioner"].pk}.get(v, v)
        for k, v in data.items()
    }
    response = client_for("hub").post(url("step-up-decision", step.pk), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert StepUp.objects.get().status == "pending"
    assert Episode.objects.get(family=case).status == "open"


def test_bad_step_requests_are_refused(client_for, case, social_worker):
    response = client_for("practitioner").post(url("step-up-request", case.pk), {"reason": " "})
    assert (
        response.status_code == 400
        # GOV.UK: "Enter the reason…", written for the question, not "Enter why does…?".
        and "Enter the reason the family needs children&#x27;s social care"
        in response.content.decode()
    )
    assert not StepUp.objects.exists()
    step_up(client_for, case, social_worker)
    as_social = sign_in(Client(), social_worker)
    for data, message in [
        ({"handover": "x"}, "Enter the reason early help can now meet"),
        ({"reason": "x"}, "Enter what the early help lead needs to know"),
    ]:
        response = as_social.post(url("step-down-request", case.pk), data)
        assert response.status_code == 400 and message in response.content.decode()
    assert not StepDown.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"decision": "accept"}, "Select the lead practitioner"),
        ({"decision": "accept", "lead_practitioner": "SW"}, "from the list"),
        ({"decision": "decline", "note": ""}, "Enter why you decline it"),
    ],
)
def test_bad_step_down_decisions_are_refused(client_for, case, social_worker, data, message):
    step_up(client_for, case, social_worker)
    sign_in(Client(), social_worker).post(
        url("step-down-request", case.pk), {"reason": "x", "handover": "y"}
    )
    data = {k: social_worker.pk if v == "SW" else v for k, v in data.items()}
    response = client_for("hub").post(url("step-down-decision", StepDown.objects.get().pk), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Episode.objects.filter(status="open").exists()


def test_step_requests_wait_on_the_hubs_list(client_for, case):
    client_for("practitioner").post(url("step-up-request", case.pk), {"reason": "Worried"})
    page = client_for("hub").get(url("step-request-list")).content.decode()
    assert case.name in page and "Decide" in page
    assert client_for("practitioner").get(url("step-request-list")).status_code == 403


def test_a_rereferral_within_3_months_of_a_step_down_is_shown(
    client_for, case, users, social_worker
):
    step_up(client_for, case, social_worker)
    sign_in(Client(), social_worker).post(
        url("step-down-request", case.pk), {"reason": "x", "handover": "y"}
    )
    down = StepDown.objects.get()
    client_for("hub").post(
        url("step-down-decision", down.pk),
        {"decision": "accept", "lead_practitioner": users["practitioner"].pk},
    )
    StepDown.objects.update(decided_at=timezone.now() - timedelta(days=70))
    client_for("practitioner").post(url("step-up-request", case.pk), {"reason": "Back again"})
    page = client_for("practitioner").get(url("family-detail", case.pk)).content.decode()
    assert "a re-referral within 3 months (outcome 6.2 is not met)" in page
    rates = rereferral_rates(stepped_down_from=TODAY - timedelta(days=100), stepped_down_to=TODAY)
    assert (
        rates["stepped_down"] == 1
        and rates["within_3_months"] == 1
        and rates["rate_3_months"] == 1.0
    )
    StepDown.objects.update(decided_at=timezone.now() - timedelta(days=200))
    page = client_for("practitioner").get(url("family-detail", case.pk)).content.decode()
    assert "a re-referral within 12 months" in page and "within 3 months" not in page


def test_a_manager_changes_the_lead_and_the_history_keeps_both(client_for, case, users):
    from earlyhelp.tests.factories import UserFactory

    new_lead = UserFactory(team=users["practitioner"].team)  # the same team: same manager
    manager = client_for("manager")
    data = {
        "to_practitioner": new_lead.pk,
        **date_fields("changed_on", TODAY),
        "reason": "Caseload",
    }
    assert manager.post(url("lead-change", case.pk), data).status_code == 302
    episode = Episode.objects.get(family=case)
    assert episode.lead_practitioner == new_lead and episode.lead_agency == new_lead.organisation
    change = LeadChange.objects.get()
    assert change.from_practitioner == users["practitioner"]
    page = manager.get(url("family-detail", case.pk)).content.decode()
    assert "Caseload" in page and str(users["practitioner"]) in page and str(new_lead) in page
    family = family_for(new_lead, case.pk, action=Action.KEEP_CASE)
    assert family == case
    assert client_for("practitioner").get(url("family-detail", case.pk)).status_code == 404


@pytest.mark.parametrize(
    "data, message",
    [
        ({"changed_on": "TODAY", "reason": "x"}, "Select new lead practitioner"),
        ({"to_practitioner": "LEAD", "changed_on": "TODAY", "reason": "x"}, "from the list"),
        ({"to_practitioner": "NEW", "reason": "x"}, "Enter the date the new lead takes over"),
        ({"to_practitioner": "NEW", "changed_on": "TODAY"}, "Enter why the lead changes"),
        (
            {"to_practitioner": "NEW", "changed_on": "1999-01-01", "reason": "x"},
            "must be the same as or after",
        ),
        (
            {"to_practitioner": "NEW", "changed_on": "YESTERDAY", "reason": "x"},
            "must be today or in the future",
        ),
    ],
)
def test_bad_lead_changes_are_refused(client_for, case, users, data, message):
    new_lead = agency_user("family_support")
    subs = {"LEAD": users["practitioner"].pk, "NEW": new_lead.pk, "TODAY": TODAY.isoformat()}
    subs["YESTERDAY"] = (TODAY - timedelta(days=1)).isoformat()
    data = {k: subs.get(v, v) for k, v in data.items()}
    if "changed_on" in data:
        data |= date_fields("changed_on", date.fromisoformat(data.pop("changed_on")))
    response = client_for("manager").post(url("lead-change", case.pk), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not LeadChange.objects.exists()
