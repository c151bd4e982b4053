"""Attaching a family to the programme (DOMAIN §8), and the problems identified for it.

A family may be attached when it is eligible (at least two headline problems, each evidenced by an
indicator: the engine decides, on a snapshot of the family as it would be attached) and the four
family-working principles hold. Nobody ticks the principles: each is read from the case records,
with what is missing in words a practitioner can act on — as `assessments.principles` does for the
EHA's own principles. `attachment_check` answers for the page; `attachment_create` checks again
inside its transaction and refuses with the same reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.models import EarlyHelpAssessment, SectionKey
from cases.models import Episode, FamilyMember, PlanAction
from earlyhelp import audit
from earlyhelp.models import AuditEntry
from outcomes.engine import EvaluationError, evaluate
from outcomes.engine import snapshot as engine
from outcomes.engine.plan import PRINCIPLES

from .models import Attachment, ProblemIdentified
from .selectors import plan_in_force
from .snapshots import Standing, family_snapshots

PRINCIPLE_NAMES = dict(
    zip(
        PRINCIPLES,
        (
            "A whole-family assessment",
            "An action plan covering all relevant members",
            "A named lead worker",
            "Plan objectives aligned to the outcomes plan",
        ),
        strict=True,
    )
)


@dataclass(frozen=True)
class PrincipleCheck:
    key: str
    name: str
    lacking: tuple[str, ...]

    @property
    def holds(self) -> bool:
        return not self.lacking


@dataclass
class AttachmentReadiness:
    """What the attachment page shows, and what `attachment_create` refuses on."""

    episode: Episode | None
    on: date
    blocking: list[str] = field(default_factory=list)  # no episode, already attached, no plan…
    eligible: bool = False
    eligibility: list[str] = field(default_factory=list)  # the engine's findings, in words
    problems_evidenced: tuple[str, ...] = ()
    principles: list[PrincipleCheck] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    plan_version: object = None
    lead_agency: object = None
    assessment: EarlyHelpAssessment | None = None
    already: Attachment | None = None

    @property
    def ready(self) -> bool:
        return not self.blocking and self.eligible and all(p.holds for p in self.principles)

    @property
    def reasons(self) -> list[str]:
        """Every reason attachment is refused, in the order the page shows them."""
        reasons = list(self.blocking)
        if not self.blocking and not self.eligible:
            reasons.append("The family is not eligible: " + "; ".join(self.eligibility))
        for p in self.principles:
            reasons.extend(f"{p.name}: {text}" for text in p.lacking)
        return reasons


def _names(members) -> str:
    names = [str(m.person) for m in members]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _principles(episode, assessment, members, actions, plan, sections) -> list[PrincipleCheck]:
    """The four principles, each with what is missing (empty: it holds)."""
    whole, covers, lead, aligned = [], [], [], []
    if assessment is None:
        whole.append("The Early Help Assessment has not been started")
    else:
        if assessment.status != EarlyHelpAssessment.Status.SIGNED_OFF:
            whole.append(
                "The assessment is not signed off by a manager: "
                + assessment.get_status_display().lower()
            )
        if not members:
            whole.append("No current members of the household are recorded")
        elif unassessed := [m for m in members if not sections.assessed(m)]:
            whole.append(f"Needs and strengths not yet recorded for {_names(unassessed)}")
    live = [a for a in actions if a.status != PlanAction.Status.STOPPED]
    if not live:
        covers.append("The plan has no actions yet: add an action for each member with needs")
    needs_recorded = [m for m in members if sections.has(SectionKey.NEEDS, m)]
    uncovered = [m for m in needs_recorded if not any(a.for_person_id == m.person_id for a in live)]
    if live and uncovered:
        covers.append(
            f"No action in the plan is for {_names(uncovered)}, whose needs the assessment "
            "records: add one, or say who an existing action is for"
        )
    if episode.lead_practitioner_id is None:
        lead.append("No lead practitioner is named for the episode: ask the hub to allocate one")
    elif not episode.lead_practitioner.is_active:
        lead.append(f"The lead practitioner, {episode.lead_practitioner}, has left the service")
    if not live:
        aligned.append("The plan has no actions yet to align with the outcomes plan")
    elif plan is not None:
        ticked = list(assessment.indicators) if assessment else []
        outcome_problem = {o.id: p.id for p in plan.headline_problems for o in p.outcomes}
        served, unlinked = set(), 0
        for a in live:
            if a.need in plan.problem_of:
                served.add(plan.problem_of[a.need])
            elif a.outcome in outcome_problem:
                served.add(outcome_problem[a.outcome])
            else:
                unlinked += 1
        if unlinked:
            aligned.append(
                f"{unlinked} action{'s are' if unlinked != 1 else ' is'} not linked to a need or "
                "an outcome of the outcomes plan"
            )
        for problem_id in sorted({plan.problem_of[i] for i in ticked if i in plan.problem_of}):
            if problem_id not in served:
                aligned.append(
                    f"No action works towards headline problem {problem_id} "
                    f"({plan.problem_names[problem_id]}), which the assessment identifies"
                )
    return [
        PrincipleCheck(key, PRINCIPLE_NAMES[key], tuple(lacking))
        for key, lacking in zip(PRINCIPLES, (whole, covers, lead, aligned), strict=True)
    ]


class _Sections:
    """Which of the assessment's per-member sections are written."""

    def __init__(self, assessment):
        self.written = set()
        if assessment is not None:
            self.written = {
                (s.key, s.member_id)
                for s in assessment.sections.all()
                if s.member_id is not None and s.text.strip()
            }

    def has(self, key, member) -> bool:
        return (key, member.pk) in self.written

    def assessed(self, member) -> bool:
        return self.has(SectionKey.NEEDS, member) and self.has(SectionKey.STRENGTHS, member)


