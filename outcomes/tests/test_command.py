"""`manage.py evaluate_outcomes`: files, standard input, and clear errors — without a database."""

import copy
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "family_snapshot.json"
SNAPSHOT = json.loads(EXAMPLE.read_text(encoding="utf-8"))


def evaluate_outcomes(*args, stdin_text=None):
    out = io.StringIO()
    kwargs = {"stdout": out}
    if stdin_text is not None:
        kwargs["stdin"] = io.StringIO(stdin_text)
    call_command("evaluate_outcomes", *args, **kwargs)
    return json.loads(out.getvalue())


def test_a_file_with_one_snapshot_gives_one_result_with_its_explanation():
    result = evaluate_outcomes(str(EXAMPLE))
    assert result["family_id"] == "F-000123"
    assert result["claim"]["status"] == "claimable" and result["claim"]["since"] == "2019-07-15"
    assert result["explanation_text"].startswith("Family F-000123, as of 30 September 2019")


def test_standard_input_with_a_list_of_snapshots(tmp_path):
    second = copy.deepcopy(SNAPSHOT)
    second["family_id"] = "F-000124"
    second["as_of"] = "2019-05-01"
    results = evaluate_outcomes(
        "-", "--explain", "auditor", stdin_text=json.dumps([SNAPSHOT, second])
    )
    assert [r["family_id"] for r in results] == ["F-000123", "F-000124"]
    assert [r["claim"]["status"] for r in results] == ["claimable", "in_progress"]
    assert "threshold:" in results[1]["explanation_text"]


def test_bad_json_is_a_clear_error():
    with pytest.raises(CommandError, match=r"standard input: not valid JSON \(Expecting"):
        evaluate_outcomes("-", stdin_text='{"family_id": ')
    with pytest.raises(CommandError, match=r"not valid JSON \(it is nested more than 32"):
        evaluate_outcomes("-", stdin_text="[" * 100_000)


def test_a_missing_field_names_the_snapshot_and_the_field():
    broken = copy.deepcopy(SNAPSHOT)
    del broken["evidence"][3]["values"]["possible_sessions"]
    with pytest.raises(
        CommandError,
        match=r"^snapshot 1 \(F-000123\): evidence\[3\]\.values\.possible_sessions: missing",
    ):
        evaluate_outcomes("-", stdin_text=json.dumps([SNAPSHOT, broken]))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            lambda s: s.pop("as_of"), r"snapshot 0 \(F-000123\): as_of: missing", id="as_of missing"
        ),
        pytest.param(
            lambda s: s["members"][0].update(date_of_birth="02/03/1984"),
            r"members\[0\]\.date_of_birth: expected an ISO date",
            id="date in the wrong format",
        ),
        pytest.param(
            lambda s: s["problems_identified"][0].update(indicator="1.9"),
            r"problems_identified\[0\]\.indicator: '1\.9' is not an indicator of plan version 9",
            id="indicator not in the plan",
        ),
        pytest.param(
            lambda s: s["attachment"].update(plan_version=10),
            r"plan_version: no plan version 10 loaded",
            id="plan version not loaded",
        ),
    ],
)
def test_bad_input_is_refused_with_the_field(change, message):
    broken = copy.deepcopy(SNAPSHOT)
    change(broken)
    with pytest.raises(CommandError, match=message):
        evaluate_outcomes("-", stdin_text=json.dumps(broken))


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match=r"nowhere\.json: cannot read it"):
        evaluate_outcomes(str(tmp_path / "nowhere.json"))


def test_another_plan_version_can_be_given(tmp_path):
    plan = json.loads((EXAMPLE.parents[1] / "plans" / "fop_v9.json").read_text(encoding="utf-8"))
    plan["version"] = 10
    plan["headline_problems"][1]["outcomes"][1]["sustain"] = {"months": 12}  # ASB: 12 months
    path = tmp_path / "fop_v10.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    snapshot = copy.deepcopy(SNAPSHOT)
    snapshot["attachment"]["plan_version"] = 10
    result = evaluate_outcomes("-", "--plan", str(path), stdin_text=json.dumps(snapshot))
    assert result["plan_version"] == 10
    asb = next(o for o in result["outcomes"] if o["outcome"] == "2.2")
    assert asb["sustained_on"] == "2019-09-03"
