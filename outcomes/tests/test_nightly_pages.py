"""The runs pages: each run, and what changed since the previous completed run."""

import pytest
from django.urls import reverse

from earlyhelp.models import AuditEntry
from outcomes import nightly
from outcomes.models import NightlyRun

from .records import lose_the_job, records_from
from .test_nightly import AS_OF, _example

pytestmark = pytest.mark.django_db


def listed(user):
    """The families the user's latest runs page named in its audit row."""
    return AuditEntry.objects.filter(user=user, action="nightly_run").latest("id").listed_family_ids


def test_a_run_shows_the_families_newly_claimable_and_then_no_longer(client_for, users):
    made = records_from(_example(), by=users["programme"])
    first = nightly.nightly_run(as_of=AS_OF)
    programme = client_for("programme")
    page = programme.get(reverse("nightly-run-detail", args=[first.pk])).content.decode()
    newly = page.split("Newly claimable (1)")[1].split("No longer claimable")[0]
    assert made.family.reference in newly and "15 Jul 2019" in newly
    assert "No longer claimable (0)" in page
    assert listed(users["programme"]) == [made.family.pk]  # the families it named

    lose_the_job(made)
    second = nightly.nightly_run(as_of=AS_OF)
    page = programme.get(reverse("nightly-run-detail", args=[second.pk])).content.decode()
    assert "Newly claimable (0)" in page
    gone = page.split("No longer claimable (1)")[1]
    assert made.family.reference in gone and f"since run {first.pk}" in page
    assert listed(users["programme"]) == [made.family.pk]
    assert AuditEntry.objects.filter(action="nightly_run").count() == 2  # one per page
    listing = programme.get(reverse("nightly-run-list")).content.decode()
    assert f"Run {second.pk}" in listing and "Completed" in listing


def test_families_the_reader_may_not_see_are_neither_named_nor_counted(client_for, users):
    made = records_from(_example(), by=users["programme"])
    run = nightly.nightly_run(as_of=AS_OF)
    page = client_for("administrator").get(reverse("nightly-run-detail", args=[run.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert made.family.reference not in text and "Newly claimable (0)" in text
    assert "without a change in whether they can be claimed: 0" in text
    assert listed(users["administrator"]) == []


def test_run_now_runs_the_job_straight_away_without_a_broker(client_for, users):
    records_from(_example(), by=users["programme"])
    response = client_for("programme").post(reverse("nightly-run-start"))
    run = NightlyRun.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "nightly-run-detail", args=[run.pk]
    )
    assert (run.status, run.trigger, run.started_by, run.families_done) == (
        "completed",
        "page",
        users["programme"],
        1,
    )


def test_only_the_programme_team_and_administrators_may_start_a_run(client_for):
    for role in ("practitioner", "hub", "manager", "auditor"):
        assert client_for(role).post(reverse("nightly-run-start")).status_code == 403
    assert not NightlyRun.objects.exists()


def test_the_runs_list_takes_a_fixed_number_of_queries(
    client_for, users, django_assert_max_num_queries
):
    programme = client_for("programme")
    programme.get(reverse("nightly-run-list"))  # warm the session
    for _ in range(3):
        nightly.nightly_run(as_of=AS_OF)
    with django_assert_max_num_queries(8) as few:
        programme.get(reverse("nightly-run-list"))
    for _ in range(5):
        nightly.nightly_run(as_of=AS_OF)
    with django_assert_max_num_queries(len(few.captured_queries)):
        programme.get(reverse("nightly-run-list"))
