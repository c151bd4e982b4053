"""What the engine decides, each decision carrying the steps that explain it.

A `Step` is one line of an explanation: which rule, about which indicator or outcome, against
which threshold, on which evidence (ids and the dates they speak to), with what result and a note
in plain words. `explain.py` turns a `FamilyResult` into text for a practitioner or an auditor;
`jsonio.result_to_dict` into JSON.

Every result is an immutable named tuple: the nightly run builds some 25 of them per family, and a
named tuple is built four times faster than a frozen dataclass (which sets each field through
`object.__setattr__`). Read them by field name; `jsonio.result_to_dict` gives plain JSON.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

# Claim statuses (DOMAIN §8, the overnight job).
IN_PROGRESS = "in_progress"
CLAIMABLE = "claimable"
CLAIMED = "claimed"
NOT_CLAIMABLE = "not_claimable"

# Not-claimable reasons, in DOMAIN §8's words (seed 002, Table 6 note 2).
REASON_TEXT = {
    "outcomes_not_met": "Outcomes not met",
    "work_outcome_not_met": (
        "Work outcome not met: all other outcomes were met but progress to work was not achieved"
    ),
    "moved_out_of_area": "The family moved out of the area",
    "disengaged": "The family disengaged or withdrew consent",
    "no_assessment_or_action_plan": "No assessment or action plan",
    "ineligible": "Ineligible: fewer than 2 headline problems",
    "other": "Other",
    "already_claimed": "One results claim per attachment: a results claim has already been made",
}


# The threshold of a step that records an outcome not applying to the family (shown as N/A).
APPLIES = "applies to this family"


class EvidenceRef(NamedTuple):
    id: str
    kind: str
    on: date  # the date the item speaks to (its period start)


class Step(NamedTuple):
    rule: str  # the rule's name, e.g. "no_proven_offences_by_minors"
    subject: str  # "indicator 1.1", "outcome 2.1", "eligibility", "route 1", "claim"
    threshold: str  # the threshold from the plan, in words
    evidence: tuple[EvidenceRef, ...]
    result: bool
    note: str  # what was found, in plain words


class Reason(NamedTuple):
    code: str
    text: str


class IndicatorResult(NamedTuple):
    """Whether one recorded problem identification is shown by its indicator's evidence."""

    problem: str
    indicator: str
    person_id: str | None
    identified_on: date
    stage: str
    evidenced: bool
    explanation: tuple[Step, ...]


class PersonOutcome(NamedTuple):
    person_id: str
    met: bool
    met_on: date | None
    sustained_on: date | None
    missing: tuple[str, ...] = ()  # what this person still needs, in plain words


class OutcomeResult(NamedTuple):
    """One outcome of the plan for the family, as of the snapshot date.

    `met_on` is the first day of the unbroken run of success that reaches the as-of date;
    `sustained_on` the day that run had lasted the outcome's sustain period (None until it has);
    `sustain_due_on` the day it will be sustained if nothing changes.
    """

    outcome: str
    rule: str
    applies: bool
    met: bool
    met_on: date | None
    sustained_on: date | None
    sustain_due_on: date | None
    people: tuple[PersonOutcome, ...]
    missing: tuple[str, ...]
    explanation: tuple[Step, ...]

    @property
    def sustained(self) -> bool:
        return self.sustained_on is not None


class RequirementResult(NamedTuple):
    """A group of outcomes of which one must be met and sustained (per person if `per_person`)."""

    any_of: tuple[str, ...]
    per_person: bool
    applies: bool
    sustained: bool
    sustained_on: date | None
    awaiting_sustain: bool  # every gap is only time: met, not yet sustained
    missing: tuple[str, ...]
    explanation: tuple[Step, ...]


class ProblemResult(NamedTuple):
    problem: str
    name: str
    stages: tuple[str, ...]  # "engagement" and/or "intervention"
    evidenced: bool
    identifications: tuple[IndicatorResult, ...]
    requirements: tuple[RequirementResult, ...]
    sustained: bool
    sustained_on: date | None


class Eligibility(NamedTuple):
    eligible: bool
    problems_evidenced: tuple[str, ...]
    explanation: tuple[Step, ...]


class AttachmentCheck(NamedTuple):
    """Whether the family may be attached, and the attachment it has (if any)."""

    eligible: bool
    principles: tuple[tuple[str, bool], ...]
    ready_to_attach: bool
    attached_on: date | None
    plan_version: int | None
    lead_agency: str | None
    attachment_fee: int
    explanation: tuple[Step, ...]


class RouteResult(NamedTuple):
    route: int
    achieved: bool
    achieved_on: date | None
    explanation: tuple[Step, ...]


class ClaimWindowRef(NamedTuple):
    opens: date
    closes: date


class ClaimStatus(NamedTuple):
    status: str  # IN_PROGRESS, CLAIMABLE, CLAIMED or NOT_CLAIMABLE
    since: date | None  # claimable since
    route: int | None
    claimed_on: date | None
    results_payment: int
    window: ClaimWindowRef | None  # the claim window open on the as-of date, or the next one
    reasons: tuple[Reason, ...]  # every reason it is not claimable
    refusal: Reason | None  # why a further results claim would be refused
    explanation: tuple[Step, ...]


class FamilyResult(NamedTuple):
    """The family's answer as of `as_of`. It stands, unless a record changes, until the day
    before `stands_until`: the first later date on which a date-driven rule could read the
    records differently (a window closes, a period ends, an outcome becomes sustained, a term
    ends, a member changes age band, a record dated later comes into view, a claim window
    closes). None: no date alone can change it. Never later than that date; it may be earlier."""

    family_id: str
    as_of: date
    plan_version: int
    eligibility: Eligibility
    attachment: AttachmentCheck
    problems: tuple[ProblemResult, ...]
    outcomes: tuple[OutcomeResult, ...]
    routes: tuple[RouteResult, ...]
    claim: ClaimStatus
    missing: tuple[str, ...]
    stands_until: date | None = None
