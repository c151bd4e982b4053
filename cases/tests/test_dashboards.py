"""The caseload dashboard's figures on a small hand-built set of families (issue 9)."""

import csv
import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.dashboards import selectors as dashboards
from cases.dashboards.selectors import Cuts, lead_agency_band, need_direction
from cases.models import (
    Episode,
    LeadChange,
    StepDecision,
    StepDown,
    StepUp,
    SupportRequest,
    TriageDecision,
)
from conftest import sign_in
from earlyhelp.models import Locality, Organisation
from earlyhelp.tests.factories import OrganisationFactory, TeamFactory, UserFactory
from tests.worlds import make_family

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
HALF_YEAR = Cuts(first_month=date(2026, 1, 1), last_month=date(2026, 6, 1))


def at(y, m, d, hour=12):
    return datetime(y, m, d, hour, tzinfo=LONDON)


@pytest.fixture
def world(users):
    agency = OrganisationFactory(name="Council family support", kind="council", tier=3)
    support = OrganisationFactory(name="Children centre", kind="family_support", tier=2)
    team = TeamFactory(organisation=agency, name="North team")
    ann = UserFactory(role="practitioner", team=team, first_name="Ann")
    centre = UserFactory(role="practitioner", team=TeamFactory(organisation=support))
    manager = users["manager"]
    manager.managed_teams.add(team, centre.team)
    stranger = UserFactory(role="practitioner", team=TeamFactory(organisation=agency))
    return {
        "agency": agency,
        "support": support,
        "team": team,
        "ann": ann,
        "centre": centre,
        "manager": manager,
        "stranger": stranger,
        "hub": users["hub"],
    }


def episode(lead, started, ended=None, *, family=None, agency="lead's", name="Family"):
    family = family or make_family(name)
    return Episode.objects.create(
        family=family,
        started_on=started,
        ended_on=ended,
        status=Episode.Status.CLOSED if ended else Episode.Status.OPEN,
        lead_practitioner=lead,
        lead_agency=lead.team.organisation if agency == "lead's" else agency,
    )


def table(tables, key):
    return next(t for t in tables if t.key == key)


# --- open episodes, new requests and closures by month ---------------------------------------


def test_by_month_counts_open_episodes_new_requests_and_closures(world):
    first = episode(world["ann"], date(2025, 12, 15))
    second = episode(world["ann"], date(2026, 2, 10), date(2026, 4, 20))
    hidden = episode(world["stranger"], date(2026, 1, 1))
    for family, when in [
        (first.family, at(2026, 1, 5)),
        (first.family, at(2026, 1, 20)),
        (second.family, at(2026, 3, 1)),
        (hidden.family, at(2026, 1, 10)),
        (first.family, at(2025, 12, 31)),  # before the period
    ]:
        SupportRequest.objects.create(family=family, received_at=when)

    rows = dashboards.by_month(world["manager"], HALF_YEAR).rows

    assert rows == [
        [date(2026, 1, 1), 1, 2, 0],
        [date(2026, 2, 1), 2, 0, 0],
        [date(2026, 3, 1), 2, 1, 0],
        [date(2026, 4, 1), 1, 0, 1],
        [date(2026, 5, 1), 1, 0, 0],
        [date(2026, 6, 1), 1, 0, 0],
    ]


def test_cuts_by_team_agency_and_locality(world):
    north = Locality.objects.create(name="North district")
    ann_family = episode(world["ann"], date(2026, 1, 5)).family
    ann_family.locality = north
    ann_family.save()
    episode(world["centre"], date(2026, 1, 5))

    def open_in_january(**cut):
        cuts = Cuts(first_month=date(2026, 1, 1), last_month=date(2026, 1, 1), **cut)
        return dashboards.by_month(world["manager"], cuts).rows[0][1]

    assert open_in_january() == 2
    assert open_in_january(team=world["team"]) == 1
    assert open_in_january(agency=world["support"]) == 1
    assert open_in_january(locality=north) == 1


