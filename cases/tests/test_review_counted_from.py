"""An episode's `review_counted_from` (the later of its start and its latest review) is kept by
the database whoever writes an episode or a review (migration 0011), so the manager's home can
find and count overdue reviews from one index."""

import pytest
from django.db import connection

from cases.models import Episode, PlanReview
from tests.episode_worlds import agency_user, days_ago
from tests.worlds import make_family

pytestmark = pytest.mark.django_db


def counted_from(episode):
    return Episode.objects.values_list("review_counted_from", flat=True).get(pk=episode.pk)


def test_the_date_follows_the_start_and_every_review_insert_update_move_and_delete(users):
    lead = agency_user()
    episode = Episode.objects.create(
        family=make_family("Counted family"), started_on=days_ago(200), lead_practitioner=lead
    )
    other = Episode.objects.create(
        family=make_family("Other family"), started_on=days_ago(300), lead_practitioner=lead
    )
    assert counted_from(episode) == days_ago(200)

    review = PlanReview.objects.create(
        episode=episode, held_on=days_ago(50), progress="ok", recorded_by=lead
    )
    assert counted_from(episode) == days_ago(50)
    # An older review does not move it back.
    PlanReview.objects.create(
        episode=episode, held_on=days_ago(120), progress="ok", recorded_by=lead
    )
    assert counted_from(episode) == days_ago(50)

    review.held_on = days_ago(10)
    review.save()
    assert counted_from(episode) == days_ago(10)

    review.episode = other  # moved to another episode: both are counted again
    review.save()
    assert (counted_from(episode), counted_from(other)) == (days_ago(120), days_ago(10))

    review.delete()
    assert counted_from(other) == days_ago(300)

    # A start moved later than every review counts from the start; a save of an episode
    # loaded before a review was recorded does not write back its stale date.
    stale = Episode.objects.get(pk=episode.pk)
    PlanReview.objects.create(episode=episode, held_on=days_ago(5), progress="ok", recorded_by=lead)
    stale.closure_reason = ""
    stale.save()
    assert counted_from(episode) == days_ago(5)
    Episode.objects.filter(pk=episode.pk).update(started_on=days_ago(2))
    assert counted_from(episode) == days_ago(2)


def test_a_review_written_outside_the_orm_is_counted_too(users):
    lead = agency_user()
    episode = Episode.objects.create(
        family=make_family("Psql family"), started_on=days_ago(200), lead_practitioner=lead
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_planreview (episode_id, held_on, progress, changes_to_plan,"
            " recorded_by_id, recorded_at) VALUES (%s, %s, 'ok', '', %s, now())",
            [episode.pk, days_ago(7), lead.pk],
        )
    assert counted_from(episode) == days_ago(7)


def test_keeping_the_date_writes_no_history_of_the_episode(users):
    """The episode's history (pghistory) records what people changed, not this kept date."""
    lead = agency_user()
    episode = Episode.objects.create(
        family=make_family("History family"), started_on=days_ago(200), lead_practitioner=lead
    )
    events = Episode.pgh_event_model.objects.filter(pgh_obj_id=episode.pk)
    before = events.count()
    PlanReview.objects.create(episode=episode, held_on=days_ago(3), progress="ok", recorded_by=lead)
    assert events.count() == before
