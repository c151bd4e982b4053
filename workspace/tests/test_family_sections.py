"""The family page in sections: a contents list whose every link lands on a heading of the page,
"Back to top" after each section, and the printable assessment offered only when there is one."""

import re
from datetime import date

import pytest
from django.urls import reverse

from assessments.services import assessment_start
from cases.models import Episode, PlanAction
from tests.worlds import make_family

pytestmark = pytest.mark.django_db

PRINT = "Printable assessment and plan"


def page_of(client, family) -> str:
    response = client.get(reverse("family-detail", args=[family.pk]))
    assert response.status_code == 200
    return response.content.decode()


def contents_of(html: str) -> list[str]:
    nav = html[
        html.index('<nav class="app-contents-list"') : html.index(
            "</nav>", html.index('<nav class="app-contents-list"')
        )
    ]
    return re.findall(r'href="#([\w-]+)"', nav)


def test_every_section_of_the_contents_list_is_a_heading_with_a_way_back(users, client_for):
    family = make_family("Okafor family", members=2, lead=users["practitioner"])
    html = page_of(client_for("practitioner"), family)
    anchors = contents_of(html)
    assert anchors[:1] == ["principles"] and anchors[-4:] == [
        "episodes",
        "requests",
        "consent",
        "records",
    ]
    assert {"members", "team", "plan", "lead-history", "chronology"} <= set(anchors)
    for anchor in anchors:
        assert re.search(rf'<h2 class="govuk-heading-m" id="{anchor}">', html), anchor
    assert 'id="contents"' in html
    assert html.count('href="#contents">Back to top</a>') >= len(anchors)


def test_the_printable_assessment_is_offered_once_there_is_an_assessment(users, client_for):
    lead = users["practitioner"]
    family = make_family("Okafor family", members=2, lead=lead)
    client = client_for("practitioner")
    html = page_of(client, family)  # an open episode, with no assessment and no plan yet
    assert PRINT not in html and "Printable plan" not in html
    episode = Episode.objects.get(family=family)
    PlanAction.objects.create(
        episode=episode, what="Meet", owner=lead, due_on=date(2026, 10, 1), created_by=lead
    )
    html = page_of(client, family)
    assert PRINT not in html and "Printable plan</a>" in html
    assessment_start(episode=episode, by=lead)
    assert PRINT in page_of(client, family)


def test_the_assessment_form_offers_a_printable_copy_only_once_saved(users, client_for):
    lead = users["practitioner"]
    family = make_family("Okafor family", members=1, lead=lead)
    client = client_for("practitioner")
    form = client.get(reverse("assessment", args=[family.pk])).content.decode()
    assert 'id="submit-assessment"' in form and "Printable copy" not in form
    assessment_start(episode=Episode.objects.get(family=family), by=lead)
    assert "Printable copy" in client.get(reverse("assessment", args=[family.pk])).content.decode()
