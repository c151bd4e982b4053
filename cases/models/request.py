"""A request for support, as far as the access gate needs it (the front-door issue adds more)."""

from django.db import models

from .family import Family


class SupportRequest(models.Model):
    class Status(models.TextChoices):
        AWAITING_TRIAGE = "awaiting_triage", "Awaiting triage"
        TRIAGED = "triaged", "Triaged"
        CLOSED = "closed", "Closed"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="requests")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_TRIAGE)
    received_at = models.DateTimeField()
    triaged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["received_at"]
        indexes = [models.Index(fields=["status", "triaged_at"], name="request_queue")]

    def __str__(self):
        return f"Request {self.pk} for {self.family_id}"
