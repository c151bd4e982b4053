"""The hub's decision on a request, and the allocation of a lead (DOMAIN §2, §4 steps 2–3)."""

from datetime import timedelta

from django.db import models

from earlyhelp.models import Organisation, User

from .episode import Episode, no_lead_label
from .request import SupportRequest


class Priority(models.TextChoices):
    P1 = "p1", "P1 – safeguarding, urgent: step up to children's social care"
    P2 = "p2", "P2 – safeguarding: step up to children's social care"
    P3A = "p3a", "P3a – targeted early help, multi-agency: assessment and team around the family"
    P3B = "p3b", "P3b – targeted early help, a single service"
    ADVICE = "advice", "Advice or signposting, then close the request"
    NFA = "nfa", "No further action: close the request"


SHORT_NAMES = {
    Priority.P1: "P1",
    Priority.P2: "P2",
    Priority.P3A: "P3a",
    Priority.P3B: "P3b",
    Priority.ADVICE: "Advice",
    Priority.NFA: "No further action",
}

# Where the request goes next after each decision.
STATUS_AFTER = {
    Priority.P1: SupportRequest.Status.STEPPED_UP,
    Priority.P2: SupportRequest.Status.STEPPED_UP,
    Priority.P3A: SupportRequest.Status.AWAITING_ALLOCATION,
    Priority.P3B: SupportRequest.Status.AWAITING_ALLOCATION,
    Priority.ADVICE: SupportRequest.Status.CLOSED,
    Priority.NFA: SupportRequest.Status.CLOSED,
}


class TriageDecision(models.Model):
    """One decision per request, with the reasons and how long the family waited for it."""

    request = models.OneToOneField(
        SupportRequest, on_delete=models.CASCADE, related_name="decision"
    )
    priority = models.CharField(max_length=10, choices=Priority.choices)
    rationale = models.TextField()
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="triage_decisions")
    decided_at = models.DateTimeField()
    # Kept, not computed, so reports of "time from request to decision" (DOMAIN §9)
    # are a plain aggregate.
    time_to_decision = models.DurationField()

    class Meta:
        ordering = ["-decided_at"]
        indexes = [models.Index(fields=["decided_by", "-decided_at"], name="decision_by")]

    def __str__(self):
        return f"{self.short_name} for {self.request_id}"

    @property
    def short_name(self) -> str:
        return SHORT_NAMES[self.priority]

    @property
    def waited(self) -> str:
        """The time to decision in words a person reads: "2 days 3 hours", "40 minutes"."""
        return describe_duration(self.time_to_decision)


def describe_duration(duration: timedelta) -> str:
    minutes = max(0, int(duration.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [(days, "day"), (hours, "hour")] if days else [(hours, "hour"), (minutes, "minute")]
    words = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n]
    return " ".join(words) or "under a minute"


class Allocation(models.Model):
    """The hub picks the lead agency; this opens the family's episode (DOMAIN §4 step 3).

    "The lead agency names the lead practitioner": the hub names one itself only if they are
    already engaged with the family (`cases.front_door.selectors.engaged_practitioners`);
    otherwise the agency's team manager names them later (`named_by`, `named_at`). A P3b
    single-service response goes to the agency with no named lead at all.
    """

    request = models.OneToOneField(
        SupportRequest, on_delete=models.PROTECT, related_name="allocation"
    )
    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="allocation")
    lead_agency = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="allocations"
    )
    # Blank until a lead is named (never, for a single-service response).
    lead_practitioner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The practitioner's caseload when they were chosen, against the target then.
    caseload_then = models.PositiveIntegerField(null=True, blank=True)
    allocated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="allocations")
    allocated_at = models.DateTimeField()
    # Who named the lead practitioner, and when: the hub at allocation, or a team manager.
    named_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="leads_named"
    )
    named_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-allocated_at"]

    def __str__(self):
        return f"{self.request_id} to {self.lead_agency_id}"

    @property
    def lead_label(self) -> str:
        if self.lead_practitioner_id:
            return str(self.lead_practitioner)
        return no_lead_label(self.lead_agency, single_service=self.episode.single_service)


class OpenEpisodeResolution(models.Model):
    """What the hub did with a request for a family whose episode was already open: added it
    to that episode, passed it to its lead practitioner, or closed it with a reason."""

    class Outcome(models.TextChoices):
        ADDED = "added", "Add it to the open episode"
        PASSED = "passed", "Pass it to the lead practitioner"
        CLOSED = "closed", "Close it"

    request = models.OneToOneField(
        SupportRequest, on_delete=models.PROTECT, related_name="open_episode_resolution"
    )
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="resolutions")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    # The lead when the hub decided: the one told, and the one the chronology names.
    lead_practitioner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True, max_length=2000)
    resolved_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField()

    class Meta:
        ordering = ["-resolved_at"]

    def __str__(self):
        return f"{self.request_id}: {self.outcome}"


# The request's status once the hub has resolved it, and that status in the hub's words.
STATUS_AFTER_RESOLUTION = {
    OpenEpisodeResolution.Outcome.ADDED: SupportRequest.Status.ADDED_TO_EPISODE,
    OpenEpisodeResolution.Outcome.PASSED: SupportRequest.Status.PASSED_TO_LEAD,
    OpenEpisodeResolution.Outcome.CLOSED: SupportRequest.Status.CLOSED_BY_HUB,
}
RESOLVED_IN_WORDS = {
    SupportRequest.Status.ADDED_TO_EPISODE: "added to the open episode",
    SupportRequest.Status.PASSED_TO_LEAD: "passed to the lead practitioner",
    SupportRequest.Status.CLOSED_BY_HUB: "closed",
}
