"""What must hold after every simulated day (issue 18), each a small named function that
returns the cases that break it, with the family and a sentence saying how.

They read the records directly (selectors and models), never through the simulation's own
memory, so a test can break the data by hand and see each one fire.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count

from cases.episode.selectors import lead_history
from cases.front_door.selectors import REQUEST, STEP_DOWN, STEP_UP, hub_queue
from cases.gate import relations_to
from cases.models import (
    Consent,
    Episode,
    LeadChange,
    StepDecision,
    StepDown,
    StepUp,
    SupportRequest,
    TafMember,
)
from earlyhelp.access import Relation
from earlyhelp.models import AuditEntry
from outcomes.decisions import result_digest
from outcomes.engine.evaluate import evaluate
from outcomes.models import Attachment, Claim, ClaimStatus, FamilyResult, OutcomesPlanVersion
from outcomes.snapshots import snapshots_for
from reports.finance import attachments as attachments_report
from reports.scope import Scope

# How many of the night's judged families are judged again by the invariant (all, up to this).
NIGHTLY_SAMPLE = 200
# How far back a membership or consent that ended is checked for access still given.
ENDED_WITHIN = timedelta(days=7)


@dataclass(frozen=True)
class Broken:
    invariant: str
    family_id: int | None
    message: str


@dataclass(frozen=True)
class Read:
    """A read the simulation made through the gate: an audit row after `after` must name it."""

    user_id: int
    family_id: int | None
    person_id: int | None
    after: int  # the highest audit entry id before the read


def requests_reach_a_decision(day: date, *, hub) -> list[Broken]:
    """Every request not decided is in the hub's queue with an action it can take: triage, or
    allocation (impossible while the family has an open episode: the old dead end). So is
    every step-up and step-down waiting for the front door's decision."""
    name = "every request is decided or in the hub's queue with an action"
    waiting = SupportRequest.objects.filter(status__in=SupportRequest.WAITING)
    queued = {(row["q_what"], row["q_id"]) for row in hub_queue(user=hub)}
    open_families = set(
        Episode.objects.filter(status=Episode.Status.OPEN).values_list("family_id", flat=True)
    )
    broken = []
    for request in waiting:
        if (REQUEST, request.pk) not in queued:
            broken.append(Broken(name, request.family_id, f"{request.reference} is not queued"))
        elif (
            request.status == SupportRequest.Status.AWAITING_ALLOCATION
            and request.family_id in open_families
        ):
            broken.append(
                Broken(
                    name,
                    request.family_id,
                    f"{request.reference} awaits allocation but the family has an open "
                    "episode: allocation is refused and no other action is offered",
                )
            )
    for step in StepUp.objects.filter(status=StepDecision.PENDING).select_related("episode"):
        if (STEP_UP, step.pk) not in queued:
            broken.append(
                Broken(name, step.episode.family_id, "a step-up waits but is not in the queue")
            )
    for step in StepDown.objects.filter(status=StepDecision.PENDING):
        if (STEP_DOWN, step.pk) not in queued:
            broken.append(Broken(name, step.family_id, "a step-down waits but is not in the queue"))
    return broken


