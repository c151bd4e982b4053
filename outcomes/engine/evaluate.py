"""`evaluate(snapshot, plan)`: one family's eligibility, outcomes, claim routes and claim status.

Pure: the snapshot and the plan are all it reads, `snapshot.as_of` is its only "today", and the
same inputs always give an equal result. Each decision carries the steps that explain it.

Claim status (DOMAIN §8):
- claimed: a results claim was already made against this attachment (a further one is refused);
- not_claimable: something rules a claim out (not attached, ineligible, no assessment or action
  plan, moved out of area, disengaged), or the episode closed with outcomes not met;
- claimable since DATE: route 1 or route 2 achieved and nothing rules it out on the as-of date;
- in_progress: otherwise, with what is still missing.
"""

from __future__ import annotations

from . import claims
from .facts import Facts
from .plan import PRINCIPLES, Plan, Requirement
from .results import (
    APPLIES,
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
from .rules import INDICATOR_RULES, OUTCOME_RULES
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
    facts = Facts(snapshot, plan, OUTCOME_RULES)
    identified = tuple(p for p in snapshot.problems_identified if p.identified_on <= snapshot.as_of)
    facts.identified = identified
    checks = [_check_indicator(facts, i, pi) for i, pi in enumerate(identified)]
    eligibility = _eligibility(plan, checks)
    attachment_check = _attachment(snapshot, plan, eligibility)
    problems, gaps = _problems(facts, checks)
    work = _mandatory_work(facts, checks)
    route_1, route_1_reason = claims.route_1(problems, work, plan)
    route_2 = claims.route_2(facts)
    claim = claims.claim_status(
        facts, eligibility, (route_1, route_2), route_1_reason, problems, work
    )
    missing = ()
    if claim.status not in (CLAIMABLE, CLAIMED):
        missing = claims.missing_for_claim(eligibility, problems, work, gaps, snapshot)
    outcomes = tuple(
        facts.memo[("outcome", oid)] for oid in plan.outcomes if ("outcome", oid) in facts.memo
    )
    return FamilyResult(
        snapshot.family_id,
        snapshot.as_of,
        plan.version,
        eligibility,
        attachment_check,
        problems,
        outcomes,
        (route_1, route_2),
        claim,
        missing,
    )


# --- indicators and eligibility -----------------------------------------------------------------


def _check_indicator(facts: Facts, index: int, pi) -> IndicatorResult:
    plan = facts.plan
    indicator = plan.indicators.get(pi.indicator)
    if indicator is None:
        raise EvaluationError(
            f"problems_identified[{index}].indicator: {pi.indicator!r} is not an indicator of "
            f"plan version {plan.version}"
        )
    if plan.problem_of[pi.indicator] != pi.problem:
        raise EvaluationError(
            f"problems_identified[{index}].problem: indicator {pi.indicator} belongs to headline "
            f"problem {plan.problem_of[pi.indicator]}, not {pi.problem}"
        )
    kinds = indicator.evidence_kinds
    if pi.evidence_ids:
        found = (facts.resolve(i) for i in pi.evidence_ids)
        items = sorted(
            (e for e in found if e is not None and e.kind in kinds),
            key=lambda e: (e.period_start, e.recorded_on, e.id),
        )
    else:
        person = pi.person_id
        items = [
            e
            for kind in kinds
            for e in facts.of(kind)
            if person is None or e.person_id == person or e.person_id is None
        ]
        if len(kinds) > 1:
            items.sort(key=lambda e: (e.period_start, e.recorded_on, e.id))
    step = INDICATOR_RULES[indicator.rule].fn(facts, indicator, pi, items)
    return IndicatorResult(
        pi.problem, pi.indicator, pi.person_id, pi.identified_on, pi.stage, step.result, (step,)
    )


def _eligibility(plan: Plan, checks: list[IndicatorResult]) -> Eligibility:
    evidenced = sorted({c.problem for c in checks if c.evidenced})
    unevidenced = sorted({c.problem for c in checks} - set(evidenced))
    need = plan.min_headline_problems
    eligible = len(evidenced) >= need
    note = f"headline problems evidenced by an indicator: {', '.join(evidenced) or 'none'}"
    if unevidenced:
        note += f"; identified but not evidenced: {', '.join(unevidenced)}"
    evidence = tuple(ref for c in checks if c.evidenced for ref in c.explanation[0].evidence)
    step = Step(
        "at_least_two_headline_problems",
        "eligibility",
        f"at least {need} headline problems, each evidenced by an indicator",
        evidence,
        eligible,
        note,
    )
    return Eligibility(eligible, tuple(evidenced), (step,))


def _attachment(snapshot: FamilySnapshot, plan: Plan, eligibility: Eligibility) -> AttachmentCheck:
    fw = snapshot.family_working
    principles = tuple((name, bool(fw is not None and getattr(fw, name))) for name in PRINCIPLES)
    holds = all(ok for _, ok in principles)
    steps = tuple(
        Step(
            "family_working_principles",
            f"principle {name}",
            "must hold to attach",
            (),
            ok,
            name.replace("_", " ") + (" holds" if ok else " not shown"),
        )
        for name, ok in principles
    )
    a = snapshot.attachment
    return AttachmentCheck(
        eligibility.eligible,
        principles,
        eligibility.eligible and holds,
        a.attached_on if a else None,
        a.plan_version if a else None,
        a.lead_agency if a else None,
        plan.payments["attachment_fee"],
        steps,
    )


# --- outcomes per problem -------------------------------------------------------------------------


def _requirement(facts: Facts, req: Requirement) -> RequirementResult:
    key = ("requirement", req)
    cached = facts.memo.get(key)
    if cached is not None:
        return cached
    results = [facts.outcome(oid) for oid in req.any_of]
    applying = [r for r in results if r.applies]
    names = " or ".join(req.any_of)
    if not applying:
        step = Step(
            "requirement", f"outcomes {names}", APPLIES, (), False, f"{names}: does not apply"
        )
        result = RequirementResult(
            req.any_of, req.per_person, False, False, None, False, (), (step,)
        )
    elif req.per_person and any(r.people for r in applying):
        result = _per_person(req, applying, names)
    else:
        done = [r for r in applying if r.sustained]
        ok = bool(done)
        on = min(r.sustained_on for r in done) if ok else None
        awaiting = not ok and any(r.met for r in applying)
        missing = () if ok else tuple(m for r in applying for m in r.missing)
        note = (
            f"outcome {min(done, key=lambda r: r.sustained_on).outcome} sustained on {on}"
            if ok
            else f"none of {names} met and sustained yet"
        )
        step = Step("requirement", f"outcomes {names}", "one met and sustained", (), ok, note)
        result = RequirementResult(
            req.any_of, req.per_person, True, ok, on, awaiting, missing, (step,)
        )
    facts.memo[key] = result
    return result


def _per_person(req: Requirement, applying: list, names: str) -> RequirementResult:
    options: dict = {}
    for r in applying:
        for po in r.people:
            options.setdefault(po.person_id, []).append((r.outcome, po))
    dates, missing, notes, awaiting = [], [], [], True
    for person, opts in options.items():
        done = [(po.sustained_on, oid) for oid, po in opts if po.sustained_on is not None]
        if done:
            on, oid = min(done)
            dates.append(on)
            notes.append(f"{person}: outcome {oid} sustained on {on.isoformat()}")
        else:
            awaiting = awaiting and any(po.met for _, po in opts)
            missing.extend(m for _, po in opts for m in po.missing)
            notes.append(f"{person}: not yet met ({' or '.join(oid for oid, _ in opts)})")
    ok = len(dates) == len(options)
    on = max(dates) if ok else None
    step = Step(
        "requirement",
        f"outcomes {names}",
        "one met and sustained, for each person",
        (),
        ok,
        "; ".join(notes),
    )
    return RequirementResult(
        req.any_of, True, True, ok, on, awaiting and not ok, tuple(missing), (step,)
    )


def _problems(facts: Facts, checks: list[IndicatorResult]):
    plan = facts.plan
    by_problem: dict = {}
    for c in checks:
        by_problem.setdefault(c.problem, []).append(c)
    problems, gaps = [], []
    names = {p.id: p.name for p in plan.headline_problems}
    for pid in sorted(by_problem):
        own = by_problem[pid]
        wanted: dict = {}
        for c in own:
            for req in plan.indicators[c.indicator].requires:
                wanted.setdefault(req, None)
        reqs = tuple(_requirement(facts, r) for r in wanted)
        applying = [r for r in reqs if r.applies]
        sustained = bool(applying) and all(r.sustained for r in applying)
        on = max(r.sustained_on for r in applying) if sustained else None
        if not applying:
            gaps.append(
                f"Problem {pid} ({names[pid]}): no outcome applies yet; record the evidence that "
                "shows which outcome the family is working towards"
            )
        stages = tuple(sorted({c.stage for c in own}))
        problems.append(
            ProblemResult(
                pid,
                names[pid],
                stages,
                any(c.evidenced for c in own),
                tuple(own),
                reqs,
                sustained,
                on,
            )
        )
    return tuple(problems), gaps


def _mandatory_work(facts: Facts, checks) -> RequirementResult | None:
    rule = facts.plan.claims["mandatory_work_outcome"]
    if not any(c.indicator in rule["when_indicators"] for c in checks):
        return None
    return _requirement(facts, Requirement(tuple(rule["any_of"])))
