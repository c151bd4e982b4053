"""The rule registry and the helpers the indicator and outcome rules share.

A rule is a small function named in the domain's words, registered under that name; the plan
names the rule of each indicator and outcome and holds every threshold the rule reads from its
`params`. Indicator rules answer "does this evidence show the indicator?" with one `Step`; outcome
rules answer "is this outcome met, since when, and sustained?" with an `OutcomeResult`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple

from ..facts import Facts
from ..periods import ISO
from ..results import APPLIES, EvidenceRef, OutcomeResult, PersonOutcome, Step
from ..tools import RICKTER_MAX


class RuleSpec(NamedTuple):
    fn: Callable
    params: tuple[str, ...]  # the plan params the rule cannot do without


INDICATOR_RULES: dict[str, RuleSpec] = {}
OUTCOME_RULES: dict[str, RuleSpec] = {}


def indicator_rule(*params: str):
    def register(fn):
        INDICATOR_RULES[fn.__name__] = RuleSpec(fn, params)
        return fn

    return register


def outcome_rule(*params: str):
    def register(fn):
        OUTCOME_RULES[fn.__name__] = RuleSpec(fn, params)
        return fn

    return register


@lru_cache(maxsize=256)
def frac(value) -> Fraction:
    """A plan threshold as an exact fraction, so 90% is 90% (0.9 in binary is not)."""
    return Fraction(str(value))


@lru_cache(maxsize=256)
def ratio(value) -> tuple[int, int]:
    """A plan threshold as whole numbers (numerator, denominator), for exact comparisons in
    integer arithmetic: part / whole ≥ 90% ⇔ part × 100 × d ≥ n × whole."""
    f = Fraction(str(value))
    return f.numerator, f.denominator


def total_days(items) -> int | Fraction:
    """The exact sum of items' `days`: whole numbers are added as they are (quick, and equal to
    their fractions); any other number makes the whole sum exact fractions, as `frac` reads it."""
    total = 0
    for e in items:
        days = e.values["days"]
        if type(days) is not int:
            return sum(frac(e.values["days"]) for e in items)
        total += days
    return total


def pct(numerator, denominator) -> str:
    """A share for people to read (the decision itself is made exactly, never on this)."""
    if not denominator:
        return "n/a"
    return f"{100 * float(numerator) / float(denominator):.1f}%"


def plan_words(facts: Facts, build: Callable, spec, extra=None):
    """`build(spec)` (or `build(spec, extra)`): a value derived from the plan alone (threshold
    words, exact ratios, parsed periods) for one indicator or outcome, built once per plan and
    kept in the plan's cache under the builder and the spec's id. `extra` must be the same for
    every call with that builder and spec."""
    cache = facts.plan.cache
    built = cache.get(build)
    if built is None:
        built = cache[build] = {}
    value = built.get(spec.id)
    if value is None:
        value = built[spec.id] = build(spec) if extra is None else build(spec, extra)
    return value


# --- indicators ---------------------------------------------------------------------------------


_new = tuple.__new__  # builds a named tuple without its Python-level __new__ (twice as fast)


def refs(items) -> tuple[EvidenceRef, ...]:
    """The items' references (id, kind, date), from a list or tuple of them. A plain loop: for
    the one to three items a step cites, a comprehension costs more to set up than it saves."""
    n = len(items)
    if n == 1:  # the usual case
        e = items[0]
        return (_new(EvidenceRef, (e.id, e.kind, e.period_start)),)
    if not n:
        return ()
    found = []
    for e in items:
        found.append(_new(EvidenceRef, (e.id, e.kind, e.period_start)))
    return tuple(found)


def indicator_step(fn, indicator, threshold: str, items, result: bool, note: str) -> Step:
    subject = "indicator " + indicator.id
    return _new(Step, (fn.__name__, subject, threshold, refs(items), result, note))


def in_lookback(indicator, items: Iterable, on: date) -> list:
    """Items dated within the indicator's look-back window ending on the identification date."""
    lookback = indicator.lookback
    start = None if lookback is None or lookback.unit == "terms" else lookback.before(on)
    found = []
    for e in items:  # a loop: for a handful of items a comprehension costs more to set up
        day = e.period_start
        if day <= on and (start is None or start <= day):
            found.append(e)
    return found


def lookback_words(indicator) -> str:
    return f"in the last {indicator.lookback.describe()}" if indicator.lookback else "at any time"


def covering(items: Iterable, on: date) -> list:
    """Spells under way on a date."""
    found = []
    for e in items:
        if e.period_start <= on and (e.period_end is None or e.period_end >= on):
            found.append(e)
    return found


def nominations(indicator, items: Iterable, on: date) -> list:
    if "professional_nomination" not in indicator.evidence_kinds:
        return []  # the items are only ever of the indicator's kinds
    return [
        e
        for e in in_lookback(indicator, items, on)
        if e.kind == "professional_nomination" and e.values.get("indicator") == indicator.id
    ]


# --- outcomes -----------------------------------------------------------------------------------


