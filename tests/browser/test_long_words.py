"""One long word typed into a plan action or a case note breaks across lines: the family's
pages stay as wide as the screen (issue 18: a 10,000-character action made the family page
4,363 px wide)."""

from datetime import date

import pytest

from cases.models import CaseNote, Episode, PlanAction
from earlyhelp.tests.factories import UserFactory
from tests.browser.test_smoke import sign_in
from tests.worlds import make_family

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = "a" * 10_000


def test_a_long_word_does_not_widen_the_familys_pages(page, live_server):
    lead = UserFactory(username="priya", first_name="Priya", role="practitioner")
    family = make_family("Okafor family", members=2, lead=lead)
    episode = family.episodes.get(status=Episode.Status.OPEN)
    PlanAction.objects.create(
        episode=episode, what=LONG, owner=lead, due_on=date(2026, 12, 1), created_by=lead
    )
    CaseNote.objects.create(
        episode=episode, kind="visit", happened_on=date(2026, 9, 3), text=LONG, written_by=lead
    )
    sign_in(page, live_server.url, "priya")
    page.set_viewport_size({"width": 1024, "height": 768})
    for path in (f"/families/{family.pk}/", f"/families/{family.pk}/notes/"):
        page.goto(live_server.url + path)
        assert LONG in page.content(), path  # shown whole, not cut short
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1024, f"{path} is {width} px wide"
