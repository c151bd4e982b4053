"""The dashboard figure of DOMAIN §9: referrals, allocated per provider, unallocated; as CSV."""

import csv
import io

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from tests.episode_worlds import agency_user, managed_by

from .work_worlds import ensure_providers, referral, work_case

pytestmark = pytest.mark.django_db
URL = reverse("dashboard-employment-panel")


@pytest.fixture
def world(users):
    """Seven referrals this month in the manager's team, and one outside it."""
    providers = ensure_providers()
    lead = users["practitioner"]
    managed_by(users["manager"], lead)
    hub = users["hub"]
    now = timezone.now()
    decisions = [
        {"provider": providers["GREAT project"]},
        {"provider": providers["GREAT project"]},
        {"provider": providers["DWP employment advisor"]},
        {"not_allocated_reason": "in_work"},
        {"not_allocated_reason": "other", "not_allocated_detail": "Caring full time"},
        {},
        {},
    ]
    for i, decision in enumerate(decisions):
        case = work_case(lead, name=f"Family{i} family")
        decided = {"decided_at": now, "decided_by": hub, **decision} if decision else {}
        referral(case.episode, case.adult, lead, completed_at=now, **decided)
    outside = work_case(agency_user("health"), name="Outside family")
    referral(
        outside.episode,
        outside.adult,
        outside.episode.lead_practitioner,
        completed_at=now,
        decided_at=now,
        decided_by=hub,
        provider=providers["GREAT project"],
    )
    # Completed long before the period: not counted.
    old = work_case(lead, name="Old family")
    referral(old.episode, old.adult, lead, completed_at=now - relativedelta(months=14))
    return providers


def rows_of(response):
    return {row[0]: row[1:] for row in response.context["tables"][0].text_rows()}


def test_the_manager_sees_their_teams_referrals_split_by_decision(client_for, world):
    response = client_for("manager").get(URL)
    assert response.status_code == 200
    rows = rows_of(response)
    assert rows["Referrals (completed conversations)"] == ["7", "100.0%"]
    assert rows["Allocated to GREAT project"] == ["2", "28.6%"]
    assert rows["Allocated to DWP employment advisor"] == ["1", "14.3%"]
    assert rows["Allocated, all providers"] == ["3", "42.9%"]
    assert rows["Not allocated: already in work"] == ["1", "14.3%"]
    assert rows["Not allocated: other reason"] == ["1", "14.3%"]
    assert rows["Not allocated: moved away"] == ["0", "0.0%"]
    assert rows["Not allocated, all reasons"] == ["2", "28.6%"]
    assert rows["Awaiting the panel"] == ["2", "28.6%"]
    page = response.content.decode()
    assert "Employment triage panel: referrals, allocated per provider, unallocated" in page
    assert "Awaiting the panel</th>" in page and "28.6%" in page


def test_the_csv_is_exactly_the_table_shown(client_for, world):
    manager = client_for("manager")
    month = timezone.localdate().strftime("%Y-%m")
    query = {"start": month, "end": month}
    shown = manager.get(URL, query).context["tables"][0]
    response = manager.get(URL, {**query, "table": "employment-panel", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f"employment-panel-{month}-to-{month}.csv" in response["Content-Disposition"]
    written = list(csv.reader(io.StringIO(response.content.decode())))
    assert written == [shown.headers, *shown.text_rows()]
    assert manager.get(URL, {**query, "table": "nope", "format": "csv"}).status_code == 404


def test_an_earlier_period_counts_the_earlier_referral(client_for, world):
    then = (timezone.localdate() - relativedelta(months=14)).strftime("%Y-%m")
    rows = rows_of(client_for("manager").get(URL, {"start": then, "end": then}))
    assert rows["Referrals (completed conversations)"] == ["1", "100.0%"]
    assert rows["Awaiting the panel"] == ["1", "100.0%"]


def test_an_inactive_provider_keeps_its_row_only_while_it_has_referrals(client_for, world):
    dwp = world["DWP employment advisor"]
    dwp.is_active = False
    dwp.save()
    manager = client_for("manager")
    assert "Allocated to DWP employment advisor" in rows_of(manager.get(URL))
    then = (timezone.localdate() - relativedelta(months=14)).strftime("%Y-%m")
    assert "Allocated to DWP employment advisor" not in rows_of(
        manager.get(URL, {"start": then, "end": then})
    )


def test_the_hub_counts_what_it_may_see(client_for, world):
    rows = rows_of(client_for("hub").get(URL))
    # Every referral awaiting the panel or decided in the last 30 days, in every team.
    assert rows["Referrals (completed conversations)"] == ["8", "100.0%"]
    assert rows["Allocated to GREAT project"] == ["3", "37.5%"]


def test_roles_outside_the_figure_are_refused(client_for, world):
    for role in ["practitioner", "auditor", "administrator"]:
        assert client_for(role).get(URL).status_code == 403
    # The programme team sees only attached families: none here.
    rows = rows_of(client_for("programme").get(URL))
    assert rows["Referrals (completed conversations)"] == ["0", "No data"]


def test_bad_filters_get_an_error_summary(client_for, world):
    response = client_for("manager").get(URL, {"start": "2026-13"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "From month must be a month, like 2026-01" in page


def test_the_figure_takes_a_fixed_number_of_queries(
    client_for, users, world, django_assert_max_num_queries
):
    manager = client_for("manager")
    with django_assert_max_num_queries(12):
        manager.get(URL)
    lead = users["practitioner"]
    for i in range(5):
        case = work_case(lead, name=f"More{i} family")
        referral(case.episode, case.adult, lead)
    with django_assert_max_num_queries(12):
        assert rows_of(manager.get(URL))["Awaiting the panel"] == ["7", "58.3%"]


def test_dates_are_real_months(client_for, world):
    response = client_for("manager").get(URL, {"start": "2026-05", "end": "2026-01"})
    assert response.status_code == 400
    assert "From month must be on or before the to month" in response.content.decode()
