"""People and organisations: localities, partner agencies, teams, users and their roles.

DOMAIN.md §1 names the roles; §3 the localities (configurable: a county has
districts, a city clusters) and each agency's tier in the need analysis. The service's settings
administrators change in pages (`ServicePolicy`, issue 18).
"""

import pghistory
import pgtrigger
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Lower


class RefuseTruncate(pgtrigger.Trigger):
    """pgtrigger.Protect for TRUNCATE, which empties a table without firing its DELETE triggers.

    Protect cannot say this itself: TRUNCATE fires only statement-level triggers,
    and Protect's statement-level form needs rows to look at. Put beside a
    Protect on DELETE wherever rows must never go.
    """

    level = pgtrigger.Statement
    when = pgtrigger.Before
    operation = pgtrigger.Truncate
    func = "RAISE EXCEPTION 'pgtrigger: Cannot truncate % table', TG_TABLE_NAME;"


class Locality(models.Model):
    """A district, cluster or area that cases and dashboards are cut by."""

    class Kind(models.TextChoices):
        DISTRICT = "district", "District"
        CLUSTER = "cluster", "Cluster"
        AREA = "area", "Area"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DISTRICT)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "localities"

    def __str__(self):
        return self.name


class Organisation(models.Model):
    """A partner agency. Its tier feeds the need analysis (DOMAIN §3, configurable)."""

    class Kind(models.TextChoices):
        SOCIAL_CARE = "social_care", "Children's social care"
        FAMILY_SUPPORT = "family_support", "Children centres and family support"
        MST = "mst", "Multi-Systemic Therapy"
        EDUCATION = "education", "School or education service"
        HEALTH = "health", "Health"
        POLICE = "police", "Police"
        YOUTH_JUSTICE = "youth_justice", "Youth offending or targeted youth support"
        PROBATION = "probation", "Probation"
        EMPLOYMENT = "employment", "Employment and benefits"
        HOUSING = "housing", "Housing"
        VOLUNTARY = "voluntary", "Voluntary sector"
        COUNCIL = "council", "Other council service"

    class Tier(models.IntegerChoices):
        TIER_1 = 1, "Tier 1 – social care (most acute)"
        TIER_2 = 2, "Tier 2 – children centres, family support, MST"
        TIER_3 = 3, "Tier 3 – all other agencies"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @staticmethod
    def default_tier(kind: str) -> int:
        """The sources' tiers; an administrator may set another per agency."""
        if kind == Organisation.Kind.SOCIAL_CARE:
            return Organisation.Tier.TIER_1
        if kind in (Organisation.Kind.FAMILY_SUPPORT, Organisation.Kind.MST):
            return Organisation.Tier.TIER_2
        return Organisation.Tier.TIER_3


class Team(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, null=True, blank=True, related_name="teams"
    )

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="team_unique_per_org",
                violation_error_message="This organisation already has a team with this name",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.organisation})"


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    HUB = "hub", "Allocations hub"
    MANAGER = "manager", "Manager"
    PROGRAMME = "programme", "Programme team"
    AUDITOR = "auditor", "Auditor"
    ADMINISTRATOR = "administrator", "Administrator"


class User(AbstractUser):
    """A person who signs in. Partner systems sign in as `partners.ApiClient`, not as users."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PRACTITIONER)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    managed_teams = models.ManyToManyField(
        Team,
        blank=True,
        related_name="managers",
        help_text="For managers: the teams whose caseloads they oversee.",
    )
    job_title = models.CharField(max_length=200, blank=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ci",
                condition=~models.Q(email=""),
                violation_error_message="Another user already has this email address.",
            )
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def organisation(self):
        return self.team.organisation if self.team_id else None

    @property
    def needs_two_factor(self) -> bool:
        from django.conf import settings

        return self.role in settings.TWO_FACTOR_ROLES

    @property
    def is_administrator(self) -> bool:
        return self.is_active and self.role == Role.ADMINISTRATOR


class UserSession(models.Model):
    """Which sessions a user holds, so that deactivating a leaver can end them all."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    def __str__(self):
        return f"{self.user} since {self.created_at:%Y-%m-%d %H:%M}"