def attachment_check(family, *, on: date | None = None) -> AttachmentReadiness:
    """Whether `family` may be attached on `on` (today), and what is missing if not."""
    on = on or timezone.localdate()
    episode = (
        Episode.objects.filter(family=family, status=Episode.Status.OPEN)
        .select_related("lead_practitioner__team__organisation", "lead_agency")
        .first()
    )
    check = AttachmentReadiness(episode=episode, on=on)
    if episode is None:
        check.blocking.append("The family has no open episode to attach")
        return check
    check.already = Attachment.objects.filter(episode=episode).first()
    if check.already is not None:
        check.blocking.append(
            f"The family is already attached for this episode, since "
            f"{check.already.attached_on:%-d %B %Y}"
        )
    check.plan_version = plan_in_force(on)
    if check.plan_version is None:
        check.blocking.append("No outcomes plan is in force: ask an administrator to publish one")
    team = episode.lead_practitioner.team if episode.lead_practitioner_id else None
    check.lead_agency = episode.lead_agency or (team.organisation if team else None)
    if check.lead_agency is None:
        check.blocking.append("No lead agency is recorded for the episode")
    assessment = (
        EarlyHelpAssessment.objects.filter(episode=episode)
        .select_related("plan_version")
        .prefetch_related("sections")
        .first()
    )
    check.assessment = assessment
    check.indicators = list(assessment.indicators) if assessment else []
    members = list(
        FamilyMember.objects.filter(family=family, left_on__isnull=True)
        .select_related("person")
        .order_by("role", "person__date_of_birth", "pk")
    )
    actions = list(PlanAction.objects.filter(episode=episode))
    plan = check.plan_version.plan if check.plan_version else None
    sections = _Sections(assessment)
    check.principles = _principles(episode, assessment, members, actions, plan, sections)
    if plan is not None:
        _eligibility(check, family, episode, plan)
    return check


