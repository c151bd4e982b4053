"""A family's evidence pack (DOMAIN §8: claims "carry their evidence"): every outcome, the
evidence rows and dates behind it, and the engine's explanation line by line — as a page and as a
PDF an auditor can keep. The outcomes and evidence are the family's current nightly decision, so
the pack says exactly what the claim was decided on; the explanation is worked out again from the
records (`outcomes.explanations`), and the pack says so where they have changed since."""

from __future__ import annotations

from dataclasses import dataclass, field

from earlyhelp.pdf import new_pdf
from outcomes.engine.explain import long_date

from .decisions import OutcomeDecision
from .explanations import claim_words, decision_words, explain
from .models import Evidence, FamilyResult
from .selectors import claim_since_result, current_result
from .wording import Section, Words, details_words, kind_words, when_words


@dataclass
class OutcomeLine:
    outcome: str  # the plan's number and words: "Outcome 1.1: All school age children …"
    status: str
    met_on: object
    sustained_on: object
    evidence: list = field(default_factory=list)


@dataclass
class EvidenceLine:
    """An evidence row as the pack says it."""

    row: Evidence
    when: str
    what: str
    who: str
    details: str


@dataclass
class EvidencePack:
    family: object
    row: FamilyResult | None
    headline: str = ""
    outcomes: list[OutcomeLine] = field(default_factory=list)
    evidence: list = field(default_factory=list)  # every row any step cites
    evidence_lines: list[EvidenceLine] = field(default_factory=list)  # the same, in words
    for_auditor: list[Section] = field(default_factory=list)  # every step, in words
    for_practitioner: list[str] = field(default_factory=list)
    words: Words | None = None  # names people, evidence and the plan's outcomes
    notice: str = ""  # the records have changed since the decision: the explanation is today's


def _status(o: OutcomeDecision) -> str:
    if not o.applies:
        return "Does not apply"
    if o.sustained:
        return "Met and sustained"
    if o.met:
        return f"Met, sustained on {long_date(o.sustain_due_on)} if it holds"
    return "Not met"


def evidence_pack_for(family) -> EvidencePack:
    row = current_result(family)
    pack = EvidencePack(family=family, row=row)
    if row is None:
        return pack
    explained = explain(row)
    claim = claim_since_result(row)  # made since the night: the batch's word until the next
    pack.headline = claim_words(claim) if claim else decision_words(row)
    pack.notice = explained.notice
    decision = row.decision
    rows = {
        e.pk: e
        for e in Evidence.objects.filter(family=family, pk__in=decision.evidence)
        .select_related("person", "recorded_by", "api_client")
        .order_by("period_start", "id")
    }
    pack.evidence = list(rows.values())
    words = pack.words = Words.for_family(family, plan=explained.plan, evidence=pack.evidence)
    pack.evidence_lines = [
        EvidenceLine(
            e, when_words(e), kind_words(e.kind), words.person(e.person_id), details_words(e)
        )
        for e in pack.evidence
    ]
    if explained.answer is not None:
        pack.for_auditor = words.for_auditor(explained.answer)
        pack.for_practitioner = words.for_practitioner(explained.answer)
    for o in decision.outcomes:
        pack.outcomes.append(
            OutcomeLine(
                words.outcome(o.outcome),
                _status(o),
                o.met_on,
                o.sustained_on,
                [(rows[i], words.item(rows[i])) for i in o.evidence if i in rows],
            )
        )
    return pack


def _evidence_text(words: Words, e: Evidence) -> str:
    return (
        f"{words.item(e)}. {details_words(e)}. From {e.source}, recorded "
        f"{long_date(e.recorded_on)}."
    )


def evidence_pack_pdf(pack: EvidencePack) -> bytes:
    """The pack as a PDF, in DejaVu Sans (`earlyhelp.pdf`): every name printed as written."""
    pdf = new_pdf(title=f"Evidence pack: {pack.family.name}")
    pdf.add_page()
    width = pdf.epw

    def para(text, size=10, style=""):
        pdf.set_font(size=size, style=style)
        pdf.multi_cell(width, size * 0.55, str(text), new_x="LMARGIN", new_y="NEXT")

    para(f"Evidence pack: {pack.family.name}", 16, "B")
    if pack.words is not None and pack.words.people:
        para("Family members: " + ", ".join(sorted(pack.words.people.values())))
    if pack.row is None:
        para("No results yet: the nightly job has not judged this family.")
        return bytes(pdf.output())
    para(f"As of {long_date(pack.row.as_of)}, Family Outcomes Plan version {pack.row.plan_version}")
    para(pack.headline, 11, "B")
    if pack.notice:
        para(pack.notice, 10, "B")
    para("Outcomes", 13, "B")
    for o in pack.outcomes:
        para(f"{o.outcome}. {o.status}.", 10, "B")
        for _, said in o.evidence:
            para("    " + said, 9)
    para("Evidence used", 13, "B")
    for e in pack.evidence:
        para(_evidence_text(pack.words, e), 9)
    pdf.add_page()
    para("Explanation, step by step", 13, "B")
    if pack.notice:
        para(pack.notice, 9, "B")
    for section in pack.for_auditor:
        para(section.heading, 11, "B")
        for line in section.lines:
            para(line, 9)
        for step in section.steps:
            para(f"{step.verdict}: {step.about}", 9, "B")
            if step.needed:
                para(f"    Needed: {step.needed}", 8)
            if step.evidence:
                para("    Evidence: " + "; ".join(step.evidence), 8)
            para(f"    Found: {step.found}", 8)
    return bytes(pdf.output())
