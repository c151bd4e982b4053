"""The evidence of one family as it stood on the as-of date, indexed once for every rule.

"As of" is what makes a result reproducible: an item recorded after the as-of date is ignored, an
item superseded by a correction recorded on or before it is ignored (a correction recorded later
does not yet count), and an event dated after it is ignored. Spells still running on the as-of date
are read as running up to it. Evidence is grouped by kind and sorted once, so no rule re-sorts.
"""

from __future__ import annotations

from datetime import date

from .periods import ONE_DAY, academic_year_start, age_on
from .results import EvidenceRef
from .snapshot import EvidenceItem, FamilySnapshot, SchoolTerm


def _order(item: EvidenceItem):
    return (item.period_start, item.recorded_on, item.id)


class Facts:
    """One family's evidence as of a date, with the lookups the rules share."""

    __slots__ = (
        "snapshot",
        "plan",
        "as_of",
        "members",
        "terms",
        "items",
        "by_kind",
        "replaced_by",
        "episode_start",
        "episode_end",
        "identified",
        "memo",
        "_outcome_rules",
    )

    def __init__(self, snapshot: FamilySnapshot, plan, outcome_rules: dict):
        as_of = snapshot.as_of
        self.snapshot = snapshot
        self.plan = plan
        self.as_of = as_of
        self.members = {m.person_id: m for m in snapshot.members}
        self.terms: tuple[SchoolTerm, ...] = tuple(
            sorted(snapshot.school_terms, key=lambda t: t.starts_on)
        )
        known = [e for e in snapshot.evidence if e.recorded_on <= as_of]
        replaced_by = {e.supersedes: e.id for e in known if e.supersedes is not None}
        items: dict[str, EvidenceItem] = {}
        by_kind: dict[str, list[EvidenceItem]] = {}
        for e in known:
            if e.id in replaced_by or e.period_start > as_of:
                continue
            items[e.id] = e
            bucket = by_kind.get(e.kind)
            if bucket is None:
                by_kind[e.kind] = [e]
            else:
                bucket.append(e)
        for bucket in by_kind.values():
            if len(bucket) > 1:
                bucket.sort(key=_order)
        self.items = items
        self.by_kind = by_kind
        self.replaced_by = replaced_by
        episode = snapshot.episode
        self.episode_start = episode.started_on
        self.episode_end = (
            episode.ended_on if episode.ended_on is not None and episode.ended_on <= as_of else None
        )
        self.identified = ()
        self.memo: dict = {}
        self._outcome_rules = outcome_rules

    # --- evidence ---------------------------------------------------------------------------

    def of(self, kind: str) -> list[EvidenceItem]:
        return self.by_kind.get(kind, _EMPTY)

    def of_person(self, kind: str, person_id: str | None) -> list[EvidenceItem]:
        return [e for e in self.by_kind.get(kind, _EMPTY) if e.person_id == person_id]

    def resolve(self, evidence_id: str) -> EvidenceItem | None:
        """The item as it stands on the as-of date, following corrections (None if unknown)."""
        seen = 0
        while evidence_id not in self.items and evidence_id in self.replaced_by and seen < 50:
            evidence_id = self.replaced_by[evidence_id]
            seen += 1
        return self.items.get(evidence_id)

    def end_of(self, item: EvidenceItem) -> date:
        """The last day of a spell as far as the as-of date can see."""
        end = item.period_end
        return self.as_of if end is None or end > self.as_of else end

    # --- people -----------------------------------------------------------------------------

    def age(self, person_id: str | None, on: date) -> int | None:
        member = self.members.get(person_id) if person_id is not None else None
        return age_on(member.date_of_birth, on) if member is not None else None

    def is_adult(self, person_id: str | None, on: date) -> bool:
        age = self.age(person_id, on)
        return age is not None and age >= self.plan.adult_age

    def is_minor(self, person_id: str | None, on: date) -> bool:
        age = self.age(person_id, on)
        return age is not None and age < self.plan.adult_age

    def school_year_age(self, person_id: str | None, on: date) -> int | None:
        """Age on the 31 August before `on`, which fixes an English pupil's year group."""
        member = self.members.get(person_id) if person_id is not None else None
        if member is None:
            return None
        return age_on(member.date_of_birth, academic_year_start(on) - ONE_DAY)

    def school_age_children(self, on: date) -> list[str]:
        """Children of school age in the school year under way on `on` (ages in the plan)."""
        school = self.plan.school
        low, high = school["school_age_on_31_august_from"], school["school_age_on_31_august_to"]
        august_31 = academic_year_start(on) - ONE_DAY
        return [
            m.person_id
            for m in self.snapshot.members
            if low <= age_on(m.date_of_birth, august_31) <= high
        ]

    # --- school terms -----------------------------------------------------------------------

    def complete_terms(self, on: date, *, after: date | None = None) -> tuple[SchoolTerm, ...]:
        """Terms ended on or before `on` (and, with `after`, ended after that date)."""
        return tuple(
            t for t in self.terms if t.ends_on <= on and (after is None or t.ends_on > after)
        )

    def terms_up_to(self, on: date, count: int) -> tuple[SchoolTerm, ...]:
        """The term under way on `on` (or the last one begun) and the `count` - 1 before it."""
        begun = [t for t in self.terms if t.starts_on <= on]
        return tuple(begun[-count:]) if count else ()

    # --- outcomes used by other rules (health steps towards work) ---------------------------

    def outcome(self, outcome_id: str):
        cached = self.memo.get(("outcome", outcome_id))
        if cached is None:
            spec = self.plan.outcomes[outcome_id]
            cached = self._outcome_rules[spec.rule].fn(self, spec)
            self.memo[("outcome", outcome_id)] = cached
        return cached


def refs(items) -> tuple[EvidenceRef, ...]:
    return tuple(EvidenceRef(e.id, e.kind, e.period_start) for e in items)


_EMPTY: list = []
