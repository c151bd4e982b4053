"""`evaluate(snapshot, plan)`: one family's eligibility, outcomes, claim routes and claim status.

Pure: the snapshot and the plan are all it reads, `snapshot.as_of` is its only "today", and the
same inputs always give an equal result. Each decision carries the steps that explain it.

Claim status (DOMAIN §8):
- claimed: a results claim was already made against this attachment (a further one is refused);
- not_claimable: something rules a claim out (not attached, ineligible, any of the four
  family-working principles not shown, moved out of area, disengaged), or the episode closed
  with outcomes not met;
- claimable since DATE: route 1 or route 2 achieved and nothing rules it out on the as-of date;
- in_progress: otherwise, with what is still missing.
"""

from __future__ import annotations

from operator import attrgetter

from . import claims, years
from .facts import Facts
from .lookups import PlanLookups, RequirementLookup, plan_lookups
from .periods import ISO
from .plan import PRINCIPLE_WORDS, PRINCIPLES, Plan
from .results import (
    CLAIMABLE,
    CLAIMED,
    AttachmentCheck,
    Eligibility,
    FamilyResult,
    IndicatorResult,
    ProblemResult,
    RequirementResult,
    Step,
)
from .rules import OUTCOME_RULES
from .snapshot import FamilySnapshot


class EvaluationError(ValueError):
    """The snapshot cannot be judged by this plan (the message names the field)."""


def evaluate(snapshot: FamilySnapshot, plan: Plan) -> FamilyResult:
    attachment = snapshot.attachment
    if attachment is not None and attachment.plan_version != plan.version:
        raise EvaluationError(
            f"attachment.plan_version: the family is judged by plan version "
            f"{attachment.plan_version}, but version {plan.version} was given"
        )
    lookups = plan_lookups(plan)
    facts = Facts(snapshot, plan, OUTCOME_RULES)
    as_of = snapshot.as_of
    identified = []
    for p in snapshot.problems_identified:
        if p.identified_on <= as_of:
            identified.append(p)
        else:
            facts.until(p.identified_on)
    facts.identified = identified = tuple(identified)
    checks, ids = [], []
    for i, pi in enumerate(identified):
        checks.append(_check_indicator(facts, lookups, i, pi))
        ids.append(pi.indicator)
    ids = tuple(ids)
    eligibility = _eligibility(lookups, checks, ids)
    attachment_check = _attachment(snapshot, plan, eligibility)
    problems, gaps = _problems(facts, lookups, checks, ids)
    work = _mandatory_work(facts, lookups, checks)
    route_1, route_1_reason = claims.route_1(problems, work, plan)
    route_2 = claims.route_2(facts)
    claim = claims.claim_status(
        facts, eligibility, (route_1, route_2), route_1_reason, problems, work
    )
    missing = ()
    if claim.status not in (CLAIMABLE, CLAIMED):
        missing = claims.missing_for_claim(eligibility, problems, work, gaps, snapshot)
    results = facts.results
    # The outcomes judged, in plan order (a family has a handful of the plan's 26).
    order = sorted(results, key=lookups.position.__getitem__)
    return _new(
        FamilyResult,
        (
            snapshot.family_id,
            as_of,
            plan.version,
            eligibility,
            attachment_check,
            problems,
            tuple(map(results.__getitem__, order)),
            (route_1, route_2),
            claim,
            missing,
            facts.stands_until,  # every rule has read what it reads by now
        ),
    )


_new = tuple.__new__  # builds a named tuple without its Python-level __new__ (twice as fast)


# --- indicators and eligibility -----------------------------------------------------------------


