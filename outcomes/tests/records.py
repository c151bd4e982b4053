"""Records made from an engine snapshot (FORMAT.md), so the nightly job can be checked against
the engine on exactly the same facts: what the job reads back from these records must give the
answer the engine gives on the snapshot itself."""

from __future__ import annotations

from datetime import date
from itertools import count

from cases.models import Episode, Family, FamilyMember, Person
from earlyhelp.tests.factories import OrganisationFactory
from outcomes.engine.snapshot import FamilySnapshot
from outcomes.models import (
    Attachment,
    Evidence,
    OutcomesPlanVersion,
    ProblemIdentified,
    ProgrammeYear,
    SchoolTerm,
)
from outcomes.tests.builders import TERMS

_references = count(1)
# The engine's closure reasons in ours (the reverse of outcomes.snapshots.CLOSURE_REASON).
OUR_REASON = {"withdrew_consent": "withdrew_or_disengaged", "disengaged": "withdrew_or_disengaged"}


class Made:
    """The records made, and the snapshot's ids mapped to theirs."""

    def __init__(self, family, attachment):
        self.family = family
        self.attachment = attachment
        self.person = {}  # snapshot person id -> Person
        self.evidence = {}  # snapshot evidence id -> Evidence


def school_terms_as_the_builders_name_them() -> None:
    """The engine builders' school terms (outcomes/tests/builders.py TERMS), in the records in
    place of the migrated ones, named as the builders' evidence names them."""
    SchoolTerm.objects.all().delete()
    for term in TERMS:
        year, name = term.name.split()
        SchoolTerm.objects.create(
            academic_year=int(year), name=name, starts_on=term.starts_on, ends_on=term.ends_on
        )


def records_from(snapshot: FamilySnapshot, *, by, lead=None, agency: str = "Family Support"):
    """A family, its household, episode, attachment, problems identified and evidence."""
    family = Family.objects.create(reference=f"N{next(_references):07d}", name="Snapshot family")
    organisation = OrganisationFactory(name=agency)
    made = Made(family, None)
    for m in snapshot.members:
        person = Person.objects.create(
            first_name=f"Member {m.person_id}", last_name="Snapshot", date_of_birth=m.date_of_birth
        )
        FamilyMember.objects.create(family=family, person=person, role=m.role)
        made.person[m.person_id] = person
    ep = snapshot.episode
    episode = Episode.objects.create(
        family=family,
        started_on=ep.started_on,
        ended_on=ep.ended_on,
        status="closed" if ep.ended_on else "open",
        closure_reason=OUR_REASON.get(ep.closure_reason, ep.closure_reason or ""),
        lead_practitioner=lead,
        lead_agency=organisation,
    )
    a = snapshot.attachment
    fw = snapshot.family_working
    made.attachment = Attachment.objects.create(
        family=family,
        episode=episode,
        attached_on=a.attached_on,
        lead_agency=organisation,
        attached_by=by,
        plan_version=OutcomesPlanVersion.objects.get(version=a.plan_version),
        principles={
            "whole_family_assessment": fw.whole_family_assessment,
            "plan_covers_all_members": fw.plan_covers_all_members,
            "named_lead_worker": fw.named_lead_worker,
            "objectives_aligned": fw.objectives_aligned,
        }
        if fw
        else {},
    )
    for item in snapshot.evidence:  # corrections come after what they correct
        made.evidence[item.id] = Evidence.objects.create(
            family=family,
            person=made.person.get(item.person_id),
            kind=item.kind,
            period_start=item.period_start,
            period_end=item.period_end,
            values={k: iso(v) if isinstance(v, date) else v for k, v in item.values.items()},
            source=item.source,
            recorded_on=item.recorded_on,
            supersedes=made.evidence.get(item.supersedes),
        )
    for p in snapshot.problems_identified:
        ProblemIdentified.objects.create(
            attachment=made.attachment,
            problem=p.problem,
            indicator=p.indicator,
            person=made.person.get(p.person_id),
            identified_on=p.identified_on,
            stage=p.stage,
            evidence_ids=[made.evidence[e].pk for e in p.evidence_ids],
        )
    return made


def restore_outcomes_data():
    """Plan version 9, the school terms and the programme years, as the data migrations load
    them: a transactional test's flush empties their tables. Returns version 9."""
    from django.conf import settings

    from outcomes.services import plan_version_load, school_terms_load

    plans = settings.BASE_DIR / "outcomes" / "plans"
    school_terms_load(plans / "school_terms.json")
    if not ProgrammeYear.objects.exists():  # and the programme years, as migration 0013 makes
        import importlib

        from django.apps import apps

        importlib.import_module("outcomes.migrations.0013_programme_years").add_defaults(apps, None)
    return plan_version_load(plans / "fop_v9.json")


def decisions(answer) -> dict:
    """What the engine decided (its answer), without the ids that differ between a snapshot and
    records."""
    claim = answer.claim
    return {
        "claim": (claim.status, claim.since, claim.route, claim.claimed_on),
        "reasons": [r.code for r in claim.reasons],
        "eligible": answer.eligibility.eligible,
        "problems": list(answer.eligibility.problems_evidenced),
        "outcomes": [
            (o.outcome, o.applies, o.met, o.met_on, o.sustained_on, o.sustain_due_on)
            if o.applies
            else (o.outcome, False)
            for o in answer.outcomes
        ],
        "routes": [r.achieved_on if r.achieved else None for r in answer.routes],
    }


def stored_decisions(row) -> dict:
    """`decisions` of a stored result, from its columns and its compact decision."""
    d = row.decision
    return {
        "claim": (row.claim_status, row.claimable_since, row.claim_route, d.claimed_on),
        "reasons": list(row.reasons),
        "eligible": d.eligible,
        "problems": list(row.problems),
        "outcomes": [
            (o.outcome, True, o.met, o.met_on, o.sustained_on, o.sustain_due_on)
            if o.applies
            else (o.outcome, False)
            for o in d.outcomes
        ],
        "routes": list(d.routes),
    }


def iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def lose_the_job(made, *, recorded_on: date = date(2019, 3, 2)) -> Evidence:
    """The continuous employment behind route 2 ends on 1 March 2019, as a correction recorded
    on `recorded_on`."""
    job = next(e for e in made.evidence.values() if e.kind == "employment")
    return Evidence.objects.create(
        family=made.family,
        person=job.person,
        kind=job.kind,
        period_start=job.period_start,
        period_end=date(2019, 3, 1),
        values=job.values,
        source="DWP",
        recorded_on=recorded_on,
        supersedes=job,
    )