class AuditEntry(models.Model):
    """Who saw or changed which family or person, when, from where, and what the gate said.

    Append-only: PostgreSQL triggers refuse UPDATE, DELETE and TRUNCATE on this
    table, whoever asks (tested against the real database); the service's own
    database role may only read and add to it (`earlyhelp.db_roles`).
    """

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", "Allowed"
        NOT_FOUND = "not_found", "Refused: not visible (404)"
        FORBIDDEN = "forbidden", "Refused: action not allowed (403)"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    api_client = models.ForeignKey(
        "partners.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=30)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    # Plain ids, not foreign keys: an entry outlives what it names, and a
    # refused request may name an id that does not exist.
    family_id = models.BigIntegerField(null=True, blank=True)
    person_id = models.BigIntegerField(null=True, blank=True)
    # A list or search page records every family it showed in one entry.
    listed_family_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    listed_person_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    path = models.CharField(max_length=500, blank=True)
    method = models.CharField(max_length=10, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["family_id", "-at"], name="audit_family"),
            models.Index(fields=["person_id", "-at"], name="audit_person"),
            GinIndex(fields=["listed_family_ids"], name="audit_listed"),
            GinIndex(fields=["listed_person_ids"], name="audit_listed_persons"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="audit_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
            RefuseTruncate(name="audit_never_truncated"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.outcome}"


class BreakGlass(models.Model):
    """An administrator's emergency access to one family: a written reason, an expiry, flagged.

    DOMAIN §1: administrators see no families by default; "break-glass"
    access needs a written reason, expires, and is flagged to managers.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="break_glass")
    family = models.ForeignKey("cases.Family", on_delete=models.PROTECT, related_name="break_glass")
    reason = models.TextField()
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at"]
        verbose_name_plural = "break-glass access"

    def __str__(self):
        return f"{self.user} to {self.family_id} until {self.expires_at:%Y-%m-%d %H:%M}"


# (least, most) of each service setting: the form's messages and the table's checks say the same.
REVIEW_INTERVAL_WEEKS = (2, 26)
HUB_RECENT_TRIAGE_DAYS = (1, 90)
CASELOAD_TARGET = (1, 50)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    model_name="ServicePolicyEvent",
)
class ServicePolicy(models.Model):
    """The service's settings that administrators change in pages (issue 18), with who changed
    what and when (django-pghistory). One row, which a data migration makes; the database's
    own reads (the gate's window after triage) read it in the same query, so a change holds
    from the next request in every process, with no restart (earlyhelp/policy.py)."""

    ONE = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=ONE, editable=False)
    # A plan is reviewed this many weeks after the last review (or the episode's start); then
    # the review is overdue (DOMAIN §4 step 5, configurable: "every 6–12 weeks").
    review_interval_weeks = models.PositiveSmallIntegerField(default=8)
    # Hub staff see families with a request in the queue or triaged this many days ago
    # (DOMAIN §1, configurable), as they do step-ups, step-downs and employment referrals.
    hub_recent_triage_days = models.PositiveSmallIntegerField(default=30)
    # The number of open families a lead practitioner is expected to hold (DOMAIN §9:
    # intensive workers hold about 10): each worker's caseload is shown against it.
    caseload_target = models.PositiveSmallIntegerField(default=10)

    class Meta:
        verbose_name = "service settings"
        verbose_name_plural = "service settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="service_policy_one_row"),
            models.CheckConstraint(
                condition=models.Q(review_interval_weeks__range=REVIEW_INTERVAL_WEEKS),
                name="service_policy_review_interval",
            ),
            models.CheckConstraint(
                condition=models.Q(hub_recent_triage_days__range=HUB_RECENT_TRIAGE_DAYS),
                name="service_policy_hub_window",
            ),
            models.CheckConstraint(
                condition=models.Q(caseload_target__range=CASELOAD_TARGET),
                name="service_policy_caseload_target",
            ),
        ]
        triggers = [pgtrigger.Protect(name="service_policy_kept", operation=pgtrigger.Delete)]

    def __str__(self):
        return "Service settings"