def _check_indicator(facts: Facts, lookups: PlanLookups, index: int, pi) -> IndicatorResult:
    found = lookups.indicators.get(pi.indicator)
    if found is None:
        plan = facts.plan
        raise EvaluationError(
            f"problems_identified[{index}].indicator: {pi.indicator!r} is not an indicator of "
            f"plan version {plan.version}"
        )
    indicator, rule, kinds, problem, _ = found
    if problem != pi.problem:
        raise EvaluationError(
            f"problems_identified[{index}].problem: indicator {pi.indicator} belongs to headline "
            f"problem {problem}, not {pi.problem}"
        )
    if pi.evidence_ids:
        items = []
        by_id = facts.items
        for evidence_id in pi.evidence_ids:
            e = by_id.get(evidence_id)
            if e is None and facts.replaced_by:  # corrected since: follow the corrections
                e = facts.resolve(evidence_id)
            if e is not None and e.kind in kinds:
                items.append(e)
        if len(items) > 1:
            items.sort(key=_order)
    elif len(kinds) == 1:
        person = pi.person_id
        items = facts.of(kinds[0])
        if person is not None:
            items = [e for e in items if e.person_id == person or e.person_id is None]
    else:
        person = pi.person_id
        items = [
            e
            for kind in kinds
            for e in facts.of(kind)
            if person is None or e.person_id == person or e.person_id is None
        ]
        items.sort(key=_order)
    step = rule(facts, indicator, pi, items)
    return _new(
        IndicatorResult,
        (pi.problem, pi.indicator, pi.person_id, pi.identified_on, pi.stage, step.result, (step,)),
    )


_order = attrgetter("period_start", "recorded_on", "id")  # as Facts orders evidence


def _eligibility(lookups: PlanLookups, checks: list[IndicatorResult], ids: tuple) -> Eligibility:
    evidence, shown, bit = [], 0, 1  # bit i of `shown`: the i-th identification is evidenced
    for c in checks:
        if c.evidenced:
            shown |= bit
            evidence.extend(c.explanation[0].evidence)
        bit <<= 1
    eligible, evidenced, threshold, note = lookups.eligibility(ids, shown)
    step = _new(
        Step,
        (
            "at_least_two_headline_problems",
            "eligibility",
            threshold,
            tuple(evidence),
            eligible,
            note,
        ),
    )
    return _new(Eligibility, (eligible, evidenced, (step,)))


_PRINCIPLES: dict = {}


def _principles(fw) -> tuple:
    """The four principles and their steps; one shared copy per combination of answers. Equal
    answers are an equal, hashable FamilyWorking, so it is its own key; anything else standing
    in for one is keyed by its answers."""
    try:
        key = fw
        found = _PRINCIPLES.get(key)
    except TypeError:  # unhashable
        key = _answers(fw)
        found = _PRINCIPLES.get(key)
    if found is None:
        answers = _answers(fw)
        principles = tuple(zip(PRINCIPLES, answers, strict=True))
        steps = tuple(
            Step(
                "family_working_principles",
                f"principle {name}",
                "must hold to attach, and for any results claim",
                (),
                ok,
                ("shown: " if ok else "not shown: ") + PRINCIPLE_WORDS[name],
            )
            for name, ok in principles
        )
        if len(_PRINCIPLES) > 64:  # only odd, non-bool answers could make more than 17
            _PRINCIPLES.clear()
        found = _PRINCIPLES[key] = (principles, all(answers), steps)
    return found


def _answers(fw) -> tuple[bool, ...]:
    return tuple(bool(fw is not None and getattr(fw, name)) for name in PRINCIPLES)


def _attachment(snapshot: FamilySnapshot, plan: Plan, eligibility: Eligibility) -> AttachmentCheck:
    principles, holds, steps = _principles(snapshot.family_working)
    a = snapshot.attachment
    eligible = eligibility.eligible
    ready = eligible and holds
    # The fee is earned by attaching a family that may be attached: none is shown for another.
    on = a.attached_on if a is not None else snapshot.as_of
    fee = years.attachment_fee(snapshot, plan, on) if ready else 0
    if a is None:
        return _new(
            AttachmentCheck,
            (eligible, principles, ready, None, None, None, fee, steps),
        )
    return _new(
        AttachmentCheck,
        (
            eligible,
            principles,
            ready,
            a.attached_on,
            a.plan_version,
            a.lead_agency,
            fee,
            steps,
        ),
    )


# --- outcomes per problem -------------------------------------------------------------------------


