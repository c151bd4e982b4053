"""Programme attachment, the problems identified for it, and payment-by-results claims (§8)."""

from django.contrib.postgres.fields import ArrayField
from django.db import models

from cases.models import Episode, Family, Person
from earlyhelp.models import Organisation, User

from .plan import OutcomesPlanVersion


class Attachment(models.Model):
    """A family attached to the Supporting Families programme for one episode (DOMAIN §8)."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="attachments")
    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="attachment")
    attached_on = models.DateField()
    lead_agency = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    attached_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    plan_version = models.ForeignKey(
        OutcomesPlanVersion, on_delete=models.PROTECT, related_name="+"
    )
    # The four family-working principles as checked against the records on the day of attachment
    # (DOMAIN §8): key -> held. Attachment is refused unless all four hold.
    principles = models.JSONField(default=dict)

    class Meta:
        ordering = ["-attached_on"]

    def __str__(self):
        return f"{self.family} attached on {self.attached_on}"


class ProblemIdentified(models.Model):
    """A headline problem identified for an attached family, evidenced by one indicator.

    Those ticked on the assessment when the family is attached are identified at engagement; any
    ticked later, during the intervention, are added with that stage (DOMAIN §8: a claim needs
    "every headline problem identified at engagement and any identified during the intervention").
    """

    class Stage(models.TextChoices):
        ENGAGEMENT = "engagement", "At engagement"
        INTERVENTION = "intervention", "During the intervention"

    attachment = models.ForeignKey(
        Attachment, on_delete=models.CASCADE, related_name="problems_identified"
    )
    problem = models.CharField(max_length=4)
    indicator = models.CharField(max_length=10)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    identified_on = models.DateField()
    stage = models.CharField(max_length=12, choices=Stage.choices)
    evidence_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)

    class Meta:
        ordering = ["attachment", "problem", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["attachment", "indicator", "person"],
                nulls_distinct=False,
                name="problem_identified_once",
            )
        ]

    def __str__(self):
        return f"Indicator {self.indicator} for {self.attachment_id} ({self.stage})"


class ClaimBatch(models.Model):
    """Claims gathered for one claim window, with the internal-audit sample drawn from them.

    Every claim in it was re-checked by the engine as of `submitted_on` (a claim must be valid on
    the date it is submitted, DOMAIN §8); families no longer claimable that day are kept in
    `refused` with the reasons. The sample is drawn with `sample_seed`, so the same batch always
    gives the same sample.
    """

    name = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    window_opens = models.DateField()
    window_closes = models.DateField()
    submitted_on = models.DateField()
    sample_seed = models.BigIntegerField()
    sample_percent = models.PositiveSmallIntegerField()
    # [{"family_id": …, "family": name, "reasons": [text, …]}] — refused on the submission date.
    refused = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "claim batches"

    def __str__(self):
        return self.name


class AuditSampleItem(models.Model):
    """A family in a batch's internal-audit sample: what auditors may open."""

    class Verdict(models.TextChoices):
        AGREE = "agree", "Agree: the claim is supported by its evidence"
        DISAGREE = "disagree", "Disagree: the claim is not supported"

    batch = models.ForeignKey(ClaimBatch, on_delete=models.CASCADE, related_name="sample")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="audit_samples")
    verdict = models.CharField(max_length=8, choices=Verdict.choices, blank=True)
    verdict_reason = models.TextField(blank=True)
    verdict_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verdict_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "family"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "family"], name="audit_sample_once"),
            models.CheckConstraint(
                condition=~models.Q(verdict="disagree") | ~models.Q(verdict_reason=""),
                name="audit_disagreement_has_a_reason",
            ),
        ]

    def __str__(self):
        return f"{self.family_id} in {self.batch_id}"


class Claim(models.Model):
    """A results claim: one per attachment, ever (DOMAIN §8), valid on the day it is submitted."""

    batch = models.ForeignKey(ClaimBatch, on_delete=models.PROTECT, related_name="claims")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="claims")
    attachment = models.OneToOneField(Attachment, on_delete=models.PROTECT, related_name="claim")
    route = models.PositiveSmallIntegerField()
    claimed_on = models.DateField()
    results_payment = models.PositiveIntegerField()

    class Meta:
        ordering = ["-claimed_on", "family"]

    def __str__(self):
        return f"Claim for {self.family_id} on {self.claimed_on}"
