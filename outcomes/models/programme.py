"""Programme attachment and claims, as far as the access gate needs them.

The rules-engine and nightly-job issues add the outcomes plan, evidence,
results and the rest of the claim's life.
"""

from django.db import models

from cases.models import Episode, Family
from earlyhelp.models import Organisation, User


class Attachment(models.Model):
    """A family attached to the Supporting Families programme for one episode (DOMAIN §8)."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="attachments")
    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="attachment")
    attached_on = models.DateField()
    lead_agency = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    attached_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-attached_on"]

    def __str__(self):
        return f"{self.family} attached on {self.attached_on}"


class ClaimBatch(models.Model):
    """Claims gathered for one claim window, with the internal-audit sample drawn from them."""

    name = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "claim batches"

    def __str__(self):
        return self.name


class AuditSampleItem(models.Model):
    """A family in a batch's internal-audit sample: what auditors may open."""

    batch = models.ForeignKey(ClaimBatch, on_delete=models.CASCADE, related_name="sample")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="audit_samples")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "family"], name="audit_sample_once")
        ]

    def __str__(self):
        return f"{self.family_id} in {self.batch_id}"