def label(outcome) -> str:
    return f"Outcome {outcome.id} ({outcome.text.rstrip('.')})"


def outcome_step(fn, outcome, threshold: str, items, result: bool, note: str) -> Step:
    subject = "outcome " + outcome.id
    return _new(Step, (fn.__name__, subject, threshold, refs(items), result, note))


def finish(
    facts: Facts,
    outcome,
    *,
    met: bool,
    met_on: date | None,
    steps: tuple | list,
    missing: tuple | list = (),
    people: tuple | list = (),
    sustain_due_on: date | None = None,
) -> OutcomeResult:
    """Build the result; sustained once success has held for the outcome's sustain period."""
    due = sustained_on = None
    if met and met_on is not None:
        if sustain_due_on is not None:
            due = sustain_due_on
        else:
            sustain = outcome.sustain
            due = sustain.after(met_on) if sustain is not None else met_on
        if due <= facts.as_of:
            sustained_on = due
        else:
            facts.until(due)
            missing = (
                *missing,
                f"{label(outcome)}: met since {ISO[met_on]}; it will be sustained on "
                f"{ISO[due]} if it still holds then",
            )
    return _new(
        OutcomeResult,
        (
            outcome.id,
            outcome.rule,
            True,
            met,
            met_on if met else None,
            sustained_on,
            due,
            tuple(people),
            tuple(missing),
            tuple(steps),
        ),
    )


_NOT_APPLICABLE: dict = {}


def not_applicable(fn, outcome, reason: str) -> OutcomeResult:
    # Results are immutable, so the nightly run shares one per outcome and reason.
    key = (fn.__name__, outcome.id, reason)
    result = _NOT_APPLICABLE.get(key)
    if result is None:
        step = Step(fn.__name__, f"outcome {outcome.id}", APPLIES, (), False, reason)
        result = OutcomeResult(
            outcome.id, outcome.rule, False, False, None, None, None, (), (), (step,)
        )
        _NOT_APPLICABLE[key] = result
    return result


def person_outcome(
    facts: Facts, outcome, person_id, met, met_on, due=None, missing: str | None = None
) -> PersonOutcome:
    gap = (missing,) if missing else ()
    if not met or met_on is None:
        return _new(PersonOutcome, (person_id, False, None, None, gap))
    if not due:
        sustain = outcome.sustain
        due = sustain.after(met_on) if sustain is not None else met_on
    if due > facts.as_of:
        facts.until(due)
        return _new(PersonOutcome, (person_id, True, met_on, None, gap))
    return _new(PersonOutcome, (person_id, True, met_on, due, gap))


def all_met(people: list) -> tuple[bool, date | None]:
    """Met when every person has met it (there is always someone), since the last of them to."""
    met_on = None
    for x in people:
        if not x.met:
            return False, None
        if met_on is None or x.met_on > met_on:
            met_on = x.met_on
    return True, met_on


def judged_met(facts: Facts, outcome_id: str, stages) -> tuple[bool, date | None, list]:
    """Practitioner judgements on an outcome during the intervention, at the allowed stages.

    Met when the latest judgement says met; met since the first of the unbroken run of "met"
    judgements that reaches it.
    """
    assessed = facts.assessments(outcome_id)
    if not assessed:
        return False, None, []
    start = facts.episode_start
    items = []
    for e in assessed:
        if e.values["stage"] in stages and e.period_start >= start:
            items.append(e)
    if not items or items[-1].values["judgement"] != "met":
        return False, None, items
    met_on = items[-1].period_start
    for e in reversed(items):
        if e.values["judgement"] != "met":
            break
        met_on = e.period_start
    return True, met_on, items


def latest_run(items: list, ok: Callable) -> tuple[bool, date | None]:
    """Whether the latest of dated observations is good, and since the first of its good run."""
    if not items or not ok(items[-1]):
        return False, None
    since = items[-1].period_start
    for e in reversed(items):
        if not ok(e):
            break
        since = e.period_start
    return True, since


def _person_key(pair) -> str:
    return str(pair[0])


def people_in_order(groups: dict) -> list:
    """A `by_person` grouping as (person, items) pairs in order of person id (as text, so the
    household's None sorts as "None"); one person needs no sorting."""
    pairs = list(groups.items())
    if len(pairs) > 1:
        pairs.sort(key=_person_key)
    return pairs


def by_person(items: Iterable) -> dict:
    """Items grouped by person, in the order given (see also `Facts.grouped`)."""
    grouped: dict = {}
    for e in items:
        grouped.setdefault(e.person_id, []).append(e)
    return grouped


def earliest_alternative(options: list[tuple[bool, date | None]]) -> tuple[bool, date | None]:
    """Of several ways to meet an outcome, the one met earliest."""
    best = None
    for ok, d in options:
        if ok and d is not None and (best is None or d < best):
            best = d
    return (False, None) if best is None else (True, best)


