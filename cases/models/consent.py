"""A person's consent to share their information: a record of its own (DOMAIN §1)."""

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.db import models

from earlyhelp.models import Organisation, User

from .family import Family
from .person import Person


class DataKind(models.TextChoices):
    """What consent and information sharing agreements cover."""

    SUMMARY = "summary", "Family summary and members"
    CASEWORK = "casework", "Assessments, plans and case notes"
    EVIDENCE = "evidence", "Outcome evidence (attendance, offending, benefits, health…)"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), model_name="ConsentEvent")
class Consent(models.Model):
    class Kind(models.TextChoices):
        WRITTEN = "written", "Written"
        VERBAL = "verbal", "Verbal, written consent to follow"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    given_by = models.CharField(
        max_length=200, help_text="Who gave it: the person, or their parent or carer."
    )
    given_on = models.DateField()
    chase_on = models.DateField(
        null=True, blank=True, help_text="Verbal consent: when to chase the written form."
    )
    covers = ArrayField(models.CharField(max_length=20, choices=DataKind.choices))
    agencies = models.ManyToManyField(
        Organisation, related_name="consents", help_text="The agencies it lets share."
    )
    # The written form arriving for a verbal consent: the record becomes written (its history
    # keeps that it was verbal, and its chase date).
    written_received_on = models.DateField(
        null=True, blank=True, help_text="When the written form of a verbal consent arrived."
    )
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_by = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who withdrew it: the person, or their parent or carer.",
    )
    withdrawal_reason = models.CharField(max_length=1000, blank=True)
    withdrawal_recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_on"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="verbal") | models.Q(chase_on__isnull=False),
                name="consent_verbal_has_chase_date",
                violation_error_message="Verbal consent needs a date to chase the written form",
            ),
            models.CheckConstraint(
                condition=models.Q(written_received_on__isnull=True) | models.Q(kind="written"),
                name="consent_written_form_received_is_written",
                violation_error_message="Only written consent has a date its form arrived",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} consent from {self.given_by} on {self.given_on}"

    @property
    def covers_labels(self) -> list[str]:
        """What it covers, in words."""
        return [DataKind(kind).label for kind in self.covers if kind in DataKind.values]
