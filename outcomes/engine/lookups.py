"""What every family's evaluation needs from a plan, worked out once per plan and kept in its cache.

For each indicator: its rule, evidence kinds, headline problem and requirements; for each
requirement: its words, the steps that never change, its result when it does not apply, and each
of its outcomes' rule; each outcome's place in plan order. Looking these up per family was a
good part of the nightly run's time.
"""

from __future__ import annotations

from .plan import Plan, Requirement
from .results import APPLIES, RequirementResult, Step
from .rules import INDICATOR_RULES, OUTCOME_RULES

_KEY = "evaluate.lookups"


def plan_lookups(plan: Plan) -> PlanLookups:
    found = plan.cache.get(_KEY)
    if found is None:
        found = plan.cache[_KEY] = PlanLookups(plan)
    return found


class RequirementLookup:
    """A requirement of the plan with its words, its steps that never change, its result when
    it does not apply, and each of its outcomes' rule (so none is looked up per family)."""

    __slots__ = (
        "any_of",
        "per_person",
        "names",
        "subject",
        "does_not_apply",
        "not_yet",
        "rules",
        "single",
    )

    def __init__(self, req: Requirement, plan: Plan):
        self.any_of = req.any_of
        self.per_person = req.per_person
        self.names = names = " or ".join(req.any_of)
        self.subject = subject = f"outcomes {names}"
        step = Step("requirement", subject, APPLIES, (), False, f"{names}: does not apply")
        self.does_not_apply = RequirementResult(
            req.any_of, req.per_person, False, False, None, False, (), (step,)
        )
        self.not_yet = Step(
            "requirement",
            subject,
            "one met and sustained",
            (),
            False,
            f"none of {names} met and sustained yet",
        )
        specs = [plan.outcomes[oid] for oid in req.any_of]
        self.rules = tuple((o.id, OUTCOME_RULES[o.rule].fn, o) for o in specs)
        self.single = self.rules[0] if len(self.rules) == 1 else None  # most need one outcome


class PlanLookups:
    __slots__ = ("indicators", "requirements", "position", "work", "work_when")

    def __init__(self, plan: Plan):
        # Requirement objects are told apart by identity: each is judged once per family.
        self.requirements: dict = {}
        for ind in plan.indicators.values():
            for req in ind.requires:
                self.requirements[id(req)] = RequirementLookup(req, plan)
        self.work = RequirementLookup(plan.work_requirement, plan)
        self.requirements[id(plan.work_requirement)] = self.work
        # indicator id → (indicator, rule, evidence kinds, headline problem, requirements)
        self.indicators = {
            iid: (
                ind,
                INDICATOR_RULES[ind.rule].fn,
                ind.evidence_kinds,
                plan.problem_of[iid],
                tuple(self.requirements[id(r)] for r in ind.requires),
            )
            for iid, ind in plan.indicators.items()
        }
        self.position = {oid: i for i, oid in enumerate(plan.outcomes)}
        self.work_when = frozenset(plan.claims["mandatory_work_outcome"]["when_indicators"])
