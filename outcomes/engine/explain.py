"""A `FamilyResult` in plain English: short for a practitioner, line by line for an auditor.

The practitioner reads the decision, each problem's state and what is still missing. The auditor
reads every step: the rule, the threshold from the plan, the evidence (ids and dates) and the
finding, so a claim can be checked against its evidence without re-running anything.
"""

from __future__ import annotations

from datetime import date

from .results import APPLIES, CLAIMABLE, CLAIMED, IN_PROGRESS, FamilyResult, Step

MONTHS = (
    "January February March April May June July August September October November December"
).split()
ROUTES = {1: "significant and sustained progress", 2: "continuous employment"}


def long_date(d: date | None) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}" if d else "—"


def headline(result: FamilyResult) -> str:
    claim = result.claim
    if claim.status == CLAIMABLE:
        text = f"Claimable since {long_date(claim.since)} ({ROUTES[claim.route]})"
        window = claim.window
        if window:
            text += f"; claim window {long_date(window.opens)} to {long_date(window.closes)}"
        return text + "."
    if claim.status == CLAIMED:
        route = ROUTES[claim.route]
        return f"Claimed on {long_date(claim.claimed_on)} ({route}). {claim.refusal.text}."
    if claim.status == IN_PROGRESS:
        return "In progress: not claimable yet."
    return "Not claimable: " + "; ".join(r.text for r in claim.reasons) + "."


def for_practitioner(result: FamilyResult) -> str:
    lines = [
        f"Family {result.family_id}, as of {long_date(result.as_of)} "
        f"(Family Outcomes Plan version {result.plan_version})",
        headline(result),
    ]
    for p in result.problems:
        stages = " and ".join(p.stages)
        if p.sustained:
            state = f"outcomes met and sustained by {long_date(p.sustained_on)}"
        else:
            state = "outcomes not yet met and sustained"
        evidenced = "" if p.evidenced else " (not evidenced by its indicator)"
        lines.append(
            f"- Problem {p.problem}, {p.name} (identified at {stages}){evidenced}: {state}"
        )
    if result.missing:
        lines.append("Still needed:")
        lines.extend(f"- {m}" for m in result.missing)
    return "\n".join(lines)


def _step(step: Step, indent: str = "  ") -> str:
    mark = "N/A " if step.threshold == APPLIES else ("PASS" if step.result else "FAIL")
    evidence = ", ".join(f"{e.id} ({e.kind}, {e.on.isoformat()})" for e in step.evidence)
    text = (
        f"{indent}[{mark}] {step.subject}: {step.rule}\n{indent}       threshold: {step.threshold}"
    )
    if evidence:
        text += f"\n{indent}       evidence: {evidence}"
    return text + f"\n{indent}       found: {step.note}"


def for_auditor(result: FamilyResult) -> str:
    out = [
        f"Family {result.family_id} as of {result.as_of.isoformat()}, plan version "
        f"{result.plan_version}",
        f"Decision: {headline(result)}",
        "",
        "Eligibility",
    ]
    out += [_step(s) for s in result.eligibility.explanation]
    a = result.attachment
    out += [
        "",
        f"Attachment: attached on {a.attached_on or 'not attached'}, lead agency {a.lead_agency}",
    ]
    out += [_step(s) for s in a.explanation]
    for p in result.problems:
        out += ["", f"Problem {p.problem}: {p.name}"]
        for i in p.identifications:
            out.append(
                f"  identified {i.identified_on.isoformat()} at {i.stage}"
                + (f" for {i.person_id}" if i.person_id else "")
            )
            out += [_step(s, "    ") for s in i.explanation]
        for r in p.requirements:
            out += [_step(s, "    ") for s in r.explanation]
    out += ["", "Outcomes"]
    for o in result.outcomes:
        state = "does not apply"
        if o.applies:
            state = (
                f"met since {o.met_on}, sustained on {o.sustained_on}"
                if o.sustained
                else (
                    f"met since {o.met_on}, sustained on {o.sustain_due_on} if it holds"
                    if o.met
                    else "not met"
                )
            )
        out.append(f"  Outcome {o.outcome} ({o.rule}): {state}")
        out += [_step(s, "    ") for s in o.explanation]
    out += ["", "Claim routes"]
    for r in result.routes:
        out.append(
            f"  Route {r.route} ({ROUTES[r.route]}): "
            + (f"achieved on {r.achieved_on}" if r.achieved else "not achieved")
        )
        out += [_step(s, "    ") for s in r.explanation]
    out += ["", "Claim"]
    out += [_step(s) for s in result.claim.explanation]
    for reason in result.claim.reasons:
        out.append(f"  reason {reason.code}: {reason.text}")
    if result.missing:
        out += ["", "Still needed"] + [f"  - {m}" for m in result.missing]
    return "\n".join(out)
