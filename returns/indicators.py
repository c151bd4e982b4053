"""The thirteen Family Progress Data indicators (seed 002 §3.1.8: "information on thirteen
indicators for all the families they are working with pre-intervention and during
intervention"; the seeds do not list them).

Chosen because FPD is for "those key indicators that are not available in national datasets":
the National Impact Study already matches the family's members to the Police National Computer
(offences, arrests, orders), the National Pupil Database (attendance, exclusions) and DWP's
benefit and employment records, so none of those is here. What is left is what only the council
and its partners record: children's social care, domestic abuse, anti-social behaviour
interventions, health, money, young people not in education, employment or training, children
missing from a school roll, and early years. Each is read from evidence kinds the service
already records (`outcomes/engine/kinds.py`); returns/LAYOUTS.md gives the table.

An indicator holds for a window when an item of its kind, with the values named, falls in it
(an event on a day in the window; a spell overlapping it).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    kind: str
    # value key -> the values that count (every key must match)
    values: dict = field(default_factory=dict)

    def matches(self, kind: str, values: dict) -> bool:
        return kind == self.kind and all(
            values.get(k) in allowed for k, allowed in self.values.items()
        )


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "social_care_referral",
        "Referral to children's social care",
        "social_care_event",
        {"event": ("referral",)},
    ),
    Indicator("child_in_need", "Child in need", "social_care_event", {"event": ("cin_opened",)}),
    Indicator(
        "child_protection",
        "Child protection enquiry or plan",
        "social_care_event",
        {"event": ("s47", "cp_opened")},
    ),
    Indicator(
        "domestic_abuse",
        "Domestic abuse, current or a risk",
        "domestic_abuse",
        {"status": ("current", "risk")},
    ),
    Indicator(
        "domestic_incident_callout",
        "Police call-out to a domestic incident",
        "domestic_incident",
        {"police_callout": (True,)},
    ),
    Indicator("asb_intervention", "Anti-social behaviour intervention", "asb_intervention"),
    Indicator("mental_health", "Mental health need", "health_need", {"need": ("mental_health",)}),
    Indicator(
        "substance_misuse", "Substance misuse", "health_need", {"need": ("substance_misuse",)}
    ),
    Indicator(
        "unmanageable_debt",
        "Unmanageable debt",
        "financial_exclusion_risk",
        {"reason": ("unmanageable_debt",)},
    ),
    Indicator(
        "rent_arrears", "Rent arrears", "financial_exclusion_risk", {"reason": ("rent_arrears",)}
    ),
    Indicator(
        "neet",
        "Young person not in education, employment or training",
        "eet_status",
        {"status": ("NEET",)},
    ),
    Indicator("not_on_roll", "Child not on a school roll", "not_on_roll"),
    Indicator(
        "early_education_not_taken_up",
        "Funded early education not taken up",
        "early_years_entitlement",
        {"entitled": (True,), "taken_up": (False,)},
    ),
)

BY_KEY = {i.key: i for i in INDICATORS}
KINDS = frozenset(i.kind for i in INDICATORS)
