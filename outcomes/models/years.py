"""Programme years as data (DOMAIN §12; seed 002 §3.1.9 and Table 1).

The programme runs in years from April to March. Each year holds its attachment target, its claim
windows, its funding lines and the internal-audit sample percentage; none of them is part of the
outcomes plan (a plan version says what success is, a programme year says when and for how much
it is claimed). The programme team and administrators edit them in pages, and every change is
kept with who made it (django-pghistory, with the request's user in its context).
"""

from datetime import date

import pghistory
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="ProgrammeYearEvent",
)
class ProgrammeYear(models.Model):
    """The programme year starting on 1 April of `starts_in` and ending on 31 March after."""

    starts_in = models.PositiveIntegerField(
        unique=True,
        validators=[MinValueValidator(2012), MaxValueValidator(2100)],
        help_text="The calendar year the programme year starts in (1 April).",
    )
    attachment_target = models.PositiveIntegerField(
        default=0, help_text="How many families the council aims to attach in the year."
    )
    audit_sample_percent = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="The share of each claim batch internal audit checks before submission.",
    )

    class Meta:
        ordering = ["starts_in"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(audit_sample_percent__gte=1, audit_sample_percent__lte=100),
                name="audit_sample_is_a_percentage",
                violation_error_message="The audit sample must be from 1% to 100%",
            )
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return f"{self.starts_in} to {self.starts_in + 1}"

    @property
    def starts_on(self) -> date:
        return date(self.starts_in, 4, 1)

    @property
    def ends_on(self) -> date:
        return date(self.starts_in + 1, 3, 31)

    @classmethod
    def starting_in_year_of(cls, day: date) -> int:
        """The `starts_in` of the programme year `day` falls in."""
        return day.year if day.month >= 4 else day.year - 1


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="ProgrammeClaimWindowEvent",
)
class ProgrammeClaimWindow(models.Model):
    """A period in which results claims are gathered and submitted (DOMAIN §8)."""

    year = models.ForeignKey(ProgrammeYear, on_delete=models.CASCADE, related_name="claim_windows")
    opens = models.DateField()
    closes = models.DateField()

    class Meta:
        ordering = ["opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gte=models.F("opens")),
                name="claim_window_closes_after_it_opens",
                violation_error_message="A claim window must close on or after the day it opens",
            ),
            models.UniqueConstraint(fields=["opens"], name="claim_window_opens_once"),
        ]

    def __str__(self):
        return f"{self.opens:%-d %B %Y} to {self.closes:%-d %B %Y}"


class FundingStream(models.TextChoices):
    """The funding streams of seed 002's Table 1."""

    TRANSFORMATION_GRANT = "transformation_grant", "Service transformation grant"
    ATTACHMENT_FEE = "attachment_fee", "Attachment fee per family"
    RESULTS_PAYMENT = "results_payment", "Results payment per claim"
    OTHER = "other", "Other contribution"


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="FundingLineEvent",
)
class FundingLine(models.Model):
    """One line of a year's funding. The attachment fee is counted per family attached in the
    year and the results payment per claim made in it; the grant and other contributions are
    sums for the year (seed 002 Table 1: "Service Transformation Grant", "Attachment Fees",
    "PBR", "Other contributions e.g. PCC")."""

    year = models.ForeignKey(ProgrammeYear, on_delete=models.CASCADE, related_name="funding")
    stream = models.CharField(max_length=24, choices=FundingStream.choices)
    name = models.CharField(
        max_length=120,
        blank=True,
        help_text="Who the contribution comes from, for other contributions "
        "(for example, the Police and Crime Commissioner).",
    )
    amount = models.PositiveIntegerField(help_text="In whole pounds.")

    class Meta:
        ordering = ["year", "stream", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "stream", "name"], name="funding_line_once_a_year"
            ),
            models.CheckConstraint(
                condition=~models.Q(stream="other") | ~models.Q(name=""),
                name="other_contribution_is_named",
                violation_error_message="Name who an other contribution comes from",
            ),
        ]

    def __str__(self):
        return self.name or self.get_stream_display()
