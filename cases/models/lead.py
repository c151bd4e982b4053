"""Every change of lead practitioner or lead agency within an episode, with its date (§4 step 8).

An episode's first lead is the episode's own (from allocation); step-ups and
step-downs are their own records. Together they are the lead-agency history.

A change takes effect today or on a later day (a scheduled move, `SCHEDULED` until its day
comes, when `cases.closure.lead.lead_changes_apply_due` applies it). History is never
rewritten: a change that has taken effect on a day gone by is neither changed nor deleted,
which the database enforces too (the `lead_change_past_kept` trigger).
"""

import pgtrigger
from django.db import models

from earlyhelp.models import Organisation, User

from .episode import Episode


class LeadChange(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", "Taken effect"
        SCHEDULED = "scheduled", "Scheduled"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="lead_changes")
    changed_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPLIED)
    from_practitioner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_agency = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_practitioner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_on", "id"]
        constraints = [
            # One scheduled move per episode at a time: a second waits until the first has
            # taken effect or is cancelled, so the history's periods follow one another.
            models.UniqueConstraint(
                fields=["episode"],
                condition=models.Q(status="scheduled"),
                name="lead_change_one_scheduled",
            )
        ]
        triggers = [
            pgtrigger.Protect(
                name="lead_change_past_kept",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Condition(
                    "OLD.status = 'applied' AND OLD.changed_on < CURRENT_DATE"
                ),
            )
        ]

    def __str__(self):
        return f"Lead of {self.episode_id} changed on {self.changed_on}"
