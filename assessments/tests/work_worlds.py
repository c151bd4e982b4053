"""Builders for the work conversation and triage panel tests."""

from __future__ import annotations

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from assessments.models import EmploymentProvider, WorkConversation
from cases.models import FamilyMember, Person
from tests.worlds import make_family

PROVIDERS = ["DWP employment advisor", "GREAT project"]


def ensure_providers() -> dict[str, EmploymentProvider]:
    """The providers a data migration loads (tests that truncate tables remove them)."""
    return {name: EmploymentProvider.objects.get_or_create(name=name)[0] for name in PROVIDERS}


def add_member(family, first_name, date_of_birth, role="parent_carer") -> Person:
    person = Person.objects.create(
        first_name=first_name, last_name=family.name.split()[0], date_of_birth=date_of_birth
    )
    FamilyMember.objects.create(family=family, person=person, role=role)
    return person


def years_ago(years: int, *, days: int = 0):
    return timezone.localdate() - relativedelta(years=years) - timedelta(days=days)


def work_case(lead, name="Osei family"):
    """A family with an open episode led by `lead`, an adult, a 17-year-old and a child."""
    family = make_family(name, members=1, lead=lead)
    episode = family.episodes.get()
    episode.started_on = timezone.localdate() - timedelta(days=60)
    episode.save()
    family.adult = add_member(family, "Ama", years_ago(35))
    family.teenager = add_member(family, "Kofi", years_ago(17, days=30), role="child")
    family.episode = episode
    return family


def answers(who, **changes) -> dict:
    """A complete conversation with `who`, as posted."""
    data = {
        "person": who.pk,
        "held_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "situation": "looking",
        "benefits": ["uc"],
        "aspirations": "Part-time work in a care home, school hours",
        "barriers": ["childcare", "confidence"],
        "steps_taken": ["id", "bank"],
        "next_steps": "Write a CV together; look at nursery places",
        "agrees_to_referral": "on",
        "complete": "1",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def referral(episode, person, by, *, completed_at=None, **fields) -> WorkConversation:
    """A completed conversation: a referral awaiting the panel."""
    return WorkConversation.objects.create(
        episode=episode,
        person=person,
        held_on=timezone.localdate() - timedelta(days=1),
        status=WorkConversation.Status.COMPLETED,
        situation="looking",
        benefits=["uc"],
        aspirations="Retail",
        next_steps="CV",
        agrees_to_referral=True,
        completed_at=completed_at or timezone.now(),
        completed_by=by,
        created_by=by,
        updated_by=by,
        **fields,
    )
