"""Notifications in the service, and the same by email through the configured backend.

Each has a key that makes it one of a kind (per user), so sending it twice is a
no-op: `notify_overdue_reviews` can run every hour, or twice at once, and a
review that falls overdue is announced once.

One rule for naming families: a message says `{family}` where its one family goes. In the
service it reads the family's name ("The Nowak family is allocated to you"), shown only while
the gate lets the user see that family; the email says only the family's reference ("The
family T0000123 is allocated to you"), never a name: an inbox is not the case record. A
message about several families names none of them (their names would outlive the access).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from cases.models import Episode, Notification
from earlyhelp import policy
from earlyhelp.models import User

Kind = Notification.Kind


FAMILY = "{family}"


def worded(message: str, *, family=None, for_email: bool = False) -> str:
    """`message` with its family put in: by name in the service, by reference alone in an
    email (the module's one rule)."""
    if family is None:
        return message
    return message.replace(FAMILY, f"family {family.reference}" if for_email else family.name)


def notify(user, *, kind: str, message: str, key: str, family=None, url: str = ""):
    """Tell `user` once per `key`, in the service and by email. None if already told.
    `message` says `{family}` where the family goes: see the module."""
    shown = worded(message, family=family)
    notification, created = Notification.objects.get_or_create(
        user=user,
        key=key[:200],
        defaults={"kind": kind, "message": shown[:300], "family": family, "url": url},
    )
    if not created:
        return None
    if user.email:
        subject = f"{settings.SERVICE_NAME}: {Kind(kind).label.lower()}"
        emailed = worded(message, family=family, for_email=True)
        body = f"{emailed}\n\nSign in to {settings.SERVICE_NAME} to see it"
        body += f": {settings.SERVICE_URL.rstrip('/')}{url}" if settings.SERVICE_URL else "."
        transaction.on_commit(
            lambda: send_mail(subject, body, None, [user.email], fail_silently=True)
        )
    return notification


def managers_of(user) -> list[User]:
    """Who oversees `user`'s caseload: the managers of their team (none for no lead)."""
    if user is None or not user.team_id:
        return []
    return list(User.objects.filter(managed_teams=user.team_id, is_active=True))


def _family_url(episode) -> str:
    return reverse("family-detail", args=[episode.family_id])


def notify_allocated(episode: Episode):
    """The allocation code calls this once it has named the episode's lead practitioner."""
    lead = episode.lead_practitioner
    if lead is None:
        return None
    return notify(
        lead,
        kind=Kind.ALLOCATED,
        message="The {family} is allocated to you as lead practitioner.",
        key=f"allocated:{episode.pk}:{lead.pk}",
        family=episode.family,
        url=_family_url(episode),
    )


def notify_agency_allocated(allocation) -> int:
    """The hub allocated a family to an agency with no named lead: its team managers are told,
    to name the lead practitioner (P3a) or to know their service holds the family (P3b)."""
    from cases.allocation.selectors import agency_managers

    episode, agency = allocation.episode, allocation.lead_agency
    if episode.single_service:
        message = (
            f"The {FAMILY} is allocated to {agency} as a single-service response, "
            "with no named lead practitioner."
        )
        url = _family_url(episode)
    else:
        message = (
            f"The {FAMILY} is allocated to {agency} and waits for you to name its "
            "lead practitioner."
        )
        url = reverse("allocation-name-lead", args=[allocation.request_id])
    told = 0
    for manager in agency_managers(agency):
        told += bool(
            notify(
                manager,
                kind=Kind.AGENCY_ALLOCATED,
                message=message,
                key=f"agency_allocated:{episode.pk}",
                family=episode.family,
                url=url,
            )
        )
    return told


def notify_assessment_submitted(assessment, *, submitted_at):
    episode = assessment.episode
    for manager in managers_of(episode.lead_practitioner):
        notify(
            manager,
            kind=Kind.ASSESSMENT_AWAITS_SIGN_OFF,
            message="The Early Help Assessment of the {family} awaits your sign-off.",
            key=f"assessment-submitted:{assessment.pk}:{submitted_at.isoformat()}",
            family=episode.family,
            url=reverse("assessment-sign-off", args=[episode.family_id]),
        )


def notify_assessment_decided(assessment, *, change):
    episode = assessment.episode
    returned = change.status == "returned"
    notify(
        episode.lead_practitioner,
        kind=Kind.ASSESSMENT_RETURNED if returned else Kind.ASSESSMENT_SIGNED_OFF,
        message="The Early Help Assessment of the {family} was "
        + ("returned with comments." if returned else "signed off."),
        key=f"assessment-decided:{change.pk}",
        family=episode.family,
        url=reverse("assessment", args=[episode.family_id]),
    )


def notify_closure_requested(closure):
    episode = closure.episode
    for manager in managers_of(episode.lead_practitioner):
        notify(
            manager,
            kind=Kind.CLOSURE_AWAITS_SIGN_OFF,
            message="The closure of the {family}'s episode awaits your sign-off.",
            key=f"closure-requested:{closure.pk}",
            family=episode.family,
            url=reverse("closure-sign-off", args=[episode.family_id]),
        )


def notify_step_up_received(step_up):
    """The social worker an accepted step-up hands the family to is told, by the family's name
    (issue 18: "once accepted the receiving social worker is not told")."""
    family = step_up.episode.family
    notify(
        step_up.received_by,
        kind=Kind.STEP_UP_RECEIVED,
        message="The {family} is handed to you: the front door accepted the step-up from "
        "early help to children's social care. The handover is on the family's page.",
        key=f"step-up-received:{step_up.pk}",
        family=family,
        url=reverse("family-detail", args=[family.pk]),
    )


def _on(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def notify_lead_scheduled(change):
    """The practitioner a family moves to on a later day is told now, by the family's name."""
    family = change.episode.family
    return notify(
        change.to_practitioner,
        kind=Kind.ALLOCATED,
        message=f"The {FAMILY} moves to you as lead practitioner on {_on(change.changed_on)}.",
        key=f"lead-scheduled:{change.pk}",
        family=family,
        # No link: the family is theirs to open from that day, not before.
    )


def notify_cases_moved(
    user, *, families, changed_on: date, today: date, now: int, after: int, target: int, key: str
):
    """A worker receiving part of a caseload is told once: how many families, from when, and
    their caseload against the target (issue 18). It names none: their home page lists them,
    through the gate, from the day they move."""
    when = "from today" if changed_on <= today else f"from {_on(changed_on)}"
    over = " That is over the target." if after > target else ""
    count = len(families)
    return notify(
        user,
        kind=Kind.CASES_MOVED_TO_YOU,
        message=f"{count} {'family moves' if count == 1 else 'families move'} to you as lead "
        f"practitioner {when}; your home page lists {'it' if count == 1 else 'them'}. Your "
        f"caseload goes from {now} to {after} (target {target}).{over}",
        key=key,
        url=reverse("home"),
    )


def notify_request_resolved(resolution):
    """The lead practitioner of an open episode is told when the hub adds a new request for the
    family to it, or passes the request to them (issue 18), with a link to the request."""
    lead = resolution.lead_practitioner
    if lead is None:
        return None
    request = resolution.request
    family = request.family
    added = resolution.outcome == resolution.Outcome.ADDED
    message = (
        "The hub added a new request for support for the {family} to the episode you lead."
        if added
        else "The hub passed a new request for support for the {family} to you, "
        "as the family's lead practitioner."
    )
    return notify(
        lead,
        kind=Kind.REQUEST_ADDED if added else Kind.REQUEST_PASSED,
        message=message,
        key=f"request-resolved:{request.pk}:{lead.pk}",
        family=family,
        url=reverse("triage-request", args=[request.pk]),
    )


def review_due_on(
    started_on: date, last_review_on: date | None, *, interval: timedelta | None = None
) -> date:
    """When the plan's next review is due: the review interval (the service's setting, unless
    the caller read it already) after the last review, or the start."""
    return (last_review_on or started_on) + (interval or policy.review_interval())


def overdue_episodes(today: date):
    """Open episodes whose next review was due before `today`, with `due_on` annotated."""
    interval = policy.review_interval()
    return (
        Episode.objects.filter(status=Episode.Status.OPEN, lead_practitioner__isnull=False)
        .annotate(last_review_on=Coalesce(Max("reviews__held_on"), "started_on"))
        .filter(last_review_on__lt=today - interval)
        .select_related("family", "lead_practitioner")
        .order_by("pk")
    )


def notify_overdue_reviews(*, today: date | None = None) -> int:
    """Tell each lead (and their managers) once that a review is overdue. Returns how many."""
    today = today or timezone.localdate()
    interval = policy.review_interval()  # once for the run, not once an episode
    sent = 0
    for episode in overdue_episodes(today).iterator(chunk_size=500):
        due = review_due_on(episode.started_on, episode.last_review_on, interval=interval)
        for user in [episode.lead_practitioner, *managers_of(episode.lead_practitioner)]:
            with transaction.atomic():
                told = notify(
                    user,
                    kind=Kind.REVIEW_OVERDUE,
                    message=f"The plan review of the {FAMILY} was due "
                    f"on {due.day} {due:%B %Y} and is overdue.",
                    key=f"review-overdue:{episode.pk}:{due.isoformat()}",
                    family=episode.family,
                    url=_family_url(episode),
                )
            sent += told is not None
    return sent


def notifications_mark_read(*, user, ids=None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
