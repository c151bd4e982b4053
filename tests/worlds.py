"""Small builders for families the tests need, shared by the cross-app tests."""

from datetime import date
from itertools import count

from cases.models import Episode, Family, FamilyMember, Person

_references = count(1)


def make_family(name="Example family", *, members=1, lead=None):
    family = Family.objects.create(reference=f"T{next(_references):07d}", name=name)
    surname = name.split()[0]
    for i in range(members):
        person = Person.objects.create(
            first_name=f"Member{i}", last_name=surname, date_of_birth=date(2010, 1, 1 + i % 28)
        )
        FamilyMember.objects.create(family=family, person=person, role="child")
    if lead is not None:
        open_episode(family, lead)
    return family


def open_episode(family, lead):
    return Episode.objects.create(
        family=family,
        started_on=date(2026, 9, 1),
        lead_practitioner=lead,
        lead_agency=lead.team.organisation if lead.team_id else None,
    )


def record_of(kind, family, *, by):
    """One record of `kind` belonging to `family` (which has an open episode), as `by` made it:
    the records that pages and the API load by id, each through its family's gate."""
    from django.utils import timezone

    from assessments.models import WorkConversation
    from cases.models import (
        CaseNote,
        Closure,
        PlanAction,
        StepDown,
        StepUp,
        SupportRequest,
        TafMember,
    )
    from earlyhelp.tests.factories import UserFactory
    from outcomes.decisions import Decision
    from outcomes.models import (
        Attachment,
        AuditSampleItem,
        ClaimBatch,
        Evidence,
        FamilyResult,
        NightlyRun,
        OutcomesPlanVersion,
    )

    episode = family.episodes.get(status=Episode.Status.OPEN)
    person = family.memberships.first().person
    day = date(2026, 9, 3)
    if kind == "closure":
        return Closure.objects.create(
            episode=episode, reason="needs_met", needs_at_closure="Met", requested_by=by
        )
    if kind == "step-up":
        return StepUp.objects.create(episode=episode, reason="Risk", requested_by=by)
    if kind == "step-down":
        return StepDown.objects.create(
            family=family, reason="Better", handover="Notes", requested_by=by
        )
    if kind == "plan action":
        return PlanAction.objects.create(
            episode=episode, what="Meet", owner=by, due_on=day, created_by=by
        )
    if kind == "team member":
        return TafMember.objects.create(
            episode=episode, user=UserFactory(role="practitioner"), joined_on=day
        )
    if kind == "case note":
        return CaseNote.objects.create(
            episode=episode, kind="visit", happened_on=day, text="Seen", written_by=by
        )
    if kind == "evidence item":
        return Evidence.objects.create(
            family=family,
            person=person,
            kind="offence",
            period_start=day,
            period_end=day,
            values={"proven": True},
            source="Youth Offending Service",
            recorded_on=day,
        )
    if kind == "referral":
        return WorkConversation.objects.create(
            episode=episode,
            person=person,
            held_on=day,
            status="completed",
            agrees_to_referral=True,
            completed_at=timezone.now(),
            created_by=by,
            updated_by=by,
        )
    if kind == "request":
        return SupportRequest.objects.create(family=family, received_at=timezone.now())
    if kind == "consent":
        from cases.models import Consent

        return Consent.objects.create(
            person=family.memberships.first().person,
            family=family,
            kind="verbal",
            given_by="Parent",
            given_on=day,
            chase_on=day,
            covers=["summary"],
            recorded_by=by,
        )
    if kind == "sample item":
        batch = ClaimBatch.objects.create(
            name=f"Batch of {family.reference}",
            window_opens="2026-09-01",
            window_closes="2026-09-30",
            submitted_on="2026-09-15",
            sample_seed=1,
            sample_percent=10,
        )
        return AuditSampleItem.objects.create(batch=batch, family=family)
    if kind == "nightly result":
        attachment = Attachment.objects.create(
            family=family,
            episode=episode,
            attached_on=day,
            lead_agency=episode.lead_agency,
            attached_by=by,
            plan_version=OutcomesPlanVersion.objects.get(version=9),
        )
        run = NightlyRun.objects.create(as_of=day, trigger="command", started_at=timezone.now())
        return FamilyResult.objects.create(
            family=family,
            attachment=attachment,
            run=run,
            as_of=day,
            plan_version=9,
            digest="x",
            claim_status="in_progress",
            decision=Decision(eligible=False),
        )
    raise AssertionError(f"no builder for {kind}")