def rickter_moved(facts: Facts, outcome) -> tuple[bool, date | None, list, str]:
    """Movement towards the desired state on the plan's Rickter headings during the intervention.

    Per person and heading: the baseline score (with its desired score) against each later score
    at the stages the outcome is judged at (`judged_at`: an outcome judged "at end of
    intervention" reads the close score alone, not a mid-way review); moved while normalised
    distance travelled exceeds the plan's `rickter_min_distance_above` and the desired state lies
    ahead. `rickter_combine` "all" needs every heading for one person, "any" one heading. Met
    since the first score of the unbroken run of movement.
    """
    none_moved, moved_since = plan_words(facts, _rickter_words, outcome)
    scored = facts.of("rickter_score")
    if not scored:
        return False, None, [], none_moved
    params = outcome.params
    headings = params["rickter_headings"]
    floor = params["rickter_min_distance_above"]
    stages = params.get("judged_at") or ("review", "close")
    reversed_of = facts.plan.cache.get(_reversed_headings)
    if reversed_of is None:
        reversed_of = facts.plan.cache[_reversed_headings] = _reversed_headings(facts.plan)
    groups: dict = {}
    for e in scored:
        heading = e.values["heading"]
        if heading in headings:
            key = (e.person_id, heading)
            found = groups.get(key)
            if found is None:
                groups[key] = [e]
            else:
                found.append(e)
    if not groups:
        return False, None, [], none_moved
    pairs = list(groups.items())
    if len(pairs) > 1:
        pairs.sort(key=_person_and_heading)
    since_by_person: dict = {}
    used: list = []
    start = facts.episode_start
    for (person, heading), scores in pairs:
        base = None
        for e in scores:
            if e.values["stage"] == "baseline":
                base = e
                break
        if base is None or base.values.get("desired") is None:
            continue
        # Scores on the "higher is better" scale (`tools.normalise`, written out).
        rev = reversed_of.get(heading, False)
        b = RICKTER_MAX - base.values["score"] if rev else base.values["score"]
        want = RICKTER_MAX - base.values["desired"] if rev else base.values["desired"]
        on = max(base.period_start, start)
        used.append(base)
        since = None
        run = want > b
        for e in scores:  # the reviews since the baseline, during the intervention
            v = e.values
            if v["stage"] not in stages or e.period_start < on:
                continue
            used.append(e)
            # The latest review shows movement, since the first review of the unbroken run of
            # them. Scores carry one decimal place; rounding keeps 6.0 − 4.3 at 1.7.
            if run and round((RICKTER_MAX - v["score"] if rev else v["score"]) - b, 6) > floor:
                if since is None:
                    since = e.period_start
            else:
                since = None
        own = since_by_person.get(person)
        if own is None:
            since_by_person[person] = {heading: since}
        else:
            own[heading] = since
    best = None
    every = params["rickter_combine"] == "all"
    for per_heading in since_by_person.values():
        when = None
        if every:
            for h in headings:
                d = per_heading.get(h)
                if d is None:
                    when = None
                    break
                if when is None or d > when:
                    when = d
        else:
            for d in per_heading.values():
                if d is not None and (when is None or d < when):
                    when = d
        if when is not None and (best is None or when < best):
            best = when
    if best is None:
        return False, None, used, none_moved
    return True, best, used, f"{moved_since}{ISO[best]}"


def _rickter_words(outcome) -> tuple[str, str]:
    p = outcome.params
    headings = p["rickter_headings"]
    names = " and ".join(headings) if p["rickter_combine"] == "all" else " or ".join(headings)
    at = "/".join(p.get("judged_at") or ("review", "close"))
    return (
        f"no movement towards the desired state on Rickter {names} recorded at {at}",
        f"movement towards the desired state on Rickter {names} at {at} since ",
    )


def _reversed_headings(plan) -> dict:
    return {h.id: h.reversed for h in plan.rickter_headings}


def _person_and_heading(pair) -> tuple:
    (person, heading), _ = pair
    return str(person), heading


def judged_outcome(fn, facts: Facts, outcome):
    """An outcome shown only by a practitioner's judgement at the plan's stages.

    With the param `applies_only_where_assessed`, it applies only to families whose plan took up
    that need (a practitioner assessment speaks to the outcome at some stage).
    """
    p = outcome.params
    if p.get("applies_only_where_assessed") and not facts.assessments(outcome.id):
        return not_applicable(fn, outcome, "the need was not taken up in the family's plan")
    met, met_on, items = judged_met(facts, outcome.id, p["judged_at"])
    stages = "/".join(p["judged_at"])
    note = (
        f"judged met at {stages} since {ISO[met_on]}"
        if met
        else (
            f"latest judgement at {stages}: not met" if items else f"no judgement at {stages} yet"
        )
    )
    step = outcome_step(
        fn, outcome, f"a practitioner judges it met at {stages}", items[-2:], met, note
    )
    missing = [] if met else [f"{label(outcome)}: a practitioner's judgement of met at {stages}"]
    return finish(facts, outcome, met=met, met_on=met_on, steps=(step,), missing=missing)
