"""Step-up to social care and step-down to early help as requests (DOMAIN §4 step 8).

A step-up is asked for by the lead practitioner and decided at the front door;
accepted, it closes the episode with that reason and hands the family to the
social worker named. That social worker may ask for a step-down, decided at
the front door too; accepted, it opens a new episode with the lead named.
"""

from django.db import models

from earlyhelp.models import Organisation, User

from .episode import Episode
from .family import Family


class StepDecision(models.TextChoices):
    PENDING = "pending", "Awaiting a decision"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class StepRequest(models.Model):
    """What a step-up and a step-down share: why and by whom it was asked, and the front
    door's decision."""

    reason = models.TextField()
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10, choices=StepDecision.choices, default=StepDecision.PENDING
    )
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["-requested_at", "-id"]


class StepUp(StepRequest):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="step_ups")
    # The handover, when accepted: who in social care takes the family, and what they were told.
    social_care = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="received_step_ups"
    )
    handover = models.TextField(blank=True)

    class Meta(StepRequest.Meta):
        indexes = [models.Index(fields=["status", "decided_at"], name="step_up_front_door")]
        constraints = [
            models.UniqueConstraint(
                fields=["episode"],
                condition=models.Q(status="pending"),
                name="step_up_one_pending",
                violation_error_message="A step-up of this episode already awaits a decision",
            )
        ]

    def __str__(self):
        return f"Step-up of {self.episode_id} ({self.status})"


class StepDown(StepRequest):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="step_downs")
    # The accepted step-up whose social worker asks to hand the family back, if any.
    from_step_up = models.ForeignKey(
        StepUp, null=True, blank=True, on_delete=models.PROTECT, related_name="step_downs"
    )
    handover = models.TextField(help_text="What the early help lead needs to know.")
    lead_practitioner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lead_agency = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    new_episode = models.OneToOneField(
        Episode,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opened_by_step_down",
    )

    class Meta(StepRequest.Meta):
        indexes = [models.Index(fields=["status", "decided_at"], name="step_down_front_door")]
        constraints = [
            models.UniqueConstraint(
                fields=["family"],
                condition=models.Q(status="pending"),
                name="step_down_one_pending",
                violation_error_message="A step-down of this family already awaits a decision",
            )
        ]

    def __str__(self):
        return f"Step-down of {self.family_id} ({self.status})"