def one_open_episode(day: date) -> list[Broken]:
    """No family has two open episodes."""
    twice = (
        Episode.objects.filter(status=Episode.Status.OPEN)
        .values("family_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    return [
        Broken("no family has two open episodes", row["family_id"], f"{row['n']} open episodes")
        for row in twice
    ]


def lead_periods() -> dict[int, list]:
    """Every family's lead history, as the family page shows it (in four queries), without
    the moves scheduled for a later day: they are plans, not history yet."""
    by_family = defaultdict(lambda: ([], [], [], []))
    for episode in Episode.objects.select_related("lead_practitioner", "lead_agency"):
        by_family[episode.family_id][0].append(episode)
    changes = LeadChange.objects.select_related(
        "episode", "from_practitioner", "from_agency", "to_practitioner", "to_agency"
    )
    for change in changes.order_by("changed_on", "pk"):
        by_family[change.episode.family_id][1].append(change)
    for step in StepUp.objects.select_related("episode", "social_care", "received_by"):
        by_family[step.episode.family_id][2].append(step)
    for step in StepDown.objects.select_related("lead_agency", "lead_practitioner"):
        by_family[step.family_id][3].append(step)
    return {
        family_id: [p for p in lead_history(*parts) if not p.scheduled]
        for family_id, parts in by_family.items()
    }


def past_periods(day: date, periods: dict[int, list]) -> dict[int, set]:
    """The periods that ended before `day`, which must never change again."""
    return {
        family_id: {
            (p.started_on, p.ended_on, _pk(p.practitioner), _pk(p.agency))
            for p in family_periods
            if p.ended_on is not None and p.ended_on < day
        }
        for family_id, family_periods in periods.items()
    }


def _pk(record):
    return getattr(record, "pk", None)


def lead_history_kept(day: date, *, periods: dict[int, list], yesterday: dict[int, set]):
    """Lead history intervals never overlap, and none that was past yesterday has changed."""
    name = "lead history never overlaps and no past interval changed"
    broken = []
    for family_id, family_periods in periods.items():
        ordered = sorted(family_periods, key=lambda p: (p.started_on, p.ended_on or date.max))
        for before, after in zip(ordered, ordered[1:], strict=False):
            if before.ended_on is None or after.started_on < before.ended_on:
                broken.append(
                    Broken(
                        name,
                        family_id,
                        f"{before.practitioner} led {before.started_on} to "
                        f"{before.ended_on or 'now'}, overlapping {after.practitioner} from "
                        f"{after.started_on}",
                    )
                )
        for period in family_periods:
            if period.ended_on is not None and period.ended_on < period.started_on:
                broken.append(
                    Broken(
                        name,
                        family_id,
                        f"{period.practitioner} led from {period.started_on} to "
                        f"{period.ended_on}, before it began",
                    )
                )
    today = past_periods(day, periods)
    for family_id, past in yesterday.items():
        for lost in sorted(past - today.get(family_id, set()), key=str):
            broken.append(
                Broken(name, family_id, f"the past period {lost[0]} to {lost[1]} was rewritten")
            )
    return broken


def reads_audited(day: date, *, reads: list[Read]) -> list[Broken]:
    """Every read of a family or person the simulation made through the gate wrote an audit row."""
    broken = []
    for read in reads:
        rows = AuditEntry.objects.filter(pk__gt=read.after, user_id=read.user_id)
        if read.family_id is not None:
            rows = rows.filter(family_id=read.family_id)
        if read.person_id is not None:
            rows = rows.filter(person_id=read.person_id)
        if not rows.exists():
            what = f"person {read.person_id}" if read.person_id else "the family"
            broken.append(
                Broken("every read wrote an audit row", read.family_id, f"{what} read unaudited")
            )
    return broken


def access_ended(day: date) -> list[Broken]:
    """A team member who left, and an agency whose consent was withdrawn, lose the access it
    gave (unless something else still gives it). Consent withdrawal is checked once the
    model records it (a `withdrawn_on` date)."""
    name = "access ended when TAF membership or consent ended"
    broken = []
    left = TafMember.objects.filter(
        left_on__lte=day, left_on__gte=day - ENDED_WITHIN
    ).select_related("episode", "user")
    for member in left:
        family_id = member.episode.family_id
        still = TafMember.objects.filter(
            episode__family_id=family_id, user=member.user, left_on__isnull=True
        ).exists()
        if not still and Relation.TAF in relations_to(member.user, family_id):
            broken.append(Broken(name, family_id, f"{member.user} left the team but still sees it"))
    if "withdrawn_on" in {f.name for f in Consent._meta.get_fields()}:
        ended = Consent.objects.filter(
            withdrawn_on__lte=day, withdrawn_on__gte=day - ENDED_WITHIN
        ).prefetch_related("agencies__teams__members")
        for consent in ended:
            live = Consent.objects.filter(family_id=consent.family_id, withdrawn_on__isnull=True)
            for agency in consent.agencies.all():
                if live.filter(agencies=agency).exists():
                    continue
                for user in _one_of_each_kind(agency):
                    if Relation.AGENCY in relations_to(user, consent.family_id):
                        broken.append(Broken(name, consent.family_id, f"{agency} still sees it"))
    return broken


def _one_of_each_kind(agency) -> list:
    """One active member of each of the agency's teams in each role: the relation an agency's
    consent gives depends only on the user's team's organisation and role
    (`partners.relations`), so they answer for the rest; asking each of a large service's
    hundreds of workers took seconds a day."""
    chosen = {}
    for team in agency.teams.all():
        for user in team.members.all():
            if user.is_active:
                chosen.setdefault((team.pk, user.role), user)
    return list(chosen.values())


def claims_once_and_claimable(day: date) -> list[Broken]:
    """A family is claimed once, and was claimable on the day its claim was submitted."""
    name = "a claimed family is claimed once and was claimable then"
    broken = [
        Broken(name, row["family_id"], f"claimed {row['n']} times")
        for row in Claim.objects.values("family_id").annotate(n=Count("pk")).filter(n__gt=1)
    ]
    for claim in Claim.objects.filter(claimed_on=day):
        claimable = FamilyResult.objects.filter(
            family_id=claim.family_id,
            claim_status=ClaimStatus.CLAIMABLE,
            claimable_since__lte=claim.claimed_on,
            as_of__lte=claim.claimed_on,
        ).exists()
        if not claimable:
            broken.append(
                Broken(name, claim.family_id, f"claimed on {claim.claimed_on} but not claimable")
            )
    return broken


def nightly_matches_engine(day: date) -> list[Broken]:
    """The results the night stored for `day` are what the engine says of the day's snapshot.
    Run straight after the nightly job, before the day's work changes the records."""
    name = "stored nightly results equal the engine on the day's snapshot"
    stored = {
        r.family_id: r
        for r in FamilyResult.objects.filter(is_current=True, judged_on=day).order_by("family_id")[
            :NIGHTLY_SAMPLE
        ]
    }
    if not stored:
        return []
    snapshots = snapshots_for(list(stored), as_of=day)
    plans = {v.version: v.plan for v in OutcomesPlanVersion.objects.all()}
    broken = []
    for family_id, result in stored.items():
        snapshot = snapshots.get(family_id)
        if snapshot is None:
            broken.append(Broken(name, family_id, "a result is stored but no snapshot is judged"))
            continue
        digest = result_digest(evaluate(snapshot, plans[snapshot.attachment.plan_version]))
        if digest != result.digest:
            broken.append(Broken(name, family_id, "the stored result differs from the engine's"))
    return broken


def reports_reconcile(day: date, *, reader) -> list[Broken]:
    """The attachments report's months add up to its year so far, and that to the attachment
    records of the year."""
    name = "every report's totals reconcile with the records"
    broken = []
    (table,) = attachments_report(Scope(user=reader, today=day))
    months = [row[1] for row in table.rows]
    so_far = table.rows[-1][2]
    first, last = table.rows[0][0], table.rows[-1][0]
    records = Attachment.objects.filter(
        attached_on__gte=first, attached_on__lt=_month_after(last)
    ).count()
    if sum(months) != so_far:
        broken.append(Broken(name, None, f"attachments: months add to {sum(months)}, not {so_far}"))
    if so_far != records:
        broken.append(
            Broken(name, None, f"attachments report says {so_far}, the records hold {records}")
        )
    return broken


def _month_after(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)
