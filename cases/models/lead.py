"""Every change of lead practitioner or lead agency within an episode, with its date (§4 step 8).

An episode's first lead is the episode's own (from allocation); step-ups and
step-downs are their own records. Together they are the lead-agency history.
"""

from django.db import models

from earlyhelp.models import Organisation, User

from .episode import Episode


class LeadChange(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="lead_changes")
    changed_on = models.DateField()
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

    def __str__(self):
        return f"Lead of {self.episode_id} changed on {self.changed_on}"
