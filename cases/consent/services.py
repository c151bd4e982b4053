"""Writes for consent after the request (DOMAIN §1: "A person's consent is a record of its own:
type (written, or verbal pending written with a chase date), who gave it, when, what it covers;
withdrawing it ends the access it gave and is a closure reason").

The lead practitioner records consent (the views ask the gate for KEEP_CASE, which only the
lead relation grants). Each service checks its rules whoever the caller, refuses every broken
one at once keyed by field, writes one audit row, and keeps the record's history (pghistory's
ConsentEvent holds each earlier version: a verbal consent that became written still shows it
was verbal, and when it was to be chased).

Consent for another agency is a new consent record, never agencies added to an existing one:
each consent is one giving (who, when, how, what for whom), so its withdrawal ends exactly the
sharing that giving allowed, and the new agency's consent has its own date and its own
written form to chase.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases.consent import selectors
from cases.front_door import rules
from cases.models import Consent, FamilyMember, Notification
from cases.notifications.services import FAMILY, notify
from earlyhelp import audit
from earlyhelp.models import AuditEntry, User

ALLOWED = AuditEntry.Outcome.ALLOWED
Problems = dict[str, list[str]]

WRITTEN_ON = "Date the written form arrived"
WITHDRAWN_ON = "Date consent was withdrawn"
WITHDRAWN_BY_MISSING = "Enter who withdrew consent"
WITHDRAWN_BY_TOO_LONG = "Who withdrew consent must be 200 characters or fewer"
REASON_MISSING = "Enter the reason consent was withdrawn"
REASON_MAX = 1000
REASON_TOO_LONG = f"The reason consent was withdrawn must be {REASON_MAX:,} characters or fewer"
PERSON_MISSING = "Select whose consent it is"
PERSON_NOT_MEMBER = "Select whose consent it is from the list"
ALREADY_WRITTEN = "This consent is written already"
ALREADY_WITHDRAWN = "This consent has been withdrawn"
NOTHING_NEW = "Their consent already covers what you selected for these agencies"


def _long(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _date_problems(field: str, label: str, value: date | None, *, given_on: date) -> Problems:
    """A date something happened to a consent: given, not to come, not before it was given."""
    if value is None:
        return {field: [f"Enter the {label[0].lower()}{label[1:]}"]}
    if value > timezone.localdate():
        return {field: [f"{label} must be today or in the past"]}
    if value < given_on:
        return {
            field: [f"{label} must be on or after the day consent was given ({_long(given_on)})"]
        }
    return {}


def _audit(by, consent: Consent, action: str, detail: str) -> None:
    audit.record(
        by,
        action=action,
        outcome=ALLOWED,
        family_id=consent.family_id,
        person_id=consent.person_id,
        detail=detail,
    )


def _state_problem(consent: Consent, *, verbal_only: bool = False) -> str | None:
    if consent.withdrawn_on is not None:
        return ALREADY_WITHDRAWN
    if verbal_only and consent.kind != Consent.Kind.VERBAL:
        return ALREADY_WRITTEN
    return None


# --- the written form arriving --------------------------------------------------------------


def written_received_problems(consent: Consent, received_on: date | None) -> Problems:
    return _date_problems("received_on", WRITTEN_ON, received_on, given_on=consent.given_on)


@transaction.atomic
def consent_written_received(*, consent: Consent, received_on: date, by: User) -> Consent:
    """The written form of a verbal consent arrived: the consent is written from now on."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if problem := _state_problem(consent, verbal_only=True):
        raise ValidationError(problem)
    if problems := written_received_problems(consent, received_on):
        raise ValidationError(problems)
    consent.kind = Consent.Kind.WRITTEN
    consent.written_received_on = received_on
    consent.save(update_fields=["kind", "written_received_on"])
    _audit(by, consent, "consent_written", f"written form arrived {received_on.isoformat()}")
    return consent


# --- consent from another member, or for another agency -------------------------------------


def consent_add_problems(
    *, family, person_id, kind, given_by, given_on, chase_on, covers, agencies
) -> Problems:
    problems = rules.consent_problems(
        kind=kind,
        given_by=given_by,
        given_on=given_on,
        chase_on=chase_on,
        covers=covers,
        agencies=agencies,
    )
    if not person_id:
        return problems | {"person": [PERSON_MISSING]}
    current = FamilyMember.objects.filter(family=family, person_id=person_id, left_on__isnull=True)
    if not current.exists():
        return problems | {"person": [PERSON_NOT_MEMBER]}
    if covers and agencies and "covers" not in problems and "agencies" not in problems:
        held = set()
        for consent in Consent.objects.filter(
            selectors.in_force(), family=family, person_id=person_id
        ).prefetch_related("agencies"):
            held |= {(a.pk, kind) for a in consent.agencies.all() for kind in consent.covers}
        wanted = {(a.pk, kind) for a in agencies for kind in covers}
        if wanted <= held:
            problems["agencies"] = [NOTHING_NEW]
    return problems


