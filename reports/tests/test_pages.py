"""The reports' pages: who may open them, the filters, and a bad filter answered in the GOV.UK
way (every report's own figures are tested in its own file)."""

import pytest
from django.urls import reverse

from reports.registry import REPORTS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["programme", "manager"])
def test_the_programme_team_and_managers_see_every_report(role, client_for):
    client = client_for(role)
    index = client.get(reverse("report-index"))
    assert index.status_code == 200
    for slug, found in REPORTS.items():
        assert reverse("report-detail", args=[slug]) in index.content.decode()
        page = client.get(reverse("report-detail", args=[slug]))
        assert page.status_code == 200, slug
        assert found.title in page.content.decode()


@pytest.mark.parametrize("role", ["practitioner", "hub", "auditor", "administrator"])
def test_other_roles_do_not(role, client_for):
    assert client_for(role).get(reverse("report-index")).status_code == 403
    for slug in REPORTS:
        assert client_for(role).get(reverse("report-detail", args=[slug])).status_code == 403


def test_an_unknown_report_or_table_is_not_found(client_for):
    client = client_for("programme")
    assert client.get(reverse("report-detail", args=["no-such-report"])).status_code == 404
    for slug in REPORTS:
        url = reverse("report-detail", args=[slug])
        assert client.get(url, {"format": "csv", "table": "no-such-table"}).status_code == 404


def test_a_year_that_is_not_set_up_is_a_field_error(client_for):
    for slug in REPORTS:
        response = client_for("programme").get(
            reverse("report-detail", args=[slug]), {"year": "1999"}
        )
        assert response.status_code == 400
        page = response.content.decode()
        assert "<title>Error:" in page and "govuk-error-summary" in page
