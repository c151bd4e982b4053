"""A change of lead today or scheduled for a later day; history never rewritten (issue 18)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from cases.closure.lead import (
    lead_change,
    lead_change_cancel,
    lead_changes_apply_due,
    lead_history_breaks,
    scheduled_lead_change_of,
)
from cases.episode.selectors import lead_history
from cases.models import Episode, LeadChange, Notification
from conftest import sign_in
from earlyhelp.models import AuditEntry
from earlyhelp.services import user_deactivate
from earlyhelp.tests.factories import UserFactory
from tests.episode_worlds import agency_user, days
from tests.worlds import make_family

pytestmark = pytest.mark.django_db

STARTED = 300  # days before today that the episode began


@pytest.fixture
def people(users):
    priya = agency_user(first_name="Priya", last_name="Shah")
    sam = UserFactory(role="practitioner", team=priya.team, first_name="Sam", last_name="Jones")
    kit = UserFactory(role="practitioner", team=priya.team, first_name="Kit", last_name="Bell")
    users["manager"].managed_teams.add(priya.team)
    return {"priya": priya, "sam": sam, "kit": kit, "manager": users["manager"]}


@pytest.fixture
def episode(people):
    family = make_family("Nowak")
    return Episode.objects.create(
        family=family,
        started_on=days(-STARTED),
        lead_practitioner=people["priya"],
        lead_agency=people["priya"].organisation,
    )


def change(episode, people, to, on, *, today=None):
    return lead_change(
        episode=episode,
        to_practitioner=people[to],
        changed_on=on,
        reason="Leaving",
        by=people["manager"],
        today=today,
    )


def problems_of(call) -> dict:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.message_dict


def history(episode):
    return lead_history(
        [Episode.objects.get(pk=episode.pk)],
        list(LeadChange.objects.filter(episode=episode)),
        [],
        [],
    )


def test_a_back_dated_change_is_refused_and_rewrites_nothing(episode, people):
    """The bug: a re-allocation dated 01/01/2025 made "Priya led 8 Oct 2026 – 8 Oct 2026"."""
    for back in (days(-1), days(-STARTED + 10), days(-STARTED - 400)):
        problems = problems_of(lambda back=back: change(episode, people, "sam", back))
        assert list(problems) == ["changed_on"]
        assert (
            "today or in the future" in problems["changed_on"][0]
            or "the same as or after" in problems["changed_on"][0]
        )
    assert not LeadChange.objects.exists()
    assert Episode.objects.get(pk=episode.pk).lead_practitioner == people["priya"]


def test_a_change_before_the_current_leads_start_names_that_start(episode, people):
    """Later: Sam took over on day T; a change dated before T (even if T is "today" in a
    simulated year) is refused with the date Sam took over."""
    today = days(0)
    change(episode, people, "sam", today)
    problems = problems_of(
        lambda: change(episode, people, "kit", today - timedelta(days=1), today=today)
    )
    began = f"{today.day} {today:%B %Y}"
    assert problems == {
        "changed_on": [
            f"The date the new lead takes over must be the same as or after {began}, "
            f"when {people['sam']} became the lead"
        ]
    }


def test_a_lead_who_has_left_the_service_is_refused(episode, people):
    user_deactivate(people["kit"])
    problems = problems_of(lambda: change(episode, people, "kit", days(0)))
    assert problems == {"to_practitioner": ["Kit Bell has left the service: select someone else"]}
    assert not LeadChange.objects.exists()


def test_a_change_today_takes_effect_at_once(episode, people):
    made = change(episode, people, "sam", days(0))
    episode.refresh_from_db()
    assert made.status == LeadChange.Status.APPLIED
    assert episode.lead_practitioner == people["sam"]
    assert (made.from_practitioner, made.to_practitioner) == (people["priya"], people["sam"])
    assert Notification.objects.filter(user=people["sam"], family=episode.family).exists()


def test_a_future_change_is_scheduled_then_applied_on_its_day_once(episode, people):
    today, on = days(0), days(14)
    made = change(episode, people, "sam", on, today=today)
    episode.refresh_from_db()
    assert made.status == LeadChange.Status.SCHEDULED
    assert episode.lead_practitioner == people["priya"]  # Priya keeps it until then
    told = Notification.objects.get(user=people["sam"])
    assert "Nowak" in told.message and f"{on.day} {on:%B %Y}" in told.message

    assert lead_changes_apply_due(today=on - timedelta(days=1)) == 0
    assert Episode.objects.get(pk=episode.pk).lead_practitioner == people["priya"]

    assert lead_changes_apply_due(today=on) == 1
    episode.refresh_from_db()
    assert episode.lead_practitioner == people["sam"]
    assert episode.lead_agency == people["sam"].organisation
    applied = LeadChange.objects.get()
    assert (applied.status, applied.changed_on) == (LeadChange.Status.APPLIED, on)

    # Idempotent: the next run, and a run days later, apply nothing more.
    assert lead_changes_apply_due(today=on) == 0
    assert lead_changes_apply_due(today=on + timedelta(days=3)) == 0
    assert LeadChange.objects.count() == 1
    assert AuditEntry.objects.filter(action="lead_change", family_id=episode.family_id).count() == 1


def test_a_missed_night_applies_the_move_the_next_time(episode, people):
    on = days(5)
    change(episode, people, "sam", on, today=days(0))
    assert lead_changes_apply_due(today=on + timedelta(days=2)) == 1
    assert Episode.objects.get(pk=episode.pk).lead_practitioner == people["sam"]
    assert LeadChange.objects.get().changed_on == on  # its own day, not the day it ran


def test_the_celery_task_applies_what_is_due(episode, people):
    from cases.tasks import apply_scheduled_lead_changes

    change(episode, people, "sam", days(0), today=days(-1))  # scheduled yesterday for today
    assert apply_scheduled_lead_changes.delay().get() == 1
    assert Episode.objects.get(pk=episode.pk).lead_practitioner == people["sam"]


def test_a_scheduled_change_can_be_cancelled_before_its_day(episode, people):
    made = change(episode, people, "sam", days(7))
    problems = problems_of(lambda: change(episode, people, "kit", days(10)))
    assert "already scheduled" in problems["changed_on"][0]
    lead_change_cancel(change=made, by=people["manager"])
    assert scheduled_lead_change_of(episode) is None
    assert lead_changes_apply_due(today=days(8)) == 0
    assert Episode.objects.get(pk=episode.pk).lead_practitioner == people["priya"]
    assert AuditEntry.objects.filter(action="lead_change_cancelled").count() == 1
    change(episode, people, "kit", days(10))  # another may be scheduled now


def test_a_change_that_has_taken_effect_cannot_be_cancelled(episode, people):
    made = change(episode, people, "sam", days(0))
    with pytest.raises(ValidationError):
        lead_change_cancel(change=made, by=people["manager"])
    assert LeadChange.objects.filter(pk=made.pk).exists()


def test_closing_the_episode_lapses_its_scheduled_move(episode, people):
    from cases.closure.services import _close

    change(episode, people, "sam", days(3))
    _close(Episode.objects.get(pk=episode.pk), reason="needs_met", on=days(0))
    assert not LeadChange.objects.exists()
    assert lead_history_breaks() == []


def test_a_scheduled_move_of_an_episode_closed_first_lapses(episode, people):
    change(episode, people, "sam", days(3))
    Episode.objects.filter(pk=episode.pk).update(status=Episode.Status.CLOSED, ended_on=days(1))
    assert lead_changes_apply_due(today=days(3)) == 0
    assert not LeadChange.objects.exists()
    assert Episode.objects.get(pk=episode.pk).lead_practitioner == people["priya"]


def test_history_intervals_follow_one_another_and_never_overlap(episode, people):
    """A year of moves, each as the simulation makes them: today or scheduled, applied on
    the day. The periods meet end to start and none overlaps."""
    today = days(-STARTED + 30)
    moves = [("sam", 0), ("kit", 20), ("priya", 20), ("sam", 65)]
    for to, after in moves:
        on = today + timedelta(days=after)
        lead_changes_apply_due(today=on)
        change(episode, people, to, on, today=today)
        today = on
    change(episode, people, "kit", today + timedelta(days=30), today=today)  # scheduled
    periods = history(episode)
    scheduled = [p for p in periods if p.scheduled]
    past = [p for p in reversed(periods) if not p.scheduled]
    assert len(scheduled) == 1 and scheduled[0].practitioner == people["kit"]
    assert [p.practitioner for p in past] == [
        people["priya"],
        people["sam"],
        people["kit"],
        people["priya"],
        people["sam"],
    ]
    for earlier, later in zip(past, past[1:], strict=False):
        assert earlier.started_on <= earlier.ended_on == later.started_on
    assert past[-1].current and past[-1].ended_on is None
    assert scheduled[0].started_on > past[-1].started_on
    assert lead_history_breaks() == []


def test_the_database_refuses_to_change_a_past_interval(episode, people):
    """Even a write that skips the services (psql, a migration) cannot rewrite history."""
    LeadChange.objects.create(
        episode=episode,
        changed_on=days(-30),
        from_practitioner=people["priya"],
        to_practitioner=people["sam"],
        reason="Last month",
        recorded_by=people["manager"],
    )
    past = LeadChange.objects.get()
    for write in (
        lambda: LeadChange.objects.filter(pk=past.pk).update(changed_on=days(-200)),
        lambda: LeadChange.objects.filter(pk=past.pk).delete(),
    ):
        with pytest.raises(Exception, match="Cannot update or delete"), transaction.atomic():
            write()
    assert LeadChange.objects.get().changed_on == days(-30)


def test_a_scheduled_change_and_todays_are_not_history_yet(episode, people):
    made = change(episode, people, "sam", days(0))
    LeadChange.objects.filter(pk=made.pk).update(reason="Corrected today")  # allowed: today
    assert LeadChange.objects.get(pk=made.pk).reason == "Corrected today"


def test_one_scheduled_move_per_episode_in_the_database_too(episode, people):
    change(episode, people, "sam", days(4))
    with pytest.raises(IntegrityError), transaction.atomic():
        LeadChange.objects.create(
            episode=episode,
            changed_on=days(9),
            status=LeadChange.Status.SCHEDULED,
            to_practitioner=people["kit"],
            reason="Twice",
            recorded_by=people["manager"],
        )
    assert LeadChange.objects.count() == 1


# --- the episode's own page -------------------------------------------------------------------


def post_change(client, episode, to, on):
    data = {"to_practitioner": to.pk, "reason": "Caseload"}
    data |= {"changed_on_day": on.day, "changed_on_month": on.month, "changed_on_year": on.year}
    return client.post(reverse("lead-change", args=[episode.family_id]), data)


def test_the_lead_page_schedules_shows_and_cancels_a_move(episode, people):
    manager = sign_in(Client(), people["manager"])
    on = days(30)
    assert post_change(manager, episode, people["sam"], on).status_code == 302
    assert Episode.objects.get(pk=episode.pk).lead_practitioner == people["priya"]
    form_page = manager.get(reverse("lead-change", args=[episode.family_id])).content.decode()
    assert f"takes over as lead from {on.day} {on:%B %Y} (scheduled)" in form_page
    refused = post_change(manager, episode, people["kit"], days(40))
    assert refused.status_code == 400 and "already scheduled" in refused.content.decode()

    cancelled = manager.post(reverse("lead-change-cancel", args=[episode.family_id]))
    assert cancelled.status_code == 302
    assert not LeadChange.objects.exists()


def test_the_lead_page_refuses_a_back_dated_change_on_its_date_field(episode, people):
    manager = sign_in(Client(), people["manager"])
    response = post_change(manager, episode, people["sam"], days(-STARTED - 100))
    body = response.content.decode()
    assert response.status_code == 400 and 'href="#id_changed_on"' in body
    assert "must be the same as or after" in body and "<title>Error: " in body
    assert not LeadChange.objects.exists()


def test_another_teams_manager_cannot_change_or_cancel_the_lead(episode, people):
    change(episode, people, "sam", days(30))
    other = agency_user(role="manager")
    other.managed_teams.add(agency_user().team)
    client = sign_in(Client(), other)
    assert post_change(client, episode, people["kit"], days(0)).status_code == 404
    assert client.post(reverse("lead-change-cancel", args=[episode.family_id])).status_code == 404
    assert LeadChange.objects.get().to_practitioner == people["sam"]


def test_the_simulations_check_finds_a_rewritten_history(episode, people):
    """What the old back-dated re-allocation wrote (a change dated before the one before it,
    and before the episode began) is what `lead_history_breaks` reports."""
    change(episode, people, "sam", days(0))
    LeadChange.objects.create(
        episode=episode,
        changed_on=days(-STARTED - 10),
        from_practitioner=people["sam"],
        to_practitioner=people["kit"],
        reason="Back-dated",
        recorded_by=people["manager"],
    )
    found = [what for pk, what in lead_history_breaks() if pk == episode.pk]
    assert len(found) == 2
    assert "before its start" in found[0] and "after one of" in found[1]


def test_disposal_passes_the_trigger_only_by_saying_so(episode, people):
    """A retention disposal deletes a family's records, its lead history with them, by
    naming the trigger it passes; nothing else can."""
    import pgtrigger

    LeadChange.objects.create(
        episode=episode,
        changed_on=days(-30),
        from_practitioner=people["priya"],
        to_practitioner=people["sam"],
        reason="Last month",
        recorded_by=people["manager"],
    )
    with pgtrigger.ignore("cases.LeadChange:lead_change_past_kept"):
        episode.family.delete()
    assert not LeadChange.objects.exists()
