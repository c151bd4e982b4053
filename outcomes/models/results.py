"""What the nightly job keeps: each run, its chunks, and each family's results (DOMAIN §8).

A family's results are kept as a chain of rows: a new row only when the engine's answer differs
from the family's current one (compared by a digest of the answer without its as-of date), so a
re-run writes nothing and "what changed since last night" is the set of rows a run wrote. A row
keeps the decision, not its explanation (`outcomes.decisions`, `outcomes.explanations`).

The current row also says until when its answer stands if no record changes, and the job is told
whose records changed by `FamilyChange` rows, which triggers add in the writer's transaction:
a night judges only those families and the ones whose answer no longer stands.
"""

import msgspec
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Now

from cases.models import Family
from earlyhelp.models import User

from ..decisions import Decision, decision_from_json, decision_json


class NightlyRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        ABANDONED = "abandoned", "Stopped part-way (a later run completed the work)"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Nightly schedule"
        COMMAND = "command", "Command line"
        PAGE = "page", "Started from the runs page"

    as_of = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    started_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    only_family = models.ForeignKey(
        Family, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    # Progress, kept up to date by each chunk as it finishes.
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    families_total = models.PositiveIntegerField(default=0)
    families_done = models.PositiveIntegerField(default=0)
    results_written = models.PositiveIntegerField(default=0)
    # Families passed over (and counted done from the start): nothing they are judged on changed
    # since they were last judged, and their answer stands on this run's date.
    families_unchanged = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"Run {self.pk} as of {self.as_of} ({self.status})"

    @property
    def percent_done(self) -> int:
        if not self.families_total:
            return 100 if self.status == self.Status.COMPLETED else 0
        return int(100 * self.families_done / self.families_total)


class NightlyChunk(models.Model):
    """A slice of the attached families, taken by exactly one worker (claimed by a conditional
    UPDATE, so two workers never take the same chunk)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        TAKEN = "taken", "Being worked on"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    run = models.ForeignKey(NightlyRun, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    family_ids = ArrayField(models.BigIntegerField())
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    taken_by = models.CharField(max_length=200, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    written = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "number"]
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="nightly_chunk_once")]

    def __str__(self):
        return f"Chunk {self.number} of run {self.run_id} ({self.status})"


class ClaimStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    CLAIMABLE = "claimable", "Claimable"
    CLAIMED = "claimed", "Claimed"
    NOT_CLAIMABLE = "not_claimable", "Not claimable"


class DecisionField(models.Field):
    """A `Decision` as PostgreSQL `json`: its text as written, a third smaller than `jsonb` for
    a decision made of short lists, and still readable (`decision->'outcomes'`) in SQL."""

    description = "A family's compact decision (outcomes.decisions.Decision) as JSON"

    def db_type(self, connection):
        return "json"

    def from_db_value(self, value, expression, connection):
        if value is None or isinstance(value, Decision):
            return value
        if isinstance(value, str | bytes):
            return decision_from_json(value)
        return msgspec.convert(value, Decision)  # psycopg2 hands `json` back decoded

    def to_python(self, value):
        return self.from_db_value(value, None, None)

    def get_prep_value(self, value):
        return decision_json(value) if isinstance(value, Decision) else value

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))


class FamilyResult(models.Model):
    """One family's decision as the engine gave it, kept until the engine's answer changes.

    The claim status, its date, route and reasons, the problems evidenced and the outcome counts
    are columns, for lists to filter, sort and count; the rest of the decision (each outcome's
    dates and the evidence each decision cited) is `decision`. The explanation is not kept: it
    is worked out again from the records when someone reads it, and `digest` (of the engine's
    whole answer, explanation included) says whether it still matches."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="results")
    attachment = models.ForeignKey(
        "outcomes.Attachment", on_delete=models.PROTECT, related_name="results"
    )
    run = models.ForeignKey(NightlyRun, on_delete=models.PROTECT, related_name="results")
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next"
    )
    is_current = models.BooleanField(default=True)
    as_of = models.DateField()
    plan_version = models.PositiveIntegerField()
    digest = models.CharField(max_length=32)  # blank: kept before digests covered explanations
    claim_status = models.CharField(max_length=14, choices=ClaimStatus.choices)
    claimable_since = models.DateField(null=True, blank=True)
    claim_route = models.PositiveSmallIntegerField(null=True, blank=True)
    reasons = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    problems = ArrayField(models.CharField(max_length=4), default=list, blank=True)
    outcomes_sustained = models.PositiveSmallIntegerField(default=0)
    outcomes_applying = models.PositiveSmallIntegerField(default=0)
    # What the reports count, as columns so they count in SQL (issue 17): the outcomes met and
    # sustained, and the headline problems whose required outcomes all are (the engine's own
    # judgement of each problem, `ProblemResult.sustained`).
    sustained_outcomes = ArrayField(models.CharField(max_length=5), default=list, blank=True)
    problems_achieved = ArrayField(models.CharField(max_length=4), default=list, blank=True)
    # The headline problems identified for the attachment (at engagement and during the
    # intervention), and whether its case is closed or processed (the episode closed by the
    # as-of date, or a results claim made): seed 002 Table 7's "cases triggered" and "cases
    # closed/processed".
    problems_identified = ArrayField(models.CharField(max_length=4), default=list, blank=True)
    processed = models.BooleanField(default=False)
    decision = DecisionField()
    written_at = models.DateTimeField(auto_now_add=True)
    # The answer was last judged as of `judged_on` (by the run that wrote it, or a later one
    # that gave it again) and stands from then until the day before `stands_until` (None: no
    # date alone can change it) if no record changes: the engine's date, or earlier where a
    # record the snapshot leaves out comes into view first. None on rows from before either.
    judged_on = models.DateField(null=True, blank=True)
    stands_until = models.DateField(null=True, blank=True)
    # The version of the rules (`outcomes.rules_version`) that gave the answer: a night judges
    # again every answer another version gave. Blank on rows from before it was kept.
    rules_version = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["family", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["family"],
                condition=models.Q(is_current=True),
                name="one_current_result_per_family",
            )
        ]
        indexes = [
            models.Index(
                fields=["claim_status", "claimable_since"],
                condition=models.Q(is_current=True),
                name="current_result_by_status",
            ),
            # What the outcome reports count, read from the index alone (the rows are wide:
            # each holds its decision).
            models.Index(
                fields=["attachment"],
                include=[
                    "problems_identified",
                    "processed",
                    "problems_achieved",
                    "sustained_outcomes",
                ],
                condition=models.Q(is_current=True),
                name="current_result_counted",
            ),
        ]

    def __str__(self):
        return f"{self.family_id}: {self.claim_status} as of {self.as_of}"

    @property
    def last_judged_on(self):
        """The latest date the engine gave this answer: a later night that found the same
        answer moves `judged_on`, not `as_of`, so an explanation is worked out as of then."""
        return self.judged_on or self.as_of


class FamilyChange(models.Model):
    """A family whose records changed since the nightly job last judged it: added by triggers
    (migration 0009) in the same transaction as the write, by every writer of a table a family's
    snapshot reads; taken away by the chunk that judges the family again, in the transaction
    that writes its answer. Writers only ever add rows, so none waits on another or on the job.
    `family_id` is no foreign key: a trigger may name a family before it is attached."""

    family_id = models.BigIntegerField()
    source = models.CharField(max_length=63)  # the table whose write marked the family
    at = models.DateTimeField(db_default=Now())

    class Meta:
        indexes = [models.Index(fields=["family_id"], name="family_change_family")]

    def __str__(self):
        return f"Family {self.family_id} changed ({self.source})"
