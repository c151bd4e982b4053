"""Builders for the episode's tests: practitioners of several agencies, and a case complete in
every principle, so that a test can take one thing away and see only that principle fail."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments.models import AssessmentSection, EarlyHelpAssessment, SectionKey
from cases.models import (
    Consent,
    DataKind,
    Episode,
    PlanAction,
    PlanReview,
    TafMeeting,
    TafMember,
)
from earlyhelp.models import AuditEntry, Organisation
from earlyhelp.tests.factories import OrganisationFactory, TeamFactory, UserFactory
from outcomes.models import OutcomesPlanVersion, ProgrammeYear
from returns.models import ReturnLayout
from tests.worlds import make_family

_n = count(1)


def agency_user(kind="education", *, role="practitioner", name=None, organisation=None, **fields):
    """A user in a team of an agency of `kind` ("education", "health", "social_care"…)."""
    organisation = organisation or OrganisationFactory(
        name=name or f"{kind.replace('_', ' ').title()} agency {next(_n)}",
        kind=kind,
        tier=Organisation.default_tier(kind),
    )
    return UserFactory(role=role, team=TeamFactory(organisation=organisation), **fields)


def managed_by(manager, practitioner):
    manager.managed_teams.add(practitioner.team)
    return manager


def plan_version():
    return OutcomesPlanVersion.objects.get(version=9)


def ensure_plan_v9():
    """Version 9 of the plan, which a data migration loads. Tests that truncate the tables
    (browser tests, `transaction=True`) remove it for the tests after them: load it again."""
    import importlib

    from django.apps import apps

    if not OutcomesPlanVersion.objects.filter(version=9).exists():
        importlib.import_module("outcomes.migrations.0003_load_plan_v9_and_terms").load(apps, None)
    # The other data migrations' rows go with the same flush: the programme years and the
    # returns' default layouts.
    if not ProgrammeYear.objects.exists():
        importlib.import_module("outcomes.migrations.0013_programme_years").add_defaults(apps, None)
    if not ReturnLayout.objects.exists():
        importlib.import_module("returns.migrations.0002_default_layouts").load(apps, None)
    return plan_version()


def write_assessment(episode, *, status="draft", indicators=("1.1", "6.2"), by=None):
    """An assessment with every part written, for every current member."""
    by = by or episode.lead_practitioner
    assessment = EarlyHelpAssessment.objects.create(
        episode=episode,
        plan_version=plan_version(),
        status=status,
        indicators=list(indicators),
        indicators_version=1,
        started_by=by,
    )
    for key in (
        SectionKey.WORKING_WELL,
        SectionKey.WORRIED_ABOUT,
        SectionKey.NEEDS_TO_HAPPEN,
        SectionKey.FAMILY_VIEWS,
    ):
        AssessmentSection.objects.create(
            assessment=assessment, key=key, text=f"{key.label}: written", version=1, updated_by=by
        )
    for member in episode.family.memberships.filter(left_on__isnull=True):
        keys = [SectionKey.NEEDS, SectionKey.STRENGTHS]
        if member.role == "child":
            keys.append(SectionKey.CHILD_VIEWS)
        for key in keys:
            AssessmentSection.objects.create(
                assessment=assessment,
                key=key,
                member=member,
                text=f"{key.label} of {member.person.first_name}",
                version=1,
                updated_by=by,
            )
    return assessment


def complete_case(users, *, lead=None):
    """A family whose episode meets all seven principles today."""
    lead = lead or users["practitioner"]
    family = make_family("Complete family", members=2)
    episode = Episode.objects.create(
        family=family,
        started_on=timezone.localdate() - timedelta(weeks=4),
        lead_practitioner=lead,
        lead_agency=lead.team.organisation,
    )
    consent = Consent.objects.create(
        person=family.memberships.first().person,
        family=family,
        kind="written",
        given_by="Parent",
        given_on=episode.started_on,
        covers=[DataKind.SUMMARY, DataKind.CASEWORK],
        recorded_by=lead,
    )
    consent.agencies.add(lead.team.organisation)
    write_assessment(episode, status="signed_off")
    teacher = agency_user("education")
    TafMember.objects.create(episode=episode, user=teacher, joined_on=episode.started_on)
    PlanAction.objects.create(
        episode=episode,
        what="Meet the school about attendance",
        owner=teacher,
        due_on=timezone.localdate() + timedelta(days=14),
        need="1.1",
        created_by=lead,
    )
    TafMeeting.objects.create(
        episode=episode,
        held_on=episode.started_on + timedelta(days=3),
        decisions="Agreed the plan",
        recorded_by=lead,
    )
    PlanReview.objects.create(
        episode=episode,
        held_on=timezone.localdate() - timedelta(days=7),
        progress="Better attendance",
        recorded_by=lead,
    )
    return family, episode, teacher


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)


def days(n: int) -> date:
    """`n` days from today (negative: before), as of the moment the test runs."""
    return timezone.localdate() + timedelta(days=n)


def episode_begun(name: str, *, lead, days_ago_started: int):
    """A family of two with an open episode led by `lead`, begun that many days ago."""
    family = make_family(name, members=2, lead=lead)
    episode = family.episodes.get()
    episode.started_on = days(-days_ago_started)
    episode.save()
    return episode


def refused(call) -> dict[str, list[str]]:
    """The problems a service refused with, by field; and no audit row was written."""
    with pytest.raises(ValidationError) as refusal:
        call()
    assert not AuditEntry.objects.exists()
    return refusal.value.message_dict
