"""Claim routes and claim status (DOMAIN §8; seed 002 §3.1.5 and Table 6).

Route 1, significant and sustained progress: every headline problem identified at engagement and
during the intervention has met its outcomes, each sustained; where an adult on out-of-work
benefits was identified (3.1) a work outcome (3.1 or 3.2) is mandatory. Route 2, continuous
employment: an adult left out-of-work benefits and sustained continuous employment for the period
of their benefit. One results claim per attachment; a claim must be valid on the date it is made.
"""

from __future__ import annotations

from operator import attrgetter

from . import years
from .facts import Facts
from .periods import ISO, ONE_DAY
from .plan import PRINCIPLE_REASONS, PRINCIPLE_WORDS, PRINCIPLES, Plan
from .results import (
    CLAIMABLE,
    CLAIMED,
    IN_PROGRESS,
    NOT_CLAIMABLE,
    REASON_TEXT,
    ClaimStatus,
    ClaimWindowRef,
    Reason,
    RouteResult,
    Step,
)

_new = tuple.__new__  # builds a named tuple without its Python-level __new__ (twice as fast)


def _work_outcomes(plan: Plan) -> frozenset:
    work = plan.cache.get("claims.work")
    if work is None:
        work = plan.cache["claims.work"] = frozenset(
            plan.claims["mandatory_work_outcome"]["any_of"]
        )
    return work


def route_1(problems, work, plan: Plan):
    """Significant and sustained progress: every problem identified at engagement and during the
    intervention has met its outcomes, each sustained; where 3.1 was identified, a work outcome
    (3.1 or 3.2) is mandatory (seed 002 §3.1.5 and Table 6 note 2)."""
    steps, dates = [], []
    achieved = bool(problems)
    for p in problems:
        ok = p.sustained
        if ok:
            dates.append(p.sustained_on)
        else:
            achieved = False
        key = (p.problem, p.stages, p.sustained_on if ok else None)
        step = _PROBLEM_STEPS.get(key)
        if step is None:
            step = _problem_step(*key)
        steps.append(step)
    if work is not None:
        ok = work.sustained
        achieved = achieved and ok
        if ok:
            dates.append(work.sustained_on)
        key = (work.any_of, bool(ok))
        step = _WORK_STEPS.get(key)
        if step is None:
            step = _WORK_STEPS[key] = _work_step(*key)
        steps.append(step)
    if not problems:
        steps.append(_NO_PROBLEMS)
    on = max(dates) if achieved and dates else None
    reason = None
    if not achieved:
        reason = _REASONS[_route_1_gap(problems, work, _work_outcomes(plan))]
    return _new(RouteResult, (1, achieved, on, tuple(steps))), reason


# A problem's step depends only on its id, stages and the date it was sustained (if it was), and
# families share those: each is built once (the dates are a few thousand days at most).
_PROBLEM_STEPS: dict = {}
_WORK_STEPS: dict = {}
_NO_PROBLEMS = Step(
    "significant_and_sustained_progress",
    "route 1",
    "problems identified",
    (),
    False,
    "no problems identified",
)


def _problem_step(problem: str, stages: tuple, sustained_on) -> Step:
    if len(_PROBLEM_STEPS) > 50_000:
        _PROBLEM_STEPS.clear()
    ok = sustained_on is not None
    note = f"problem {problem} (identified at {' and '.join(stages)}): " + (
        f"all outcomes sustained by {ISO[sustained_on]}"
        if ok
        else "outcomes not all met and sustained"
    )
    step = _PROBLEM_STEPS[problem, stages, sustained_on] = Step(
        "significant_and_sustained_progress",
        "problem " + problem,
        "every required outcome met and sustained",
        (),
        ok,
        note,
    )
    return step


def _work_step(any_of: tuple, ok: bool) -> Step:
    return Step(
        "mandatory_work_outcome",
        f"outcomes {' or '.join(any_of)}",
        "a work outcome is mandatory where an adult on out-of-work benefits (3.1) was identified",
        (),
        ok,
        "work outcome sustained" if ok else "no work outcome met and sustained",
    )


def _route_1_gap(problems, work, work_outcomes: frozenset) -> str:
    """Why route 1 is not achieved: only the work outcome, or other outcomes too."""
    if not problems:
        return "outcomes_not_met"
    work_gaps = work is not None and not work.sustained
    for p in problems:
        applies = False
        for r in p.requirements:
            if r.applies:
                applies = True
                if work_outcomes.isdisjoint(r.any_of):
                    if not r.sustained:
                        return "outcomes_not_met"
                elif not r.sustained:
                    work_gaps = True
        if not applies:
            return "outcomes_not_met"
    return "work_outcome_not_met" if work_gaps else "outcomes_not_met"


