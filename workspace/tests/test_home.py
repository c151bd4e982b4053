"""Each role's home page (issue 9): what it lists, whose families, and a fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse

from assessments.models import EarlyHelpAssessment
from cases.models import Closure, Episode, Notification, PlanAction, PlanReview
from conftest import sign_in
from earlyhelp import policy
from earlyhelp.models import AuditEntry
from tests.episode_worlds import agency_user, days_ago, managed_by, write_assessment
from tests.worlds import make_family

pytestmark = pytest.mark.django_db


def episode_for(lead, *, name="Home family", started=30):
    family = make_family(name)
    return Episode.objects.create(
        family=family,
        started_on=days_ago(started),
        lead_practitioner=lead,
        lead_agency=lead.team.organisation,
    )


@pytest.fixture
def team(users):
    """A manager with two practitioners in one team, and a stranger in another team."""
    ann = agency_user(first_name="Ann", last_name="Lead")
    bob = agency_user(first_name="Bob", last_name="Other", organisation=ann.team.organisation)
    bob.team = ann.team
    bob.save()
    manager = managed_by(users["manager"], ann)
    stranger = agency_user(first_name="Stan", last_name="Ger")
    return {"ann": ann, "bob": bob, "manager": manager, "stranger": stranger}


def home_as(user):
    from django.test import Client

    return sign_in(Client(), user).get(reverse("home"))


# --- practitioner ---------------------------------------------------------------------------


def test_practitioner_sees_their_caseload_with_next_review_and_overdue(team, set_policy):
    ann = team["ann"]
    interval = set_policy(review_interval_weeks=6).review_interval_weeks * 7
    due_soon = episode_for(ann, name="Recent family", started=10)
    overdue = episode_for(ann, name="Overdue family", started=interval + 5)
    reviewed = episode_for(ann, name="Reviewed family", started=interval + 50)
    PlanReview.objects.create(episode=reviewed, held_on=days_ago(3), progress="ok", recorded_by=ann)
    episode_for(team["stranger"], name="Stranger family")

    response = home_as(ann)

    rows = {row.episode.family.name: row for row in response.context["caseload"]}
    assert set(rows) == {"Recent family", "Overdue family", "Reviewed family"}
    assert rows["Recent family"].next_review_on == due_soon.started_on + timedelta(days=interval)
    assert rows["Reviewed family"].next_review_on == days_ago(3) + timedelta(days=interval)
    assert [row.episode for row in response.context["overdue"]] == [overdue]
    assert "Stranger family" not in response.content.decode()


def test_practitioner_sees_actions_due_this_week_and_assessments_to_work_on(team):
    ann = team["ann"]
    episode = episode_for(ann)
    make = dict(episode=episode, owner=ann, created_by=ann)
    due = PlanAction.objects.create(what="Due in 3 days", due_on=days_ago(-3), **make)
    late = PlanAction.objects.create(what="Late", due_on=days_ago(2), **make)
    PlanAction.objects.create(what="Next month", due_on=days_ago(-30), **make)
    PlanAction.objects.create(what="Done", due_on=days_ago(1), status="done", **make)
    returned = write_assessment(episode, status=EarlyHelpAssessment.Status.RETURNED)
    signed = write_assessment(episode_for(ann, name="Signed family"), status="signed_off")

    response = home_as(ann)

    assert response.context["actions"] == [late, due]
    assert response.context["assessments"] == [returned]
    assert signed not in response.context["assessments"]
    # One audit row for the page, naming each family it shows once.
    assert home_listed(ann) == [episode.family_id, signed.episode.family_id]


def home_listed(user):
    """The families named by the one audit row of the user's home page."""
    (entry,) = AuditEntry.objects.filter(user=user, action="home")
    return sorted(entry.listed_family_ids)


def test_practitioner_home_names_the_families_it_shows_and_no_others(team):
    ann = team["ann"]
    led = episode_for(ann, name="Led family")
    teacher_of = episode_for(team["bob"], name="Taf family")
    PlanAction.objects.create(
        episode=teacher_of, what="Call", owner=ann, due_on=days_ago(-1), created_by=ann
    )
    episode_for(team["stranger"], name="Stranger family")
    response = home_as(ann)
    # Ann owns an action in Bob's family but is not on its team: the gate hides it.
    assert "Taf family" not in response.content.decode()
    assert home_listed(ann) == [led.family_id]


def test_practitioner_home_shows_notifications(team):
    Notification.objects.create(user=team["ann"], kind="allocated", message="A new family", key="k")
    response = home_as(team["ann"])
    assert response.context["unread_count"] == 1
    assert "A new family" in response.content.decode()


# --- manager --------------------------------------------------------------------------------


def test_manager_sees_caseload_per_worker_of_their_team_only(team):
    for i in range(3):
        episode_for(team["ann"], name=f"Ann family {i}")
    closed = episode_for(team["bob"], name="Closed family")
    closed.status, closed.ended_on = Episode.Status.CLOSED, days_ago(1)
    closed.save()
    episode_for(team["stranger"], name="Stranger family")

    response = home_as(team["manager"])

    counts = {member.first_name: member.open_cases for member in response.context["members"]}
    assert counts == {"Ann": 3, "Bob": 0}
    assert response.context["target"] == policy.caseload_target() == 10


