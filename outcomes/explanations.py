"""A stored result's explanation, worked out again when someone reads it.

The nightly job keeps each family's decision, not the words behind it (`outcomes.decisions`).
To explain a result, the engine judges the family again on its records as of the result's date,
by the plan version the result was judged by — the same pure function of the same facts, so
the same answer, word for word, unless the records have changed since. The digest of that
answer is checked against the one the night stored: a difference (a record corrected in place,
back-dated evidence, a household change, new school terms) is told to the reader, and the
explanation shown is then the one today's records give, never passed off as the night's.
"""

from __future__ import annotations

from dataclasses import dataclass

from outcomes.engine.evaluate import EvaluationError, evaluate
from outcomes.engine.explain import ROUTES, for_auditor, for_practitioner, long_date
from outcomes.engine.plan import Plan
from outcomes.engine.results import CLAIMABLE, CLAIMED, IN_PROGRESS, REASON_TEXT
from outcomes.engine.results import FamilyResult as Answer

from .decisions import result_digest
from .models import FamilyResult, OutcomesPlanVersion
from .rules_version import RULES_VERSION
from .snapshots import snapshots_for

SAME = "same"  # the explanation is the one the decision was taken on
CHANGED = "changed"  # the records have changed since: the explanation is today's
UNCHECKED = "unchecked"  # kept before digests covered explanations: cannot tell
UNAVAILABLE = "unavailable"  # the engine cannot judge the family on today's records


@dataclass(frozen=True)
class Explained:
    """A stored result, and the engine's answer on the family's records today, read as of the
    result's date (None where it cannot be worked out)."""

    row: FamilyResult
    plan: Plan | None
    answer: Answer | None
    state: str
    problem: str = ""

    @property
    def same(self) -> bool:
        return self.state == SAME

    @property
    def notice(self) -> str:
        """What the reader must be told before the explanation, if anything."""
        on = long_date(self.row.last_judged_on)
        if self.state == CHANGED:
            # An answer given by other rules may differ for that reason alone: say so.
            what = (
                "records"
                if self.row.rules_version in ("", RULES_VERSION)
                else "rules or the records"
            )
            return (
                f"The {what} have changed since this result was worked out on {on}. The "
                "decision shown is the one taken then; the explanation below is worked out from "
                "the records as they are today (read as of that date), and is not the one the "
                "decision was taken on."
            )
        if self.state == UNCHECKED:
            return (
                f"This result was kept on {on}, before explanations could be checked against "
                "it: the explanation below is worked out from the records as they are today "
                "(read as of that date), and may not be the one the decision was taken on."
            )
        if self.state == UNAVAILABLE:
            return (
                f"The explanation of this result (worked out on {on}) cannot be worked out "
                f"again from today's records: {self.problem}."
            )
        return ""

    def practitioner(self) -> str:
        return for_practitioner(self.answer) if self.answer is not None else ""

    def auditor(self) -> str:
        return for_auditor(self.answer) if self.answer is not None else ""

    @property
    def missing(self) -> tuple[str, ...]:
        """What is still needed, in the engine's words (part of the explanation)."""
        return self.answer.missing if self.answer is not None else ()


def explain(row: FamilyResult) -> Explained:
    """Judge the family again as of the day it was last judged to give this answer, by
    `row.plan_version`, and say whether the
    answer is the one `row` was decided on. A handful of queries (the snapshot's, the plan's)."""
    version = OutcomesPlanVersion.objects.filter(version=row.plan_version).first()
    plan = version.plan if version is not None else None
    snapshot = snapshots_for([row.family_id], as_of=row.last_judged_on).get(row.family_id)
    if plan is None or snapshot is None:
        problem = (
            f"plan version {row.plan_version} is no longer held"
            if plan is None
            else "the family has no attachment on that date any more"
        )
        return Explained(row, plan, None, UNAVAILABLE, problem)
    if snapshot.attachment.plan_version != plan.version:
        # The attachment now names another plan version: a change to the records, so judge by
        # the one it names, as the nightly job would, and say the records have changed.
        version = OutcomesPlanVersion.objects.filter(
            version=snapshot.attachment.plan_version
        ).first()
        if version is None:
            problem = f"plan version {snapshot.attachment.plan_version} is not held"
            return Explained(row, plan, None, UNAVAILABLE, problem)
        plan = version.plan
    try:
        answer = evaluate(snapshot, plan)
    except EvaluationError as error:
        return Explained(row, plan, None, UNAVAILABLE, str(error))
    if not row.digest:
        state = UNCHECKED
    elif result_digest(answer) == row.digest:
        state = SAME
    else:
        state = CHANGED
    return Explained(row, plan, answer, state)


def decision_words(row: FamilyResult) -> str:
    """The stored decision in a sentence, from its columns (lists and headings read this; the
    engine's fuller headline, with its window and details, is part of the explanation)."""
    if row.claim_status == CLAIMABLE:
        return f"Claimable since {long_date(row.claimable_since)} ({ROUTES[row.claim_route]})."
    if row.claim_status == CLAIMED:
        route = ROUTES.get(row.claim_route, "")
        return f"Claimed on {long_date(row.decision.claimed_on)} ({route})."
    if row.claim_status == IN_PROGRESS:
        return "In progress: not claimable yet."
    return "Not claimable: " + "; ".join(reason_texts(row)) + "."


def claim_words(claim) -> str:
    """A claim made since the night judged the family claimable, in a sentence: what the batch
    says, until the next run says it too."""
    return (
        f"Claimed on {long_date(claim.claimed_on)} ({ROUTES.get(claim.route, '')}), in the "
        f"claim batch \u201c{claim.batch.name}\u201d. The nightly results will say so from "
        "their next run."
    )


def reason_texts(row: FamilyResult) -> list[str]:
    return [REASON_TEXT.get(code, code) for code in row.reasons]
