"""Writes for the Early Help Assessment and outcome tool scores, named `<entity>_<verb>`.

`assessment_parts_save` is the one save behind both autosave and the plain
form: it locks the assessment, compares each part's version with the version
the editor started from, and either saves every change or — when anyone else
saved a part in between — saves nothing and names each conflict with both
texts. Saving what is already there is never a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.episode.services import require_open
from cases.models import Episode
from cases.notifications import services as notifications
from cases.people.selectors import current_members_of
from earlyhelp import audit
from earlyhelp.models import AuditEntry
from outcomes.programme import problems_identified_during_intervention
from outcomes.selectors import plan_in_force

from .models import AssessmentSection, AssessmentStatusChange, EarlyHelpAssessment, ToolScore
from .sections import INDICATORS, Part, normalise_text, parts_for

ALLOWED = AuditEntry.Outcome.ALLOWED
Status = EarlyHelpAssessment.Status


@dataclass(frozen=True)
class Change:
    part: Part
    base_version: int
    value: str | list[str]


@dataclass(frozen=True)
class Conflict:
    part: Part
    theirs: str | list[str]
    their_version: int
    by: object
    at: datetime | None


class PartsConflict(Exception):
    """Someone saved these parts since the editor loaded them: nothing was saved."""

    def __init__(self, conflicts: list[Conflict]):
        super().__init__(", ".join(c.part.label for c in conflicts))
        self.conflicts = conflicts


class NotEditable(ValidationError):
    pass


@transaction.atomic
def assessment_start(*, episode: Episode, by) -> EarlyHelpAssessment:
    """The episode's assessment, begun on first save against the plan version in force."""
    require_open(episode)
    existing = EarlyHelpAssessment.objects.filter(episode=episode).first()
    if existing:
        return existing
    version = plan_in_force(timezone.localdate())
    if version is None:
        raise ValidationError("No outcomes plan is in force: ask an administrator to publish one")
    assessment, _ = EarlyHelpAssessment.objects.get_or_create(
        episode=episode, defaults={"plan_version": version, "started_by": by}
    )
    return assessment


def _check_indicators(assessment, value) -> list[str]:
    known = assessment.plan_version.plan.indicators
    unknown = [i for i in value if i not in known]
    if unknown:
        raise ValidationError(
            {INDICATORS: f"{', '.join(unknown)} is not an indicator of the outcomes plan"}
        )
    return sorted(set(value), key=lambda i: [int(n) for n in i.split(".")])


@transaction.atomic
def assessment_parts_save(*, episode: Episode, changes: list[Change], by) -> dict[str, int]:
    """Save every change, or none. Returns each part's version after the save."""
    assessment = assessment_start(episode=episode, by=by)
    assessment = EarlyHelpAssessment.objects.select_for_update().get(pk=assessment.pk)
    if not assessment.is_editable:
        raise NotEditable(f"The assessment is {assessment.get_status_display().lower()}")
    sections = {
        (s.key, s.member_id): s
        for s in AssessmentSection.objects.filter(assessment=assessment).select_related(
            "updated_by"
        )
    }
    versions, conflicts, writes = {}, [], []
    for change in changes:
        part = change.part
        if part.key == INDICATORS:
            value = _check_indicators(assessment, change.value)
            ours_now = list(assessment.indicators)
            version, who, when = (
                assessment.indicators_version,
                assessment.indicators_updated_by,
                assessment.indicators_updated_at,
            )
        else:
            value = normalise_text(change.value)
            section = sections.get((part.key, part.member_id))
            ours_now = section.text if section else ""
            version = section.version if section else 0
            who, when = (section.updated_by, section.updated_at) if section else (None, None)
        if value == ours_now:
            versions[part.name] = version
        elif change.base_version != version:
            conflicts.append(Conflict(part, ours_now, version, who, when))
        else:
            writes.append((part, value, version + 1))
    if conflicts:
        raise PartsConflict(conflicts)
    now = timezone.now()
    for part, value, version in writes:
        if part.key == INDICATORS:
            ticked = set(value) - set(assessment.indicators)
            assessment.indicators, assessment.indicators_version = value, version
            assessment.indicators_updated_by, assessment.indicators_updated_at = by, now
            assessment.save(
                update_fields=[
                    "indicators",
                    "indicators_version",
                    "indicators_updated_by",
                    "indicators_updated_at",
                ]
            )
            # Ticked after the family was attached: identified during the intervention.
            problems_identified_during_intervention(episode=episode, indicators=ticked)
        else:
            section = sections.get((part.key, part.member_id))
            if section is None:
                section = AssessmentSection(assessment=assessment, key=part.key, member=part.member)
            section.text, section.version, section.updated_by = value, version, by
            section.save()
        versions[part.name] = version
    if writes:
        audit.record(
            by,
            action="assessment_save",
            outcome=ALLOWED,
            family_id=episode.family_id,
            detail=", ".join(part.name for part, _, _ in writes),
        )
    return versions