def _eligibility(check: AttachmentReadiness, family, episode, plan) -> None:
    """The engine's answer on the family as it would be attached (not attached yet)."""
    if not check.indicators:
        check.eligibility = ["the assessment identifies no headline problem by its indicators"]
        return
    snapshot = candidate_snapshot(family, episode, check, plan)
    try:
        result = evaluate(snapshot, plan)
    except EvaluationError as error:
        check.eligibility = [f"the assessment's indicators do not fit the plan in force: {error}"]
        return
    check.eligible = result.eligibility.eligible
    check.problems_evidenced = result.eligibility.problems_evidenced
    check.eligibility = [step.note for step in result.eligibility.explanation]
    for problem in result.problems:
        for i in problem.identifications:
            if not i.evidenced:
                check.eligibility.extend(
                    f"indicator {i.indicator}: {s.note}" for s in i.explanation
                )


def _identified_on(check: AttachmentReadiness) -> date:
    signed = check.assessment.signed_off_at if check.assessment else None
    return min(timezone.localdate(signed), check.on) if signed else check.on


def candidate_snapshot(family, episode, check: AttachmentReadiness, plan) -> engine.FamilySnapshot:
    """The engine's snapshot of a family not yet attached: the assessment's indicators as problems
    identified at engagement, its household and evidence as of the attachment date."""
    identified_on = _identified_on(check)
    standing = Standing(
        engine.Episode(episode.started_on),
        attachment=None,
        family_working=engine.FamilyWorking(*(p.holds for p in check.principles)),
        problems=tuple(
            engine.ProblemIdentified(
                plan.problem_of.get(indicator, indicator.split(".")[0]),
                indicator,
                None,
                identified_on,
                "engagement",
            )
            for indicator in check.indicators
        ),
    )
    return family_snapshots({family.pk: standing}, as_of=check.on)[family.pk]


@transaction.atomic
def attachment_create(*, family, by, on: date | None = None) -> Attachment:
    """Attach the family for its open episode, or refuse with every reason (nothing is saved)."""
    on = on or timezone.localdate()
    Episode.objects.select_for_update().filter(family=family, status=Episode.Status.OPEN).first()
    check = attachment_check(family, on=on)
    if not check.ready:
        raise ValidationError(check.reasons)
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                family=family,
                episode=check.episode,
                attached_on=on,
                lead_agency=check.lead_agency,
                attached_by=by,
                plan_version=check.plan_version,
                principles={p.key: p.holds for p in check.principles},
            )
    except IntegrityError:
        raise ValidationError("The family is already attached for this episode") from None
    plan = check.plan_version.plan
    identified_on = _identified_on(check)
    ProblemIdentified.objects.bulk_create(
        ProblemIdentified(
            attachment=attachment,
            problem=plan.problem_of[indicator],
            indicator=indicator,
            identified_on=identified_on,
            stage=ProblemIdentified.Stage.ENGAGEMENT,
        )
        for indicator in check.indicators
        if indicator in plan.problem_of
    )
    audit.record(
        by,
        action="attach",
        outcome=AuditEntry.Outcome.ALLOWED,
        family_id=family.pk,
        detail=f"episode {check.episode.pk}, plan version {check.plan_version.version}",
    )
    return attachment


def problems_identified_during_intervention(
    *, episode, indicators, on: date | None = None
) -> list[ProblemIdentified]:
    """Indicators ticked on the assessment of an attached episode after attachment: each is a
    headline problem identified during the intervention (DOMAIN §8), which a claim must also
    meet. Indicators already identified are left alone; an unattached episode adds nothing."""
    attachment = Attachment.objects.filter(episode=episode).select_related("plan_version").first()
    if attachment is None or not indicators:
        return []
    plan = attachment.plan_version.plan
    known = set(
        ProblemIdentified.objects.filter(attachment=attachment, person__isnull=True).values_list(
            "indicator", flat=True
        )
    )
    rows = [
        ProblemIdentified(
            attachment=attachment,
            problem=plan.problem_of[indicator],
            indicator=indicator,
            identified_on=on or timezone.localdate(),
            stage=ProblemIdentified.Stage.INTERVENTION,
        )
        for indicator in sorted(set(indicators) - known)
        if indicator in plan.problem_of
    ]
    return ProblemIdentified.objects.bulk_create(rows, ignore_conflicts=True)
