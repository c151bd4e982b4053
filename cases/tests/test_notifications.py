"""Notifications in the service and by email: allocation, sign-off, overdue reviews (idempotent)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cases import tasks
from cases.models import Notification, PlanReview
from cases.notifications.services import notify, notify_allocated, notify_overdue_reviews
from tests.episode_worlds import managed_by
from tests.worlds import make_family

pytestmark = pytest.mark.django_db


def test_allocation_notifies_the_lead_once_in_the_service_and_by_email(
    users, client_for, django_capture_on_commit_callbacks
):
    family = make_family("Begum family", lead=users["practitioner"])
    episode = family.episodes.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_allocated(episode) is not None
        assert notify_allocated(episode) is None  # the allocation code may call it twice
    assert Notification.objects.filter(user=users["practitioner"]).count() == 1
    assert len(mail.outbox) == 1
    assert family.reference in mail.outbox[0].body and "Begum" not in mail.outbox[0].body
    home = client_for("practitioner").get(reverse("home")).content.decode()
    assert "The Begum family is allocated to you" in home and "1 new" in home


def test_notifications_are_listed_and_marked_read(users, client_for):
    family = make_family("Begum family", lead=users["practitioner"])
    notify_allocated(family.episodes.get())
    client = client_for("practitioner")
    page = client.get(reverse("notification-list")).content.decode()
    assert "is allocated to you" in page and "Mark all as read" in page
    assert client.post(reverse("notifications-read")).status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    # Nobody reads another person's notifications.
    assert (
        "is allocated to you"
        not in client_for("hub").get(reverse("notification-list")).content.decode()
    )


def test_overdue_reviews_are_notified_once_however_often_the_command_runs(
    users, set_policy, django_capture_on_commit_callbacks
):
    set_policy(review_interval_weeks=8)
    managed_by(users["manager"], users["practitioner"])
    overdue = make_family("Late family", lead=users["practitioner"])
    episode = overdue.episodes.get()
    episode.started_on = timezone.localdate() - timedelta(weeks=12)
    episode.save()
    PlanReview.objects.create(
        episode=episode,
        held_on=timezone.localdate() - timedelta(weeks=9),
        progress="x",
        recorded_by=users["practitioner"],
    )
    in_date = make_family("Timely family", lead=users["practitioner"])
    recent = in_date.episodes.get()
    recent.started_on = timezone.localdate() - timedelta(weeks=2)
    recent.save()
    with django_capture_on_commit_callbacks(execute=True):
        out = StringIO()
        call_command("notify_overdue_reviews", stdout=out)
        assert "2 notifications sent" in out.getvalue()  # the lead and their manager
        assert tasks.notify_overdue_reviews() == 0
        assert notify_overdue_reviews() == 0
    told = Notification.objects.filter(kind="review_overdue")
    assert sorted(n.user.username for n in told) == ["manager", "practitioner"]
    assert all(n.family == overdue for n in told)
    assert len(mail.outbox) == 2
    # A review held, then overdue again later: a new due date, a new notification.
    PlanReview.objects.create(
        episode=episode,
        held_on=timezone.localdate() - timedelta(weeks=8, days=1),
        progress="y",
        recorded_by=users["practitioner"],
    )
    assert notify_overdue_reviews() == 2


def test_a_family_no_longer_worked_with_is_not_named_again_and_the_shown_ones_are_audited(
    users, client_for
):
    from earlyhelp.models import AuditEntry
    from earlyhelp.tests.factories import UserFactory

    family = make_family("Begum family", lead=users["practitioner"])
    episode = family.episodes.get()
    notify_allocated(episode)
    client = client_for("practitioner")
    for name in ("home", "notification-list"):
        page = client.get(reverse(name)).content.decode()
        assert "The Begum family is allocated to you" in page
        shown = AuditEntry.objects.filter(user=users["practitioner"]).latest("id")
        assert shown.listed_family_ids == [family.pk]

    # The family is handed to another lead: the notification stays, the family is not named.
    episode.lead_practitioner = UserFactory(role="practitioner")
    episode.save()
    for name in ("home", "notification-list"):
        page = client.get(reverse(name)).content.decode()
        assert family.reference not in page and "Begum" not in page
        assert "Case allocated: a family you no longer work with" in page
        shown = AuditEntry.objects.filter(user=users["practitioner"]).latest("id")
        assert shown.listed_family_ids == []


def test_one_rule_names_a_family_in_the_service_and_only_its_reference_by_email(
    users, client_for, django_capture_on_commit_callbacks
):
    """The module's rule, for every kind: `{family}` reads the family's name in the service
    and "family <reference>" in the email, which never carries a name."""
    family = make_family("Wiśniewski family", lead=users["practitioner"])
    with django_capture_on_commit_callbacks(execute=True):
        told = notify(
            users["practitioner"],
            kind=Notification.Kind.STEP_UP_RECEIVED,
            message="The {family} is handed to you.",
            key="rule-test",
            family=family,
        )
    assert told.message == "The Wiśniewski family is handed to you."
    (email,) = mail.outbox
    assert email.body.startswith(f"The family {family.reference} is handed to you.")
    assert "Wiśniewski" not in email.body and "Wiśniewski" not in email.subject