def test_a_manager_never_counts_a_family_outside_their_service(world):
    episode(world["stranger"], date(2026, 1, 5))
    tables = dashboards.caseload_dashboard(world["manager"], HALF_YEAR)
    assert all(row[1] == 0 for row in table(tables, "by-month").rows)
    assert table(tables, "tiers").rows[2][1] == 0
    # The same family, once it is led by one of the manager's workers, counts.
    episode(world["ann"], date(2026, 2, 1))
    tables = dashboards.caseload_dashboard(world["manager"], HALF_YEAR)
    assert table(tables, "by-month").rows[1][1] == 1


# --- triage -----------------------------------------------------------------------------------


def test_triage_counts_by_priority_with_median_and_average_time(world):
    family = episode(world["ann"], date(2026, 1, 1)).family
    hidden = episode(world["stranger"], date(2026, 1, 1)).family
    for fam, priority, days in [
        (family, "p3a", 2),
        (family, "p3a", 4),
        (family, "p1", 1),
        (hidden, "p3b", 9),
    ]:
        request = SupportRequest.objects.create(family=fam, received_at=at(2026, 2, 1))
        TriageDecision.objects.create(
            request=request,
            priority=priority,
            rationale="r",
            decided_by=world["hub"],
            decided_at=at(2026, 2, 1 + days),
            time_to_decision=timedelta(days=days),
        )

    rows = {row[0]: row[1:] for row in dashboards.triage(world["manager"], HALF_YEAR).rows}

    assert rows["P3a"] == [2, timedelta(days=3), timedelta(days=3)]
    assert rows["P1"] == [1, timedelta(days=1), timedelta(days=1)]
    assert rows["P3b"] == [0, None, None]
    assert rows["All decisions"] == [3, timedelta(days=2), timedelta(days=7) / 3]


# --- step-up, step-down and re-referral -------------------------------------------------------


def stepped_down(world, decided_at, *, stepped_up_at=None, lead=None):
    ep = episode(lead or world["ann"], date(2025, 6, 1))
    down = StepDown.objects.create(
        family=ep.family,
        reason="r",
        handover="h",
        requested_by=world["hub"],
        status=StepDecision.ACCEPTED,
        decided_at=decided_at,
    )
    StepDown.objects.filter(pk=down.pk).update(requested_at=at(2026, 2, 1))
    if stepped_up_at:
        up = StepUp.objects.create(episode=ep, reason="r", requested_by=ep.lead_practitioner)
        StepUp.objects.filter(pk=up.pk).update(requested_at=stepped_up_at)
    return down


def test_rereferral_windows_on_both_sides_of_their_edges(world):
    stepped_down(world, at(2026, 2, 15), stepped_up_at=at(2026, 5, 15, 13))  # 3 months, on edge
    stepped_down(world, at(2026, 2, 15), stepped_up_at=at(2026, 5, 16))  # a day past 3 months
    stepped_down(world, at(2026, 3, 10), stepped_up_at=at(2027, 3, 10, 13))  # 12, on edge
    stepped_down(world, at(2026, 3, 10), stepped_up_at=at(2027, 3, 11))  # a day past 12
    stepped_down(world, at(2026, 3, 10), stepped_up_at=at(2026, 3, 11), lead=world["stranger"])

    rows = dict(dashboards.steps(world["manager"], HALF_YEAR).rows)

    assert rows["Step-downs asked for"] == 4
    assert rows["Step-downs accepted"] == 4
    assert rows["Step-ups asked for"] == 2  # 15 and 16 May 2026; the 2027 ones are later
    assert rows["Step-ups accepted"] == 0
    assert rows["Re-referred within 3 months"] == 1
    assert rows["Re-referral rate at 3 months"] == 0.25
    assert rows["Re-referred within 12 months"] == 3
    assert rows["Re-referral rate at 12 months"] == 0.75


