"""Closing an episode (DOMAIN §4 step 7): the lead asks, with the reason; a manager signs off."""

from django.db import models

from earlyhelp.models import User

from .episode import Episode


class ClosureReason(models.TextChoices):
    NEEDS_MET = "needs_met", "Needs met"
    STEPPED_UP = "stepped_up", "Stepped up to children's social care"
    STEPPED_DOWN = "stepped_down", "Stepped down to universal services"
    MOVED_AWAY = "moved_out_of_area", "Moved out of area"
    WITHDREW = "withdrew_or_disengaged", "The family withdrew consent or disengaged"
    TRANSFERRED = "transferred", "Transferred to another lead agency"


class Closure(models.Model):
    """One request to close; a returned request stays as history and a new one is made."""

    class Status(models.TextChoices):
        AWAITING_SIGN_OFF = "awaiting_sign_off", "Awaiting a manager's sign-off"
        RETURNED = "returned", "Returned with comments"
        SIGNED_OFF = "signed_off", "Signed off: episode closed"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="closures")
    # A step-up closes the episode by its acceptance at the front door, not by this request.
    reason = models.CharField(
        max_length=40, choices=[c for c in ClosureReason.choices if c[0] != "stepped_up"]
    )
    needs_at_closure = models.TextField()
    no_final_scores_reason = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.AWAITING_SIGN_OFF
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comments = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode"],
                condition=models.Q(status="awaiting_sign_off"),
                name="closure_one_awaiting",
                violation_error_message="A closure of this episode already awaits sign-off",
            )
        ]

    def __str__(self):
        return f"Closure of {self.episode_id}: {self.get_reason_display()}"
