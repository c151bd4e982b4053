"""The Early Help Assessment of a whole family (DOMAIN §4 step 4).

Its narrative is held in sections, each with its own version number, so that
autosave and plain form posts can both say "I am changing version 3 of this
section": a save against an older version is a conflict, shown to the person
with both texts, never a silent overwrite. The headline problems present are
the indicators ticked, of the plan version in force when the assessment began.
"""

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.db import models

from cases.models import Episode, FamilyMember
from earlyhelp.models import User
from outcomes.models import OutcomesPlanVersion


class EarlyHelpAssessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted: awaiting sign-off"
        RETURNED = "returned", "Returned with comments"
        SIGNED_OFF = "signed_off", "Signed off"

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="assessment")
    plan_version = models.ForeignKey(
        OutcomesPlanVersion, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    # The headline problems present, as the plan's indicators that evidence them ("1.1", "5.7").
    indicators = ArrayField(models.CharField(max_length=10), default=list, blank=True)
    indicators_version = models.PositiveIntegerField(default=0)
    indicators_updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    indicators_updated_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status"], name="assessment_status")]

    def __str__(self):
        return f"Assessment of episode {self.episode_id} ({self.status})"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    def headline_problems(self):
        """The plan's headline problems present, each with the indicators that evidence it."""
        plan = self.plan_version.plan
        ticked = set(self.indicators)
        return [
            (problem, [i for i in problem.indicators if i.id in ticked])
            for problem in plan.headline_problems
            if any(i.id in ticked for i in problem.indicators)
        ]


class SectionKey(models.TextChoices):
    WORKING_WELL = "working_well", "What is working well"
    WORRIED_ABOUT = "worried_about", "What we are worried about"
    NEEDS_TO_HAPPEN = "needs_to_happen", "What needs to happen"
    FAMILY_VIEWS = "family_views", "The family's views"
    # One of each per member of the household; the child's own views for each child.
    NEEDS = "needs", "Needs"
    STRENGTHS = "strengths", "Strengths"
    CHILD_VIEWS = "child_views", "Their own views"


FAMILY_SECTIONS = (
    SectionKey.WORKING_WELL,
    SectionKey.WORRIED_ABOUT,
    SectionKey.NEEDS_TO_HAPPEN,
    SectionKey.FAMILY_VIEWS,
)
MEMBER_SECTIONS = (SectionKey.NEEDS, SectionKey.STRENGTHS)
CHILD_SECTIONS = (SectionKey.CHILD_VIEWS,)


@pghistory.track(
    pghistory.InsertEvent(), pghistory.UpdateEvent(), model_name="AssessmentSectionEvent"
)
class AssessmentSection(models.Model):
    """One part of the narrative; every saved version is kept by pghistory."""

    assessment = models.ForeignKey(
        EarlyHelpAssessment, on_delete=models.CASCADE, related_name="sections"
    )
    key = models.CharField(max_length=20, choices=SectionKey.choices)
    member = models.ForeignKey(
        FamilyMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assessment", "key", "member"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "key", "member"],
                nulls_distinct=False,
                name="assessment_section_once",
            ),
            models.CheckConstraint(
                condition=models.Q(key__in=[k.value for k in FAMILY_SECTIONS], member__isnull=True)
                | models.Q(
                    key__in=[k.value for k in (*MEMBER_SECTIONS, *CHILD_SECTIONS)],
                    member__isnull=False,
                ),
                name="assessment_section_member_matches_key",
            ),
        ]

    def __str__(self):
        return f"{self.key} of {self.assessment_id} v{self.version}"


class AssessmentStatusChange(models.Model):
    """Submitted, returned with comments, signed off: who, when, and what they said."""

    assessment = models.ForeignKey(
        EarlyHelpAssessment, on_delete=models.CASCADE, related_name="status_changes"
    )
    status = models.CharField(max_length=12, choices=EarlyHelpAssessment.Status.choices)
    comments = models.TextField(blank=True)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.assessment_id} {self.status} at {self.at:%Y-%m-%d %H:%M}"
