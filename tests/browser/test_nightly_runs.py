"""The nightly job's runs pages in a real browser, with axe (issue 10)."""

import re

import pytest
from playwright.sync_api import expect

from earlyhelp.tests.factories import UserFactory
from outcomes.tests.records import records_from
from outcomes.tests.test_nightly import _example
from tests.browser.test_smoke import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_programme_team_runs_the_job_and_reads_what_changed(page, live_server, check_a11y):
    programme = UserFactory(username="pat", first_name="Pat", role="programme")
    records_from(_example(), by=programme)
    sign_in(page, live_server.url, "pat")
    page.goto(f"{live_server.url}/programme/runs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nightly results runs")
    check_a11y(page, "runs list, empty")
    page.get_by_role("button", name="Run now for today").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("results as of")
    expect(page.get_by_text("1 of 1 families")).to_be_visible()
    check_a11y(page, "run detail")
    page.get_by_role("link", name="All runs").click()
    expect(page.get_by_role("link", name=re.compile(r"^Run \d+$"))).to_be_visible()
    check_a11y(page, "runs list")
