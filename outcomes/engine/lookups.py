"""What every family's evaluation needs from a plan, worked out once per plan and kept in its cache.

For each indicator: its rule, evidence kinds, headline problem and requirements; for each
requirement: its words, the steps that never change, its result when it does not apply, and each
of its outcomes' rule; each outcome's place in plan order. Looking these up per family was a
good part of the nightly run's time.
"""

from __future__ import annotations

from datetime import date

from .periods import ISO
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
        "_sustained",
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
        self._sustained: dict = {}

    def sustained(self, outcome_id: str, on: date) -> RequirementResult:
        """The result when outcome `outcome_id` is the one met and sustained, since `on`. It
        depends on nothing else, and families share the dates, so each is built once."""
        key = (outcome_id, on)
        found = self._sustained.get(key)
        if found is None:
            if len(self._sustained) > 20_000:  # a few thousand dates a year at most
                self._sustained.clear()
            note = f"outcome {outcome_id} sustained on {ISO[on]}"
            step = Step("requirement", self.subject, "one met and sustained", (), True, note)
            found = self._sustained[key] = RequirementResult(
                self.any_of, self.per_person, True, True, on, False, (), (step,)
            )
        return found


class PlanLookups:
    __slots__ = (
        "plan",
        "indicators",
        "requirements",
        "position",
        "work",
        "work_when",
        "layouts",
        "eligibilities",
    )

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
        self.plan = plan
        self.layouts: dict = {}
        self.eligibilities: dict = {}

    def eligibility(self, identified: tuple[str, ...], shown: int) -> tuple:
        """(eligible, problems evidenced, threshold, note) for these indicators identified, of
        which those at the set bits of `shown` are evidenced; worked out once per combination."""
        key = (identified, shown)
        found = self.eligibilities.get(key)
        if found is None:
            if len(self.eligibilities) > 4096:
                self.eligibilities.clear()
            found = self.eligibilities[key] = self._eligibility(identified, shown)
        return found

    def _eligibility(self, identified: tuple[str, ...], shown: int) -> tuple:
        problem_of = self.plan.problem_of
        named = {problem_of[iid] for iid in identified}
        evidenced = {problem_of[iid] for i, iid in enumerate(identified) if shown >> i & 1}
        need = self.plan.min_headline_problems
        in_order = tuple(sorted(evidenced))
        note = f"headline problems evidenced by an indicator: {', '.join(in_order) or 'none'}"
        if len(named) > len(evidenced):
            note += f"; identified but not evidenced: {', '.join(sorted(named - evidenced))}"
        threshold = f"at least {need} headline problems, each evidenced by an indicator"
        return len(in_order) >= need, in_order, threshold, note

    def layout(self, identified: tuple[str, ...]) -> tuple:
        """How the problems of a family with these indicators identified (in this order) are
        judged: per headline problem, in id order, (problem, name, the positions of its
        identifications, its requirements, the gap to name if no outcome applies yet). Families
        share a handful of combinations, so each is worked out once per plan."""
        found = self.layouts.get(identified)
        if found is None:
            if len(self.layouts) > 4096:  # combinations are few; never let odd input grow it
                self.layouts.clear()
            found = self.layouts[identified] = self._layout(identified)
        return found

    def _layout(self, identified: tuple[str, ...]) -> tuple:
        plan = self.plan
        by_problem: dict = {}
        for i, iid in enumerate(identified):
            by_problem.setdefault(self.indicators[iid][3], []).append(i)
        layout = []
        for pid in sorted(by_problem):
            at = tuple(by_problem[pid])
            seen: dict = {}  # each requirement once, in first-seen order (equal ones once)
            for i in at:
                for req in plan.indicators[identified[i]].requires:
                    seen.setdefault(req, req)
            if len(at) == 1:
                wanted = self.indicators[identified[at[0]]][4]
            else:
                wanted = tuple(self.requirements[id(r)] for r in seen.values())
            name = plan.problem_names[pid]
            gap = (
                f"Problem {pid} ({name}): no outcome applies yet; record the evidence that "
                "shows which outcome the family is working towards"
            )
            layout.append((pid, name, at, wanted, gap))
        return tuple(layout)
