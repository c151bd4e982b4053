"""Until when an answer stands (FORMAT.md, issue 16): judged again on any day before
`stands_until`, with no record changed, a family gets the same answer — so the nightly job may
pass it over until then. The date may be early (the rules look again and find the same answer),
never late."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest

from outcomes.engine import Member, evaluate

from .builders import PARENT, PLAN, attended, event, family, problem, spell
from .engine_fuzz import generate
from .test_engine_golden import _bench_module

DAY = timedelta(days=1)


def answer(snapshot, on: date | None = None):
    """The answer without the dates it was asked on and stands until."""
    if on is not None:
        snapshot = replace(snapshot, as_of=on)
    return evaluate(snapshot, PLAN)._replace(as_of=None, stands_until=None)


# Attached in January 2020, after the plan's last claim window (March 2020) closed, so that no
# window is named and each case shows its own date.
LATER = {"started": "2020-01-06", "attached": "2020-01-20", "as_of": "2020-05-01"}
TEEN = Member("P3", date(2002, 6, 15), "child")  # 18 on 15 June 2020
INFANT = Member("P4", date(2015, 6, 1), "child")  # school age from 1 September 2019
ASB = problem("2.2", "P1", on="2020-01-06", evidence=("ASB",))
JSA = problem("3.1", "P1", on="2020-01-06")


def _jsa_then_work(until):
    return [
        spell("benefit_claim", "P1", "2019-01-01", "2020-02-01", benefit="JSA"),
        spell("employment", "P1", "2020-02-10", until, recorded="2020-02-10", hours_per_week=30),
    ]


CASES = {
    "an outcome becomes sustained": (
        family(
            problems=[ASB],
            evidence=[
                event("asb_intervention", "P1", "2019-11-01", id="ASB", intervention="warning")
            ],
            **LATER,
        ),
        "2020-07-06",  # no ASB since the intervention began on 6 January: 6 months
    ),
    "an item recorded later comes into view": (
        family(
            problems=[ASB],
            evidence=[
                event("asb_intervention", "P1", "2019-11-01", id="ASB", intervention="warning"),
                event(
                    "asb_intervention",
                    "P1",
                    "2020-03-01",
                    recorded="2020-06-01",
                    intervention="order",
                ),
            ],
            **LATER,
        ),
        "2020-06-01",
    ),
    "a school term ends": (
        family(
            problems=[problem("1.1", "P2", on="2020-01-06")], evidence=attended("P2", 95), **LATER
        ),
        "2020-07-20",  # the summer term: one more complete term of the intervention
    ),
    "a member turns 18": (
        family(problems=[JSA], evidence=_jsa_then_work(None), members=(PARENT, TEEN), **LATER),
        "2020-06-15",  # P3 becomes an adult who could take steps towards work (3.2)
    ),
    "a job ends": (
        family(problems=[JSA], evidence=_jsa_then_work("2020-06-30"), **LATER),
        "2020-07-01",  # no longer in work, before the 26 weeks JSA needs
    ),
    "a child reaches school age on 1 September": (
        family(
            problems=[problem("1.1", "P4", on="2018-09-03")],
            members=(PARENT, INFANT),
            as_of="2019-08-01",
        ),
        "2019-09-01",
    ),
    "the claim window named closes": (
        family(
            problems=[ASB, problem("6.1", "P2", on="2020-01-06", evidence=("EH",))],
            evidence=[
                event("asb_intervention", "P1", "2019-11-01", id="ASB", intervention="warning"),
                event("early_help_need", "P2", "2019-12-01", id="EH", stage="identified"),
            ],
            **{**LATER, "as_of": "2020-03-05"},
        ),
        "2020-04-01",  # in progress in the March 2020 window, the plan's last
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_each_kind_of_date_is_the_day_the_answer_changes(name):
    snapshot, expected = CASES[name]
    until = date.fromisoformat(expected)
    assert evaluate(snapshot, PLAN).stands_until == until
    assert answer(snapshot, until - DAY) == answer(snapshot)
    assert answer(snapshot, until) != answer(snapshot)


def test_an_answer_no_date_can_change_stands_for_ever():
    """Its outcome sustained, its episode closed: nothing left for a date to change."""
    closed = family(
        problems=[ASB],
        evidence=[event("asb_intervention", "P1", "2019-11-01", id="ASB", intervention="warning")],
        ended="2020-08-01",
        closure_reason="moved_out_of_area",
        **{**LATER, "as_of": "2020-09-01"},
    )
    assert evaluate(closed, PLAN).stands_until is None
    assert answer(closed, date(2031, 1, 1)) == answer(closed)


def _days(snapshot, until: date | None, rng: random.Random) -> list[date]:
    """The days to judge again: the next few, the day before `stands_until`, and some between
    (up to ten years on where nothing date-driven is due)."""
    span = (until - snapshot.as_of).days if until else 3650
    days = {snapshot.as_of + DAY * k for k in range(1, min(span, 4))}
    days |= {snapshot.as_of + DAY * rng.randrange(1, span) for _ in range(4)} if span > 1 else set()
    if until is not None and span > 1:
        days.add(until - DAY)
    return sorted(days)


@pytest.mark.parametrize("families", ["fuzz", "bench"])
def test_no_answer_changes_before_its_stands_until(families):
    """For untidy fuzzed families (every rule, items recorded late, corrections, closures) and
    the benchmark's realistic ones: judged again on days before `stands_until`, each gives the
    same answer as on its as-of date."""
    if families == "fuzz":
        snapshots = generate(PLAN, seed=16, count=700)
    else:
        snapshots = _bench_module().generate(random.Random(16), 0, 400)  # noqa: S311
    rng = random.Random(16)  # noqa: S311
    late, dated = [], 0
    for snapshot in snapshots:
        first = evaluate(snapshot, PLAN)
        until = first.stands_until
        dated += until is not None
        assert until is None or until > snapshot.as_of
        want = first._replace(as_of=None, stands_until=None)
        for day in _days(snapshot, until, rng):
            if answer(snapshot, day) != want:
                late.append((snapshot.family_id, snapshot.as_of, until, day))
                break
    assert not late, f"{len(late)} answers changed before their stands_until: {late[:5]}"
    assert dated > len(snapshots) // 2  # most families have a date-driven rule due
