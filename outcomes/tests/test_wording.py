"""The engine's words made a reader's: names for person ids, dates and terms in words, benefits
as people write them, the plan's words for its indicators, outcomes and problems. No database."""

import json
from datetime import date
from pathlib import Path
from types import SimpleNamespace

from outcomes.engine.plan import Plan
from outcomes.engine.results import APPLIES, EvidenceRef, Step
from outcomes.wording import Words, choice_words, details_words, when_words

PLAN = Plan.from_dict(json.loads((Path(__file__).parents[1] / "plans" / "fop_v9.json").read_text()))
PEOPLE = {"12": "Małgorzata Wójcik-Żuławska", "7": "فاطمة الزهراء"}


def evidence(**fields):
    base = {"id": 81, "pk": 81, "person_id": 12, "period_end": None, "values": {}}
    return SimpleNamespace(**{**base, **fields})


ATTENDANCE = evidence(
    kind="school_attendance",
    period_start=date(2018, 9, 3),
    period_end=date(2018, 12, 20),
    values={
        "term": "2018 autumn",
        "possible_sessions": 100,
        "sessions_attended": 94,
        "authorised_absence": 0,
        "unexplained_absence": 6,
        "concern": False,
    },
)
WORDS = Words(people=PEOPLE, evidence={"81": ATTENDANCE}, plan=PLAN)


def test_a_finding_names_people_and_says_dates_terms_and_figures_in_words():
    said = WORDS.say("12: 94.0% over 2018 autumn to 2019 summer (met since 2019-07-20)")
    name = "Małgorzata Wójcik-Żuławska"
    assert said == f"{name}: 94% over autumn 2018 to summer 2019 (met since 20 July 2019)"
    assert WORDS.say("7 claiming IS; 12 left UC on 2019-01-04") == (
        "فاطمة الزهراء claiming Income Support; Małgorzata Wójcik-Żuławska left Universal Credit "
        "on 4 January 2019"
    )
    assert WORDS.say("7 CIN since 2019-02-01") == "فاطمة الزهراء CIN since 1 February 2019"
    # Numbers that are not people stay as they are.
    assert WORDS.say("12 ASB intervention(s); outcome 1.12: 12.5%") == (
        "12 ASB intervention(s); outcome 1.12: 12.5%"
    )
    assert WORDS.say("≥90% of possible sessions") == "at least 90% of possible sessions"


def test_a_step_is_a_verdict_about_the_plans_words_with_what_was_needed_read_and_found():
    step = Step(
        "school_attendance_at_least",
        "outcome 1.1",
        "≥90% of possible sessions (authorised absence excluded) over 3 consecutive terms",
        (EvidenceRef("81", "school_attendance", date(2018, 9, 3)),),
        True,
        "12: 94.0% over 2018 autumn to 2019 summer (met since 2019-07-20)",
    )
    said = WORDS.step(step)
    assert said.verdict == "Met"
    assert said.about.startswith("Outcome 1.1: All school age children have a school place")
    assert said.needed.startswith("at least 90% of possible sessions")
    assert said.evidence == ["School attendance, autumn 2018 term, Małgorzata Wójcik-Żuławska"]
    assert "school_attendance_at_least" not in str(said)
    not_applying = WORDS.step(Step("x", "outcome 1.3", APPLIES, (), False, "1.3: does not apply"))
    assert (not_applying.verdict, not_applying.found) == ("Does not apply", "does not apply")
    indicator = WORDS.step(Step("x", "indicator 6.2", "t", (), False, "none recorded"))
    assert indicator.verdict == "Not shown"
    assert indicator.about == "Indicator 6.2: A child who has been assessed as needing early help"
    principle = WORDS.step(Step("x", "principle named_lead_worker", "t", (), True, "shown"))
    assert principle.about.startswith("A lead worker for the family")


def test_eligibility_names_the_problems():
    step = Step(
        "at_least_two_headline_problems",
        "eligibility",
        "at least 2 headline problems, each evidenced by an indicator",
        (),
        False,
        "headline problems evidenced by an indicator: 2; identified but not evidenced: 1, 6",
    )
    assert WORDS.step(step).found == (
        "headline problems evidenced by an indicator: 2 (Parents and children involved in crime "
        "or anti-social behaviour); identified but not evidenced: 1 (Children who have not been "
        "attending school) and 6 (Children who need help)"
    )


def test_evidence_is_said_in_words_not_keys_and_codes():
    assert when_words(ATTENDANCE) == "autumn 2018 term"
    assert details_words(ATTENDANCE) == (
        "Attended 94 of 100 possible sessions; 0 authorised absences; 6 unexplained absences; "
        "absence not a concern"
    )
    claim = evidence(
        kind="benefit_claim",
        period_start=date(2018, 1, 8),
        values={"benefit": "IS", "work_related_conditions": False},
    )
    assert when_words(claim) == "from 8 January 2018"
    assert details_words(claim) == "Benefit: Income Support; Work-related conditions: No"
    assert [choice_words(b) for b in ("JSA", "ESA", "IS", "UC")] == [
        "JSA",
        "ESA",
        "Income Support",
        "Universal Credit",
    ]