def assessment_missing(assessment: EarlyHelpAssessment | None, members) -> list[tuple[str, str]]:
    """What still lacks before the assessment can be submitted: (part name, message)."""
    texts = {}
    if assessment is not None:
        texts = {(s.key, s.member_id): s.text for s in assessment.sections.all()}
    missing = []
    if not members:
        missing.append(("members", "Add the family's members before submitting the assessment"))
    for part in parts_for(members):
        if part.key == INDICATORS:
            if assessment is None or not assessment.indicators:
                missing.append(
                    (part.name, "Select the headline problems present, by their indicators")
                )
        elif not texts.get((part.key, part.member_id), "").strip():
            missing.append((part.name, part.missing_message))
    return missing


@transaction.atomic
def assessment_submit(*, episode: Episode, by) -> EarlyHelpAssessment:
    assessment = assessment_start(episode=episode, by=by)
    assessment = EarlyHelpAssessment.objects.select_for_update().get(pk=assessment.pk)
    if not assessment.is_editable:
        raise NotEditable(f"The assessment is {assessment.get_status_display().lower()}")
    missing = assessment_missing(assessment, current_members_of(episode.family))
    if missing:
        raise ValidationError([message for _, message in missing])
    assessment.status, assessment.submitted_at = Status.SUBMITTED, timezone.now()
    assessment.save(update_fields=["status", "submitted_at"])
    AssessmentStatusChange.objects.create(assessment=assessment, status=Status.SUBMITTED, by=by)
    audit.record(by, action="assessment_submit", outcome=ALLOWED, family_id=episode.family_id)
    notifications.notify_assessment_submitted(assessment, submitted_at=assessment.submitted_at)
    return assessment


@transaction.atomic
def assessment_decide(
    *, assessment: EarlyHelpAssessment, sign_off: bool, comments: str, by
) -> AssessmentStatusChange:
    """A manager signs the assessment off, or returns it to the lead with comments."""
    assessment = EarlyHelpAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != Status.SUBMITTED:
        raise ValidationError("The assessment does not await sign-off")
    if not sign_off and not comments.strip():
        raise ValidationError({"comments": "Enter what needs to change before you sign it off"})
    now = timezone.now()
    assessment.status = Status.SIGNED_OFF if sign_off else Status.RETURNED
    if sign_off:
        assessment.signed_off_by, assessment.signed_off_at = by, now
    assessment.save(update_fields=["status", "signed_off_by", "signed_off_at"])
    change = AssessmentStatusChange.objects.create(
        assessment=assessment, status=assessment.status, comments=comments, by=by
    )
    audit.record(
        by,
        action="assessment_" + assessment.status,
        outcome=ALLOWED,
        family_id=assessment.episode.family_id,
    )
    notifications.notify_assessment_decided(assessment, change=change)
    return change


@transaction.atomic
def tool_score_record(
    *, episode, tool, stage, person, scored_on, scores, desired=None, by
) -> ToolScore:
    require_open(episode)
    plan = getattr(getattr(episode, "assessment", None), "plan_version", None)
    plan = plan or plan_in_force(scored_on)
    if ToolScore.objects.filter(episode=episode, tool=tool, stage=stage, person=person).exists():
        raise ValidationError("These scores are already recorded for this stage")
    score = ToolScore.objects.create(
        episode=episode,
        tool=tool,
        stage=stage,
        person=person,
        scored_on=scored_on,
        plan_version=plan,
        scores=scores,
        desired=desired or {},
        recorded_by=by,
    )
    audit.record(by, action="tool_score", outcome=ALLOWED, family_id=episode.family_id, detail=tool)
    return score
