"""The scores as numbers (`ToolProgress`), kept by the triggers of migration 0004 however a
score is written, changed or removed."""

from datetime import date, timedelta

import pytest
from django.db import InternalError, transaction

from assessments.models import ToolProgress, ToolScore
from cases.models import Episode
from earlyhelp.models import Organisation, User
from outcomes.models import Attachment
from tests.episode_worlds import plan_version
from tests.worlds import make_family

pytestmark = pytest.mark.django_db


@pytest.fixture
def episode(users):
    family = make_family("Osei family", members=2, lead=users["practitioner"])
    return family.episodes.get()


def add(episode, stage, scores, desired=None, *, tool="rickter", person=None, days=0):
    return ToolScore.objects.create(
        episode=episode,
        tool=tool,
        stage=stage,
        person=person,
        scored_on=episode.started_on + timedelta(days=days),
        plan_version=plan_version(),
        scores=scores,
        desired=desired or {},
        recorded_by=User.objects.get(username="practitioner"),
    )


def numbers(row, name):
    """The row's numbers in `name`'s columns, one for each of its keys."""
    return [getattr(row, ToolProgress.place(name, i)) for i in range(1, len(row.layout.keys) + 1)]


def lifeboards(episode):
    return [
        (r.stage, r.layout.keys, numbers(r, "first"), numbers(r, "desired"), numbers(r, "latest"))
        for r in ToolProgress.objects.filter(episode=episode, tool="rickter")
    ]


def test_a_lifeboard_is_kept_from_its_baseline_and_latest_review(episode):
    person = episode.family.memberships.first().person
    start = add(
        episode, "start", {"money": 3, "stress": 7}, {"money": 8, "stress": 2}, person=person
    )
    assert lifeboards(episode) == []  # a baseline alone is not yet progress
    mid = add(episode, "mid", {"money": 5, "stress": 6}, person=person, days=30)
    assert lifeboards(episode) == [("mid", ["money", "stress"], [3, 7], [8, 2], [5, 6])]
    close = add(episode, "close", {"money": 6, "stress": 4}, person=person, days=90)
    assert lifeboards(episode) == [("close", ["money", "stress"], [3, 7], [8, 2], [6, 4])]
    close.scores = {"money": 7, "stress": 4}
    close.save()
    assert lifeboards(episode)[0][4] == [7, 4]
    close.delete()
    assert lifeboards(episode)[0][4] == [5, 6]  # back to the mid-way review
    start.delete()
    assert lifeboards(episode) == []
    assert mid.pk


def test_a_heading_not_given_in_all_three_is_counted_in_none(episode):
    person = episode.family.memberships.first().person
    add(episode, "start", {"money": 3, "stress": 7}, {"money": 8}, person=person)
    add(episode, "close", {"money": 6, "stress": None}, person=person, days=90)
    assert lifeboards(episode) == [("close", ["money", "stress"], [3, None], [8, None], [6, None])]
    row = ToolProgress.objects.get(episode=episode)
    assert getattr(row, ToolProgress.place("first", 3)) is None  # no third heading


def test_each_family_star_score_is_kept_with_its_family_and_start(episode):
    add(episode, "start", {"Family routine": 4, "Home and money": 7}, tool="family_star")
    add(episode, "close", {"Family routine": 6, "Home and money": 8}, tool="family_star", days=9)
    rows = ToolProgress.objects.filter(episode=episode, tool="family_star").order_by("stage")
    assert [
        (r.stage, r.layout.keys, numbers(r, "first"), r.family_id, r.started_on) for r in rows
    ] == [
        (
            "close",
            ["Family routine", "Home and money"],
            [6, 8],
            episode.family_id,
            episode.started_on,
        ),
        (
            "start",
            ["Family routine", "Home and money"],
            [4, 7],
            episode.family_id,
            episode.started_on,
        ),
    ]
    # A corrected episode start moves the rows to the year it now falls in.
    Episode.objects.filter(pk=episode.pk).update(started_on=date(2019, 4, 1))
    assert set(rows.values_list("started_on", flat=True)) == {date(2019, 4, 1)}


def test_scores_naming_more_headings_than_the_places_kept_are_refused(episode):
    person = episode.family.memberships.first().person
    too_many = {f"heading {i:02}": 5 for i in range(ToolProgress.PLACES + 1)}
    add(episode, "start", too_many, too_many, person=person)
    with pytest.raises(InternalError, match="more than 12 headings or areas"):
        with transaction.atomic():
            add(episode, "close", too_many, person=person, days=9)


def test_only_a_familys_latest_family_star_at_a_stage_is_marked_to_count(episode):
    Episode.objects.filter(pk=episode.pk).update(status="closed")
    later = Episode.objects.create(
        family=episode.family,
        started_on=episode.started_on + timedelta(days=400),
        status="closed",  # so it may be moved to a family with an open episode
        ended_on=episode.started_on + timedelta(days=500),
        lead_practitioner=episode.lead_practitioner,
        lead_agency=episode.lead_agency,
    )
    add(episode, "start", {"Family routine": 4}, tool="family_star")
    add(episode, "close", {"Family routine": 6}, tool="family_star", days=90)
    add(later, "start", {"Family routine": 3}, tool="family_star")

    def marked():
        rows = ToolProgress.objects.filter(tool="family_star", family_latest=True)
        return sorted((r.episode_id, r.stage) for r in rows)

    assert marked() == sorted([(episode.pk, "close"), (later.pk, "start")])
    # The later episode was recorded against the wrong family: moved, each family's own
    # latest scores count.
    other = make_family("Adeyemi family", members=1, lead=episode.lead_practitioner)
    Episode.objects.filter(pk=later.pk).update(family=other)
    assert marked() == sorted([(episode.pk, "start"), (episode.pk, "close"), (later.pk, "start")])
    ToolScore.objects.filter(episode=later).delete()
    assert marked() == sorted([(episode.pk, "start"), (episode.pk, "close")])


def test_the_delivery_partner_is_the_episodes_attachments_lead_agency(episode):
    add(episode, "start", {"Family routine": 4}, tool="family_star")
    row = ToolProgress.objects.get(episode=episode)
    assert row.partner_id is None  # not attached
    agency = Organisation.objects.exclude(pk=episode.lead_agency_id).first() or episode.lead_agency
    attachment = Attachment.objects.create(
        family=episode.family,
        episode=episode,
        attached_on=episode.started_on,
        lead_agency=agency,
        plan_version=plan_version(),
        attached_by=User.objects.get(username="practitioner"),
    )
    row.refresh_from_db()
    assert row.partner_id == agency.pk
    add(episode, "close", {"Family routine": 6}, tool="family_star", days=9)
    assert set(ToolProgress.objects.values_list("partner_id", flat=True)) == {agency.pk}
    Attachment.objects.filter(pk=attachment.pk).delete()
    assert set(ToolProgress.objects.values_list("partner_id", flat=True)) == {None}
