"""Snapshots and results as JSON (FORMAT.md): the worked example, round trips, clear errors."""

import copy
import json
import re
from pathlib import Path

import pytest

from outcomes.engine import evaluate
from outcomes.engine.explain import for_auditor, for_practitioner
from outcomes.engine.jsonio import (
    SnapshotError,
    result_to_dict,
    snapshot_from_dict,
    snapshot_to_dict,
)
from outcomes.tests.builders import PLAN

ENGINE = Path(__file__).resolve().parents[1] / "engine"
EXAMPLE = json.loads((ENGINE.parent / "examples" / "family_snapshot.json").read_text("utf-8"))


def _blocks():
    text = (ENGINE / "FORMAT.md").read_text("utf-8")
    found = {}
    for heading in ("Snapshot", "Result"):
        match = re.search(rf"### {heading}\n\n```json\n(.*?)```", text, re.S)
        found[heading] = json.loads(match.group(1))
    return found


def test_format_md_example_is_the_example_file():
    assert _blocks()["Snapshot"] == EXAMPLE


def test_format_md_result_is_what_the_engine_gives_for_the_example():
    assert _blocks()["Result"] == result_to_dict(evaluate(snapshot_from_dict(EXAMPLE), PLAN))


def test_format_md_documents_every_evidence_kind():
    from outcomes.engine.kinds import EVIDENCE_KINDS

    text = (ENGINE / "FORMAT.md").read_text("utf-8")
    assert [k for k in EVIDENCE_KINDS if f"| `{k}` |" not in text] == []


def test_worked_example_is_claimable_by_continuous_employment():
    result = evaluate(snapshot_from_dict(EXAMPLE), PLAN)
    assert (result.claim.status, result.claim.route) == ("claimable", 2)
    assert result.claim.since.isoformat() == "2019-07-15"
    # The school's corrected spring 2019 return is the one used.
    used = [e.id for o in result.outcomes if o.outcome == "1.1" for e in o.explanation[0].evidence]
    assert "E-ATT-P2-5b" in used and "E-ATT-P2-5" not in used


def test_snapshot_round_trips():
    snapshot = snapshot_from_dict(EXAMPLE)
    again = snapshot_from_dict(json.loads(json.dumps(snapshot_to_dict(snapshot))))
    assert again == snapshot


def _broken(change):
    d = copy.deepcopy(EXAMPLE)
    change(d)
    return d


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        pytest.param(
            lambda d: d["evidence"][0].update(kind="rumour"),
            "evidence[0].kind",
            "expected one of",
            id="unknown evidence kind",
        ),
        pytest.param(
            lambda d: d["evidence"][0]["values"].update(sessions_attended=-3),
            "evidence[0].values.sessions_attended",
            "expected a whole number ≥ 0",
            id="a count below zero",
        ),
        pytest.param(
            lambda d: d["evidence"][1].update(id="E-ATT-P2-1"),
            "evidence[1].id",
            "appears twice",
            id="duplicate evidence id",
        ),
        pytest.param(
            lambda d: d["evidence"][6].update(supersedes="E-NOWHERE"),
            "evidence[6].supersedes",
            "no evidence item 'E-NOWHERE'",
            id="a correction of nothing",
        ),
        pytest.param(
            lambda d: d["problems_identified"][0]["evidence_ids"].append("E-NOWHERE"),
            "problems_identified[0].evidence_ids[3]",
            "no evidence item",
            id="an identification naming unknown evidence",
        ),
        pytest.param(
            lambda d: d["episode"].update(ended_on="2019-08-01"),
            "episode.closure_reason",
            "missing (the episode has ended)",
            id="closed episode without a reason",
        ),
        pytest.param(
            lambda d: d["school_terms"][1].update(starts_on="2017-12-01"),
            "school_terms[1].starts_on",
            "overlaps",
            id="overlapping school terms",
        ),
        pytest.param(
            lambda d: d["evidence"][0].update(period_end="2017-01-01"),
            "evidence[0].period_end",
            "is before period_start",
            id="a period ending before it starts",
        ),
    ],
)
def test_bad_snapshot_names_the_field(change, field, problem):
    with pytest.raises(SnapshotError) as caught:
        snapshot_from_dict(_broken(change))
    assert caught.value.field == field
    assert problem in caught.value.problem


def test_practitioner_text_is_short_and_says_what_is_missing():
    broken = _broken(lambda d: d.update(as_of="2019-06-30"))
    text = for_practitioner(evaluate(snapshot_from_dict(broken), PLAN))
    assert text.splitlines()[1] == "In progress: not claimable yet."
    assert "Still needed:" in text
    assert "it will be sustained on 2019-07-15" in text  # the JSA job's 26 weeks


def test_auditor_text_shows_thresholds_and_evidence_for_every_step():
    text = for_auditor(evaluate(snapshot_from_dict(EXAMPLE), PLAN))
    assert "threshold: ≥90% of possible sessions (authorised absence excluded) over 3" in text
    assert "E-JOB-1 (employment, 2019-01-14)" in text
    assert "[N/A ] outcome 1.2: attendance_improved_from_very_low" in text
    assert "Route 2 (continuous employment): achieved on 2019-07-15" in text
