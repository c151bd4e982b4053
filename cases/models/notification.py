"""Messages to one user in the service (and by email): allocation, sign-off, overdue reviews."""

from django.db import models

from earlyhelp.models import User

from .family import Family


class Notification(models.Model):
    class Kind(models.TextChoices):
        ALLOCATED = "allocated", "Case allocated"
        ASSESSMENT_AWAITS_SIGN_OFF = "assessment_awaits_sign_off", "Assessment awaits sign-off"
        ASSESSMENT_RETURNED = "assessment_returned", "Assessment returned"
        ASSESSMENT_SIGNED_OFF = "assessment_signed_off", "Assessment signed off"
        CLOSURE_AWAITS_SIGN_OFF = "closure_awaits_sign_off", "Closure awaits sign-off"
        REVIEW_OVERDUE = "review_overdue", "Review overdue"
        CLAIM_WITHDRAWN = "claim_withdrawn", "Claim withdrawn after internal audit"
        STEP_UP_RECEIVED = "step_up_received", "Family handed to you from early help"
        AGENCY_ALLOCATED = "agency_allocated", "Family allocated to your agency"
        CASES_MOVED_TO_YOU = "cases_moved_to_you", "Cases moved to you"
        CONSENT_CHASE_DUE = "consent_chase_due", "Written consent form to chase"
        REQUEST_ADDED = "request_added", "Request added to the episode you lead"
        REQUEST_PASSED = "request_passed", "Request passed to you"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    family = models.ForeignKey(
        Family, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # What makes this notification one of a kind: sending the same key twice does nothing,
    # so a command that re-runs (overdue reviews) never notifies twice.
    key = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox")
        ]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_key")
        ]

    def __str__(self):
        return f"{self.kind} for {self.user_id}"