@transaction.atomic
def consent_add(
    *, family, person_id, kind, given_by, given_on, chase_on, covers, agencies, by: User
) -> Consent:
    """A new consent: a member who had none, or one who agrees to share with another agency."""
    problems = consent_add_problems(
        family=family,
        person_id=person_id,
        kind=kind,
        given_by=given_by,
        given_on=given_on,
        chase_on=chase_on,
        covers=covers,
        agencies=agencies,
    )
    if problems:
        raise ValidationError(problems)
    consent = Consent.objects.create(
        person_id=person_id,
        family=family,
        kind=kind,
        given_by=given_by.strip(),
        given_on=given_on,
        chase_on=chase_on if kind == Consent.Kind.VERBAL else None,
        covers=list(covers),
        recorded_by=by,
    )
    consent.agencies.set(agencies)
    names = ", ".join(sorted(a.name for a in agencies))
    _audit(by, consent, "consent_add", f"{consent.get_kind_display()} consent shared with {names}")
    return consent


# --- withdrawal ------------------------------------------------------------------------------


def withdraw_problems(consent: Consent, *, withdrawn_on, withdrawn_by, reason) -> Problems:
    problems = _date_problems("withdrawn_on", WITHDRAWN_ON, withdrawn_on, given_on=consent.given_on)
    who = (withdrawn_by or "").strip()
    if not who:
        problems["withdrawn_by"] = [WITHDRAWN_BY_MISSING]
    elif len(who) > 200:
        problems["withdrawn_by"] = [WITHDRAWN_BY_TOO_LONG]
    why = (reason or "").strip()
    if not why:
        problems["reason"] = [REASON_MISSING]
    elif len(why) > REASON_MAX:
        problems["reason"] = [REASON_TOO_LONG]
    return problems


@transaction.atomic
def consent_withdraw(
    *, consent: Consent, withdrawn_on: date, withdrawn_by: str, reason: str, by: User
) -> Consent:
    """Consent withdrawn: from now the agencies it let share see the family through it no more
    (the gate's agency relation reads only consent not withdrawn), while what a practitioner's
    own role gives them (leading the episode, a place on its team) stays."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if problem := _state_problem(consent):
        raise ValidationError(problem)
    problems = withdraw_problems(
        consent, withdrawn_on=withdrawn_on, withdrawn_by=withdrawn_by, reason=reason
    )
    if problems:
        raise ValidationError(problems)
    consent.withdrawn_on = withdrawn_on
    consent.withdrawn_by = withdrawn_by.strip()
    consent.withdrawal_reason = reason.strip()
    consent.withdrawal_recorded_by = by
    consent.save(
        update_fields=[
            "withdrawn_on",
            "withdrawn_by",
            "withdrawal_reason",
            "withdrawal_recorded_by",
        ]
    )
    _audit(by, consent, "consent_withdraw", f"withdrawn {withdrawn_on.isoformat()}")
    return consent


# --- chasing the written form ----------------------------------------------------------------


def consent_chase_notify(*, today: date | None = None) -> int:
    """Tell the lead practitioner, once per consent and chase date, that a verbal consent's
    written form has not arrived by its chase date. Idempotent (the notification's key): the
    hourly sweep may run twice at once. The message names the family as notifications do
    (`cases.notifications.services`: its name in the service, its reference by email).
    Returns how many were sent."""
    today = today or timezone.localdate()
    overdue = list(selectors.chase_overdue(today))
    leads = User.objects.in_bulk({consent.lead_id for consent in overdue})
    sent = 0
    for consent in overdue:
        with transaction.atomic():
            told = notify(
                leads[consent.lead_id],
                kind=Notification.Kind.CONSENT_CHASE_DUE,
                message=f"The written consent form for the {FAMILY} was "
                f"to be chased by {_long(consent.chase_on)} and has not been recorded.",
                key=f"consent-chase:{consent.pk}:{consent.chase_on.isoformat()}",
                family=consent.family,
                url=reverse("family-detail", args=[consent.family_id]) + "#consent",
            )
        sent += told is not None
    return sent