# Reasons are immutable: one shared copy of each.
_REASONS = {code: Reason(code, text) for code, text in REASON_TEXT.items()}


def route_2(facts: Facts) -> RouteResult:
    """Continuous employment: an adult left out-of-work benefits and sustained continuous
    employment for the period of their benefit (the plan's outcome named `route_2_outcome`)."""
    oid = facts.plan.claims["route_2_outcome"]
    r = facts.outcome(oid)
    if not r.applies:
        # Most families have no adult on out-of-work benefits: the outcome's result is then one
        # shared value, and so is this route's (kept with it, so its id cannot be reused).
        found = _NOT_APPLYING.get(id(r))
        if found is not None and found[0] is r:
            return found[1]
    achieved = r.applies and r.sustained_on is not None
    note = (
        f"continuous employment sustained on {ISO[r.sustained_on]}"
        if achieved
        else (
            "no adult on out-of-work benefits"
            if not r.applies
            else "continuous employment not yet sustained"
        )
    )
    evidence = []
    for s in r.explanation:
        evidence += s.evidence
    evidence = tuple(evidence)
    step = _new(
        Step,
        (
            "continuous_employment_claim",
            "route 2",
            f"outcome {oid} met and sustained",
            evidence,
            achieved,
            note,
        ),
    )
    result = _new(RouteResult, (2, achieved, r.sustained_on if achieved else None, (step,)))
    if not r.applies:
        if len(_NOT_APPLYING) > 64:  # one per reason the outcome does not apply; never grows
            _NOT_APPLYING.clear()
        _NOT_APPLYING[id(r)] = (r, result)
    return result


_NOT_APPLYING: dict = {}  # id of a shared "does not apply" result → (it, route 2's result)


def _window(facts: Facts) -> ClaimWindowRef | None:
    """The claim window open on the as-of date, or the next; the answer names it until the day
    after it closes."""
    plan = facts.plan
    windows = years.claim_windows(facts.snapshot, plan)
    refs = plan.cache.get("claims.windows")
    if refs is None or refs[0] is not windows:  # immutable, so one shared copy of each
        refs = plan.cache["claims.windows"] = (
            windows,
            [ClaimWindowRef(w.opens, w.closes) for w in windows],
        )
    on = facts.as_of
    for w in refs[1]:
        if w.closes >= on:
            facts.until(w.closes + ONE_DAY)
            return w
    return None


_claimed_on = attrgetter("claimed_on")


def claim_status(facts: Facts, eligibility, routes, route_1_reason, problems, work) -> ClaimStatus:
    plan, snapshot = facts.plan, facts.snapshot
    rules = plan.claims
    attachment = snapshot.attachment
    steps = []
    achieved, made = [], []
    if attachment is not None:
        attached_on = attachment.attached_on
        for r in routes:
            if r.achieved:
                achieved.append((max(r.achieved_on, attached_on), r.route))
        achieved.sort()
        if snapshot.previous_claims:
            made = [c for c in snapshot.previous_claims if c.attached_on == attached_on]
            made.sort(key=_claimed_on)
    if made and rules["one_results_claim_per_attachment"]:
        first = made[0]
        text = (
            f"{REASON_TEXT['already_claimed']} on {ISO[first.claimed_on]} (route {first.route}) "
            f"against the attachment of {ISO[attachment.attached_on]}"
        )
        steps.append(
            Step(
                "one_results_claim_per_attachment",
                "claim",
                "one results claim per attachment",
                (),
                False,
                text,
            )
        )
        return ClaimStatus(
            CLAIMED,
            None,
            first.route,
            first.claimed_on,
            years.results_payment(snapshot, plan, first.claimed_on),
            None,
            (),
            Reason("already_claimed", text),
            tuple(steps),
        )
    # What rules a claim out: (reason code, what must hold, in words, what was found), in the
    # order DOMAIN §8 lists them.
    ruled_out = []
    if attachment is None:
        ruled_out.append(
            ("other", "attached to the programme", "the family is not attached to the programme")
        )
    if not eligibility.eligible:
        shown = ", ".join(eligibility.problems_evidenced) or "none"
        ruled_out.append(
            (
                "ineligible",
                f"at least {plan.min_headline_problems} headline problems evidenced",
                f"headline problems evidenced: {shown}",
            )
        )
    ruled_out += _principles_not_shown(snapshot.family_working, rules["principles_blocking"])
    end = facts.episode_end
    reason = snapshot.episode.closure_reason
    if end is not None and reason in rules["closure_reasons_blocking"]:
        if not (achieved and achieved[0][0] <= end):
            ruled_out.append(
                (
                    rules["closure_reasons_blocking"][reason],
                    "not closed as moved out of area, disengaged or withdrawn before claimable",
                    f"{reason.replace('_', ' ')}; the episode closed on {ISO[end]}",
                )
            )
    if ruled_out:
        reasons: list[Reason] = []
        codes = []  # one reason per code, the first detail given
        for code, threshold, detail in ruled_out:
            if code not in codes:
                codes.append(code)
                reasons.append(_new(Reason, (code, f"{REASON_TEXT[code]} ({detail})")))
            note = f"{REASON_TEXT[code]}: {detail}"
            steps.append(_new(Step, ("claim_ruled_out", "claim", threshold, (), False, note)))
        if not achieved and route_1_reason is not None:
            reasons.append(route_1_reason)
        return _new(
            ClaimStatus,
            (NOT_CLAIMABLE, None, None, None, 0, None, tuple(reasons), None, tuple(steps)),
        )
    if achieved:
        since, route = achieved[0]
        year = years.year_of(snapshot.programme_years, facts.as_of)
        if year is not None:  # the payment quoted is this year's until the year ends
            facts.until(year.ends_on + ONE_DAY)
        note = f"claimable by route {route} since {ISO[since]}"
        steps.append(
            _new(Step, ("claim_valid_on_date", "claim", "valid on the as-of date", (), True, note))
        )
        return _new(
            ClaimStatus,
            (
                CLAIMABLE,
                since,
                route,
                None,
                years.results_payment(snapshot, plan, facts.as_of),
                _window(facts),
                (),
                None,
                tuple(steps),
            ),
        )
    if end is not None and not _only_waiting(problems, work, facts):
        steps.append(
            Step(
                "closed_with_outcomes_not_met",
                "claim",
                "outcomes met by closure",
                (),
                False,
                f"the episode closed on {ISO[end]}",
            )
        )
        return ClaimStatus(
            NOT_CLAIMABLE, None, None, None, 0, None, (route_1_reason,), None, tuple(steps)
        )
    steps.append(_IN_PROGRESS)
    return _new(
        ClaimStatus,
        (IN_PROGRESS, None, None, None, 0, _window(facts), (), None, tuple(steps)),
    )


