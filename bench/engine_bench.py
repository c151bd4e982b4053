"""How fast the outcomes engine judges families: `python bench/engine_bench.py [--families N]`.

Generates N varied family snapshots from a seeded random generator (the same N always gives the
same families), evaluates them on one core against plan version 9, and prints families per second.
Only evaluation is timed; snapshots are generated in chunks so memory stays flat. The nightly job
must judge every attached family every night, so the aim is at least 20,000 families a second.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from outcomes.engine import (  # noqa: E402  (needs the path above)
    Attachment,
    Episode,
    EvidenceItem,
    FamilySnapshot,
    FamilyWorking,
    Member,
    Plan,
    PreviousClaim,
    ProblemIdentified,
    SchoolTerm,
    evaluate,
)
from outcomes.engine.jsonio import result_to_dict  # noqa: E402

PLAN = Plan.from_dict(json.loads((ROOT / "outcomes/plans/fop_v9.json").read_text(encoding="utf-8")))
TERMS = tuple(
    term
    for year in range(2014, 2023)
    for term in (
        SchoolTerm(f"{year} autumn", date(year, 9, 3), date(year, 12, 20)),
        SchoolTerm(f"{year + 1} spring", date(year + 1, 1, 4), date(year + 1, 3, 29)),
        SchoolTerm(f"{year + 1} summer", date(year + 1, 4, 15), date(year + 1, 7, 20)),
    )
)
WORKING = FamilyWorking(True, True, True, True)
STEPS = [s["code"] for s in PLAN.outcomes["3.2"].params["steps"]]
DAY = timedelta(days=1)


class Family:
    """Builds one snapshot: members, problems and the evidence behind them."""

    def __init__(self, rng: random.Random, n: int):
        self.rng = rng
        self.n = n
        self.evidence: list[EvidenceItem] = []
        self.problems: list[ProblemIdentified] = []
        self.start = date(2017, 9, 1) + timedelta(days=rng.randrange(0, 700))
        self.as_of = self.start + timedelta(days=rng.randrange(120, 720))
        parents = [
            Member(
                f"{n}-A{i}",
                date(1975 + rng.randrange(20), 1 + rng.randrange(12), 1 + rng.randrange(28)),
                "parent_carer",
            )
            for i in range(rng.choice((1, 1, 2)))
        ]
        children = [
            Member(
                f"{n}-C{i}",
                date(2002 + rng.randrange(15), 1 + rng.randrange(12), 1 + rng.randrange(28)),
                "child",
            )
            for i in range(rng.randrange(1, 5))
        ]
        self.parents, self.children = parents, children
        self.members = tuple(parents + children)

    def item(self, kind, person, on, end=..., recorded=None, supersedes=None, **values):
        end = on if end is ... else end
        eid = f"{self.n}-E{len(self.evidence)}"
        self.evidence.append(
            EvidenceItem(
                eid,
                kind,
                person,
                on,
                end,
                recorded or (end or on) + timedelta(days=self.rng.randrange(0, 20)),
                "feed",
                "bench",
                values,
                supersedes,
            )
        )
        return eid

    def identify(self, indicator, person, ids, stage="engagement", on=None):
        self.problems.append(
            ProblemIdentified(
                indicator.split(".")[0], indicator, person, on or self.start, stage, tuple(ids)
            )
        )

    def days(self, lo, hi):
        return timedelta(days=self.rng.randrange(lo, hi))

    # One generator per kind of problem; `good` decides whether the family succeeds at it.
    def school(self, good):
        child = self.rng.choice(self.children).person_id
        ids = []
        for t in TERMS:
            if t.ends_on < self.start - timedelta(days=400) or t.starts_on > self.as_of:
                continue
            before = t.ends_on <= self.start
            rate = (
                self.rng.uniform(0.6, 0.85)
                if before
                else (self.rng.uniform(0.9, 1.0) if good else self.rng.uniform(0.7, 0.95))
            )
            possible = 120 + self.rng.randrange(30)
            attended = int(possible * rate)
            eid = self.item(
                "school_attendance",
                child,
                t.starts_on,
                t.ends_on,
                term=t.name,
                possible_sessions=possible,
                sessions_attended=attended,
                authorised_absence=0,
                unexplained_absence=possible - attended,
                concern=False,
            )
            if before:
                ids.append(eid)
        self.identify("1.1", child, ids[-3:])
        if self.rng.random() < 0.3:  # three exclusions before the intervention: indicator 1.2
            for days in (self.rng.choice((1, 2, 3, 5)), 5, 1):
                self.item("fixed_term_exclusion", child, self.start - self.days(10, 200), days=days)
            self.identify("1.2", child, [])
            if not good:
                self.item("fixed_term_exclusion", child, self.as_of - self.days(30, 90), days=2)

    def crime(self, good):
        person = self.rng.choice(self.children).person_id
        if self.rng.random() < 0.5:
            self.identify(
                "2.1",
                person,
                [self.item("offence", person, self.start - self.days(20, 300), proven=True)],
            )
            if not good:
                self.item("offence", person, self.as_of - self.days(10, 150), proven=True)
        else:
            self.identify(
                "2.2",
                person,
                [
                    self.item(
                        "asb_intervention",
                        person,
                        self.start - self.days(20, 300),
                        intervention="ABC",
                    )
                ],
            )
            if not good:
                self.item(
                    "asb_intervention",
                    person,
                    self.as_of - self.days(10, 150),
                    intervention="warning",
                )

    def work(self, good):
        adult = self.parents[0].person_id
        benefit = self.rng.choice(("JSA", "ESA", "IS", "UC"))
        claim_start = self.start - self.days(100, 900)
        if good and self.rng.random() < 0.6:
            left = self.start + self.days(10, 200)
            claim = self.item(
                "benefit_claim",
                adult,
                claim_start,
                left,
                benefit=benefit,
                work_related_conditions=True,
            )
            self.item(
                "employment", adult, left + DAY, None, hours_per_week=16 + self.rng.randrange(25)
            )
        else:
            claim = self.item(
                "benefit_claim",
                adult,
                claim_start,
                None,
                benefit=benefit,
                work_related_conditions=True,
            )
            for code in self.rng.sample(STEPS, 2 if good else self.rng.randrange(0, 2)):
                self.item("step_towards_work", adult, self.start + self.days(5, 120), step=code)
        self.identify("3.1", adult, [claim])

    def health(self, good):
        adult = self.parents[-1].person_id
        self.identify(
            "4.1",
            adult,
            [self.item("health_need", adult, self.start - self.days(1, 60), need="mental_health")],
        )
        self.item(
            "practitioner_assessment",
            adult,
            self.start + self.days(60, 200),
            stage="review",
            outcome="4.1",
            judgement="met" if good else "not_met",
        )
        self.item(
            "rickter_score",
            adult,
            self.start + DAY,
            heading="health",
            stage="baseline",
            score=3,
            desired=8,
        )
        self.item(
            "rickter_score",
            adult,
            self.start + self.days(60, 200),
            heading="health",
            stage="review",
            score=6 if good else 3,
        )

    def abuse(self, good):
        adult = self.parents[0].person_id
        self.identify(
            "5.1",
            adult,
            [
                self.item(
                    "domestic_abuse",
                    adult,
                    self.start - self.days(1, 60),
                    role="victim",
                    abuse="domestic",
                    status="current",
                )
            ],
        )
        for _ in range(3):
            self.item(
                "domestic_incident",
                adult,
                self.start - self.days(1, 170),
                severity=self.rng.randrange(1, 4),
                police_callout=True,
            )
        if not good:
            for _ in range(3):
                self.item("domestic_incident", adult, self.start + self.days(10, 100), severity=3)
        self.item(
            "safety_report",
            adult,
            self.start + self.days(60, 100),
            feeling="much_safer" if good else "no_change",
        )

    def children_in_need(self, good):
        child = self.rng.choice(self.children).person_id
        opened = self.item(
            "social_care_event", child, self.start - self.days(30, 300), event="cin_opened"
        )
        self.identify("6.3", child, [opened])
        closed = self.start + self.days(30, 200)
        if closed < self.as_of:
            self.item("social_care_event", child, closed, event="step_down")
            if not good:
                self.item(
                    "social_care_event",
                    child,
                    min(self.as_of, closed + self.days(5, 60)),
                    event="referral",
                )

    KINDS = ("school", "crime", "work", "health", "abuse", "children_in_need")

    def snapshot(self) -> FamilySnapshot:
        rng = self.rng
        for kind in rng.sample(self.KINDS, rng.choice((1, 2, 2, 3, 3, 4))):
            getattr(self, kind)(rng.random() < 0.6)
        ended = closure = None
        if rng.random() < 0.3:
            ended = min(self.as_of, self.start + self.days(200, 500))
            closure = rng.choice(
                ("needs_met", "needs_met", "moved_out_of_area", "disengaged", "stepped_up")
            )
        attached = self.start + self.days(5, 40) if rng.random() < 0.9 else None
        claims = ()
        if attached and rng.random() < 0.05:
            claims = (PreviousClaim(1, self.as_of - DAY, attached),)
        if self.evidence and rng.random() < 0.1:  # a correction of the last item
            last = self.evidence[-1]
            self.evidence.append(
                EvidenceItem(
                    last.id + "-fix",
                    last.kind,
                    last.person_id,
                    last.period_start,
                    last.period_end,
                    last.recorded_on + DAY,
                    "feed",
                    "bench",
                    dict(last.values),
                    last.id,
                )
            )
        return FamilySnapshot(
            f"F{self.n}",
            self.as_of,
            self.members,
            tuple(self.problems),
            tuple(self.evidence),
            Episode(self.start, ended, closure),
            Attachment(attached, 9, "Family Support") if attached else None,
            WORKING if rng.random() < 0.95 else FamilyWorking(False, True, True, True),
            claims,
            TERMS,
        )


def generate(rng: random.Random, start: int, count: int) -> list[FamilySnapshot]:
    return [Family(rng, n).snapshot() for n in range(start, start + count)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--profile", action="store_true", help="print the top functions by time")
    parser.add_argument(
        "--json",
        action="store_true",
        help="also turn each result into JSON-ready dicts (result_to_dict), as the nightly job "
        "and the partner API do, and time both together",
    )
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)  # noqa: S311  (test data, not secrets: it must repeat)
    statuses: Counter = Counter()
    evidence = spent = generating = 0.0
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    done = 0
    while done < args.families:
        t0 = time.perf_counter()
        chunk = generate(rng, done, min(args.chunk, args.families - done))
        # Park the chunk outside the cyclic garbage collector while it is judged: the engine makes
        # no reference cycles, and a full collection would otherwise re-scan every snapshot.
        gc.freeze()
        t1 = time.perf_counter()
        if profiler:
            profiler.enable()
        # The nightly job writes each result and lets it go; so does the benchmark.
        if args.json:
            for snapshot in chunk:
                statuses[result_to_dict(evaluate(snapshot, PLAN))["claim"]["status"]] += 1
        else:
            for snapshot in chunk:
                statuses[evaluate(snapshot, PLAN).claim.status] += 1
        if profiler:
            profiler.disable()
        t2 = time.perf_counter()
        gc.unfreeze()
        generating += t1 - t0
        spent += t2 - t1
        evidence += sum(len(s.evidence) for s in chunk)
        done += len(chunk)
    print(f"families evaluated: {done:,} (mean {evidence / done:.1f} evidence items each)")
    what = "evaluation and result_to_dict" if args.json else "evaluation"
    print(f"{what + ' time:':<20}{spent:.2f} s on one core")
    print(f"generation time:    {generating:.2f} s (not counted)")
    print(f"families per second: {done / spent:,.0f}")
    print("claim status:       " + ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items())))
    if profiler:
        import pstats

        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
