"""Outcome tool scores: the Family Star and the Rickter Lifeboard, and their bad inputs."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import ToolScore
from tests.episode_worlds import plan_version
from tests.worlds import make_family

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate().isoformat()


@pytest.fixture
def case(users):
    family = make_family("Osei family", members=2, lead=users["practitioner"])
    episode = family.episodes.get()
    episode.started_on = timezone.localdate() - timedelta(days=30)
    episode.save()
    return family


def star(stage="start", score=4, **extra):
    data = {"stage": stage, "scored_on": TODAY}
    for i, _ in enumerate(plan_version().plan.family_star_areas):
        data[f"area_{i}"] = score
    return {**data, **extra}


def rickter(who, stage="start", score=3, desired=8, **extra):
    data = {"person": who.pk, "stage": stage, "scored_on": TODAY}
    for heading in plan_version().plan.rickter_headings:
        data[f"score_{heading.id}"] = score
        if desired is not None:
            data[f"desired_{heading.id}"] = desired
    return {**data, **extra}


def test_scores_are_recorded_and_shown_with_distance_travelled(client_for, case):
    lead = client_for("practitioner")
    url = reverse("tool-score-add", args=[case.pk, "family-star"])
    assert lead.post(url, star()).status_code == 302
    person = case.memberships.first().person
    rickter_url = reverse("tool-score-add", args=[case.pk, "rickter"])
    assert lead.post(rickter_url, rickter(person, desired_stress=1)).status_code == 302
    # Mid-way: Money up from 3 to 6 (desired 8); Stress is reversed: 3 → 1 is progress.
    mid = rickter(person, stage="mid", score=6, desired=None, score_stress=1)
    assert lead.post(rickter_url, mid).status_code == 302
    assert ToolScore.objects.count() == 3
    page = lead.get(reverse("family-detail", args=[case.pk])).content.decode()
    assert "Family Star" in page and f"Rickter Scale Lifeboard: {person}" in page
    assert "60%" in page  # (6 − 3) ÷ (8 − 3)
    assert "100%" in page  # Stress (R): normalised 7 → 9, and 9 was the desired state


@pytest.mark.parametrize(
    "change, message",
    [
        ({"stage": ""}, "Select when these scores are from"),
        ({"stage": "mid"}, "Select one of the options"),
        ({"scored_on": ""}, "Enter the date scored"),
        ({"scored_on": "2099-01-01"}, "today or in the past"),
        ({"area_0": "0"}, "Physical health must be 1 or more"),
        ({"area_1": "11"}, "Your well-being must be 10 or less"),
        ({"area_2": "six"}, "must be a whole number from 1 to 10"),
        ({"area_3": ""}, "Enter a score for Keeping your children safe"),
    ],
)
def test_bad_family_star_scores_are_refused(client_for, case, change, message):
    response = client_for("practitioner").post(
        reverse("tool-score-add", args=[case.pk, "family-star"]), star(**change)
    )
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not ToolScore.objects.exists()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"person": ""}, "Select whose scores these are"),
        ({"person": "0"}, "Select one of the options"),
        ({"score_money": "-1"}, "Money must be 0 or more"),
        ({"score_money": "12"}, "Money must be 10 or less"),
        ({"desired_money": ""}, "Enter the desired score for Money (the start needs one)"),
    ],
)
def test_bad_rickter_scores_are_refused(client_for, case, change, message):
    person = case.memberships.first().person
    response = client_for("practitioner").post(
        reverse("tool-score-add", args=[case.pk, "rickter"]), rickter(person, **change)
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert not ToolScore.objects.exists()


def test_a_stage_is_scored_once(client_for, case):
    lead = client_for("practitioner")
    url = reverse("tool-score-add", args=[case.pk, "family-star"])
    lead.post(url, star())
    response = lead.post(url, star())
    assert response.status_code == 400 and "already recorded" in response.content.decode()
    assert ToolScore.objects.count() == 1


def test_an_unknown_tool_is_not_found(client_for, case):
    assert (
        client_for("practitioner").get(reverse("tool-score-add", args=[case.pk, "abc"])).status_code
        == 404
    )


def test_the_family_page_shows_each_tool_at_its_own_stages(client_for, case):
    """Family Star at assessment and closure; Rickter baseline, desired and reviews per
    heading, per person (DOMAIN §7)."""
    lead = client_for("practitioner")
    people = [m.person for m in case.memberships.all()]
    star_url = reverse("tool-score-add", args=[case.pk, "family-star"])
    lead.post(star_url, star(score=4))
    lead.post(star_url, star(stage="close", score=7))
    rickter_url = reverse("tool-score-add", args=[case.pk, "rickter"])
    for person in people:
        lead.post(rickter_url, rickter(person, score=2, desired=9))
    lead.post(rickter_url, rickter(people[0], stage="mid", score=5, desired=None))
    lead.post(rickter_url, rickter(people[0], stage="close", score=8, desired=None))
    assert ToolScore.objects.count() == 2 + len(people) + 2
    page = lead.get(reverse("family-detail", args=[case.pk])).content.decode()
    star_table = page[
        page.index("Family Star (") : page.index("</table>", page.index("Family Star ("))
    ]
    assert "At assessment" in star_table and "At closure" in star_table
    assert "Mid-way review" not in star_table
    for person in people:
        caption = f"Rickter Scale Lifeboard: {person}"
        table = page[page.index(caption) : page.index("</table>", page.index(caption))]
        for header in ["Baseline", "Mid-way review", "Closing review", "Desired"]:
            assert header in table
        assert table.count(">9</td>") == len(plan_version().plan.rickter_headings)  # desired
    first = page[page.index(f"Rickter Scale Lifeboard: {people[0]}") :]
    assert "86%" in first.split("</table>")[0]  # Money: (8 − 2) ÷ (9 − 2)
