"""Plain builders for engine tests: snapshots in a few lines, no database.

The default family: P1, a parent born 1985; P2, a child born October 2006 (secondary school from
September 2018). The episode starts on 3 September 2018, the family is attached on 17 September
2018 under plan version 9, and everything is judged as of 30 September 2019. School terms run
autumn (3 Sep–20 Dec), spring (4 Jan–29 Mar), summer (15 Apr–20 Jul) from 2016 to 2021.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from outcomes.engine import (
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

PLAN_PATH = Path(__file__).resolve().parents[1] / "plans" / "fop_v9.json"
PLAN_DICT = json.loads(PLAN_PATH.read_text(encoding="utf-8"))
PLAN = Plan.from_dict(PLAN_DICT)

START = date(2018, 9, 3)
ATTACHED = date(2018, 9, 17)
AS_OF = date(2019, 9, 30)
_ids = itertools.count(1)


def d(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _terms() -> tuple[SchoolTerm, ...]:
    out = []
    for year in range(2016, 2021):
        out.append(SchoolTerm(f"{year} autumn", date(year, 9, 3), date(year, 12, 20)))
        out.append(SchoolTerm(f"{year + 1} spring", date(year + 1, 1, 4), date(year + 1, 3, 29)))
        out.append(SchoolTerm(f"{year + 1} summer", date(year + 1, 4, 15), date(year + 1, 7, 20)))
    return tuple(out)


TERMS = _terms()
TERM = {t.name: t for t in TERMS}
# The three terms that ended after the default episode began and before the as-of date.
TERMS_DURING = ("2018 autumn", "2019 spring", "2019 summer")
TERMS_BEFORE = ("2017 autumn", "2018 spring", "2018 summer")

PARENT = Member("P1", date(1985, 5, 5), "parent_carer")
CHILD = Member("P2", date(2006, 10, 10), "child")


def event(kind, person="P1", on="2019-01-15", *, id=None, recorded=None, supersedes=None, **values):
    on = d(on)
    return EvidenceItem(
        id or f"E{next(_ids)}",
        kind,
        person,
        on,
        on,
        d(recorded) if recorded else on,
        "test",
        "tester",
        values,
        supersedes,
    )


def spell(kind, person, start, end=None, *, id=None, recorded=None, **values):
    start, end = d(start), (d(end) if end else None)
    return EvidenceItem(
        id or f"E{next(_ids)}",
        kind,
        person,
        start,
        end,
        d(recorded) if recorded else (end or start),
        "test",
        "tester",
        values,
        None,
    )


def attendance(
    person,
    term,
    attended,
    *,
    possible=100,
    authorised=0,
    unexplained=None,
    concern=False,
    id=None,
    recorded=None,
    supersedes=None,
):
    t = TERM[term]
    if unexplained is None:
        unexplained = possible - attended - authorised
    return EvidenceItem(
        id or f"E{next(_ids)}",
        "school_attendance",
        person,
        t.starts_on,
        t.ends_on,
        d(recorded) if recorded else t.ends_on,
        "ONE.net",
        "school census feed",
        {
            "term": term,
            "possible_sessions": possible,
            "sessions_attended": attended,
            "authorised_absence": authorised,
            "unexplained_absence": unexplained,
            "concern": concern,
        },
        supersedes,
    )


def attended(person, pct, terms=TERMS_DURING, **kw):
    """The same attendance in each term (pct of 100 possible sessions)."""
    return [attendance(person, t, pct, **kw) for t in terms]


def problem(indicator, person=None, on=START, *, stage="engagement", evidence=()):
    return ProblemIdentified(
        indicator.split(".")[0], indicator, person, d(on), stage, tuple(evidence)
    )


def assessed(outcome, on, judgement="met", stage="review", person="P1"):
    return event(
        "practitioner_assessment", person, on, stage=stage, outcome=outcome, judgement=judgement
    )


def family(
    *,
    problems=(),
    evidence=(),
    as_of=AS_OF,
    members=(PARENT, CHILD),
    started=START,
    ended=None,
    closure_reason=None,
    attached=ATTACHED,
    working=True,
    previous_claims=(),
    terms=TERMS,
) -> FamilySnapshot:
    fw = None
    if working is not None:
        flags = dict.fromkeys(FamilyWorking.__dataclass_fields__, True)
        if isinstance(working, dict):
            flags.update(working)
        fw = FamilyWorking(**flags) if working is not False else None
    return FamilySnapshot(
        "F1",
        d(as_of),
        tuple(members),
        tuple(problems),
        tuple(evidence),
        Episode(d(started), d(ended) if ended else None, closure_reason),
        Attachment(d(attached), 9, "Family Support") if attached else None,
        fw,
        tuple(PreviousClaim(route, d(on), d(att)) for route, on, att in previous_claims),
        tuple(terms),
    )


def run(snapshot, plan=PLAN):
    return evaluate(snapshot, plan)


def outcome(result, outcome_id):
    for o in result.outcomes:
        if o.outcome == outcome_id:
            return o
    raise AssertionError(f"outcome {outcome_id} was not evaluated")


def check_outcome(snapshot, outcome_id, plan=PLAN):
    """Evaluate one outcome on its own (as the nightly job would inside `evaluate`)."""
    from outcomes.engine.facts import Facts
    from outcomes.engine.rules import OUTCOME_RULES

    facts = Facts(snapshot, plan, OUTCOME_RULES)
    facts.identified = snapshot.problems_identified
    return facts.outcome(outcome_id)


def check_indicator(snapshot, identification=None):
    pi = identification or snapshot.problems_identified[0]
    result = run(replace(snapshot, problems_identified=(pi,)))
    return result.problems[0].identifications[0]


def plus(day, days=0, weeks=0):
    return d(day) + timedelta(days=days, weeks=weeks)
