"""Writes for the work readiness conversation and the employment triage panel (DOMAIN §7).

- `work_conversation_save`: a draft is saved with whatever is known; completing
  it needs every answer and the adult's agreement, and makes it a referral.
  Once completed it is the referral the panel reads, so it no longer changes.
- `referral_decide`: the panel's one decision on a referral — a provider, or
  why not — written by a conditional UPDATE, so a double submission (two
  panel members, or one pressing twice) records exactly one decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.episode.services import require_open
from cases.models import Episode, Person
from cases.people.selectors import current_memberships
from outcomes.engine.periods import age_on

from .models import (
    Benefit,
    EmploymentProvider,
    NotAllocated,
    WorkConversation,
)

ADULT_AGE = 18


@dataclass(frozen=True)
class Answers:
    """What the worker and the adult talked about; any may be empty in a draft."""

    person: Person
    held_on: date
    situation: str = ""
    benefits: tuple[str, ...] = ()
    aspirations: str = ""
    barriers: tuple[str, ...] = ()
    steps_taken: tuple[str, ...] = ()
    next_steps: str = ""
    agrees_to_referral: bool = False


class AlreadyDecided(ValidationError):
    """The panel has already decided this referral: nothing was changed."""


def adult_on(person: Person, day: date) -> bool:
    return person.date_of_birth is not None and age_on(person.date_of_birth, day) >= ADULT_AGE


def _check(episode: Episode, answers: Answers, *, complete: bool) -> None:
    errors: dict[str, list[str]] = {}
    person = answers.person
    if not current_memberships().filter(family=episode.family_id, person=person).exists():
        errors["person"] = [f"{person} is not a current member of this family"]
    elif person.date_of_birth is None:
        errors["person"] = [
            f"{person}'s date of birth is not recorded: the conversation is with an adult "
            "(18 or over), so record it first"
        ]
    elif not adult_on(person, answers.held_on):
        errors["person"] = [
            f"{person} was {age_on(person.date_of_birth, answers.held_on)} on the date of the "
            "conversation: it is with an adult (18 or over)"
        ]
    if answers.held_on > timezone.localdate():
        errors["held_on"] = ["Date of the conversation must be today or in the past"]
    elif answers.held_on < episode.started_on:
        errors["held_on"] = [
            "Date of the conversation must be on or after the episode began "
            f"({episode.started_on.day} {episode.started_on:%B %Y})"
        ]
    if Benefit.NONE in answers.benefits and len(answers.benefits) > 1:
        errors["benefits"] = ["Select the benefits they claim, or 'None of these' on its own"]
    if complete:
        required = [
            ("situation", answers.situation, "Select their work situation now"),
            ("benefits", answers.benefits, "Select the benefits they claim, or 'None of these'"),
            ("aspirations", answers.aspirations.strip(), "Enter the work they would like to do"),
            ("next_steps", answers.next_steps.strip(), "Enter the next steps agreed"),
            (
                "agrees_to_referral",
                answers.agrees_to_referral,
                "Confirm they agree to be referred to the employment providers: the completed "
                "conversation is the referral",
            ),
        ]
        for field, value, message in required:
            if not value:
                errors.setdefault(field, [message])
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def work_conversation_save(
    *,
    episode: Episode,
    answers: Answers,
    by,
    conversation: WorkConversation | None = None,
    complete: bool = False,
) -> WorkConversation:
    """Save a new or draft conversation; `complete=True` makes it a referral to the panel."""
    require_open(episode)
    if conversation is not None:
        conversation = WorkConversation.objects.select_for_update().get(pk=conversation.pk)
        if conversation.episode_id != episode.pk:
            raise ValidationError("This conversation belongs to another episode")
        if conversation.status == WorkConversation.Status.COMPLETED:
            raise ValidationError(
                "This conversation is completed: it is the referral the triage panel reads, "
                "so it cannot be changed"
            )
    _check(episode, answers, complete=complete)
    if conversation is None:
        conversation = WorkConversation(episode=episode, created_by=by)
    conversation.person = answers.person
    conversation.held_on = answers.held_on
    conversation.situation = answers.situation
    conversation.benefits = list(answers.benefits)
    conversation.aspirations = answers.aspirations.strip()
    conversation.barriers = list(answers.barriers)
    conversation.steps_taken = list(answers.steps_taken)
    conversation.next_steps = answers.next_steps.strip()
    conversation.agrees_to_referral = answers.agrees_to_referral
    conversation.updated_by = by
    if complete:
        conversation.status = WorkConversation.Status.COMPLETED
        conversation.completed_by = by
        conversation.completed_at = timezone.now()
    conversation.save()
    return conversation


def referral_decide(
    *,
    referral: WorkConversation,
    by,
    provider: EmploymentProvider | None = None,
    reason: str = "",
    detail: str = "",
) -> WorkConversation:
    """The panel's decision: allocate to `provider`, or record `reason` (and `detail`) why not.

    Written once: the UPDATE only matches a completed referral not yet decided,
    so a second decision changes nothing and raises `AlreadyDecided`.
    """
    detail = detail.strip()
    if (provider is None) == (not reason):
        raise ValidationError(
            {"decision": ["Select a provider to allocate to, or a reason it is not allocated"]}
        )
    if provider is not None and not provider.is_active:
        raise ValidationError({"decision": [f"{provider} no longer takes referrals"]})
    if reason and reason not in NotAllocated.values:
        raise ValidationError({"decision": ["Select a reason from the list"]})
    if reason == NotAllocated.OTHER and not detail:
        raise ValidationError({"detail": ["Enter the reason it is not allocated"]})
    if reason != NotAllocated.OTHER:
        detail = ""
    written = WorkConversation.objects.filter(
        pk=referral.pk, status=WorkConversation.Status.COMPLETED, decided_at__isnull=True
    ).update(
        decided_at=timezone.now(),
        decided_by=by,
        provider=provider,
        not_allocated_reason=reason,
        not_allocated_detail=detail,
    )
    current = WorkConversation.objects.select_related("decided_by", "provider").get(pk=referral.pk)
    if not written:
        if current.decided_at is None:
            raise ValidationError("This conversation is not completed, so it is not a referral")
        when = timezone.localtime(current.decided_at)
        raise AlreadyDecided(
            f"The panel already decided this referral: {current.decision_label}, recorded by "
            f"{current.decided_by} on {when.day} {when:%B %Y at %H:%M}. Nothing was changed."
        )
    return current
