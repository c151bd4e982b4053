"""The leaver's page: a manager splits a worker's open cases across the team, today or from a
later date, seeing each worker's caseload against the target (issues 9, 18)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cases.closure.lead import lead_changes_apply_due
from cases.models import Episode, LeadChange, Notification
from conftest import sign_in
from earlyhelp.models import AuditEntry
from earlyhelp.policy import caseload_target
from earlyhelp.tests.factories import UserFactory
from tests.episode_worlds import agency_user, days, days_ago, managed_by
from tests.worlds import make_family

pytestmark = pytest.mark.django_db


def episode_for(lead, *, name="Home family", started=30):
    return Episode.objects.create(
        family=make_family(name),
        started_on=days_ago(started),
        lead_practitioner=lead,
        lead_agency=lead.team.organisation,
    )


@pytest.fixture
def team(users):
    """A manager with three practitioners in one team, and a stranger in another team."""
    ann = agency_user(first_name="Ann", last_name="Lead")
    bob = UserFactory(role="practitioner", team=ann.team, first_name="Bob", last_name="Other")
    cat = UserFactory(role="practitioner", team=ann.team, first_name="Cat", last_name="Third")
    manager = managed_by(users["manager"], ann)
    stranger = agency_user(first_name="Stan", last_name="Ger")
    return {"ann": ann, "bob": bob, "cat": cat, "manager": manager, "stranger": stranger}


def page(user, worker, data=None):
    client = sign_in(Client(), user)
    path = reverse("team-reallocate", args=[worker.pk])
    return client.post(path, data) if data is not None else client.get(path)


def form_data(moves: dict, on, *, reason="Leaving", **more):
    data = {f"case_{episode.pk}": worker.pk for episode, worker in moves.items()}
    data |= {"changed_on_day": on.day, "changed_on_month": on.month, "changed_on_year": on.year}
    return data | {"reason": reason, **more}


def test_a_leavers_cases_split_across_two_workers_each_told(team):
    ann, bob, cat = team["ann"], team["bob"], team["cat"]
    to_bob = [episode_for(ann, name=f"Bobfam{i}") for i in range(2)]
    to_cat = [episode_for(ann, name="Catfam")]
    episode_for(bob, name="Bob's own")

    response = page(
        team["manager"], ann, form_data({**dict.fromkeys(to_bob, bob), to_cat[0]: cat}, days(0))
    )

    assert response.status_code == 302
    assert set(
        Episode.objects.filter(lead_practitioner=bob, family__name__startswith="Bobfam")
    ) == set(to_bob)
    assert Episode.objects.get(pk=to_cat[0].pk).lead_practitioner == cat
    assert not Episode.objects.filter(lead_practitioner=ann, status="open").exists()
    target = caseload_target()
    bob_told = Notification.objects.get(user=bob, kind=Notification.Kind.CASES_MOVED_TO_YOU)
    # How many, from when, and the caseload; no names, which would outlive the access (the
    # home page lists the families through the gate).
    assert bob_told.message.startswith("2 families move to you as lead practitioner from today")
    assert "Bobfam" not in bob_told.message
    assert f"from 1 to 3 (target {target})" in bob_told.message
    cat_told = Notification.objects.get(user=cat, kind=Notification.Kind.CASES_MOVED_TO_YOU)
    assert cat_told.message.startswith("1 family moves to you as lead practitioner from today")
    assert "Catfam" not in cat_told.message
    assert f"from 0 to 1 (target {target})" in cat_told.message
    assert not Notification.objects.filter(
        user=ann, kind=Notification.Kind.CASES_MOVED_TO_YOU
    ).exists()
    assert AuditEntry.objects.filter(action="caseload_reallocate").count() == 1


def test_a_planned_leaver_is_moved_ahead_on_their_last_day(team):
    ann, bob, cat = team["ann"], team["bob"], team["cat"]
    first, second = episode_for(ann, name="First"), episode_for(ann, name="Second")
    leaves_on = days(21)

    response = page(team["manager"], ann, form_data({first: bob, second: cat}, leaves_on))

    assert response.status_code == 302
    # Ann keeps her cases until then; the moves are scheduled and the receivers told now.
    assert Episode.objects.filter(lead_practitioner=ann, status="open").count() == 2
    assert set(LeadChange.objects.values_list("status", flat=True)) == {"scheduled"}
    told = Notification.objects.get(user=bob, kind=Notification.Kind.CASES_MOVED_TO_YOU)
    assert f"from {leaves_on.day} {leaves_on:%B %Y}" in told.message
    # The page lists them as scheduled, and offers nothing left to move.
    again = page(team["manager"], ann).content.decode()
    assert "(scheduled)" in again and "has no open case left to move" in again

    assert lead_changes_apply_due(today=leaves_on) == 2
    assert Episode.objects.get(pk=first.pk).lead_practitioner == bob
    assert Episode.objects.get(pk=second.pk).lead_practitioner == cat


def test_a_back_dated_move_is_refused_on_the_date_field(team):
    ann, bob = team["ann"], team["bob"]
    episode = episode_for(ann)
    response = page(team["manager"], ann, form_data({episode: bob}, days(-300)))
    body = response.content.decode()
    assert response.status_code == 400
    assert "The date the new lead takes over must be today or in the future" in body
    assert 'href="#id_changed_on"' in body and "<title>Error: " in body
    assert not LeadChange.objects.exists()


def test_every_case_needs_its_worker(team):
    ann, bob = team["ann"], team["bob"]
    kept, moved = episode_for(ann, name="Kowalski"), episode_for(ann, name="Moved")
    data = form_data({moved: bob}, days(0)) | {f"case_{kept.pk}": ""}
    response = page(team["manager"], ann, data)
    assert response.status_code == 400
    assert f"Select who takes over {kept.family.name}" in response.content.decode()
    assert not LeadChange.objects.exists()  # nothing half-saved


def test_going_over_target_is_warned_then_done_when_confirmed(team, set_policy):
    set_policy(caseload_target=2)
    ann, bob = team["ann"], team["bob"]
    episode_for(bob, name="Bob's own")
    moving = [episode_for(ann, name=f"Over {i}") for i in range(2)]
    data = form_data(dict.fromkeys(moving, bob), days(0))

    warned = page(team["manager"], ann, data)
    body = warned.content.decode()
    assert warned.status_code == 200
    assert "Bob Other would have 3 open cases, over the target of 2" in body
    assert "Move the cases anyway" in body
    assert not LeadChange.objects.exists()

    token = warned.context["form"].data["over_target_confirmed"]
    done = page(team["manager"], ann, data | {"over_target_confirmed": token})
    assert done.status_code == 302
    assert Episode.objects.filter(lead_practitioner=bob, status="open").count() == 3
    told = Notification.objects.get(user=bob, kind=Notification.Kind.CASES_MOVED_TO_YOU)
    assert "from 1 to 3 (target 2). That is over the target." in told.message


def test_a_confirmation_is_for_the_choices_it_was_given(team, set_policy):
    """Confirming one split does not let another, different, go over target unseen."""
    set_policy(caseload_target=1)
    ann, bob, cat = team["ann"], team["bob"], team["cat"]
    one, two = episode_for(ann, name="One"), episode_for(ann, name="Two")
    warned = page(team["manager"], ann, form_data({one: bob, two: bob}, days(0)))
    token = warned.context["form"].data["over_target_confirmed"]
    changed = form_data({one: cat, two: cat}, days(0), over_target_confirmed=token)
    assert page(team["manager"], ann, changed).status_code == 200
    assert not LeadChange.objects.exists()


def test_moving_twice_changes_nothing_more(team):
    ann, bob = team["ann"], team["bob"]
    episode = episode_for(ann)
    data = form_data({episode: bob}, days(0))
    page(team["manager"], ann, data)
    page(team["manager"], ann, data)
    assert LeadChange.objects.count() == 1


def test_a_practitioner_may_not_move_cases(team):
    episode = episode_for(team["ann"])
    response = page(team["bob"], team["ann"], form_data({episode: team["bob"]}, days(0)))
    assert response.status_code == 403
    assert Episode.objects.get(pk=episode.pk).lead_practitioner == team["ann"]


def test_another_teams_manager_is_not_told_the_worker_exists(team):
    other_manager = agency_user(role="manager")
    other_manager.managed_teams.add(team["stranger"].team)
    episode = episode_for(team["ann"])
    assert page(other_manager, team["ann"]).status_code == 404
    response = page(other_manager, team["ann"], form_data({episode: team["bob"]}, days(0)))
    assert response.status_code == 404
    assert Episode.objects.get(pk=episode.pk).lead_practitioner == team["ann"]


def test_cases_move_only_to_a_worker_of_the_same_team(team):
    episode = episode_for(team["ann"])
    response = page(team["manager"], team["ann"], form_data({episode: team["stranger"]}, days(0)))
    assert response.status_code == 400
    assert Episode.objects.get(pk=episode.pk).lead_practitioner == team["ann"]


def test_the_page_shows_each_worker_against_the_target_in_few_queries(
    team, django_assert_max_num_queries
):
    ann, bob = team["ann"], team["bob"]
    for i in range(3):
        episode_for(ann, name=f"Fam {i}")
    episode_for(bob, name="Bob's")
    client = sign_in(Client(), team["manager"])
    path = reverse("team-reallocate", args=[ann.pk])
    with django_assert_max_num_queries(20) as few:
        response = client.get(path)
    small = len(few.captured_queries)
    plan = {r.worker: r for r in response.context["plan"]}
    assert (plan[bob].now, plan[team["cat"]].now) == (1, 0)
    assert ann not in plan
    for i in range(10):
        episode_for(ann, name=f"More {i}")
        episode_for(team["cat"], name=f"Cat's {i}")
    with django_assert_max_num_queries(small):
        client.get(path)
    listed = AuditEntry.objects.filter(action="team_reallocate").latest("at")
    assert len(listed.listed_family_ids) == 13


def test_the_family_page_says_since_and_scheduled(team):
    ann, bob = team["ann"], team["bob"]
    episode = episode_for(ann, name="Zielinski", started=40)
    on = days(10)
    page(team["manager"], ann, form_data({episode: bob}, on))
    body = sign_in(Client(), team["manager"]).get(
        reverse("family-detail", args=[episode.family_id])
    )
    text = body.content.decode()
    started = episode.started_on
    assert f"has led the family since {started.day} {started:%B %Y}" in text
    assert f"leads the family from {on.day} {on:%B %Y} (scheduled)" in text