_PRINCIPLES_THRESHOLD = (
    "the four family-working principles hold for any results claim (seed 002 §3.1.2)"
)


def _principles_not_shown(fw, blocking: dict) -> list[tuple[str, str, str]]:
    """Every family-working principle not shown, as (reason code, threshold, detail). All four
    are required whatever the plan names; the plan only picks each one's reason code."""
    found = []
    for principle in PRINCIPLES:
        if fw is None or not getattr(fw, principle):
            code = blocking.get(principle) or PRINCIPLE_REASONS[principle]
            found.append((code, _PRINCIPLES_THRESHOLD, f"no {PRINCIPLE_WORDS[principle]}"))
    return found


_IN_PROGRESS = Step(
    "claim_in_progress", "claim", "route 1 or route 2 achieved", (), False, "not yet claimable"
)


def _only_waiting(problems, work, facts: Facts) -> bool:
    """After closure nothing more is done with the family, so only outcomes already met and
    awaiting their sustain period (or employment under way) can still make it claimable."""
    employment = facts.outcome(facts.plan.claims["route_2_outcome"])
    if employment.applies and employment.met and not employment.sustained:
        return True
    reqs = [r for p in problems for r in p.requirements if r.applies] + ([work] if work else [])
    if not problems or any(not any(r.applies for r in p.requirements) for p in problems):
        return False
    return all(r.sustained or r.awaiting_sustain for r in reqs)


def missing_for_claim(eligibility, problems, work, gaps, snapshot) -> tuple[str, ...]:
    """Everything that stands between the family and a claim, in plain words: the blockers
    (eligibility, attachment, each family-working principle not shown) and then the outcomes."""
    seen: dict = {}
    if not eligibility.eligible:
        seen["At least two headline problems, each evidenced by an indicator"] = None
    if snapshot.attachment is None:
        seen["Attachment to the programme"] = None
    fw = snapshot.family_working
    for principle in PRINCIPLES:
        if fw is None or not getattr(fw, principle):
            words = PRINCIPLE_WORDS[principle]
            seen[f"{words[0].upper()}{words[1:]} (a family-working principle)"] = None
    for g in gaps:
        seen[g] = None
    for p in problems:
        for r in p.requirements:
            if r.applies and not r.sustained:
                for m in r.missing or (
                    f"One of outcomes {' or '.join(r.any_of)} met and sustained",
                ):
                    seen[m] = None
    if work is not None and not work.sustained:
        seen[
            "A work outcome (3.1 continuous employment or 3.2 steps towards work) is mandatory"
        ] = None
        for m in work.missing:
            seen[m] = None
    return tuple(seen)
