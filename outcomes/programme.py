"""Attaching a family to the programme (DOMAIN §8), and the problems identified for it.

A family may be attached when it is eligible (at least two headline problems, each evidenced by an
indicator: the engine decides, on a snapshot of the family as it would be attached) and the four
family-working principles hold. Nobody ticks the principles: this module reads the facts from the
case records, and `assessments.principles` (which also derives the EHA's own seven, in the same
words) says which hold and what is missing. `attachment_check` answers for the page;
`attachment_create` checks again inside its transaction and refuses with the same reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.models import EarlyHelpAssessment, SectionKey
from assessments.principles import PlannedAction, Principle, WorkingFacts, family_working
from cases.episode.selectors import open_episode_of
from cases.models import Episode, PlanAction
from cases.people.selectors import current_members_of
from earlyhelp import audit
from earlyhelp.models import AuditEntry
from outcomes.engine import EvaluationError, evaluate
from outcomes.engine import snapshot as engine

from .models import Attachment, ProblemIdentified
from .selectors import plan_in_force
from .snapshots import Standing, family_snapshots
from .wording import Words


@dataclass
class AttachmentReadiness:
    """What the attachment page shows, and what `attachment_create` refuses on."""

    episode: Episode | None
    on: date
    blocking: list[str] = field(default_factory=list)  # no episode, already attached, no plan…
    eligible: bool = False
    eligibility: list[str] = field(default_factory=list)  # the engine's findings, in words
    problems_evidenced: tuple[str, ...] = ()
    problems_evidenced_words: list[str] = field(default_factory=list)  # number and name
    principles: list[Principle] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    indicator_words: list[str] = field(default_factory=list)  # each in the plan's words
    plan_version: object = None
    lead_agency: object = None
    assessment: EarlyHelpAssessment | None = None
    already: Attachment | None = None
    earlier: list = field(default_factory=list)  # the family's attachments, with their claims

    @property
    def ready(self) -> bool:
        return not self.blocking and self.eligible and all(p.met for p in self.principles)

    @property
    def reasons(self) -> list[str]:
        """Every reason attachment is refused, in the order the page shows them."""
        reasons = list(self.blocking)
        if not self.blocking and not self.eligible:
            reasons.append("The family is not eligible: " + "; ".join(self.eligibility))
        for p in self.principles:
            reasons.extend(f"{p.name}: {text}" for text in p.lacking)
        return reasons


def attachment_check(family, *, on: date | None = None) -> AttachmentReadiness:
    """Whether `family` may be attached on `on` (today), and what is missing if not."""
    on = on or timezone.localdate()
    episode = open_episode_of(family)
    check = AttachmentReadiness(episode=episode, on=on)
    check.earlier = list(
        Attachment.objects.filter(family=family)
        .select_related("episode", "claim", "lead_agency")
        .order_by("attached_on", "pk")
    )
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
    if check.plan_version is not None:
        words = Words(people={}, evidence={}, plan=check.plan_version.plan)
        check.indicator_words = [words.indicator(i) for i in check.indicators]
    members = current_members_of(family)
    actions = PlanAction.objects.filter(episode=episode).exclude(status=PlanAction.Status.STOPPED)
    plan = check.plan_version.plan if check.plan_version else None
    check.principles = family_working(_working_facts(episode, assessment, members, actions, plan))
    if plan is not None:
        _eligibility(check, family, episode, plan)
    return check


def _working_facts(episode, assessment, members, actions, plan) -> WorkingFacts:
    written = set()
    if assessment is not None:
        written = {
            (s.key, s.member_id)
            for s in assessment.sections.all()
            if s.member_id is not None and s.text.strip()
        }

    def recorded(*keys):
        return frozenset(m.person_id for m in members if all((k, m.pk) in written for k in keys))

    lead = episode.lead_practitioner if episode.lead_practitioner_id else None
    return WorkingFacts(
        members=tuple((m.person_id, str(m.person)) for m in members),
        members_assessed=recorded(SectionKey.NEEDS, SectionKey.STRENGTHS),
        members_with_needs=recorded(SectionKey.NEEDS),
        assessment_status=assessment.status if assessment else None,
        assessment_status_label=assessment.get_status_display() if assessment else "",
        indicators=tuple(assessment.indicators) if assessment else (),
        actions=tuple(PlannedAction(a.for_person_id, a.need, a.outcome) for a in actions),
        lead=None if lead is None else str(lead),
        lead_active=lead is not None and lead.is_active,
        plan=plan,
    )


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
    words = Words.for_family(family, plan=plan)
    check.eligible = result.eligibility.eligible
    check.problems_evidenced = result.eligibility.problems_evidenced
    check.problems_evidenced_words = [
        words.problem_list([p]) for p in result.eligibility.problems_evidenced
    ]
    check.eligibility = [words.step(step).found for step in result.eligibility.explanation]
    for problem in result.problems:
        for i in problem.identifications:
            if not i.evidenced:
                check.eligibility.extend(
                    f"{words.indicator(i.indicator)}: not shown ({words.say(s.note)})"
                    for s in i.explanation
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
        family_working=engine.FamilyWorking(*(p.met for p in check.principles)),
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
    open_episode_of(family, for_update=True)
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
                principles={p.key: p.met for p in check.principles},
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