def test_manager_sees_overdue_reviews_sign_offs_and_long_open_cases(team, set_policy):
    ann = team["ann"]
    interval = set_policy(review_interval_weeks=12).review_interval_weeks * 7
    overdue = episode_for(ann, name="Overdue family", started=interval + 1)
    episode_for(ann, name="On time family", started=interval - 1)
    long_open = episode_for(ann, name="Long family", started=400)
    PlanReview.objects.create(
        episode=long_open, held_on=days_ago(1), progress="ok", recorded_by=ann
    )
    submitted = write_assessment(overdue, status=EarlyHelpAssessment.Status.SUBMITTED)
    closure = Closure.objects.create(
        episode=long_open, reason="needs_met", needs_at_closure="met", requested_by=ann
    )
    stranger_episode = episode_for(team["stranger"], name="Stranger family", started=500)
    write_assessment(stranger_episode, status=EarlyHelpAssessment.Status.SUBMITTED)

    context = home_as(team["manager"]).context

    assert context["overdue"].rows == [overdue]
    assert context["assessments"].rows == [submitted]
    assert context["closures"].rows == [closure]
    assert context["long_open"].rows == [long_open]
    assert context["overdue"].total == 1
    assert home_listed(team["manager"]) == sorted([overdue.family_id, long_open.family_id])


@pytest.mark.parametrize(
    ("role", "empty"),
    [
        ("programme", "No family is claimable and unclaimed"),
        ("auditor", "No sampled family awaits a verdict"),
    ],
)
def test_programme_and_auditors_have_work_lists(users, role, empty):
    response = home_as(users[role])
    assert response.status_code == 200
    assert empty in response.content.decode()  # outcomes/tests/test_programme_homes.py fills them


def test_hub_still_lands_on_its_queue(users):
    assert home_as(users["hub"]).status_code == 200