def test_no_step_downs_gives_no_rate_rather_than_zero(world):
    rows = dict(dashboards.steps(world["manager"], HALF_YEAR).rows)
    assert rows["Re-referral rate at 3 months"] is None


# --- lead agency, tier and direction of need --------------------------------------------------


@pytest.mark.parametrize(
    "started, changed, band",
    [
        (date(2025, 12, 1), date(2026, 6, 1), "Within 6 months"),
        (date(2025, 12, 1), date(2026, 6, 2), "6 to 12 months"),
        (date(2025, 1, 10), date(2026, 1, 10), "6 to 12 months"),
        (date(2025, 1, 10), date(2026, 1, 11), "Over 12 months"),
    ],
)
def test_lead_agency_bands_at_their_edges(started, changed, band):
    assert lead_agency_band(started, changed) == band


def test_changes_of_lead_agency_by_time_since_the_start(world):
    ann, centre = world["ann"], world["centre"]

    def change(started, changed_on, *, to=centre):
        ep = episode(ann, started)
        LeadChange.objects.create(
            episode=ep,
            changed_on=changed_on,
            from_practitioner=ann,
            from_agency=ann.team.organisation,
            to_practitioner=to,
            to_agency=to.team.organisation,
            reason="r",
            recorded_by=world["manager"],
        )

    change(date(2025, 12, 1), date(2026, 3, 1))
    change(date(2025, 12, 1), date(2026, 6, 2))
    change(date(2024, 1, 1), date(2026, 2, 1))
    change(date(2025, 12, 1), date(2026, 2, 1), to=UserFactory(team=ann.team))  # same agency
    change(date(2025, 12, 1), date(2026, 7, 1))  # after the period

    rows = {
        row[0]: row[1] for row in dashboards.lead_agency_changes(world["manager"], HALF_YEAR).rows
    }

    assert rows == {"Within 6 months": 1, "6 to 12 months": 1, "Over 12 months": 1}


def test_changes_of_lead_agency_by_cohort_on_both_sides_of_the_6_and_12_month_edges(world):
    ann, centre = world["ann"], world["centre"]
    start = date(2025, 3, 31)  # six months on: 30 September 2025; twelve: 31 March 2026

    def change_for(statuses, changed_on, *, left=()):
        family = make_family("Cohort family", members=len(statuses))
        members = list(family.memberships.select_related("person").order_by("pk"))
        for member, status in zip(members, statuses, strict=True):
            member.person.social_care_status = status
            member.person.save()
            if member.person.first_name in left:
                member.left_on = date(2026, 1, 1)
                member.save()
        ep = episode(ann, start, family=family)
        LeadChange.objects.create(
            episode=ep,
            changed_on=changed_on,
            from_practitioner=ann,
            from_agency=ann.team.organisation,
            to_practitioner=centre,
            to_agency=centre.team.organisation,
            reason="r",
            recorded_by=world["manager"],
        )

    six, after_six = date(2025, 9, 30), date(2025, 10, 1)
    twelve, after_twelve = date(2026, 3, 31), date(2026, 4, 1)
    # Child in need: one change on each side of each edge.
    for day in (six, after_six, twelve, after_twelve):
        change_for(["cin", ""], day)
    change_for(["cp"], six)  # child protection: within 6 months
    change_for(["cp"], after_twelve)  # …and over 12
    change_for(["lac"], after_six)  # looked after: 6 to 12 months
    change_for(["lac", "cin"], twelve)  # in two cohorts at once: 6 to 12 months
    change_for(["cp", ""], six, left={"Member0"})  # the child protection child has left
    change_for([""], after_twelve)  # no cohort but all

    table = dashboards.lead_agency_changes(
        world["manager"], Cuts(first_month=date(2025, 9, 1), last_month=date(2026, 4, 1))
    )

    assert table.headers == [
        "Time since the start",
        "Changes, all families",
        "Child in need",
        "Child protection plan",
        "Looked after",
    ]
    assert table.rows == [
        ["Within 6 months", 3, 1, 1, 0],
        ["6 to 12 months", 4, 3, 0, 2],
        ["Over 12 months", 3, 1, 1, 0],
    ]


