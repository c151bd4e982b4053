"""The evidence of one family as it stood on the as-of date, indexed once for every rule.

"As of" is what makes a result reproducible: an item recorded after the as-of date is ignored, an
item superseded by a correction recorded on or before it is ignored (a correction recorded later
does not yet count), and an event dated after it is ignored. Spells still running on the as-of date
are read as running up to it. Evidence is grouped by kind and sorted once, so no rule re-sorts.

Whatever reads the as-of date notes the next day on which it would read differently (`until`):
an item or an episode's end coming into view, a spell ending, a term ending, a member turning an
age that matters. The earliest is the day the answer may change without any record changing
(`FamilyResult.stands_until`).
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date
from operator import attrgetter

from .periods import ONE_DAY, academic_year_ahead, age_on, age_on_31_august_before, birthday
from .snapshot import EvidenceItem, FamilySnapshot, SchoolTerm

# Date order, then the order recorded; ids are unique, so the order is total (and in C).
_order = attrgetter("period_start", "recorded_on", "id")


class Facts:
    """One family's evidence as of a date, with the lookups the rules share."""

    __slots__ = (
        "snapshot",
        "plan",
        "as_of",
        "stands_until",
        "members",
        "_calendar",
        "items",
        "by_kind",
        "replaced_by",
        "episode_start",
        "episode_end",
        "identified",
        "results",
        "memo",
        "_outcome_rules",
    )

    def __init__(self, snapshot: FamilySnapshot, plan, outcome_rules: dict):
        as_of = snapshot.as_of
        self.snapshot = snapshot
        self.plan = plan
        self.as_of = as_of
        self.members = members = {}
        for m in snapshot.members:
            members[m.person_id] = m
        self._calendar = None
        items, by_kind, replaced_by, later = _index(snapshot.evidence, as_of)
        self.stands_until = later
        self.items = items
        self.by_kind = by_kind
        self.replaced_by = replaced_by
        episode = snapshot.episode
        self.episode_start = episode.started_on
        ended = episode.ended_on
        if ended is not None and ended > as_of:
            self.until(ended)  # the closure comes into view that day
            ended = None
        self.episode_end = ended
        self.identified = ()
        self.results: dict = {}  # outcome id → OutcomeResult, each outcome judged once
        self.memo: dict = {}
        self._outcome_rules = outcome_rules

    def until(self, day: date | None) -> None:
        """Note a day after the as-of date on which something read could read differently."""
        if day is not None and (self.stands_until is None or day < self.stands_until):
            self.stands_until = day

    # --- evidence ---------------------------------------------------------------------------

    def of(self, kind: str) -> list[EvidenceItem]:
        return self.by_kind.get(kind, _EMPTY)

    def grouped(self, kind: str) -> dict:
        """person id → that person's items of a kind, in date order (built once per kind)."""
        key = ("grouped", kind)
        groups = self.memo.get(key)
        if groups is None:
            groups = {}
            for e in self.by_kind.get(kind, _EMPTY):
                bucket = groups.get(e.person_id)
                if bucket is None:
                    groups[e.person_id] = [e]
                else:
                    bucket.append(e)
            self.memo[key] = groups
        return groups

    def assessments(self, outcome_id: str) -> list[EvidenceItem]:
        """Practitioner assessments speaking to one outcome, in date order."""
        index = self.memo.get("assessments")
        if index is None:
            index = {}
            for e in self.by_kind.get("practitioner_assessment", _EMPTY):
                index.setdefault(e.values["outcome"], []).append(e)
            self.memo["assessments"] = index
        return index.get(outcome_id, _EMPTY)

    def resolve(self, evidence_id: str) -> EvidenceItem | None:
        """The item as it stands on the as-of date, following corrections (None if unknown)."""
        seen = 0
        while evidence_id not in self.items and evidence_id in self.replaced_by and seen < 50:
            evidence_id = self.replaced_by[evidence_id]
            seen += 1
        return self.items.get(evidence_id)

    def end_of(self, item: EvidenceItem) -> date:
        """The last day of a spell as far as the as-of date can see. A spell still running is
        read as running to the as-of date, alike every day (rules compare it with the as-of
        date, never count its days), until the day after it ends."""
        end = item.period_end
        if end is None:
            return self.as_of
        if end >= self.as_of:
            self.until(end + ONE_DAY)
            return self.as_of
        return end

    # --- people -----------------------------------------------------------------------------

    def age(self, person_id: str | None, on: date) -> int | None:
        member = self.members.get(person_id) if person_id is not None else None
        return age_on(member.date_of_birth, on) if member is not None else None

    def is_adult(self, person_id: str | None, on: date) -> bool:
        member = self.members.get(person_id) if person_id is not None else None
        return member is not None and age_on(member.date_of_birth, on) >= self.plan.adult_age

    def is_minor(self, person_id: str | None, on: date) -> bool:
        member = self.members.get(person_id) if person_id is not None else None
        return member is not None and age_on(member.date_of_birth, on) < self.plan.adult_age

    def adults(self) -> list[str]:
        """Members who are adults on the as-of date, in the snapshot's order."""
        found = self.memo.get("adults")
        if found is None:
            members, least, on = self.members, self.plan.adult_age, self.as_of
            found = self.memo["adults"] = []
            eldest_child = None  # the first to come of age
            for m in self.snapshot.members:
                born = members[m.person_id].date_of_birth
                if age_on(born, on) >= least:
                    found.append(m.person_id)
                elif eldest_child is None or born < eldest_child:
                    eldest_child = born
            if eldest_child is not None:
                self.until(birthday(eldest_child, least))
        return found

    def aged_now(self, person_id: str, low: int, high: int) -> bool:
        """Whether a member is aged `low` to `high` on the as-of date."""
        member = self.members.get(person_id)
        if member is None:
            return False
        born = member.date_of_birth
        age = age_on(born, self.as_of)
        if age < low:
            self.until(birthday(born, low))
            return False
        if age <= high:
            self.until(birthday(born, high + 1))
            return True
        return False

    def school_year_age(self, person_id: str | None, on: date) -> int | None:
        """Age on the 31 August before `on`, which fixes an English pupil's year group."""
        member = self.members.get(person_id) if person_id is not None else None
        if member is None:
            return None
        return age_on_31_august_before(member.date_of_birth, on)

    def school_age_children(self, on: date) -> list[str]:
        """Children of school age in the school year under way on `on` (ages in the plan)."""
        key = ("school_age", on)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = self._school_age_children(on)
        return found

    def _school_age_children(self, on: date) -> list[str]:
        school = self.plan.school
        low, high = school["school_age_on_31_august_from"], school["school_age_on_31_august_to"]
        found = []
        years = None  # school years until someone starts or leaves school age
        for m in self.snapshot.members:
            age = age_on_31_august_before(m.date_of_birth, on)
            if low <= age <= high:
                found.append(m.person_id)
                ahead = high + 1 - age
            elif age < low:
                ahead = low - age
            else:
                continue
            if years is None or ahead < years:
                years = ahead
        if years is not None and on == self.as_of:
            self.until(academic_year_ahead(on, years))
        return found

    # --- school terms -----------------------------------------------------------------------

    @property
    def terms(self) -> tuple[SchoolTerm, ...]:
        return self.calendar.terms

    @property
    def calendar(self) -> TermCalendar:
        if self._calendar is None:
            self._calendar = TermCalendar.of(self.snapshot.school_terms)
        return self._calendar

    def complete_terms(self, on: date, *, after: date | None = None) -> tuple[SchoolTerm, ...]:
        """Terms complete on `on`: ended on or before it (a term is complete on its last day);
        with `after`, only those ended after that date."""
        cal = self.calendar
        hi = bisect_right(cal.ends, on)
        if on == self.as_of and hi < len(cal.ends):
            self.until(cal.ends[hi])  # the next term to end is complete that day
        lo = bisect_right(cal.ends, after) if after is not None else 0
        return cal.terms[lo:hi] if lo < hi else ()

    def last_terms(self, on: date, count: int) -> tuple[SchoolTerm, ...]:
        """ "The last `count` consecutive terms" on a date, the one meaning every school indicator
        and outcome gives it (FORMAT.md): the `count` terms complete on that date, the latest
        last. A term is complete from its last day, so on the first day of a term the window is
        still the three full terms before it, and on the last day of a term it is that term and
        the two before. Events of the term under way up to the date count as well (see
        `look_back_from`); attendance, returned per term, is read for these terms alone."""
        return self.complete_terms(on)[-count:] if count else ()

    def look_back_from(self, on: date, count: int) -> date | None:
        """The first day of "the last `count` consecutive terms" on `on`: an event dated from
        then up to `on` happened in them (None if the calendar holds no complete term)."""
        terms = self.last_terms(on, count)
        return terms[0].starts_on if terms else None

    # --- outcomes used by other rules (health steps towards work) ---------------------------

    def outcome(self, outcome_id: str):
        result = self.results.get(outcome_id)
        if result is None:
            spec = self.plan.outcomes[outcome_id]
            result = self.results[outcome_id] = self._outcome_rules[spec.rule].fn(self, spec)
        return result


