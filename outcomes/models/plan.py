"""Versions of the Family Outcomes Plan, and school term dates, as data (DOMAIN §6, §3).

A version's whole content (headline problems, indicators, outcomes, thresholds,
windows, payments, claim windows) is one JSON document in the engine's own
format (`outcomes.engine.plan.Plan.from_dict`), so what administrators edit is
exactly what the engine reads. A published version never changes: PostgreSQL
refuses the UPDATE or DELETE (and any TRUNCATE, which cannot tell drafts from
published versions), and a change is a new version.
"""

from functools import cached_property

import pghistory
import pgtrigger
from django.db import models

from earlyhelp.models import RefuseTruncate, User
from outcomes.engine.plan import Plan


class OutcomesPlanVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    version = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    effective_from = models.DateField(null=True, blank=True)
    definition = models.JSONField()
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="copies"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(effective_from__isnull=False),
                name="plan_published_has_effective_date",
                violation_error_message="A published version needs the date it takes effect",
            )
        ]
        triggers = [
            pgtrigger.Protect(
                name="published_plan_never_changes",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__status="published"),
            ),
            RefuseTruncate(name="published_plan_never_truncated"),
        ]

    def __str__(self):
        return f"Version {self.version}: {self.title}"

    @cached_property
    def plan(self) -> Plan:
        return Plan.from_dict(self.definition)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="SchoolTermEvent",
)
class SchoolTerm(models.Model):
    """One school term's dates; "the last three consecutive terms" counts these (configurable)."""

    class Name(models.TextChoices):
        AUTUMN = "autumn", "Autumn"
        SPRING = "spring", "Spring"
        SUMMER = "summer", "Summer"

    academic_year = models.PositiveIntegerField(help_text="The year the autumn term starts in.")
    name = models.CharField(max_length=10, choices=Name.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "name"], name="term_once_a_year"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="term_ends_after_start",
                violation_error_message="A term must end after it starts",
            ),
        ]

    def __str__(self):
        return (
            f"{self.get_name_display()} {self.academic_year}/{(self.academic_year + 1) % 100:02d}"
        )

    @property
    def engine_name(self) -> str:
        """How evidence and the engine name a term: the calendar year it starts in and its
        name, e.g. "2019 spring" for the spring term of 2018/19 (FORMAT.md's worked example,
        and what school census feeds send)."""
        return f"{self.starts_on.year} {self.name}"
