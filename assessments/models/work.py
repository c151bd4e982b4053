"""The work readiness "conversation tool" and the weekly employment triage panel (DOMAIN §7).

The seed (002, §3.4.5) says only that the Conversation Tool "was based upon a
'Work Readiness Assessment' and provides workers with a structure and language
to use to discuss work and aspirations with families. The tool supports the
identification of steps that can be taken in order to achieve 'progress to
work' and in addition is accepted as a referral form for more intensive
support". It does not list its questions, so the structure here is our own
small choice: the adult's work situation and benefits now, the work they
would like, what gets in the way, the progress-to-work steps already taken
(the list is the outcomes plan's own, outcome 3.2), the next steps agreed,
and their agreement to be referred. A completed conversation is the referral:
"a completed conversation tool acts as the referral for both providers".

"The Triage Panel is held weekly … to consider all referrals for support and
make a decision regarding which team will pick it up"; "some cases cannot be
allocated – reasons include the family member already being in work,
families moving out of area etc". The decision lives on the conversation and
is written once, by a conditional UPDATE (assessments.work_services).
"""

from django.db import models
from django.db.models import Q

from cases.models import Episode, Person
from earlyhelp.models import User


class EmploymentProvider(models.Model):
    """Who a triage panel may allocate a referral to: data, kept in the admin."""

    name = models.CharField(max_length=120, unique=True)
    is_active = models.BooleanField(
        default=True, help_text="Inactive providers keep their past allocations."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class WorkSituation(models.TextChoices):
    LOOKING = "looking", "Not working, looking for work"
    NOT_LOOKING = "not_looking", "Not working, not looking for work now"
    CARING = "caring", "Not working, caring for children or someone else"
    SICK = "sick", "Not working because of health or disability"
    PART_TIME = "part_time", "Working fewer than 16 hours a week"
    EDUCATION = "education", "In education or training"


class Benefit(models.TextChoices):
    UC = "uc", "Universal Credit"
    JSA = "jsa", "Jobseeker's Allowance"
    ESA = "esa", "Employment and Support Allowance"
    IS = "is", "Income Support"
    NONE = "none", "None of these"


class Barrier(models.TextChoices):
    CHILDCARE = "childcare", "Childcare"
    CARING = "caring", "Caring for someone"
    HEALTH = "health", "Health or disability"
    SKILLS = "skills", "Skills or qualifications"
    ENGLISH = "english", "English language"
    CONFIDENCE = "confidence", "Confidence"
    TRANSPORT = "transport", "Transport"
    HOUSING = "housing", "Housing"
    MONEY = "money", "Debt or money worries"
    RECORD = "record", "A criminal record"
    ID = "id", "No ID or bank account"


class ProgressStep(models.TextChoices):
    """The outcomes plan's steps towards work (FOP v9, outcome 3.2), in its own words."""

    ID = "id", "Obtained ID (passport, birth certificate, driving licence)"
    BANK = "bank", "Opened a bank account"
    SANCTIONS = "sanctions", "Benefit sanctions reviewed or lifted"
    CHILDCARE = "childcare", "Organised childcare"
    RESPITE = "respite", "Organised respite care"
    SKILLS_START = "skills_start", "Started skills training"
    SKILLS_DONE = "skills_done", "Completed basic skills training"
    EMAIL = "email", "Created a professional email address"
    CV = "cv", "Written a CV"
    JOB_SITE = "job_site", "Registered with a job brokering website"
    AGENCY = "agency", "Registered with an employment agency"
    PLACEMENT_START = "placement_start", "Started a work experience placement or volunteering"
    PLACEMENT_DONE = "placement_done", "Completed or kept up a work experience placement"


class NotAllocated(models.TextChoices):
    IN_WORK = "in_work", "Already in work"
    MOVED = "moved", "Moved away"
    DECLINED = "declined", "Declined support"
    OTHER = "other", "Other reason"


class WorkConversation(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        COMPLETED = "completed", "Completed"

    episode = models.ForeignKey(
        Episode, on_delete=models.CASCADE, related_name="work_conversations"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)

    situation = models.CharField(max_length=12, choices=WorkSituation.choices, blank=True)
    benefits = models.JSONField(default=list, blank=True)
    aspirations = models.TextField(blank=True)
    barriers = models.JSONField(default=list, blank=True)
    steps_taken = models.JSONField(default=list, blank=True)
    next_steps = models.TextField(blank=True)
    agrees_to_referral = models.BooleanField(default=False)

    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    completed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    # The triage panel's decision on the referral: a provider, or why none.
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        EmploymentProvider,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    not_allocated_reason = models.CharField(max_length=10, choices=NotAllocated.choices, blank=True)
    not_allocated_detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(
                fields=["completed_at"],
                name="work_conversation_awaiting",
                condition=Q(status="completed", decided_at__isnull=True),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", completed_at__isnull=True)
                | Q(status="completed", completed_at__isnull=False, agrees_to_referral=True),
                name="work_conversation_completed_has_date",
            ),
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True, provider__isnull=True, not_allocated_reason="")
                | Q(decided_at__isnull=False, status="completed")
                & (
                    Q(provider__isnull=False, not_allocated_reason="")
                    | Q(provider__isnull=True) & ~Q(not_allocated_reason="")
                ),
                name="work_conversation_one_decision",
            ),
        ]

    def __str__(self):
        return f"Work conversation with {self.person} on {self.held_on}"

    @property
    def decision_label(self) -> str:
        if self.decided_at is None:
            return "Awaiting the triage panel" if self.status == self.Status.COMPLETED else ""
        if self.provider_id:
            return f"Allocated to {self.provider}"
        reason = NotAllocated(self.not_allocated_reason).label
        if self.not_allocated_detail:
            reason = f"{reason}: {self.not_allocated_detail}"
        return f"Not allocated ({reason})"