def _index(evidence, as_of: date) -> tuple[dict, dict, dict, date | None]:
    """Items by id and by kind (in date order) as of the date, which item replaced which, and
    the first later day on which another item comes into view (None if none will)."""
    replaced_by: dict = {}  # superseded id → the id of the item that corrects it
    items: dict[str, EvidenceItem] = {}
    by_kind: dict[str, list[EvidenceItem]] = {}
    later = None
    for e in evidence:
        if e.recorded_on > as_of:
            if later is None or e.recorded_on < later:
                later = e.recorded_on
            continue  # not yet known, nor any correction it makes
        if e.supersedes is not None:
            replaced_by[e.supersedes] = e.id
        if e.period_start > as_of:
            if later is None or e.period_start < later:
                later = e.period_start
            continue
        items[e.id] = e
        bucket = by_kind.get(e.kind)
        if bucket is None:
            by_kind[e.kind] = [e]
        else:
            bucket.append(e)
    if replaced_by:  # corrections are rare: drop what they replace once all are known
        for old in replaced_by:
            items.pop(old, None)
        for kind, bucket in by_kind.items():
            by_kind[kind] = [e for e in bucket if e.id not in replaced_by]
        by_kind = {kind: bucket for kind, bucket in by_kind.items() if bucket}
    for bucket in by_kind.values():
        if len(bucket) > 1:
            bucket.sort(key=_order)
    return items, by_kind, replaced_by, later


class TermCalendar:
    """School terms in date order with their start and end dates ready for bisection.

    Term dates are the same for every family in an authority, so the calendar built for one
    tuple of terms is kept and reused while the next family brings the very same tuple.
    """

    __slots__ = ("source", "terms", "starts", "ends")
    _last: TermCalendar | None = None

    def __init__(self, source: tuple[SchoolTerm, ...]):
        self.source = source
        self.terms = tuple(sorted(source, key=lambda t: t.starts_on))
        self.starts = [t.starts_on for t in self.terms]
        self.ends = [t.ends_on for t in self.terms]

    @classmethod
    def of(cls, source: tuple[SchoolTerm, ...]) -> TermCalendar:
        last = cls._last
        if last is not None and last.source is source:
            return last
        cls._last = calendar = cls(source)
        return calendar


_EMPTY: list = []