@pytest.mark.parametrize("role", ["practitioner", "manager"])
def test_home_runs_a_fixed_number_of_queries(team, role, django_assert_max_num_queries):
    user = team["ann"] if role == "practitioner" else team["manager"]

    def build(n):
        for i in range(n):
            episode = episode_for(team["ann"], name=f"Family {i}", started=400)
            PlanAction.objects.create(
                episode=episode,
                what="x",
                owner=team["ann"],
                created_by=team["ann"],
                due_on=days_ago(-1),
            )
            write_assessment(episode, status="submitted" if i % 2 else "draft")
            Closure.objects.create(
                episode=episode, reason="needs_met", needs_at_closure="m", requested_by=team["ann"]
            )

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    build(1)
    with CaptureQueriesContext(connection) as small:
        home_as(user)
    build(15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        home_as(user)


# Moving a leaver's cases: workspace/tests/test_reallocate.py


def test_manager_lists_show_the_first_rows_and_say_how_many_in_all(team, settings):
    from earlyhelp import listing

    listing.LIST_LIMIT, limit = 2, listing.LIST_LIMIT
    try:
        for i in range(3):
            episode_for(team["ann"], name=f"Long family {i}", started=400 + i)
        response = home_as(team["manager"])
    finally:
        listing.LIST_LIMIT = limit
    long_open = response.context["long_open"]
    assert (len(long_open.rows), long_open.total, long_open.more) == (2, 3, 1)
    assert "the first 2 shown" in response.content.decode()


def test_overdue_reviews_are_the_oldest_by_their_latest_review(team):
    """The list reads open episodes by the date their review is counted from, which the
    database keeps: it must give what ordering every overdue case by hand would."""
    import random

    from django.utils import timezone

    from earlyhelp import listing
    from workspace.home_selectors import team_overdue_reviews

    rng = random.Random(16)  # noqa: S311 (test data)
    ann, interval = team["ann"], policy.current().review_interval_weeks * 7
    for i in range(listing.LIST_LIMIT + 15):
        episode = episode_for(ann, name=f"Family {i}", started=interval + rng.randint(1, 600))
        if i % 3 == 0:  # reviewed, but long enough ago to be overdue
            last = rng.randint(interval + 1, (timezone.localdate() - episode.started_on).days)
            PlanReview.objects.create(
                episode=episode, held_on=days_ago(last), progress="ok", recorded_by=ann
            )
    episode_for(ann, name="Fresh family", started=5)

    listed = team_overdue_reviews(team["manager"], today=timezone.localdate()).rows

    def last_review_on(episode):
        held = [r.held_on for r in episode.reviews.all()]
        return max([episode.started_on, *held])

    overdue = Episode.objects.filter(lead_practitioner=ann).exclude(family__name="Fresh family")
    expected = sorted(overdue.prefetch_related("reviews"), key=lambda e: (last_review_on(e), e.pk))
    assert [e.pk for e in listed] == [e.pk for e in expected[: listing.LIST_LIMIT]]


# --- the gate's relations the home pages start from -----------------------------------------


def test_team_and_caseload_episodes_are_inside_the_gate_and_no_one_elses(team, users):
    from cases.gate import families_visible_to
    from cases.relations import episodes_led_by, episodes_managed_by

    mine = episode_for(team["ann"], name="Ann family")
    episode_for(team["stranger"], name="Stranger family")
    closed = episode_for(team["bob"], name="Closed family")
    closed.status = Episode.Status.CLOSED
    closed.save()
    manager, ann = team["manager"], team["ann"]

    managed = set(episodes_managed_by(manager).values_list("family_id", flat=True))
    led = set(episodes_led_by(ann).values_list("family_id", flat=True))

    assert managed == {mine.family_id, closed.family_id}
    assert managed <= set(families_visible_to(manager).values_list("pk", flat=True))
    assert led == {mine.family_id}
    assert led <= set(families_visible_to(ann).values_list("pk", flat=True))
    # Only the relation's own role has it, and only while active.
    assert not episodes_managed_by(ann).exists()
    assert not episodes_led_by(manager).exists()
    manager.is_active = ann.is_active = False
    assert not episodes_managed_by(manager).exists()
    assert not episodes_led_by(ann).exists()


def test_a_review_is_due_after_the_later_of_start_and_latest_review(team):
    ann, interval = team["ann"], policy.current().review_interval_weeks * 7
    reviewed_long_ago = episode_for(ann, name="Long ago family", started=interval * 3)
    PlanReview.objects.create(
        episode=reviewed_long_ago, held_on=days_ago(interval + 1), progress="ok", recorded_by=ann
    )
    reviewed_lately = episode_for(ann, name="Lately family", started=interval * 3)
    PlanReview.objects.create(
        episode=reviewed_lately, held_on=days_ago(interval - 1), progress="ok", recorded_by=ann
    )

    manager_sees = home_as(team["manager"]).context["overdue"]
    lead_sees = [row.episode for row in home_as(ann).context["overdue"]]

    assert manager_sees.rows == [reviewed_long_ago] == lead_sees
    assert manager_sees.total == 1


def test_a_manager_of_many_workers_pages_through_them(team):
    from earlyhelp.tests.factories import UserFactory
    from workspace import home_selectors

    for i in range(3):
        UserFactory(role="practitioner", team=team["ann"].team, last_name=f"Zed {i}")
    episode_for(team["ann"], name="Ann family")
    home_selectors.WORKERS_PER_PAGE, size = 2, home_selectors.WORKERS_PER_PAGE
    try:
        first = home_as(team["manager"])
        from django.test import Client

        third = sign_in(Client(), team["manager"]).get(reverse("home"), {"page": 3})
    finally:
        home_selectors.WORKERS_PER_PAGE = size
    assert [m.first_name for m in first.context["members"]] == ["Ann", "Bob"]
    assert first.context["members"][0].open_cases == 1
    assert "workers 1 to 2 of 5" in first.content.decode()
    assert [m.last_name for m in third.context["members"]] == ["Zed 2"]


@pytest.mark.parametrize(("asked", "shown"), [("9", 3), ("nine", 1), ("0", 1), (None, 1)])
def test_a_page_of_workers_past_the_last_or_not_a_number_is_the_last_or_the_first(
    team, asked, shown
):
    """The workers' page counts them in its own query; where it finds no rows it answers as
    Django's Paginator does (the last page past the end, the first for anything else)."""
    from earlyhelp.tests.factories import UserFactory
    from workspace import home_selectors

    for i in range(3):
        UserFactory(role="practitioner", team=team["ann"].team, last_name=f"Zed {i}")
    home_selectors.WORKERS_PER_PAGE, size = 2, home_selectors.WORKERS_PER_PAGE
    try:
        page = home_selectors.team_members(team["manager"], page=asked)
    finally:
        home_selectors.WORKERS_PER_PAGE = size
    assert (page.number, page.paginator.count, page.paginator.num_pages) == (shown, 5, 3)
    assert len(page.object_list) == (1 if shown == 3 else 2)


def test_sign_off_lists_count_all_in_the_same_query_as_their_first_rows(team):
    from earlyhelp import listing
    from workspace import home_selectors

    for i in range(3):
        episode = episode_for(team["ann"], name=f"Submitted family {i}")
        write_assessment(episode, status=EarlyHelpAssessment.Status.SUBMITTED)
    write_assessment(episode_for(team["stranger"]), status=EarlyHelpAssessment.Status.SUBMITTED)
    listing.LIST_LIMIT, limit = 2, listing.LIST_LIMIT
    try:
        assessments = home_selectors.team_assessments_to_sign_off(team["manager"])
        closures = home_selectors.team_closures_to_sign_off(team["manager"])
    finally:
        listing.LIST_LIMIT = limit
    assert (len(assessments.rows), assessments.total, assessments.more) == (2, 3, 1)
    assert (closures.rows, closures.total) == ([], 0)
