"""A version of the Family Outcomes Plan as frozen dataclasses, read from and written to a dict.

The dict is the JSON of `outcomes/plans/fop_v9.json`; the database side stores the same dict per
`OutcomesPlanVersion` and calls `Plan.from_dict`. Every threshold, window and amount the engine
uses lives here; the rules only name the parameters they read. `from_dict` checks the whole dict
and names the field at fault ("headline_problems[0].outcomes[1].params: missing 'min_…'").
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date

from .kinds import EVIDENCE_KINDS
from .periods import Period, PeriodError

# The most headings (Rickter) or areas (Family Star) a plan may name: each tool has ten (DOMAIN
# §7), and the cohort reports keep each score's numbers in this many places
# (`assessments.models.ToolProgress`).
TOOL_PLACES = 12

REASON_CODES = (
    "outcomes_not_met",
    "work_outcome_not_met",
    "moved_out_of_area",
    "disengaged",
    "no_assessment_or_action_plan",
    "ineligible",
    "other",
)
PRINCIPLES = (
    "whole_family_assessment",
    "plan_covers_all_members",
    "named_lead_worker",
    "objectives_aligned",
)
# Seed 002 §3.1.2: the four principles "had to apply to all families declared as 'engaged'
# under the programme and for which a claim is made". Each is required for any results claim
# whatever a plan says; a plan's `claims.principles_blocking` only chooses the not-claimable
# reason code of each, and a principle it leaves out gets the reason below (DOMAIN §8's list).
PRINCIPLE_REASONS = {
    "whole_family_assessment": "no_assessment_or_action_plan",
    "plan_covers_all_members": "no_assessment_or_action_plan",
    "named_lead_worker": "other",
    "objectives_aligned": "no_assessment_or_action_plan",
}
# Each principle in the seed's words, as an explanation or a list of what is missing says it.
PRINCIPLE_WORDS = {
    "whole_family_assessment": (
        "an assessment that takes into account the needs of the whole family"
    ),
    "plan_covers_all_members": "an action plan that takes account of all relevant family members",
    "named_lead_worker": (
        "a lead worker for the family, recognised by the family and the other professionals "
        "involved"
    ),
    "objectives_aligned": (
        "the objectives of the family's action plan aligned to the Family Outcomes Plan"
    ),
}


class PlanError(ValueError):
    """The plan dict is not a valid plan; the message names the field."""


@dataclass(frozen=True, slots=True)
class Requirement:
    """Outcomes needed once an indicator is identified: any one of `any_of` will do.

    With `per_person`, each person one of the outcomes applies to must meet one of them
    (a child below 40% attendance may meet 1.2 while a sibling meets 1.1).
    """

    any_of: tuple[str, ...]
    per_person: bool = False


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    text: str
    rule: str
    evidence_kinds: tuple[str, ...]
    lookback: Period | None
    requires: tuple[Requirement, ...]
    params: dict
    note: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    id: str
    text: str
    measure: str
    data_source: str
    rule: str
    evidence_kinds: tuple[str, ...]
    window: Period | None  # the measurement window: "three consecutive terms", "6 months before"
    sustain: Period | None  # how long success must hold after it is met to count as sustained
    params: dict
    note: str = ""


@dataclass(frozen=True, slots=True)
class HeadlineProblem:
    id: str
    name: str
    indicators: tuple[Indicator, ...]
    outcomes: tuple[Outcome, ...]


@dataclass(frozen=True, slots=True)
class ClaimWindow:
    opens: date
    closes: date


@dataclass(frozen=True, slots=True)
class RickterHeading:
    id: str
    name: str
    reversed: bool


@dataclass(frozen=True)
class Plan:
    version: int
    title: str
    effective_from: date
    source: str
    min_headline_problems: int
    adult_age: int
    school: dict
    headline_problems: tuple[HeadlineProblem, ...]
    claims: dict
    payments: dict
    claim_windows: tuple[ClaimWindow, ...]
    rickter_headings: tuple[RickterHeading, ...]
    family_star_areas: tuple[str, ...]
    family_star_below: int
    notes: tuple[str, ...] = ()
    # Lookups built once per plan so the nightly run never searches lists per family.
    indicators: dict = field(default=None, compare=False, repr=False)  # type: ignore[assignment]
    outcomes: dict = field(default=None, compare=False, repr=False)  # type: ignore[assignment]
    problem_of: dict = field(default=None, compare=False, repr=False)  # type: ignore[assignment]
    work_requirement: Requirement = field(default=None, compare=False, repr=False)  # type: ignore[assignment]
    problem_names: dict = field(default=None, compare=False, repr=False)  # type: ignore[assignment]
    # Values the rules derive from this plan's params (threshold words, exact ratios, periods),
    # worked out once per plan rather than once per family.
    cache: dict = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def __post_init__(self):
        indicators, outcomes, problem_of = {}, {}, {}
        for problem in self.headline_problems:
            for ind in problem.indicators:
                indicators[ind.id] = ind
                problem_of[ind.id] = problem.id
            for out in problem.outcomes:
                outcomes[out.id] = out
        object.__setattr__(self, "indicators", indicators)
        object.__setattr__(self, "outcomes", outcomes)
        object.__setattr__(self, "problem_of", problem_of)
        work = self.claims.get("mandatory_work_outcome", {}).get("any_of", ())
        object.__setattr__(self, "work_requirement", Requirement(tuple(work)))
        object.__setattr__(self, "problem_names", {p.id: p.name for p in self.headline_problems})
        object.__setattr__(self, "cache", {})

    @classmethod
    def from_dict(cls, d: dict) -> Plan:
        return _read_plan(d)

    def to_dict(self) -> dict:
        return {
            "version": self.version,
            "title": self.title,
            "effective_from": self.effective_from.isoformat(),
            "source": self.source,
            "notes": list(self.notes),
            "eligibility": {"min_headline_problems": self.min_headline_problems},
            "adult_age": self.adult_age,
            "school": copy.deepcopy(self.school),
            "headline_problems": [_problem_dict(p) for p in self.headline_problems],
            "claims": copy.deepcopy(self.claims),
            "payments": copy.deepcopy(self.payments),
            "claim_windows": [
                {"opens": w.opens.isoformat(), "closes": w.closes.isoformat()}
                for w in self.claim_windows
            ],
            "tools": {
                "rickter_headings": [
                    {"id": h.id, "name": h.name, "reversed": h.reversed}
                    for h in self.rickter_headings
                ],
                "family_star_areas": list(self.family_star_areas),
                "family_star_below": self.family_star_below,
            },
        }


def _problem_dict(p: HeadlineProblem) -> dict:
    return {
        "id": p.id,
        "name": p.name,
        "indicators": [
            {
                "id": i.id,
                "text": i.text,
                "rule": i.rule,
                "evidence_kinds": list(i.evidence_kinds),
                "lookback": i.lookback.to_dict() if i.lookback else None,
                "requires": [
                    {"any_of": list(r.any_of), "per_person": r.per_person} for r in i.requires
                ],
                "params": copy.deepcopy(i.params),
                "note": i.note,
            }
            for i in p.indicators
        ],
        "outcomes": [
            {
                "id": o.id,
                "text": o.text,
                "measure": o.measure,
                "data_source": o.data_source,
                "rule": o.rule,
                "evidence_kinds": list(o.evidence_kinds),
                "window": o.window.to_dict() if o.window else None,
                "sustain": o.sustain.to_dict() if o.sustain else None,
                "params": copy.deepcopy(o.params),
                "note": o.note,
            }
            for o in p.outcomes
        ],
    }


# --- reading, with the path of every field in the error ---------------------------------------


def _get(d: dict, key: str, where: str, kind: type | tuple, *, optional: bool = False):
    if not isinstance(d, dict):
        raise PlanError(f"{where}: expected an object")
    if key not in d:
        if optional:
            return None
        raise PlanError(f"{where}.{key}: missing" if where else f"{key}: missing")
    value = d[key]
    path = f"{where}.{key}" if where else key
    if optional and value is None:
        return None
    if kind is int and (not isinstance(value, int) or isinstance(value, bool)):
        raise PlanError(f"{path}: expected a whole number, got {value!r}")
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise PlanError(f"{path}: expected {names}, got {value!r}")
    return value


def _date(d: dict, key: str, where: str) -> date:
    raw = _get(d, key, where, str)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise PlanError(f"{where}.{key}: expected an ISO date (YYYY-MM-DD), got {raw!r}") from None


def _period(d: dict, key: str, where: str) -> Period | None:
    raw = _get(d, key, where, dict, optional=True)
    if raw is None:
        return None
    try:
        return Period.from_dict(raw, where=f"{where}.{key}")
    except PeriodError as exc:
        raise PlanError(str(exc)) from None


def _kinds(d: dict, where: str) -> tuple[str, ...]:
    kinds = _get(d, "evidence_kinds", where, list)
    for k in kinds:
        if k not in EVIDENCE_KINDS:
            raise PlanError(f"{where}.evidence_kinds: unknown evidence kind {k!r}")
    return tuple(kinds)


def _params(d: dict, where: str, rule: str, registry: dict, what: str) -> dict:
    if rule not in registry:
        known = ", ".join(sorted(registry))
        raise PlanError(f"{where}.rule: unknown {what} rule {rule!r}; known rules: {known}")
    params = _get(d, "params", where, dict)
    for name in registry[rule].params:
        if name not in params:
            raise PlanError(f"{where}.params: missing {name!r}, which rule {rule} needs")
    return copy.deepcopy(params)


def _read_plan(d: dict) -> Plan:
    from .rules import INDICATOR_RULES, OUTCOME_RULES  # the rules import nothing from here

    if not isinstance(d, dict):
        raise PlanError("plan: expected an object")
    version = _get(d, "version", "", int)
    effective_from = _date(d, "effective_from", "plan")
    problems = []
    seen_ind: set[str] = set()
    seen_out: set[str] = set()
    for pi, pd in enumerate(_get(d, "headline_problems", "", list)):
        pw = f"headline_problems[{pi}]"
        indicators, outcomes = [], []
        for oi, od in enumerate(_get(pd, "outcomes", pw, list)):
            w = f"{pw}.outcomes[{oi}]"
            oid = _get(od, "id", w, str)
            if oid in seen_out:
                raise PlanError(f"{w}.id: outcome {oid} appears twice")
            seen_out.add(oid)
            rule = _get(od, "rule", w, str)
            outcomes.append(
                Outcome(
                    id=oid,
                    text=_get(od, "text", w, str),
                    measure=_get(od, "measure", w, str),
                    data_source=_get(od, "data_source", w, str),
                    rule=rule,
                    evidence_kinds=_kinds(od, w),
                    window=_period(od, "window", w),
                    sustain=_period(od, "sustain", w),
                    params=_params(od, w, rule, OUTCOME_RULES, "outcome"),
                    note=_get(od, "note", w, str, optional=True) or "",
                )
            )
        for ii, idd in enumerate(_get(pd, "indicators", pw, list)):
            w = f"{pw}.indicators[{ii}]"
            iid = _get(idd, "id", w, str)
            if iid in seen_ind:
                raise PlanError(f"{w}.id: indicator {iid} appears twice")
            seen_ind.add(iid)
            rule = _get(idd, "rule", w, str)
            requires = []
            for ri, rd in enumerate(_get(idd, "requires", w, list)):
                rw = f"{w}.requires[{ri}]"
                any_of = _get(rd, "any_of", rw, list)
                if not any_of:
                    raise PlanError(f"{rw}.any_of: needs at least one outcome")
                per_person = _get(rd, "per_person", rw, bool, optional=True) or False
                requires.append(Requirement(tuple(any_of), per_person))
            indicators.append(
                Indicator(
                    id=iid,
                    text=_get(idd, "text", w, str),
                    rule=rule,
                    evidence_kinds=_kinds(idd, w),
                    lookback=_period(idd, "lookback", w),
                    requires=tuple(requires),
                    params=_params(idd, w, rule, INDICATOR_RULES, "indicator"),
                    note=_get(idd, "note", w, str, optional=True) or "",
                )
            )
        problems.append(
            HeadlineProblem(
                id=_get(pd, "id", pw, str),
                name=_get(pd, "name", pw, str),
                indicators=tuple(indicators),
                outcomes=tuple(outcomes),
            )
        )
    _check_requirements(problems, seen_out)
    claims = _read_claims(d, seen_ind, seen_out)
    payments = _get(d, "payments", "", dict)
    for key in ("attachment_fee", "results_payment"):
        _get(payments, key, "payments", int)
    _get(payments, "currency", "payments", str)
    windows = []
    for wi, wd in enumerate(_get(d, "claim_windows", "", list)):
        w = f"claim_windows[{wi}]"
        window = ClaimWindow(_date(wd, "opens", w), _date(wd, "closes", w))
        if window.closes < window.opens:
            raise PlanError(f"{w}: closes before it opens")
        windows.append(window)
    tools = _get(d, "tools", "", dict)
    headings = []
    for hi, hd in enumerate(_get(tools, "rickter_headings", "tools", list)):
        w = f"tools.rickter_headings[{hi}]"
        headings.append(
            RickterHeading(
                _get(hd, "id", w, str), _get(hd, "name", w, str), _get(hd, "reversed", w, bool)
            )
        )
    areas = _get(tools, "family_star_areas", "tools", list)
    for what, given in (("rickter_headings", headings), ("family_star_areas", areas)):
        if len(given) > TOOL_PLACES:
            raise PlanError(
                f"tools.{what}: {len(given)} given, at most {TOOL_PLACES} (each tool has ten; "
                "the reports keep a score's numbers in that many places)"
            )
    school = _get(d, "school", "", dict)
    for key in ("school_age_on_31_august_from", "school_age_on_31_august_to", "primary_age_to"):
        _get(school, key, "school", int)
    return Plan(
        version=version,
        title=_get(d, "title", "", str),
        effective_from=effective_from,
        source=_get(d, "source", "", str),
        min_headline_problems=_get(
            _get(d, "eligibility", "", dict), "min_headline_problems", "eligibility", int
        ),
        adult_age=_get(d, "adult_age", "", int),
        school=copy.deepcopy(school),
        headline_problems=tuple(problems),
        claims=claims,
        payments=copy.deepcopy(payments),
        claim_windows=tuple(sorted(windows, key=lambda w: w.opens)),
        rickter_headings=tuple(headings),
        family_star_areas=tuple(areas),
        family_star_below=_get(tools, "family_star_below", "tools", int),
        notes=tuple(_get(d, "notes", "", list, optional=True) or ()),
    )


def _check_requirements(problems: list[HeadlineProblem], outcome_ids: set[str]) -> None:
    for pi, p in enumerate(problems):
        for ii, ind in enumerate(p.indicators):
            if not ind.requires:
                raise PlanError(
                    f"headline_problems[{pi}].indicators[{ii}].requires: indicator {ind.id} "
                    "must require at least one outcome"
                )
            for ri, req in enumerate(ind.requires):
                for oid in req.any_of:
                    if oid not in outcome_ids:
                        raise PlanError(
                            f"headline_problems[{pi}].indicators[{ii}].requires[{ri}].any_of: "
                            f"outcome {oid!r} is not in the plan"
                        )


def _read_claims(d: dict, indicator_ids: set[str], outcome_ids: set[str]) -> dict:
    claims = _get(d, "claims", "", dict)
    route_2 = _get(claims, "route_2_outcome", "claims", str)
    if route_2 not in outcome_ids:
        raise PlanError(f"claims.route_2_outcome: outcome {route_2!r} is not in the plan")
    work = _get(claims, "mandatory_work_outcome", "claims", dict)
    for iid in _get(work, "when_indicators", "claims.mandatory_work_outcome", list):
        if iid not in indicator_ids:
            raise PlanError(
                "claims.mandatory_work_outcome.when_indicators: "
                f"indicator {iid!r} is not in the plan"
            )
    for oid in _get(work, "any_of", "claims.mandatory_work_outcome", list):
        if oid not in outcome_ids:
            raise PlanError(
                f"claims.mandatory_work_outcome.any_of: outcome {oid!r} is not in the plan"
            )
    for key, table in (
        ("closure_reasons_blocking", "closure reason"),
        ("principles_blocking", "principle"),
    ):
        for name, code in _get(claims, key, "claims", dict).items():
            if code not in REASON_CODES:
                raise PlanError(
                    f"claims.{key}.{name}: {code!r} is not a reason code "
                    f"({', '.join(REASON_CODES)})"
                )
            if table == "principle" and name not in PRINCIPLES:
                raise PlanError(f"claims.{key}: {name!r} is not a family-working principle")
    _get(claims, "one_results_claim_per_attachment", "claims", bool)
    _get(claims, "audit_sample_min_pct", "claims", int)
    return copy.deepcopy(claims)
