"""A family's compact decision: what the nightly job keeps of the engine's answer.

The engine's whole answer is about 11 KB per family, nine tenths of it explanation: the steps
behind each decision, worded for a practitioner and an auditor. The job keeps only the decision
— the claim status, its date, route and reasons, whether the family is eligible and on which
problems, each outcome's dates, the day each claim route was achieved, and the evidence rows each
decision cited — in typed columns of `FamilyResult` and this small JSON (`FamilyResult.decision`,
a few hundred bytes), with a digest of the whole answer. The explanation is worked out again when
someone reads it (`outcomes.explanations`), and the digest says whether it is still the one the
decision was taken on.

msgspec encodes the engine's named tuples straight to bytes for the digest (about 15 times
quicker than their repr, which the digest used before) and reads the decision back into typed
objects, dates as dates.
"""

from __future__ import annotations

import hashlib
from datetime import date

import msgspec

from outcomes.engine.results import FamilyResult, Step


class OutcomeDecision(msgspec.Struct, array_like=True, omit_defaults=True, frozen=True):
    """One outcome the engine judged, stored as a short list (`["1.1", true, "2019-01-07",
    null, "2019-07-08", [81, 82]]`): an outcome that does not apply is just its code and false."""

    outcome: str
    applies: bool
    met_on: date | None = None
    sustained_on: date | None = None
    sustain_due_on: date | None = None
    evidence: tuple[int, ...] = ()  # the evidence rows its steps cite

    @property
    def met(self) -> bool:
        return self.met_on is not None

    @property
    def sustained(self) -> bool:
        return self.sustained_on is not None


class Decision(msgspec.Struct, omit_defaults=True, frozen=True):
    """What the engine decided, beside the claim status, date, route, reasons and problems that
    `FamilyResult` keeps in columns (so lists filter and sort on them)."""

    eligible: bool
    outcomes: tuple[OutcomeDecision, ...] = ()  # in plan order, as the engine gives them
    routes: tuple[date | None, ...] = ()  # the day claim route 1, 2 was achieved (None: not)
    claimed_on: date | None = None
    evidence: tuple[int, ...] = ()  # every evidence row any decision cites, in id order

    def applying(self) -> list[OutcomeDecision]:
        return [o for o in self.outcomes if o.applies]


_encoder = msgspec.msgpack.Encoder()
_json = msgspec.json.Encoder()
_read = msgspec.json.Decoder(Decision)


def result_digest(result: FamilyResult) -> str:
    """The engine's whole answer's fingerprint (explanations included), leaving out only the
    date it was asked for and the date it stands until: the same answer on a later night is
    not a change. Its MessagePack
    bytes are the answer's named tuples, numbers, text and dates in field order, so equal
    answers give equal bytes."""
    return hashlib.sha256(
        _encoder.encode(result._replace(as_of=None, stands_until=None))
    ).hexdigest()[:32]


def decision_of(result: FamilyResult) -> Decision:
    outcomes = tuple(
        OutcomeDecision(
            o.outcome,
            True,
            o.met_on,
            o.sustained_on,
            o.sustain_due_on,
            tuple(_cited(o.explanation)),
        )
        if o.applies
        else OutcomeDecision(o.outcome, False)
        for o in result.outcomes
    )
    return Decision(
        eligible=result.eligibility.eligible,
        outcomes=outcomes,
        routes=tuple(r.achieved_on if r.achieved else None for r in result.routes),
        claimed_on=result.claim.claimed_on,
        evidence=tuple(sorted(_cited(_steps(result)))),
    )


def decision_json(decision: Decision) -> str:
    return _json.encode(decision).decode()


def decision_from_json(text: str | bytes) -> Decision:
    return _read.decode(text)


def _steps(result: FamilyResult):
    """Every step of the answer, decision by decision."""
    yield from result.eligibility.explanation
    yield from result.attachment.explanation
    for p in result.problems:
        for i in p.identifications:
            yield from i.explanation
        for r in p.requirements:
            yield from r.explanation
    for o in result.outcomes:
        yield from o.explanation
    for r in result.routes:
        yield from r.explanation
    yield from result.claim.explanation


def _cited(steps) -> dict[int, None]:
    """The evidence rows the steps cite, in the order first cited (ids that are not rows'
    primary keys — a what-if snapshot's own — are left out)."""
    found: dict[int, None] = {}
    step: Step
    for step in steps:
        for ref in step.evidence:
            if ref.id.isdigit():
                found[int(ref.id)] = None
    return found