def _requirement(facts: Facts, req: RequirementLookup) -> RequirementResult:
    # Each outcome is judged once per family (as `Facts.outcome` does), whichever asks first.
    results = facts.results
    if req.single is not None:
        return _one_outcome(facts, req, results)
    applying = []
    for oid, rule, spec in req.rules:
        r = results.get(oid)
        if r is None:
            r = results[oid] = rule(facts, spec)
        if r.applies:
            applying.append(r)
    if not applying:
        return req.does_not_apply
    if req.per_person and any(r.people for r in applying):
        return _per_person(req, applying)
    best = None
    for r in applying:
        if r.sustained_on is not None and (best is None or r.sustained_on < best.sustained_on):
            best = r
    if best is not None:
        return req.sustained(best.outcome, best.sustained_on)
    if len(applying) == 1:
        r = applying[0]
        awaiting, missing = bool(r.met), r.missing
    else:
        awaiting, missing = False, []
        for r in applying:
            if r.met:
                awaiting = True
            missing += r.missing
        missing = tuple(missing)
    return _new(
        RequirementResult,
        (req.any_of, req.per_person, True, False, None, awaiting, missing, (req.not_yet,)),
    )


def _one_outcome(facts: Facts, req: RequirementLookup, results: dict) -> RequirementResult:
    """`_requirement` for a requirement of one outcome, with no choosing among outcomes."""
    oid, rule, spec = req.single
    r = results.get(oid)
    if r is None:
        r = results[oid] = rule(facts, spec)
    if not r.applies:
        return req.does_not_apply
    if req.per_person and r.people:
        return _per_person(req, [r])
    on = r.sustained_on
    if on is not None:
        return req.sustained(oid, on)
    return _new(
        RequirementResult,
        (req.any_of, req.per_person, True, False, None, bool(r.met), r.missing, (req.not_yet,)),
    )


def _per_person(req: RequirementLookup, applying: list) -> RequirementResult:
    options: dict = {}
    for r in applying:
        for po in r.people:
            found = options.get(po.person_id)
            if found is None:
                options[po.person_id] = [(r.outcome, po)]
            else:
                found.append((r.outcome, po))
    dates, missing, notes, awaiting = [], [], [], True
    for person, opts in options.items():
        best = None
        for oid, po in opts:
            if po.sustained_on is not None and (best is None or po.sustained_on < best[0]):
                best = (po.sustained_on, oid)
        if best is not None:
            dates.append(best[0])
            notes.append(f"{person}: outcome {best[1]} sustained on {ISO[best[0]]}")
        else:
            awaiting = awaiting and any(po.met for _, po in opts)
            for _, po in opts:
                missing.extend(po.missing)
            notes.append(f"{person}: not yet met ({' or '.join(oid for oid, _ in opts)})")
    ok = len(dates) == len(options)
    on = max(dates) if ok else None
    step = _new(
        Step,
        (
            "requirement",
            req.subject,
            "one met and sustained, for each person",
            (),
            ok,
            "; ".join(notes),
        ),
    )
    return _new(
        RequirementResult,
        (req.any_of, True, True, ok, on, awaiting and not ok, tuple(missing), (step,)),
    )


def _problems(facts: Facts, lookups: PlanLookups, checks: list[IndicatorResult], ids: tuple):
    problems, gaps = [], []
    results = facts.results
    for pid, name, at, wanted, gap in lookups.layout(ids):
        if len(at) == 1:
            c = checks[at[0]]
            own = (c,)
            stages = (c.stage,)
            evidenced = bool(c.evidenced)
        else:  # several indicators of one problem
            own = tuple([checks[i] for i in at])
            stages = tuple(sorted({c.stage for c in own}))
            evidenced = any(c.evidenced for c in own)
        reqs = []
        sustained, on, applies = True, None, False
        for req in wanted:
            if req.single is not None:
                r = _one_outcome(facts, req, results)
            else:
                r = _requirement(facts, req)
            reqs.append(r)
            if r.applies:
                applies = True
                if r.sustained:
                    if on is None or r.sustained_on > on:
                        on = r.sustained_on
                else:
                    sustained = False
        sustained = sustained and applies
        if not applies:
            gaps.append(gap)
        problems.append(
            _new(
                ProblemResult,
                (
                    pid,
                    name,
                    stages,
                    evidenced,
                    own,
                    tuple(reqs),
                    sustained,
                    on if sustained else None,
                ),
            )
        )
    return tuple(problems), gaps


def _mandatory_work(facts: Facts, lookups: PlanLookups, checks) -> RequirementResult | None:
    when = lookups.work_when
    for c in checks:
        if c.indicator in when:
            return _requirement(facts, lookups.work)
    return None
