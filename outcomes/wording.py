"""The engine's answers in the words a practitioner and an auditor read.

The engine is pure and knows people and evidence only by id, rules by their code names, dates as
ISO strings and terms as "2018 autumn". Pages and PDFs never show those: `Words` is built for
one family, knows its people's names and its evidence rows, and says each step of an explanation
as a verdict ("Met", "Not met", "Does not apply"), what it is about (the plan's own words for the
indicator or outcome), what was needed (the plan's threshold), the evidence read (what, when,
whose) and what was found — with names for person ids, "20 July 2019" for 2019-07-20,
"autumn 2018" for 2018 autumn, "Income Support" for IS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from cases.models import Person
from outcomes.engine.explain import ROUTES, headline, long_date
from outcomes.engine.kinds import EVIDENCE_KINDS
from outcomes.engine.plan import PRINCIPLE_WORDS
from outcomes.engine.results import APPLIES

# Values of evidence as people write them (the engine keeps short codes).
VALUE_WORDS = {
    "JSA": "JSA",
    "ESA": "ESA",
    "IS": "Income Support",
    "UC": "Universal Credit",
    "EET": "in education, employment or training",
    "NEET": "not in education, employment or training",
    "GP": "GP",
    "cin_opened": "child in need plan opened",
    "cin_closed": "child in need plan closed",
    "s47": "Section 47 enquiry",
    "cp_opened": "child protection plan opened",
    "cp_closed": "child protection plan closed",
    "step_down": "stepped down to early help",
    "step_up": "stepped up to children's social care",
    "not_met": "not met",
    "honour_based": "honour-based",
    "new_mother": "new mother",
}
# Kinds whose name does not read as words on its own.
KIND_WORDS = {
    "asb_intervention": "Anti-social behaviour intervention",
    "eet_status": "Education, employment or training status",
    "early_years_entitlement": "Early years entitlement",
    "rickter_score": "Rickter Lifeboard score",
    "social_care_event": "Children's social care",
    "practitioner_assessment": "Practitioner's judgement",
    "criminal_justice_order": "Criminal justice order",
}
# Value keys whose name does not read as words on its own.
KEY_WORDS = {"work_related_conditions": "Work-related conditions", "planned_eet": "Planned EET"}

_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_TERM = re.compile(r"\b(\d{4}) (autumn|spring|summer)\b")
_WHOLE_PCT = re.compile(r"\b(\d+)\.0%")
_BENEFIT = re.compile(r"\b(IS|UC)\b")
_PROBLEM_LIST = re.compile(
    r"(headline problems evidenced by an indicator|identified but not evidenced): "
    r"(\d+(?:, \d+)*|none)"
)
_OWN_ID = re.compile(r"^\d+\.\d+: ")
_SIGNS = {"≥": "at least ", "≤": "at most ", "≠": "not "}


def humanise(code: str) -> str:
    return str(code).replace("_", " ").capitalize()


def value_words(value) -> str:
    """One value of an evidence row, as people write it."""
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if isinstance(value, str):
        if value in VALUE_WORDS:
            return VALUE_WORDS[value]
        return _TERM.sub(r"\2 \1", value).replace("_", " ")
    return str(value)


def key_words(key: str) -> str:
    """The name of a value of evidence, as a label: "Work-related conditions"."""
    return KEY_WORDS.get(key) or humanise(key)


def choice_words(value: str) -> str:
    """One allowed value, as a choice on a form: "Income Support", "Much less safe"."""
    return _first_upper(value_words(value))


def kind_words(kind: str) -> str:
    return KIND_WORDS.get(kind) or humanise(kind)


def date_words(d) -> str:
    return long_date(d) if d else ""


def when_words(e) -> str:
    """The period an evidence row speaks to, in words."""
    if EVIDENCE_KINDS.get(e.kind) and EVIDENCE_KINDS[e.kind].dated == "term" and "term" in e.values:
        return value_words(e.values["term"]) + " term"
    if e.period_end and e.period_end != e.period_start:
        return f"{date_words(e.period_start)} to {date_words(e.period_end)}"
    if (
        e.period_end is None
        and EVIDENCE_KINDS.get(e.kind)
        and EVIDENCE_KINDS[e.kind].dated == "spell"
    ):
        return f"from {date_words(e.period_start)}"
    return date_words(e.period_start)


def details_words(e) -> str:
    """What an evidence row says, in a sentence rather than its keys and codes."""
    v = dict(e.values)
    if e.kind == "school_attendance" and {"possible_sessions", "sessions_attended"} <= set(v):
        text = f"Attended {v['sessions_attended']} of {v['possible_sessions']} possible sessions"
        text += f"; {v.get('authorised_absence', 0)} authorised absences"
        text += f"; {v.get('unexplained_absence', 0)} unexplained absences"
        if "concern" in v:
            text += "; absence a concern" if v["concern"] else "; absence not a concern"
        return text
    parts = []
    for key, value in v.items():
        if key == "term":
            continue
        parts.append(f"{key_words(key)}: {value_words(value)}")
    return "; ".join(parts)


@dataclass
class StepWords:
    verdict: str  # "Met", "Not met", "Shown", "Not shown", "Does not apply"
    about: str
    needed: str
    evidence: list[str]
    found: str


@dataclass
class Section:
    heading: str
    lines: list[str] = field(default_factory=list)
    steps: list[StepWords] = field(default_factory=list)


class Words:
    """Says one family's answers in words: `people` maps person ids (as the engine has them) to
    names, `evidence` evidence ids to rows, `plan` gives the plan's own names."""

    def __init__(self, *, people: dict[str, str], evidence: dict[str, object], plan=None):
        self.people = people
        self.evidence = evidence
        self.problems, self.indicators, self.outcomes = {}, {}, {}
        for p in plan.headline_problems if plan is not None else ():
            self.problems[p.id] = p.name
            self.indicators.update({i.id: i.text for i in p.indicators})
            self.outcomes.update({o.id: o.text for o in p.outcomes})
        ids = sorted(people, key=len, reverse=True)
        # A person id as the engine's notes place it: "12: …", "12 claiming …", "12 left …",
        # "12 is not shown …", "12 CIN since …" — never a number inside a figure or a code.
        self._person = (
            re.compile(
                r"(?<![\w.])(" + "|".join(map(re.escape, ids)) + r")"
                r"(?=:| claiming | left | is not | [A-Z]{2,4} since )"
            )
            if ids
            else None
        )

    @classmethod
    def for_family(cls, family, *, plan=None, evidence=()):
        people = {
            str(p.pk): str(p) for p in Person.objects.filter(memberships__family=family).distinct()
        }
        return cls(people=people, evidence={str(e.pk): e for e in evidence}, plan=plan)

    # --- words for pieces --------------------------------------------------------------------

    def say(self, text: str) -> str:
        """An engine note or threshold with names, dates, terms and benefits in words."""
        text = str(text)
        if self._person is not None:
            text = self._person.sub(lambda m: self.people[m.group(1)], text)
        text = _ISO.sub(lambda m: _iso_words(m), text)
        text = _TERM.sub(r"\2 \1", text)
        text = _WHOLE_PCT.sub(r"\1%", text)
        text = _BENEFIT.sub(lambda m: VALUE_WORDS[m.group(1)], text)
        for sign, words in _SIGNS.items():
            text = text.replace(sign, words)
        return text

    def person(self, person_id) -> str:
        return self.people.get(str(person_id), "a former member") if person_id else "Whole family"

    def outcome(self, oid: str) -> str:
        text = self.outcomes.get(oid)
        return f"Outcome {oid}: {text.rstrip('.')}" if text else f"Outcome {oid}"

    def indicator(self, iid: str) -> str:
        text = self.indicators.get(iid)
        return f"Indicator {iid}: {text.rstrip('.')}" if text else f"Indicator {iid}"

    def problem(self, pid: str) -> str:
        name = self.problems.get(pid)
        return f"Problem {pid}: {name}" if name else f"Problem {pid}"

    def item(self, e) -> str:
        """An evidence row in a few words: what, when, whose."""
        who = f", {self.person(e.person_id)}" if e.person_id else ""
        return f"{kind_words(e.kind)}, {when_words(e)}{who}"

    def ref(self, ref) -> str:
        e = self.evidence.get(str(ref.id))
        if e is not None:
            return self.item(e)
        return f"{kind_words(ref.kind)}, {long_date(ref.on)}"

    def about(self, subject: str) -> str:
        kind, _, rest = subject.partition(" ")
        if kind == "indicator":
            return self.indicator(rest)
        if kind == "outcome":
            return self.outcome(rest)
        if kind == "outcomes":
            ids = rest.split(" or ")
            if len(ids) == 1:
                return self.outcome(ids[0])
            return "One of outcomes " + ", ".join(ids[:-1]) + " or " + ids[-1]
        if kind == "principle":
            return _first_upper(PRINCIPLE_WORDS.get(rest, humanise(rest)))
        if kind == "problem":
            return self.problem(rest)
        if kind == "route" and rest.isdigit() and int(rest) in ROUTES:
            return f"Route {rest}: {ROUTES[int(rest)]}"
        if subject == "claim":
            return "The claim"
        return _first_upper(self.say(subject))

    def problem_list(self, ids) -> str:
        """Headline problems by number and name: "1 (Children who have not been attending
        school) and 2 (…)"."""
        named = [f"{pid} ({self.problems[pid]})" if pid in self.problems else pid for pid in ids]
        if not named:
            return "none"
        return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]

    def _problems_in(self, note: str) -> str:
        return _PROBLEM_LIST.sub(
            lambda m: (
                f"{m.group(1)}: {self.problem_list(m.group(2).split(', '))}"
                if m.group(2) != "none"
                else m.group(0)
            ),
            note,
        )

    def step(self, step) -> StepWords:
        found = self._problems_in(step.note) if step.subject == "eligibility" else step.note
        if step.threshold == APPLIES:
            verdict, needed = "Does not apply", ""
            found = _OWN_ID.sub("", found)  # "1.3: does not apply": the step names 1.3 already
        elif step.subject.startswith(("indicator", "principle")):
            verdict, needed = ("Shown" if step.result else "Not shown"), self.say(step.threshold)
        else:
            verdict, needed = ("Met" if step.result else "Not met"), self.say(step.threshold)
        return StepWords(
            verdict,
            self.about(step.subject),
            needed,
            [self.ref(r) for r in step.evidence],
            self.say(found),
        )

    # --- whole answers -----------------------------------------------------------------------

    def for_practitioner(self, answer) -> list[str]:
        """The short explanation: the decision, each problem's state, what is still needed."""
        lines = [
            f"As of {long_date(answer.as_of)} (Family Outcomes Plan version "
            f"{answer.plan_version}): {headline(answer)}"
        ]
        for p in answer.problems:
            stages = " and ".join(p.stages)
            if p.sustained:
                state = f"outcomes met and sustained by {long_date(p.sustained_on)}"
            else:
                state = "outcomes not yet met and sustained"
            evidenced = "" if p.evidenced else " (not evidenced by its indicator)"
            lines.append(f"{self.problem(p.problem)}, identified at {stages}{evidenced}: {state}.")
        return lines

    def missing(self, answer) -> list[str]:
        return [self.say(m) for m in answer.missing] if answer is not None else []

    def for_auditor(self, answer) -> list[Section]:
        """Every step of the answer, section by section, in words."""
        steps = self.step
        out = [Section("Decision", [headline(answer)])]
        out.append(Section("Eligibility", [], [steps(s) for s in answer.eligibility.explanation]))
        a = answer.attachment
        attached = (
            f"Attached on {long_date(a.attached_on)}, lead agency {a.lead_agency}."
            if a.attached_on
            else "Not attached."
        )
        out.append(Section("Attachment", [attached], [steps(s) for s in a.explanation]))
        for p in answer.problems:
            section = Section(self.problem(p.problem))
            for i in p.identifications:
                who = f" for {self.person(i.person_id)}" if i.person_id else ""
                section.lines.append(
                    f"Identified on {long_date(i.identified_on)} at {i.stage}{who}."
                )
                section.steps += [steps(s) for s in i.explanation]
            for r in p.requirements:
                section.steps += [steps(s) for s in r.explanation]
            out.append(section)
        for o in answer.outcomes:
            state = "Does not apply to this family."
            if o.applies:
                if o.sustained:
                    met, kept = long_date(o.met_on), long_date(o.sustained_on)
                    state = f"Met since {met}, sustained on {kept}."
                elif o.met:
                    state = (
                        f"Met since {long_date(o.met_on)}; sustained on "
                        f"{long_date(o.sustain_due_on)} if it holds."
                    )
                else:
                    state = "Not met."
            out.append(Section(self.outcome(o.outcome), [state], [steps(s) for s in o.explanation]))
        routes = Section("Claim routes")
        for r in answer.routes:
            routes.lines.append(
                f"Route {r.route} ({ROUTES[r.route]}): "
                + (f"achieved on {long_date(r.achieved_on)}." if r.achieved else "not achieved.")
            )
            routes.steps += [steps(s) for s in r.explanation]
        out.append(routes)
        claim = Section("Claim", [], [steps(s) for s in answer.claim.explanation])
        claim.lines += [f"{reason.text}." for reason in answer.claim.reasons]
        out.append(claim)
        if answer.missing:
            out.append(Section("Still needed", self.missing(answer)))
        return out


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _iso_words(m) -> str:
    try:
        return long_date(date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
    except ValueError:
        return m.group(0)
