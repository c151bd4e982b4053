"""A family's evidence pack (DOMAIN §8: claims "carry their evidence"): every outcome, the
evidence rows and dates behind it, and the engine's explanation line by line — as a page and as a
PDF an auditor can keep. The outcomes and evidence are the family's current nightly decision, so
the pack says exactly what the claim was decided on; the explanation is worked out again from the
records (`outcomes.explanations`), and the pack says so where they have changed since."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from fpdf import FPDF

from outcomes.engine.explain import long_date

from .decisions import OutcomeDecision
from .explanations import claim_words, decision_words, explain
from .models import Evidence, FamilyResult
from .selectors import claim_since_result, current_result


@dataclass
class OutcomeLine:
    outcome: str
    rule: str
    status: str
    met_on: object
    sustained_on: object
    evidence: list = field(default_factory=list)


@dataclass
class EvidencePack:
    family: object
    row: FamilyResult | None
    headline: str = ""
    outcomes: list[OutcomeLine] = field(default_factory=list)
    evidence: list = field(default_factory=list)  # every row any step cites
    for_auditor: str = ""
    for_practitioner: str = ""
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
    pack.for_auditor = explained.auditor()
    pack.for_practitioner = explained.practitioner()
    decision = row.decision
    rows = {
        e.pk: e
        for e in Evidence.objects.filter(family=family, pk__in=decision.evidence)
        .select_related("person", "recorded_by", "api_client")
        .order_by("period_start", "id")
    }
    pack.evidence = list(rows.values())
    rules = explained.plan.outcomes if explained.plan is not None else {}
    for o in decision.outcomes:
        pack.outcomes.append(
            OutcomeLine(
                o.outcome,
                rules[o.outcome].rule if o.outcome in rules else "",
                _status(o),
                o.met_on,
                o.sustained_on,
                [rows[i] for i in o.evidence if i in rows],
            )
        )
    return pack


# fpdf2's core fonts speak Latin-1 only. Names and notes may not: typographic punctuation gets its
# plain equivalent, accented letters outside Latin-1 lose their accent (Ł stays a "?"), so a pack
# for any family prints instead of crashing.
_PLAIN = str.maketrans(
    {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "•": "-"}
)


def latin1(text: str) -> str:
    text = str(text).translate(_PLAIN)
    out = []
    for ch in text:
        if ord(ch) < 256:
            out.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append(base if base and all(ord(c) < 256 for c in base) else "?")
    return "".join(out)


def _evidence_text(e: Evidence) -> str:
    period = str(e.period_start) + (
        f" to {e.period_end}" if e.period_end and e.period_end != e.period_start else ""
    )
    who = str(e.person) if e.person_id else "Whole family"
    values = "; ".join(f"{k}: {v}" for k, v in e.values.items())
    return (
        f"#{e.pk} {e.get_kind_display()}, {who}, {period}. {values}. Source {e.source}, "
        f"recorded {e.recorded_on}"
    )


def evidence_pack_pdf(pack: EvidencePack) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(latin1(f"Evidence pack: {pack.family.name}"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.epw

    def para(text, size=10, style="", mono=False):
        pdf.set_font("Courier" if mono else "Helvetica", style, size)
        pdf.multi_cell(width, 5 if mono else 6, latin1(text), new_x="LMARGIN", new_y="NEXT")

    para(f"Evidence pack: {pack.family.name} ({pack.family.reference})", 16, "B")
    if pack.row is None:
        para("No results yet: the nightly job has not judged this family.")
        return bytes(pdf.output())
    para(f"As of {long_date(pack.row.as_of)}, Family Outcomes Plan version {pack.row.plan_version}")
    para(pack.headline, 11, "B")
    if pack.notice:
        para(pack.notice, 10, "B")
    para("Outcomes", 13, "B")
    for o in pack.outcomes:
        para(f"Outcome {o.outcome} ({o.rule}): {o.status}", 10, "B")
        for e in o.evidence:
            para("  " + _evidence_text(e), 9)
    para("Evidence used", 13, "B")
    for e in pack.evidence:
        para(_evidence_text(e), 9)
    pdf.add_page()
    para("Explanation, step by step", 13, "B")
    if pack.notice:
        para(pack.notice, 9, "B")
    para(pack.for_auditor, 7, mono=True)
    return bytes(pdf.output())
