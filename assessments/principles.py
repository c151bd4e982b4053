"""The principles of family working, derived from the records, and what each still lacks.

Two sets, one vocabulary: the seven principles of an Early Help Assessment (DOMAIN §4 step 4),
shown on the family page, and the four family-working principles attachment to the programme
asks for (DOMAIN §8). Nobody ticks them: each is worked out from what the case holds, with what
still lacks in words a practitioner can act on, and a lack both sets see (the assessment not
started or not signed off, a member not assessed, no actions, an action linked to nothing) is
said in the same words on both pages. Pure: `derive` and `family_working` read plain facts and
touch no database, so they are tested table by table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from outcomes.engine.plan import PRINCIPLES, Plan


@dataclass(frozen=True)
class Principle:
    key: str
    name: str
    lacking: tuple[str, ...]

    @property
    def met(self) -> bool:
        return not self.lacking


# --- what lacks, in the words both sets use --------------------------------------------------

NOT_STARTED = "The assessment has not been started"
NO_ACTIONS = "The plan has no actions yet"


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _household_assessed(members, assessed) -> list[str]:
    """Every current member's needs and strengths written."""
    if not members:
        return ["No current members of the household are recorded"]
    missing = [name for member_id, name in members if member_id not in assessed]
    if missing:
        return [f"Needs and strengths not yet recorded for {_names(missing)}"]
    return []


def _not_signed_off(status_label: str) -> str:
    return f"The assessment is not signed off by a manager: {status_label.lower()}"


def _unlinked(n: int) -> str:
    return (
        f"{n} action{'s are' if n != 1 else ' is'} not linked to a need or an outcome "
        "of the outcomes plan"
    )


# --- the seven principles of an Early Help Assessment ----------------------------------------


@dataclass(frozen=True)
class CaseFacts:
    today: date
    consents_held: int  # given on or before today, not withdrawn
    consents_withdrawn: int
    members: tuple[tuple[int, str], ...]  # current household members: (id, name)
    members_assessed: frozenset[int]  # ids with both needs and strengths recorded
    assessment_status: str | None  # None: not started
    assessment_status_label: str
    headline_problems: int
    actions: int  # not stopped
    unlinked_actions: int  # not stopped, linked to no need or outcome
    other_agencies_on_team: int
    meetings: int
    review_due_on: date


def _consent(f: CaseFacts) -> list[str]:
    if f.consents_held:
        return []
    if f.consents_withdrawn:
        return ["Consent was withdrawn: no current consent is held"]
    return ["No consent from the family is recorded"]


def _whole_family(f: CaseFacts) -> list[str]:
    if f.assessment_status is None:
        return [NOT_STARTED]
    return _household_assessed(f.members, f.members_assessed)


def _plan(f: CaseFacts) -> list[str]:
    return [] if f.actions else [NO_ACTIONS]


def _outcomes(f: CaseFacts) -> list[str]:
    lacking = []
    if not f.headline_problems:
        lacking.append("The assessment identifies no headline problem from the outcomes plan")
    if f.unlinked_actions:
        lacking.append(_unlinked(f.unlinked_actions))
    return lacking


def _team(f: CaseFacts) -> list[str]:
    lacking = []
    if not f.other_agencies_on_team:
        lacking.append("No practitioner from another agency is on the team")
    if not f.meetings:
        lacking.append("No team around the family meeting is recorded")
    return lacking


def _review(f: CaseFacts) -> list[str]:
    if f.review_due_on < f.today:
        return [f"The review due on {f.review_due_on.day} {f.review_due_on:%B %Y} is overdue"]
    return []


def _oversight(f: CaseFacts) -> list[str]:
    if f.assessment_status == "signed_off":
        return []
    if f.assessment_status is None:
        return ["No assessment to sign off yet"]
    return [_not_signed_off(f.assessment_status_label)]


RULES = (
    ("consent", "Consent gained", _consent),
    ("whole_family", "An assessment of the whole family's needs", _whole_family),
    ("action_plan", "An action plan", _plan),
    ("outcomes", "A focus on outcomes", _outcomes),
    ("team", "A team around the family approach", _team),
    ("review", "Regular review of the plan", _review),
    ("oversight", "Management oversight: signed off", _oversight),
)


