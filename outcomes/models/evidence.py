"""Dated evidence about a person or a family, judged by the outcomes plan (DOMAIN §6).

Append-only: a correction is a new item that supersedes the old one, never an
edit, so a result computed "as of" a date can be recomputed from exactly the
evidence recorded by then. PostgreSQL refuses DELETE and TRUNCATE, and any UPDATE
except re-pointing the person when two person records are merged (and unmerged).
"""

import pgtrigger
from django.db import models

from cases.models import Family, Person
from earlyhelp.models import RefuseTruncate, User
from outcomes.engine.kinds import EVIDENCE_KINDS

KIND_CHOICES = [
    (name, kind.description.rstrip(".")) for name, kind in sorted(EVIDENCE_KINDS.items())
]


class Evidence(models.Model):
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="evidence")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    kind = models.CharField(max_length=40, choices=KIND_CHOICES)
    period_start = models.DateField(help_text="The date it happened, or the start of the spell.")
    period_end = models.DateField(
        null=True, blank=True, help_text="For spells: when it ended (empty while it continues)."
    )
    values = models.JSONField(default=dict, blank=True)
    source = models.CharField(
        max_length=100, help_text="Where it came from: a practitioner, a school census, DWP…"
    )
    # The sender's own id: (source, external_id) makes a resend change nothing.
    external_id = models.CharField(max_length=100, blank=True)
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    api_client = models.ForeignKey(
        "partners.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        help_text="The item this one corrects.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["family", "-period_start", "-id"]
        verbose_name_plural = "evidence"
        indexes = [models.Index(fields=["family", "kind"], name="evidence_family_kind")]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="evidence_external_id_once",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__isnull=True)
                | models.Q(period_end__gte=models.F("period_start")),
                name="evidence_period_in_order",
                violation_error_message="The end of the period must be on or after its start",
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="evidence_never_deleted", operation=pgtrigger.Delete),
            RefuseTruncate(name="evidence_never_truncated"),
            pgtrigger.Protect(
                name="evidence_never_edited",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange(exclude=["person"]),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} from {self.source} ({self.period_start})"
