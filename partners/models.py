"""Partner agency systems that call the REST API, and information sharing agreements.

An API client acts for one agency. It signs in with OAuth 2 client credentials
(django-oauth-toolkit's Application) and reaches families through the access
gate as a practitioner of its agency would, through its own system user, and
only within its scopes.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models

from cases.models import DataKind
from earlyhelp.models import Organisation

from .scopes import SCOPES


class ApiClient(models.Model):
    SCOPE_CHOICES = list(SCOPES.items())

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="api_clients"
    )
    name = models.CharField(max_length=200)
    scopes = models.JSONField(default=list, blank=True)
    # Who the gate sees: a practitioner of the agency that no person signs in as.
    user = models.OneToOneField(
        "earlyhelp.User", null=True, blank=True, on_delete=models.PROTECT, related_name="api_client"
    )
    application = models.OneToOneField(
        "oauth2_provider.Application",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="api_client",
    )
    requests_per_minute = models.PositiveIntegerField(default=120)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="api_client_unique")
        ]

    def __str__(self):
        return f"{self.name} ({self.organisation})"


class InformationSharingAgreement(models.Model):
    """Which agencies share which kinds of data about families, from when to when (DOMAIN §1).

    An agency's practitioners see a family through an agreement only where a
    family member's consent names the agency too (earlyhelp.access).
    """

    name = models.CharField(max_length=200, unique=True)
    organisations = models.ManyToManyField(Organisation, related_name="sharing_agreements")
    data_kinds = ArrayField(models.CharField(max_length=20, choices=DataKind.choices))
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="isa_ends_after_start",
                violation_error_message="The end date must be on or after the start date",
            )
        ]

    def __str__(self):
        return self.name

    def agencies(self) -> str:
        """The agencies in the agreement, by name (as the configuration pages list them)."""
        return ", ".join(sorted(o.name for o in self.organisations.all()))


class EvidenceFile(models.Model):
    """An evidence file uploaded in the page, and what became of its rows (issue 10).

    The file itself is not kept (it holds personal data, and its good rows are now
    evidence); its report is, so the uploader can come back to it and download the
    rejected rows. It is written in the same transaction as the evidence it added.
    """

    uploaded_by = models.ForeignKey(
        "earlyhelp.User", on_delete=models.PROTECT, related_name="evidence_files"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    name = models.CharField(max_length=255)
    format = models.CharField(max_length=4, choices=[("csv", "CSV"), ("json", "JSON")])
    size = models.PositiveIntegerField(help_text="Bytes")
    rows = models.PositiveIntegerField()
    created = models.PositiveIntegerField(help_text="Rows saved as new evidence")
    unchanged = models.PositiveIntegerField(help_text="Rows already recorded: skipped as resends")
    rejected = models.PositiveIntegerField(help_text="Rows refused, each with its problems")
    # Every problem, in row order: [row, field, message].
    problems = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.uploaded_at:%Y-%m-%d %H:%M})"


class Change(models.Model):
    """One line of the change feed: a record of some kind changed, or who may see it did.

    Written only by database triggers (migration `0005_change_feed`), in the same
    transaction as the change itself, whoever makes it: a service, the admin, a
    bulk import, a merge. A line gets its `position` only once it is committed,
    from the feed's sequencer (`partners.feed`), so positions appear in order and
    a reader never moves past a line that commits later.
    """

    kind = models.CharField(max_length=20)
    record_id = models.BigIntegerField()
    family_id = models.BigIntegerField(null=True)
    position = models.BigIntegerField(null=True, unique=True)
    at = models.DateTimeField(db_default=models.functions.Now())

    class Meta:
        indexes = [
            models.Index(
                fields=["id"], name="change_unsequenced", condition=models.Q(position__isnull=True)
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.record_id} at {self.position}"


class FeedSight(models.Model):
    """What the change feed has shown a user (a client's system user) as visible.

    A tombstone goes only to those who saw the record, so the feed never tells a
    client that a record it could not see was changed or deleted.
    """

    user = models.ForeignKey("earlyhelp.User", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    record_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "record_id"], name="feed_sight_once")
        ]

    def __str__(self):
        return f"{self.user_id} saw {self.kind} {self.record_id}"
