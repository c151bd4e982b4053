"""The vocabulary of evidence kinds: what each kind means and the `values` keys it carries.

Every `EvidenceItem.kind` must be one of these, and its `values` must hold the required keys
(`check_values` says what is wrong). The database side maps its own records onto these kinds;
the plan names them in each indicator's and outcome's `evidence_kinds`.

Value types: "bool"; "count" (whole number ≥ 0); "number" (≥ 0); "text"; "date" (ISO string in
JSON, `date` in Python); or a tuple of the allowed strings. `dated` says how the item's period is
read: "event" (period_start is the date it happened), "spell" (period_start to period_end, open
while period_end is None), "term" (one school term, named in values["term"]).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

BENEFITS = ("JSA", "ESA", "IS", "UC")
ASSESSMENT_STAGES = ("start", "review", "close")
RICKTER_STAGES = ("baseline", "review", "close")
JUDGEMENTS = ("met", "not_met")
SAFETY = ("much_less_safe", "less_safe", "no_change", "somewhat_safer", "much_safer")
SOCIAL_CARE_EVENTS = (
    "referral",
    "cin_opened",
    "cin_closed",
    "s47",
    "cp_opened",
    "cp_closed",
    "step_down",  # to early help: closes the family's social care cases
    "step_up",  # from early help to social care: a re-referral
)
HEALTH_NEEDS = (
    "mental_health",
    "substance_misuse",
    "new_mother",
    "physical_health",
    "unhealthy_behaviour",
)
ORDERS = ("custody", "licence", "supervision", "community_order", "suspended_sentence")


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    dated: str
    description: str
    required: tuple[tuple[str, object], ...]
    optional: tuple[tuple[str, object], ...] = ()


def _k(name, dated, description, required=(), optional=()):
    return Kind(name, dated, description, tuple(required), tuple(optional))


_KINDS = (
    # 1 School
    _k(
        "school_attendance",
        "term",
        "A child's attendance in one school term (school census / ONE.net).",
        [
            ("term", "text"),
            ("possible_sessions", "count"),
            ("sessions_attended", "count"),
            ("authorised_absence", "count"),
            ("unexplained_absence", "count"),
        ],
        [("concern", "bool")],
    ),
    _k("fixed_term_exclusion", "event", "A fixed-term exclusion.", [("days", "number")]),
    _k("permanent_exclusion", "event", "A permanent exclusion from school."),
    _k(
        "alternative_provision",
        "spell",
        "A placement in alternative educational provision.",
        [("for_behaviour", "bool")],
    ),
    _k("not_on_roll", "spell", "Neither on a school roll nor educated in an alternative setting."),
    _k(
        "education_welfare_case",
        "event",
        "An Education Welfare Service case opened or closed.",
        [("event", ("opened", "closed")), ("authorised_absence_concern", "bool")],
    ),
    _k(
        "school_leaver",
        "event",
        "A child about to leave or leaving school, with qualifications and plans.",
        [("qualifications", ("none", "few", "expected")), ("planned_eet", "bool")],
    ),
    # 2 Crime and anti-social behaviour
    _k("offence", "event", "An offence (dated when committed).", [("proven", "bool")]),
    _k(
        "asb_intervention",
        "event",
        "An anti-social behaviour intervention or equivalent local measure.",
        [("intervention", "text")],
    ),
    _k("arrest", "event", "An arrest.", [("led_to_outcome", "bool")]),
    _k(
        "criminal_justice_order",
        "spell",
        "Custody, licence or supervision after release, community order or suspended sentence.",
        [("order", ORDERS)],
        [("release_on", "date")],
    ),
    # 3 Work and money
    _k(
        "benefit_claim",
        "spell",
        "A benefit claim (DWP).",
        [("benefit", BENEFITS)],
        [("work_related_conditions", "bool")],
    ),
    _k("employment", "spell", "A spell of paid employment.", [("hours_per_week", "number")]),
    _k(
        "step_towards_work",
        "event",
        "A step towards work from the plan's list (outcome 3.2).",
        [("step", "text")],
    ),
    _k(
        "eet_status",
        "event",
        "Education, employment or training status.",
        [("status", ("EET", "NEET"))],
    ),
    _k(
        "financial_exclusion_risk",
        "event",
        "Significant risk of financial exclusion.",
        [("reason", ("unmanageable_debt", "rent_arrears", "other"))],
    ),
    _k(
        "barrier_to_work",
        "event",
        "An issue recorded as a barrier to work for an adult.",
        [("barrier", ("health", "substance_misuse", "childcare", "other"))],
    ),
    # 4 Health
    _k("health_need", "event", "A health need identified.", [("need", HEALTH_NEEDS)]),
    _k(
        "health_registration",
        "event",
        "Registration with a health service.",
        [("service", ("GP", "dentist", "other")), ("registered", "bool")],
        [("accessing", "bool")],
    ),
    _k(
        "substance_use_report",
        "event",
        "Change in harmful alcohol or drug use.",
        [("change", ("ceased", "reduced", "no_change", "increased"))],
    ),
    _k("wellbeing_report", "event", "Wellbeing reported by the person.", [("improved", "bool")]),
    _k(
        "healthy_lifestyle",
        "event",
        "Engagement in healthy lifestyle choices.",
        [("engaging", "bool")],
    ),
    # 5 Domestic abuse
    _k(
        "domestic_abuse",
        "event",
        "Domestic, sexual or honour-based abuse experienced or perpetrated.",
        [
            ("role", ("victim", "perpetrator")),
            ("abuse", ("domestic", "sexual", "honour_based")),
            ("status", ("current", "risk", "historic")),
        ],
    ),
    _k(
        "domestic_incident",
        "event",
        "A domestic incident (severity 1 standard, 2 medium, 3 high risk).",
        [("severity", "count")],
        [("police_callout", "bool")],
    ),
    _k(
        "safety_report",
        "event",
        "How safe a victim or child reports feeling.",
        [("feeling", SAFETY)],
    ),
    # 6 Children who need help
    _k(
        "social_care_event",
        "event",
        "A children's social care event.",
        [("event", SOCIAL_CARE_EVENTS)],
    ),
    _k(
        "early_help_need",
        "event",
        "A child identified or assessed as needing early help.",
        [("stage", ("identified", "assessed"))],
    ),
    _k("speech_language_delay", "event", "Speech, language and communication delay."),
    _k(
        "early_years_entitlement",
        "event",
        "Funded early education for two-year-olds: entitlement and take-up.",
        [("entitled", "bool"), ("taken_up", "bool")],
        [("attendance_pct", "number")],
    ),
    # Across problems
    _k(
        "practitioner_assessment",
        "event",
        "A practitioner's judgement at start, review or close on one outcome of the plan.",
        [("stage", ASSESSMENT_STAGES), ("outcome", "text"), ("judgement", JUDGEMENTS)],
    ),
    _k(
        "rickter_score",
        "event",
        "A Rickter Lifeboard score on one heading (raw, 0–10).",
        [("heading", "text"), ("stage", RICKTER_STAGES), ("score", "number")],
        [("desired", "number")],
    ),
    _k(
        "professional_nomination",
        "event",
        "A professional's nomination under an 'equivalent concern' indicator.",
        [("indicator", "text")],
        [("profession", "text")],
    ),
    _k("retraction", "event", "Withdraws the item it supersedes (recorded in error)."),
)

EVIDENCE_KINDS: dict[str, Kind] = {k.name: k for k in _KINDS}


def _type_ok(value: object, kind: object) -> bool:
    if isinstance(kind, tuple):
        return value in kind
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "count":
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
    if kind == "text":
        return isinstance(value, str) and value != ""
    if kind == "date":
        return isinstance(value, date)
    raise AssertionError(kind)


def _describe(kind: object) -> str:
    if isinstance(kind, tuple):
        return "one of " + ", ".join(kind)
    return {"count": "a whole number ≥ 0", "number": "a number ≥ 0", "date": "a date"}.get(
        str(kind), f"a {kind}"
    )


def check_values(kind_name: str, values: object) -> list[str]:
    """What is wrong with an item's kind and values, as "field: problem" strings (empty if fine)."""
    kind = EVIDENCE_KINDS.get(kind_name)
    if kind is None:
        return [f"kind: unknown evidence kind {kind_name!r}"]
    if not isinstance(values, dict):
        return ["values: expected an object"]
    problems = []
    for key, expected in kind.required:
        if key not in values:
            problems.append(f"values.{key}: missing (a {kind_name} needs it)")
        elif not _type_ok(values[key], expected):
            problems.append(f"values.{key}: expected {_describe(expected)}, got {values[key]!r}")
    for key, expected in kind.optional:
        if key in values and values[key] is not None and not _type_ok(values[key], expected):
            problems.append(f"values.{key}: expected {_describe(expected)}, got {values[key]!r}")
    return problems
