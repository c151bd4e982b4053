"""The family snapshot: everything the engine may look at, as plain frozen dataclasses.

The database side builds one `FamilySnapshot` per family from its records and hands it to
`evaluate`. Nothing here knows about the ORM, and the engine never looks outside the snapshot, so
the same snapshot always gives the same result. `as_of` is the only "today" the engine knows.

Dates are `datetime.date`. An evidence item's `values` dict is treated as read-only; the keys each
kind needs are listed in `kinds.EVIDENCE_KINDS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

ROLES = ("child", "parent_carer", "other_adult")
STAGES = ("engagement", "intervention")
# Closure reasons of an episode (DOMAIN §4 step 7).
CLOSURE_REASONS = (
    "needs_met",
    "stepped_up",
    "stepped_down",
    "moved_out_of_area",
    "withdrew_consent",
    "disengaged",
    "transferred",
)
CLAIM_ROUTES = (1, 2)


@dataclass(frozen=True, slots=True)
class Member:
    """A person in the household. `parenting_responsibilities` defaults from the role."""

    person_id: str
    date_of_birth: date
    role: str  # one of ROLES
    parenting_responsibilities: bool | None = None

    @property
    def is_parent(self) -> bool:
        if self.parenting_responsibilities is not None:
            return self.parenting_responsibilities
        return self.role == "parent_carer"


@dataclass(frozen=True, slots=True)
class ProblemIdentified:
    """A headline problem recorded on the family, evidenced by one indicator of the plan.

    `stage` says whether it was identified at engagement or during the intervention: both must be
    met for a significant-and-sustained-progress claim. `evidence_ids` names the items that show
    the indicator; left empty, the engine looks through all evidence of the indicator's kinds.
    """

    problem: str  # "1" … "6"
    indicator: str  # "1.1" … "6.8"
    person_id: str | None
    identified_on: date
    stage: str  # one of STAGES
    evidence_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One piece of evidence: a fact from a data feed or a practitioner's recorded judgement.

    Point events (an offence, an exclusion, an assessment) have `period_end` equal to
    `period_start`, which is the date of the event. Spells (a benefit claim, a job, a placement)
    leave `period_end` as None while they continue. A correction is a new item that `supersedes`
    the old one; the old one is never changed or deleted.
    """

    id: str
    kind: str
    person_id: str | None
    period_start: date
    period_end: date | None
    recorded_on: date
    source: str
    recorded_by: str
    values: dict = field(default_factory=dict)
    supersedes: str | None = None


@dataclass(frozen=True, slots=True)
class Episode:
    started_on: date
    ended_on: date | None = None
    closure_reason: str | None = None  # one of CLOSURE_REASONS once closed


@dataclass(frozen=True, slots=True)
class Attachment:
    attached_on: date
    plan_version: int
    lead_agency: str


@dataclass(frozen=True, slots=True)
class FamilyWorking:
    """The four family-working principles a family must show to be attached (DOMAIN §8)."""

    whole_family_assessment: bool
    plan_covers_all_members: bool
    named_lead_worker: bool
    objectives_aligned: bool


@dataclass(frozen=True, slots=True)
class PreviousClaim:
    """A results claim already made. `attached_on` names the attachment it was made against."""

    route: int  # 1 significant and sustained progress, 2 continuous employment
    claimed_on: date
    attached_on: date


@dataclass(frozen=True, slots=True)
class SchoolTerm:
    name: str  # e.g. "2018 autumn"
    starts_on: date
    ends_on: date


@dataclass(frozen=True, slots=True)
class ProgrammeYear:
    """A programme year (April to March, DOMAIN §12): when results are claimed in it and for how
    much. Not part of the outcomes plan: a plan version says what success is, a programme year
    says when and for how much it is claimed."""

    starts_on: date
    ends_on: date
    attachment_fee: int
    results_payment: int
    claim_windows: tuple = ()  # of plan.ClaimWindow, in date order


@dataclass(frozen=True, slots=True)
class FamilySnapshot:
    family_id: str
    as_of: date
    members: tuple[Member, ...]
    problems_identified: tuple[ProblemIdentified, ...]
    evidence: tuple[EvidenceItem, ...]
    episode: Episode
    attachment: Attachment | None = None
    family_working: FamilyWorking | None = None
    previous_claims: tuple[PreviousClaim, ...] = ()
    school_terms: tuple[SchoolTerm, ...] = ()
    # The programme years, one shared tuple for every family; empty to take the claim windows and
    # amounts from the plan itself (the command line's snapshots, the plan's own examples).
    programme_years: tuple[ProgrammeYear, ...] = ()
