"""The seven principles of an Early Help Assessment (DOMAIN §4 step 4), derived from the records.

Nobody ticks them: each is worked out from what the case holds, with what
still lacks in words a practitioner can act on. Pure: `derive` reads a
`CaseFacts` and touches no database, so it is tested table by table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


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


@dataclass(frozen=True)
class Principle:
    key: str
    name: str
    lacking: tuple[str, ...]

    @property
    def met(self) -> bool:
        return not self.lacking


def _consent(f: CaseFacts) -> list[str]:
    if f.consents_held:
        return []
    if f.consents_withdrawn:
        return ["Consent was withdrawn: no current consent is held"]
    return ["No consent from the family is recorded"]


def _whole_family(f: CaseFacts) -> list[str]:
    if f.assessment_status is None:
        return ["The assessment has not been started"]
    if not f.members:
        return ["No members of the household are recorded"]
    missing = [name for member_id, name in f.members if member_id not in f.members_assessed]
    if missing:
        return [f"Needs and strengths not yet recorded for {', '.join(missing)}"]
    return []


def _plan(f: CaseFacts) -> list[str]:
    return [] if f.actions else ["The plan has no actions yet"]


def _outcomes(f: CaseFacts) -> list[str]:
    lacking = []
    if not f.headline_problems:
        lacking.append("The assessment identifies no headline problem from the outcomes plan")
    if f.unlinked_actions:
        n = f.unlinked_actions
        lacking.append(
            f"{n} action{'s are' if n != 1 else ' is'} not linked to a need or an outcome"
        )
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
    return [f"The assessment is not signed off by a manager: {f.assessment_status_label.lower()}"]


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
