"""What if: the engine's answer for one family on a date the programme team picks, with its
explanation, and nothing saved (issue 17).

The family is judged as the nightly job would judge it on that date: an attached family on the
snapshot of its records as of the date (`snapshots_for`), by the plan version its attachment
names; a candidate not attached by then as the attachment page judges it, on its assessment's
indicators as they would be attached (`programme.candidate_snapshot`), by the plan in force on
the date. The engine is pure and the snapshot is read, never written: the only row a what-if
leaves is the gate's audit entry for viewing the family.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from outcomes.engine import EvaluationError, evaluate
from outcomes.engine.explain import headline, long_date
from outcomes.engine.results import FamilyResult as Answer

from . import programme
from .decisions import decision_of
from .models import Evidence, OutcomesPlanVersion
from .snapshots import snapshots_for
from .wording import Section, Words


@dataclass(frozen=True)
class WhatIf:
    family: object
    on: date
    attached: bool  # judged as attached on the date, or as a candidate not yet attached
    answer: Answer | None = None
    problem: str = ""  # why the engine could not answer, in words
    words: Words | None = None  # names the family's people, its evidence and the plan's outcomes

    @property
    def headline(self) -> str:
        return headline(self.answer) if self.answer is not None else ""

    @property
    def missing(self) -> list[str]:
        return self.words.missing(self.answer) if self.answer is not None else []

    @property
    def outcomes(self) -> list:
        if self.answer is None:
            return []
        return [
            {
                "outcome": self.words.outcome(o.outcome),
                "met": o.met,
                "met_on": o.met_on,
                "sustained_on": o.sustained_on,
                "sustain_due_on": o.sustain_due_on,
            }
            for o in decision_of(self.answer).applying()
        ]

    def practitioner(self) -> list[str]:
        """Each problem's state, in words: the page shows the headline and what is still
        needed above it."""
        if self.answer is None:
            return []
        return self.words.for_practitioner(self.answer)[1:]

    def auditor(self) -> list[Section]:
        """Every step, as the evidence pack shows them."""
        return self.words.for_auditor(self.answer) if self.answer is not None else []


def what_if(family, *, on: date) -> WhatIf:
    """The engine's answer for `family` as of `on`. Reads only."""
    snapshot = snapshots_for([family.pk], as_of=on).get(family.pk)
    if snapshot is not None:
        version = OutcomesPlanVersion.objects.filter(
            version=snapshot.attachment.plan_version
        ).first()
        if version is None:
            problem = f"plan version {snapshot.attachment.plan_version} is not held"
            return WhatIf(family, on, True, problem=problem)
        return _judged(family, on, True, snapshot, version.plan)
    return _as_candidate(family, on)


def _as_candidate(family, on: date) -> WhatIf:
    check = programme.attachment_check(family, on=on)
    if check.episode is None:
        return WhatIf(family, on, False, problem="the family has no open episode")
    if check.plan_version is None:
        return WhatIf(
            family, on, False, problem=f"no outcomes plan was in force on {long_date(on)}"
        )
    if not check.indicators:
        return WhatIf(
            family,
            on,
            False,
            problem="the assessment identifies no headline problem by its indicators",
        )
    plan = check.plan_version.plan
    snapshot = programme.candidate_snapshot(family, check.episode, check, plan)
    return _judged(family, on, False, snapshot, plan)


def _judged(family, on, attached, snapshot, plan) -> WhatIf:
    try:
        answer = evaluate(snapshot, plan)
    except EvaluationError as error:
        return WhatIf(family, on, attached, problem=str(error))
    cited = Evidence.objects.filter(family=family, pk__in=decision_of(answer).evidence)
    words = Words.for_family(family, plan=plan, evidence=cited.select_related("person"))
    return WhatIf(family, on, attached, answer, words=words)
