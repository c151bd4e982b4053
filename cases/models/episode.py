"""An episode: one early help intervention, from allocation to closure (DOMAIN §3)."""

import pghistory
from django.db import models

from earlyhelp.models import Organisation, User

from .family import Family


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    model_name="EpisodeEvent",
    exclude=["review_counted_from"],  # kept by the database from the reviews: not a change
)
class Episode(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="episodes")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    lead_agency = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="episodes"
    )
    lead_practitioner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="led_episodes"
    )
    # P3b (DOMAIN §2): "targeted early help, simple single-service response … straight to one
    # service", so the lead agency holds the episode and no lead practitioner is named.
    single_service = models.BooleanField(default=False)
    closure_reason = models.CharField(max_length=40, blank=True)
    # The later of the start and the latest review: the date the next review is counted from
    # (the review interval later, a service setting: earlyhelp.policy). Kept by the database
    # (migration 0011's triggers on this table and on reviews), whoever writes either, so a
    # manager's home finds and counts overdue reviews from one index rather than looking up
    # each episode's latest review. The interval is not in the database's value: a change of
    # the setting moves every due date at once, with nothing to recompute.
    review_counted_from = models.DateField(null=True, editable=False)

    class Meta:
        ordering = ["family", "-started_on"]
        indexes = [
            models.Index(
                fields=["lead_practitioner", "family"],
                name="episode_open_lead",
                condition=models.Q(status="open"),
            ),
            # Open episodes by start: a manager's overdue reviews and cases open long, oldest
            # first, read in order (workspace/home_selectors.py).
            models.Index(
                fields=["started_on", "id"],
                name="episode_open_started",
                condition=models.Q(status="open"),
            ),
            # A team's open episodes counted by their leads, from the index alone: a
            # manager's home counts thousands (workspace/home_selectors._first_episodes).
            models.Index(
                fields=["lead_practitioner", "started_on"],
                include=["id", "review_counted_from"],
                name="episode_open_by_lead",
                condition=models.Q(status="open"),
            ),
            # Open episodes by the date their next review is counted from: the overdue first.
            models.Index(
                fields=["review_counted_from", "id"],
                name="episode_open_review",
                condition=models.Q(status="open"),
            ),
        ]
        constraints = [
            # A family has at most one open episode at a time.
            models.UniqueConstraint(
                fields=["family"],
                condition=models.Q(status="open"),
                name="episode_one_open_per_family",
                violation_error_message="This family already has an open episode",
            )
        ]

    def __str__(self):
        return f"Episode {self.pk} of {self.family_id} from {self.started_on}"

    @property
    def lead_label(self) -> str:
        """Who leads, in the words every page uses, whether or not a lead is named."""
        if self.lead_practitioner_id:
            return str(self.lead_practitioner)
        return no_lead_label(self.lead_agency, single_service=self.single_service)


def no_lead_label(agency, *, single_service: bool) -> str:
    """What a page says where an episode or allocation has no named lead practitioner."""
    if agency is None:
        return "Not allocated"
    if single_service:
        return f"No named lead: single-service response by {agency}"
    return f"Allocated to {agency}, waiting for a lead practitioner"


class TafMember(models.Model):
    """A practitioner on the team around the family while the episode is open."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="taf_members")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="taf_memberships")
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["user", "episode"],
                name="taf_current_user",
                condition=models.Q(left_on__isnull=True),
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "user"],
                condition=models.Q(left_on__isnull=True),
                name="taf_member_once",
                violation_error_message="This person is already on the team",
            )
        ]

    def __str__(self):
        return f"{self.user_id} on {self.episode_id}"
