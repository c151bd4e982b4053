"""Random but repeatable family snapshots that reach every indicator and outcome rule.

The benchmark's generator (`bench/engine_bench.py`) makes realistic families for eight indicators;
this one makes untidy ones: evidence of every kind with random values, for anyone in the family,
the household or a stranger, sometimes recorded after the as-of date, corrected or retracted; any
indicator of the plan, with or without named evidence; open and closed episodes, attached or not.
The golden-output test judges both sets so a change to a shared helper cannot alter any rule's
result unnoticed. The values are always valid for their kind (`kinds.check_values`).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from outcomes.engine import (
    Attachment,
    Episode,
    EvidenceItem,
    FamilySnapshot,
    FamilyWorking,
    Member,
    PreviousClaim,
    ProblemIdentified,
    SchoolTerm,
)
from outcomes.engine.kinds import EVIDENCE_KINDS, check_values
from outcomes.engine.snapshot import CLOSURE_REASONS

TERMS = tuple(
    term
    for year in range(2013, 2023)
    for term in (
        SchoolTerm(f"{year} autumn", date(year, 9, 3), date(year, 12, 20)),
        SchoolTerm(f"{year + 1} spring", date(year + 1, 1, 4), date(year + 1, 3, 29)),
        SchoolTerm(f"{year + 1} summer", date(year + 1, 4, 15), date(year + 1, 7, 20)),
    )
)
KINDS = tuple(k for k in EVIDENCE_KINDS if k != "retraction")


class _Family:
    def __init__(self, rng: random.Random, n: int, plan):
        self.rng, self.n, self.plan = rng, n, plan
        self.start = date(2016, 1, 1) + timedelta(days=rng.randrange(0, 1500))
        self.as_of = self.start + timedelta(days=rng.randrange(0, 900))
        members = []
        for i in range(rng.choice((1, 1, 2, 2, 3))):
            role = rng.choice(("parent_carer", "parent_carer", "other_adult"))
            responsibilities = rng.choice((None, None, True, False))
            born = date(1960 + rng.randrange(40), 1 + rng.randrange(12), 1 + rng.randrange(28))
            members.append(Member(f"{n}-A{i}", born, role, responsibilities))
        for i in range(rng.randrange(0, 5)):
            born = date(1995 + rng.randrange(25), 1 + rng.randrange(12), 1 + rng.randrange(28))
            if rng.random() < 0.05:
                born = date(2000, 2, 29)  # a leap-day birthday
            members.append(Member(f"{n}-C{i}", born, "child"))
        self.members = tuple(members)
        self.evidence: list[EvidenceItem] = []

    def day(self, lo: int, hi: int) -> date:
        return self.start + timedelta(days=self.rng.randrange(lo, hi))

    def person(self):
        r = self.rng.random()
        if r < 0.08:
            return None
        if r < 0.1:
            return f"{self.n}-stranger"
        return self.rng.choice(self.members).person_id

    def value(self, kind: str, key: str, expected):
        rng, plan = self.rng, self.plan
        if isinstance(expected, tuple):
            return rng.choice(expected)
        if expected == "bool":
            return rng.random() < 0.6
        if expected == "count":
            return rng.randrange(0, 150) if kind == "school_attendance" else rng.randrange(0, 5)
        if expected == "date":
            return self.day(-100, 800)
        if expected == "number":
            if kind == "rickter_score":
                return rng.choice((rng.randrange(0, 11), round(rng.uniform(0, 10), 1)))
            if kind == "early_years_entitlement":
                return rng.choice((50, 80, 90, 95, 99.5))
            return rng.choice((0, 0.5, 1, 2, 3, 5, 10, 16, 30))
        # text
        choices = {
            "term": [t.name for t in TERMS],
            "outcome": list(plan.outcomes) + ["9.9"],
            "heading": [h.id for h in plan.rickter_headings] + ["unknown"],
            "step": [s["code"] for s in plan.outcomes["3.2"].params["steps"]] + ["made_up"],
            "indicator": list(plan.indicators),
            "profession": ["teacher", "GP", "health visitor"],
        }.get(key, ["ABC", "warning", "local measure"])
        return rng.choice(choices)

    def item(self, kind: str):
        rng = self.rng
        spec = EVIDENCE_KINDS[kind]
        values = {key: self.value(kind, key, t) for key, t in spec.required}
        for key, t in spec.optional:
            if rng.random() < 0.6:
                values[key] = self.value(kind, key, t)
        start = self.day(-400, 700)
        end: date | None = start
        if spec.dated == "spell":
            end = None if rng.random() < 0.4 else start + timedelta(days=rng.randrange(0, 600))
        elif spec.dated == "term":
            term = next((t for t in TERMS if t.name == values["term"]), TERMS[0])
            start, end = term.starts_on, term.ends_on
            possible = values["possible_sessions"]
            values["sessions_attended"] = min(values["sessions_attended"], possible)
            values["authorised_absence"] = min(
                values["authorised_absence"], possible - values["sessions_attended"]
            )
            values["unexplained_absence"] = (
                possible - values["sessions_attended"] - values["authorised_absence"]
            )
        recorded = (end or start) + timedelta(days=rng.randrange(-5, 40))
        self.add(kind, self.person(), start, end, max(recorded, start), values)

    def add(self, kind, person, start, end, recorded, values, supersedes=None):
        assert not check_values(kind, values), (kind, values)
        eid = f"{self.n}-E{len(self.evidence)}"
        self.evidence.append(
            EvidenceItem(
                eid, kind, person, start, end, recorded, "feed", "fuzz", values, supersedes
            )
        )
        return eid

    def attendance(self):
        """A child's returns over consecutive terms, as the school census sends them."""
        children = [m.person_id for m in self.members if m.role == "child"]
        if not children:
            return
        child = self.rng.choice(children)
        low = self.rng.uniform(0.2, 0.95)
        for t in TERMS:
            if t.ends_on < self.start - timedelta(days=500) or t.starts_on > self.as_of:
                continue
            if self.rng.random() < 0.1:
                continue  # a missing return
            possible = 100 + self.rng.randrange(50)
            attended = int(possible * min(1.0, self.rng.uniform(low, low + 0.3)))
            authorised = self.rng.randrange(0, possible - attended + 1)
            values = {
                "term": t.name,
                "possible_sessions": possible,
                "sessions_attended": attended,
                "authorised_absence": authorised,
                "unexplained_absence": possible - attended - authorised,
            }
            if self.rng.random() < 0.2:
                values["concern"] = self.rng.random() < 0.5
            self.add("school_attendance", child, t.starts_on, t.ends_on, t.ends_on, values)

    def snapshot(self) -> FamilySnapshot:
        rng, plan = self.rng, self.plan
        # A few indicators, and evidence mostly of the kinds they and their outcomes read.
        chosen = [rng.choice(list(plan.indicators)) for _ in range(rng.choice((0, 1, 2, 2, 3, 4)))]
        relevant = []
        for iid in chosen:
            indicator = plan.indicators[iid]
            relevant += indicator.evidence_kinds
            for req in indicator.requires:
                for oid in req.any_of:
                    relevant += plan.outcomes[oid].evidence_kinds
        relevant = [k for k in relevant if k != "retraction"] or list(KINDS)
        if "school_attendance" in relevant or rng.random() < 0.2:
            self.attendance()
        for _ in range(rng.randrange(0, 30)):
            self.item(rng.choice(relevant) if rng.random() < 0.8 else rng.choice(KINDS))
        for _ in range(rng.randrange(0, 3)):  # corrections and retractions
            if not self.evidence:
                break
            old = rng.choice(self.evidence)
            recorded = old.recorded_on + timedelta(days=rng.randrange(0, 60))
            if rng.random() < 0.5:
                start = old.period_start
                self.add("retraction", old.person_id, start, start, recorded, {}, old.id)
            else:
                self.add(
                    old.kind,
                    old.person_id,
                    old.period_start,
                    old.period_end,
                    recorded,
                    dict(old.values),
                    old.id,
                )
        problems = []
        ids = [e.id for e in self.evidence]
        for indicator in chosen:
            named = ()
            if ids and rng.random() < 0.4:
                named = tuple(rng.sample(ids, min(len(ids), rng.randrange(1, 4))))
            problems.append(
                ProblemIdentified(
                    plan.problem_of[indicator],
                    indicator,
                    self.person() if rng.random() < 0.9 else None,
                    self.day(-30, 60) if rng.random() < 0.8 else self.day(-30, 900),
                    rng.choice(("engagement", "engagement", "intervention")),
                    named,
                )
            )
        ended = reason = None
        if rng.random() < 0.35:
            ended = self.day(0, 900)
            reason = rng.choice(CLOSURE_REASONS)
        attached = self.day(-10, 60) if rng.random() < 0.85 else None
        claims = ()
        if rng.random() < 0.08:
            claims = (
                PreviousClaim(
                    rng.choice((1, 2)),
                    self.day(100, 700),
                    attached if attached and rng.random() < 0.8 else self.day(-400, -100),
                ),
            )
        working = None
        if rng.random() < 0.9:
            working = FamilyWorking(*(rng.random() < 0.9 for _ in range(4)))
        return FamilySnapshot(
            f"Z{self.n}",
            self.as_of,
            self.members,
            tuple(problems),
            tuple(self.evidence),
            Episode(self.start, ended, reason),
            Attachment(attached, plan.version, "Family Support") if attached else None,
            working,
            claims,
            TERMS if rng.random() < 0.9 else (),
        )


def generate(plan, seed: int, count: int) -> list[FamilySnapshot]:
    rng = random.Random(seed)  # noqa: S311  (test data, not secrets: it must repeat)
    return [_Family(rng, n, plan).snapshot() for n in range(count)]