def derive(facts: CaseFacts) -> list[Principle]:
    return [Principle(key, name, tuple(rule(facts))) for key, name, rule in RULES]


# --- the four family-working principles of attachment ----------------------------------------


@dataclass(frozen=True)
class PlannedAction:
    for_person_id: int | None  # None: for the whole family
    need: str  # an indicator id, or ""
    outcome: str  # an outcome id, or ""


@dataclass(frozen=True)
class WorkingFacts:
    members: tuple[tuple[int, str], ...]  # current household members: (person id, name)
    members_assessed: frozenset[int]  # person ids with both needs and strengths recorded
    members_with_needs: frozenset[int]  # person ids whose needs are recorded
    assessment_status: str | None  # None: not started
    assessment_status_label: str
    indicators: tuple[str, ...]  # ticked on the assessment
    actions: tuple[PlannedAction, ...]  # not stopped
    lead: str | None  # the lead practitioner; None: nobody is named
    lead_active: bool
    plan: Plan | None  # the outcomes plan in force


FAMILY_WORKING = dict(
    zip(
        PRINCIPLES,
        (
            "A whole-family assessment",
            "An action plan covering all relevant members",
            "A named lead worker",
            "Plan objectives aligned to the outcomes plan",
        ),
        strict=True,
    )
)


def _whole_family_assessment(f: WorkingFacts) -> list[str]:
    if f.assessment_status is None:
        return [NOT_STARTED]
    lacking = []
    if f.assessment_status != "signed_off":
        lacking.append(_not_signed_off(f.assessment_status_label))
    return lacking + _household_assessed(f.members, f.members_assessed)


def _plan_covers_all_members(f: WorkingFacts) -> list[str]:
    if not f.actions:
        return [f"{NO_ACTIONS}: add an action for each member with needs"]
    served = {a.for_person_id for a in f.actions}
    uncovered = [
        name for person_id, name in f.members if person_id in f.members_with_needs - served
    ]
    if uncovered:
        return [
            f"No action in the plan is for {_names(uncovered)}, whose needs the assessment "
            "records: add one, or say who an existing action is for"
        ]
    return []


def _named_lead_worker(f: WorkingFacts) -> list[str]:
    if f.lead is None:
        return ["No lead practitioner is named for the episode: ask the hub to allocate one"]
    if not f.lead_active:
        return [f"The lead practitioner, {f.lead}, has left the service"]
    return []


def _objectives_aligned(f: WorkingFacts) -> list[str]:
    if not f.actions:
        return [f"{NO_ACTIONS} to align with the outcomes plan"]
    plan = f.plan
    if plan is None:
        return []
    outcome_problem = {o.id: p.id for p in plan.headline_problems for o in p.outcomes}
    served, unlinked = set(), 0
    for a in f.actions:
        if a.need in plan.problem_of:
            served.add(plan.problem_of[a.need])
        elif a.outcome in outcome_problem:
            served.add(outcome_problem[a.outcome])
        else:
            unlinked += 1
    lacking = [_unlinked(unlinked)] if unlinked else []
    for problem_id in sorted({plan.problem_of[i] for i in f.indicators if i in plan.problem_of}):
        if problem_id not in served:
            lacking.append(
                f"No action works towards headline problem {problem_id} "
                f"({plan.problem_names[problem_id]}), which the assessment identifies"
            )
    return lacking


WORKING_RULES = (
    _whole_family_assessment,
    _plan_covers_all_members,
    _named_lead_worker,
    _objectives_aligned,
)


def family_working(facts: WorkingFacts) -> list[Principle]:
    """The four principles in the engine's order (`PRINCIPLES`), each with what lacks."""
    return [
        Principle(key, FAMILY_WORKING[key], tuple(rule(facts)))
        for key, rule in zip(PRINCIPLES, WORKING_RULES, strict=True)
    ]