def test_a_childs_social_care_status_is_entered_on_their_record(world, users):
    from cases.models import Person

    family = make_family("Status family")
    episode(world["ann"], date(2026, 1, 5), family=family)
    person = family.memberships.get().person
    client = sign_in(Client(), world["ann"])
    page = client.get(reverse("person-edit", args=[person.pk]))
    assert "Known to children&#x27;s social care as" in page.content.decode()

    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "date_of_birth": person.date_of_birth.isoformat(),
        "sex": "unknown",
        "ethnicity": "not_stated",
        "send": "none",
        "social_care_status": "cp",
    }
    bad = client.post(reverse("person-edit", args=[person.pk]), {**data, "social_care_status": "x"})
    assert bad.status_code == 400
    assert "Select a social care status from the list" in bad.content.decode()
    assert Person.objects.get(pk=person.pk).social_care_status == ""

    client.post(reverse("person-edit", args=[person.pk]), data)
    person.refresh_from_db()
    assert person.social_care_status == "cp"
    detail = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert "Child protection plan (section 47)" in detail


def test_tier_of_need_per_intervention_begun_in_the_period(world):
    episode(world["ann"], date(2026, 1, 5))
    episode(world["ann"], date(2026, 2, 5))
    episode(world["centre"], date(2026, 3, 5))
    episode(world["ann"], date(2026, 3, 5), agency=None)
    episode(world["ann"], date(2025, 12, 5))  # before the period

    rows = dict(dashboards.tiers(world["manager"], HALF_YEAR).rows)

    assert list(rows.values()) == [0, 1, 2, 1]


def test_direction_of_need_between_consecutive_interventions(world):
    social_care = OrganisationFactory(kind="social_care", tier=1)
    ann, centre = world["ann"], world["centre"]

    def family_with(*steps):
        family = make_family("Moving family")
        for i, (started, agency) in enumerate(steps):
            last = i == len(steps) - 1
            ended = None if last else started + timedelta(days=20)
            episode(ann, started, ended, family=family, agency=agency)

    family_with((date(2025, 3, 1), ann.team.organisation), (date(2026, 2, 1), world["support"]))
    family_with((date(2025, 3, 1), social_care), (date(2026, 3, 1), ann.team.organisation))
    family_with((date(2025, 3, 1), world["agency"]), (date(2026, 3, 1), world["agency"]))
    family_with((date(2026, 3, 1), world["agency"]))  # a first intervention: no direction
    family_with((date(2024, 3, 1), world["support"]), (date(2025, 3, 1), social_care))  # before
    assert centre  # the centre's practitioner leads nothing here

    rows = dict(dashboards.directions(world["manager"], HALF_YEAR).rows)

    assert rows == {"Reducing": 1, "No change": 1, "Increasing": 1}
    assert need_direction(3, 1) == "Increasing"
    assert need_direction(1, 2) == "Reducing"


# --- the page ---------------------------------------------------------------------------------


def dashboard(user, **query):
    return sign_in(Client(), user).get(reverse("dashboard-caseload"), query)


def html_table(html, key):
    body = html.split(f'id="table-{key}"')[1].split("</table>")[0]
    cells = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        found = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        cells.append([re.sub(r"<[^>]+>", "", cell).strip() for cell in found])
    return cells


