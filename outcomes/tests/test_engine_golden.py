"""Golden output: the engine's results for thousands of generated families never change unnoticed.

Two sets of repeatable snapshots are judged: the benchmark's realistic families
(`bench/engine_bench.py`, seed 2018) and the untidy families of `engine_fuzz.py`, which reach every
indicator and outcome rule. For each, the SHA-256 of its `result_to_dict` JSON (keys in order) and
a digest of both rendered explanations must equal the digests stored in
`data/engine_golden.json`, made by the engine before any optimisation. A second pass judges the
families in reverse order against a freshly read plan, so nothing one family leaves in a cache
can change another's result.

Regenerate the digests ONLY for an intended change of behaviour (and say so in the commit):
    python outcomes/tests/test_engine_golden.py --write
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import random
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script to regenerate
    sys.path.insert(0, str(ROOT))

from outcomes.engine import Plan, evaluate  # noqa: E402
from outcomes.engine.explain import for_auditor, for_practitioner  # noqa: E402
from outcomes.engine.jsonio import result_to_dict  # noqa: E402
from outcomes.tests import engine_fuzz  # noqa: E402

GOLDEN = Path(__file__).resolve().parent / "data" / "engine_golden.json"
PLAN_PATH = ROOT / "outcomes" / "plans" / "fop_v9.json"
SETS = {"bench": (2018, 2000), "fuzz": (9, 1500)}  # name → (seed, families)


@cache
def _bench_module():
    spec = importlib.util.spec_from_file_location("engine_bench", ROOT / "bench/engine_bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _plan() -> Plan:
    return Plan.from_dict(json.loads(PLAN_PATH.read_text(encoding="utf-8")))


@cache
def snapshots(name: str) -> tuple:
    seed, count = SETS[name]
    if name == "bench":
        return tuple(_bench_module().generate(random.Random(seed), 0, count))  # noqa: S311
    return tuple(engine_fuzz.generate(_plan(), seed, count))


_PLAN = _plan()


@cache
def results(name: str) -> tuple:
    """Every family of the set judged once, in order, by one plan read for these tests."""
    return tuple(evaluate(s, _PLAN) for s in snapshots(name))


def digests(result) -> tuple[str, str]:
    """(SHA-256 of the result's JSON, the first 16 hex digits of the explanations' SHA-256).
    The date the answer stands until is left out: it came after these digests, and its own
    test (`test_stands_until.py`) proves it."""
    answer = result_to_dict(result)
    del answer["stands_until"]
    text = json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
    words = for_practitioner(result) + "\n\0\n" + for_auditor(result)
    return (
        hashlib.sha256(text.encode()).hexdigest(),
        hashlib.sha256(words.encode()).hexdigest()[:16],
    )


def golden(name: str) -> dict:
    found = [digests(r) for r in results(name)]
    return {
        "seed": SETS[name][0],
        "results": [r for r, _ in found],
        "explanations": [e for _, e in found],
    }


def _compare(name: str) -> None:
    got = golden(name)
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))[name]
    assert got["seed"] == want["seed"]
    assert len(got["results"]) == len(want["results"])
    pairs = zip(got["results"], want["results"], strict=True)
    wrong = [i for i, (a, b) in enumerate(pairs) if a != b]
    assert not wrong, f"{name}: {len(wrong)} results differ, first at family index {wrong[:5]}"
    pairs = zip(got["explanations"], want["explanations"], strict=True)
    wrong = [i for i, (a, b) in enumerate(pairs) if a != b]
    assert not wrong, f"{name}: {len(wrong)} explanations differ, first at index {wrong[:5]}"


def test_bench_families_judged_as_before():
    _compare("bench")


def test_fuzz_families_judged_as_before():
    _compare("fuzz")


def test_judging_order_and_a_fresh_plan_change_nothing():
    """Results are plain values, so equal results mean equal JSON and explanations."""
    for name in SETS:
        families = snapshots(name)
        want = results(name)
        for plan in (_plan(), _PLAN):  # a cold plan, then the warm one
            got = [evaluate(s, plan) for s in reversed(families)][::-1]
            wrong = [i for i, (a, b) in enumerate(zip(got, want, strict=True)) if a != b]
            assert not wrong, f"{name}: judged backwards, families {wrong[:5]} differ"


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit(__doc__)
    GOLDEN.parent.mkdir(exist_ok=True)
    data = {name: golden(name) for name in SETS}
    GOLDEN.write_text(json.dumps(data, indent=0) + "\n", encoding="utf-8")
    counts = ", ".join(f"{name}: {len(v['results'])}" for name, v in data.items())
    print(f"wrote {GOLDEN} ({counts})")
