"""Reads about consent: what the lead's home lists, what a withdrawal ended, who has none."""

from __future__ import annotations

from datetime import date

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from cases.models import Consent, Episode, FamilyMember
from cases.relations import episodes_led_by
from earlyhelp.models import Organisation


def in_force(today: date | None = None) -> Q:
    """Consent that lets share today: given (on a day come) and not withdrawn. The same
    condition the gate's agency relation reads (partners.relations)."""
    return Q(given_on__lte=today or timezone.localdate(), withdrawn_on__isnull=True)


def awaiting_written_form(user) -> list[Consent]:
    """Verbal consents awaiting their written form in the families `user` leads, the chase
    date soonest first. One query: it starts from the episodes that make the families
    visible to the lead (the gate's own relation), so no row is checked against the set."""
    led = episodes_led_by(user).values("family_id")
    return list(
        Consent.objects.filter(
            kind=Consent.Kind.VERBAL, withdrawn_on__isnull=True, family_id__in=led
        )
        .select_related("family", "person")
        .order_by("chase_on", "pk")
    )


def chase_overdue(today: date) -> QuerySet:
    """Verbal consents whose chase date has passed with no written form, in families with an
    open episode and a lead, each with `lead_id` annotated: whom to tell."""
    lead = Episode.objects.filter(
        family=OuterRef("family"), status=Episode.Status.OPEN, lead_practitioner__isnull=False
    ).values("lead_practitioner")[:1]
    return (
        Consent.objects.filter(
            kind=Consent.Kind.VERBAL, withdrawn_on__isnull=True, chase_on__lt=today
        )
        .annotate(lead_id=Subquery(lead))
        .filter(lead_id__isnull=False)
        .select_related("family")
        .order_by("pk")
    )


def current_members(family) -> list[FamilyMember]:
    """The family's current members, each with `has_consent` (consent in force from them)."""
    with_consent = set(
        Consent.objects.filter(in_force(), family=family).values_list("person_id", flat=True)
    )
    members = list(
        FamilyMember.objects.filter(family=family, left_on__isnull=True)
        .select_related("person")
        .order_by("role", "person__date_of_birth", "pk")
    )
    for member in members:
        member.has_consent = member.person_id in with_consent
    return members


def agencies_of(consent: Consent) -> list[Organisation]:
    return list(consent.agencies.order_by("name", "pk"))


def agencies_still_sharing(family, *, today: date | None = None) -> set[int]:
    """The agencies some consent in force in `family` still lets share."""
    return set(
        Consent.agencies.through.objects.filter(
            consent__family=family,
            consent__given_on__lte=today or timezone.localdate(),
            consent__withdrawn_on__isnull=True,
        ).values_list("organisation_id", flat=True)
    )


def sharing_ended_by(consent: Consent) -> tuple[list[Organisation], list[Organisation]]:
    """For a withdrawn consent: the agencies that no consent in the family lets share any
    more (their sight of the family through consent has ended), and those another consent
    still covers."""
    still = agencies_still_sharing(consent.family_id)
    agencies = agencies_of(consent)
    return (
        [a for a in agencies if a.pk not in still],
        [a for a in agencies if a.pk in still],
    )