@pytest.mark.parametrize(
    "key", ["by-month", "triage", "steps", "lead-agency", "tiers", "need-direction"]
)
def test_each_csv_equals_its_table(world, key):
    episode(world["ann"], date(2026, 1, 5))
    stepped_down(world, at(2026, 2, 15), stepped_up_at=at(2026, 4, 1))
    query = {"start": "2026-01", "end": "2026-06", "team": world["team"].pk}

    html = dashboard(world["manager"], **query).content.decode()
    response = dashboard(world["manager"], **query, table=key, format="csv")

    assert response["Content-Type"].startswith("text/csv")
    from html import unescape

    shown = [[unescape(cell) for cell in row] for row in html_table(html, key)]
    assert list(csv.reader(io.StringIO(response.content.decode()))) == shown


def test_filters_are_in_the_url_and_bad_ones_are_explained(world):
    page = dashboard(world["manager"], start="2026-13")
    assert page.status_code == 400
    assert "From month must be a month" in page.content.decode()
    other_team = world["stranger"].team.pk
    assert dashboard(world["manager"], team=other_team).status_code == 400


def test_each_chart_is_an_image_with_a_title_beside_its_table(world):
    html = dashboard(world["manager"]).content.decode()
    assert html.count('role="img"') == 5
    assert '<title id="chart-tiers-title">' in html


def test_only_managers_see_the_dashboard(users):
    assert dashboard(users["practitioner"]).status_code == 403


