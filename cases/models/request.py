"""A request for support: how every family's early help starts (DOMAIN §2, §4 step 1).

It comes from a professional's multi-agency request form, a family's own
request for service, or social care stepping a case down (§4 step 8), and
waits in the hub's queue until it is triaged and, for P3a and P3b, allocated.
"""

from django.db import models

from earlyhelp.models import Locality, Organisation, User

from .family import Family, FamilyMember
from .person import Person


class SupportRequest(models.Model):
    class Kind(models.TextChoices):
        MULTI_AGENCY = "multi_agency", "Multi-agency request from a professional"
        FAMILY = "family", "The family's own request for service"
        STEP_DOWN = "step_down", "Step-down from children's social care"

    class Status(models.TextChoices):
        AWAITING_TRIAGE = "awaiting_triage", "Awaiting triage"
        AWAITING_ALLOCATION = "awaiting_allocation", "Awaiting allocation"
        ALLOCATED = "allocated", "Allocated"
        STEPPED_UP = "stepped_up", "Passed to children's social care"
        CLOSED = "closed", "Closed at triage"
        # A request for a family whose episode is already open (issue 18): the hub's three
        # ways forward instead of a second episode (`support_request_resolve_open`).
        ADDED_TO_EPISODE = "added_to_episode", "Added to the open episode"
        PASSED_TO_LEAD = "passed_to_lead", "Passed to the lead practitioner"
        CLOSED_BY_HUB = "closed_by_hub", "Closed by the hub"

    # The hub's work on the request is not done while it is in one of these.
    WAITING = (Status.AWAITING_TRIAGE, Status.AWAITING_ALLOCATION)

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MULTI_AGENCY)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_TRIAGE)
    received_at = models.DateTimeField()
    triaged_at = models.DateTimeField(null=True, blank=True)

    # Who asked: an agency's professional, or (no agency) the family itself.
    source_agency = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_role = models.CharField(
        max_length=200, blank=True, help_text="A job title, or a relationship to the children."
    )
    referrer_phone = models.CharField(max_length=40, blank=True)
    referrer_email = models.EmailField(blank=True)
    # Who typed it in; for a request from a partner system, its client's system user.
    submitted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="support_requests"
    )
    reason = models.TextField(blank=True)

    # Where the family lives, as the request gave it: the queue is cut by this
    # locality, and the hub compares the address with the family's record.
    address_line = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [
            models.Index(fields=["status", "triaged_at"], name="request_queue"),
            models.Index(fields=["status", "received_at"], name="request_waiting"),
            # The hub's relation: waiting (request_waiting), or triaged lately (this one).
            models.Index(fields=["triaged_at"], name="request_triaged"),
            # The queue, oldest first: a page reads its rows in order and stops.
            models.Index(
                fields=["received_at", "id"],
                condition=models.Q(status__in=["awaiting_triage", "awaiting_allocation"]),
                name="request_waiting_oldest",
            ),
            models.Index(fields=["submitted_by", "-received_at"], name="request_submitter"),
        ]

    def __str__(self):
        return f"Request {self.reference}"

    @property
    def reference(self) -> str:
        return f"R{self.pk:07d}" if self.pk else "R-new"

    @property
    def is_step_down(self) -> bool:
        return self.kind == self.Kind.STEP_DOWN

    @property
    def source(self) -> str:
        """Where it came from, as the queue shows it."""
        if self.kind == self.Kind.FAMILY:
            return "The family"
        return str(self.source_agency) if self.source_agency_id else "Not known"


class SupportRequestMember(models.Model):
    """A person the request is about, with the concerns the referrer has for them."""

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="requests")
    role = models.CharField(max_length=20, choices=FamilyMember.Role.choices)
    relationship = models.CharField(max_length=100, blank=True)
    concerns = models.TextField(blank=True)
    # The name as the referrer wrote it: "Your requests" shows this, never the
    # name on a record they were matched to.
    name_as_given = models.CharField(max_length=300)
    matched_existing = models.BooleanField(
        default=False, help_text="Linked to a record we already held, not a new one."
    )

    class Meta:
        # No "once per request" rule: a person typed twice as new records must
        # still merge into one (the merge moves this link to the survivor).
        ordering = ["request", "id"]

    def __str__(self):
        return f"{self.person_id} in {self.request_id}"