def test_dashboard_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries, settings):
    settings.DASHBOARD_FIGURES_MAX_AGE_MINUTES = 0  # every page computes live: the costly path

    def build(n):
        for _ in range(n):
            ep = episode(world["ann"], date(2025, 12, 1), date(2026, 2, 1))
            later = episode(world["centre"], date(2026, 3, 1), family=ep.family)
            request = SupportRequest.objects.create(family=ep.family, received_at=at(2026, 1, 2))
            TriageDecision.objects.create(
                request=request,
                priority="p3a",
                rationale="r",
                decided_by=world["hub"],
                decided_at=at(2026, 1, 3),
                time_to_decision=timedelta(days=1),
            )
            LeadChange.objects.create(
                episode=later,
                changed_on=date(2026, 4, 1),
                from_practitioner=world["centre"],
                to_practitioner=world["ann"],
                to_agency=world["agency"],
                reason="r",
                recorded_by=world["manager"],
            )
            stepped_down(world, at(2026, 2, 15), stepped_up_at=at(2026, 4, 1))

    query = {"start": "2026-01", "end": "2026-06"}
    build(1)
    world["manager"].managed_teams.add(TeamFactory(organisation=world["agency"]))
    with CaptureQueriesContext(connection) as small:
        dashboard(world["manager"], **query)
    build(12)
    # More teams to choose from in the filter must not mean more queries either.
    world["manager"].managed_teams.add(
        *[TeamFactory(organisation=world["agency"]) for _ in range(5)]
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert dashboard(world["manager"], **query).status_code == 200


def test_organisation_tiers_are_the_rows_of_the_tier_table():
    assert len(Organisation.Tier) == 3


# --- figures served from their last computation ------------------------------------------------


def busy_world(world):
    """Something in every figure, with durations, dates and rates to carry through JSON."""
    ep = episode(world["ann"], date(2025, 12, 1), date(2026, 2, 1))
    later = episode(world["centre"], date(2026, 3, 1), family=ep.family)
    request = SupportRequest.objects.create(family=ep.family, received_at=at(2026, 1, 2))
    TriageDecision.objects.create(
        request=request,
        priority="p3a",
        rationale="r",
        decided_by=world["hub"],
        decided_at=at(2026, 1, 3),
        time_to_decision=timedelta(days=1, minutes=7),
    )
    LeadChange.objects.create(
        episode=later,
        changed_on=date(2026, 4, 1),
        from_practitioner=world["centre"],
        to_practitioner=world["ann"],
        to_agency=world["agency"],
        reason="r",
        recorded_by=world["manager"],
    )
    stepped_down(world, at(2026, 2, 15), stepped_up_at=at(2026, 4, 1))


def as_lists(tables):
    return [(t.key, t.caption, t.headers, t.rows, t.numeric, t.chart_column) for t in tables]


def test_stored_figures_equal_the_live_computation(world, django_assert_num_queries):
    from cases.dashboards.stored import dashboard_figures

    busy_world(world)
    first = dashboard_figures(world["manager"], HALF_YEAR)
    with django_assert_num_queries(2):  # the manager's teams, and the stored figures
        again = dashboard_figures(world["manager"], HALF_YEAR)

    live = dashboards.caseload_dashboard(world["manager"], HALF_YEAR)
    assert as_lists(again.tables) == as_lists(first.tables) == as_lists(live)
    assert again.computed_at == first.computed_at
    triage = table(again.tables, "triage")
    assert triage.rows[-1][2] == timedelta(days=1, minutes=7)  # a duration survives storing
    assert isinstance(table(again.tables, "by-month").rows[0][0], date)


def test_stale_figures_are_recomputed_and_fresh_ones_say_when_they_were_made(world, settings):
    from cases.dashboards.stored import dashboard_figures
    from cases.models import DashboardFigures

    first = dashboard_figures(world["manager"], HALF_YEAR)
    episode(world["ann"], date(2026, 1, 5))  # a change after the figures were computed

    fresh = dashboard_figures(world["manager"], HALF_YEAR)
    assert as_lists(fresh.tables) == as_lists(first.tables)  # served as computed, and dated
    DashboardFigures.objects.update(computed_at=first.computed_at - timedelta(minutes=16))
    stale = dashboard_figures(world["manager"], HALF_YEAR)

    assert stale.computed_at > first.computed_at
    assert as_lists(stale.tables) == as_lists(
        dashboards.caseload_dashboard(world["manager"], HALF_YEAR)
    )
    assert as_lists(stale.tables) != as_lists(first.tables)


def test_figures_are_the_managers_own_and_follow_their_teams(world, users):
    from cases.dashboards.stored import dashboard_figures

    busy_world(world)
    manager = world["manager"]
    before = dashboard_figures(manager, HALF_YEAR)
    other = UserFactory(role="manager")
    assert as_lists(dashboard_figures(other, HALF_YEAR).tables) == as_lists(
        dashboards.caseload_dashboard(other, HALF_YEAR)
    )
    assert table(dashboard_figures(other, HALF_YEAR).tables, "by-month").rows[0][1] == 0

    manager.managed_teams.remove(world["centre"].team)  # they see fewer families now
    after = dashboard_figures(manager, HALF_YEAR)

    assert after.computed_at > before.computed_at
    assert as_lists(after.tables) == as_lists(dashboards.caseload_dashboard(manager, HALF_YEAR))


def test_beat_recomputes_every_managers_default_view(world, users):
    from django.utils import timezone

    from cases.dashboards.selectors import default_cuts
    from cases.dashboards.stored import dashboard_figures
    from cases.models import DashboardFigures
    from cases.tasks import refresh_dashboard_figures

    busy_world(world)
    old = DashboardFigures.objects.create(
        manager=world["manager"],
        key="old",
        tables=[],
        computed_at=timezone.now() - timedelta(days=2),
    )

    assert refresh_dashboard_figures.delay().get() >= 1

    cuts = default_cuts(timezone.localdate())
    stored = DashboardFigures.objects.filter(manager=world["manager"]).exclude(pk=old.pk)
    assert not DashboardFigures.objects.filter(pk=old.pk).exists()
    assert stored.count() == 1
    assert as_lists(dashboard_figures(world["manager"], cuts).tables) == as_lists(
        dashboards.caseload_dashboard(world["manager"], cuts)
    )


def test_the_page_says_when_its_figures_were_computed(world):
    from django.utils import timezone

    html = dashboard(world["manager"], start="2026-01", end="2026-06").content.decode()
    now = timezone.localtime()
    assert "These figures were computed at" in html
    assert f"on {now:%-d %B %Y}" in html
