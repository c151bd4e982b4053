"""Rewrite the worked example in outcomes/engine/FORMAT.md from the engine's own output.

    python outcomes/examples/refresh_format_example.py

Run it after changing the example snapshot or a rule; outcomes/tests/test_jsonio.py fails until
the document shows what the engine really gives for family_snapshot.json.
"""

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from outcomes.engine import Plan, evaluate  # noqa: E402  (needs the path above)
from outcomes.engine.explain import for_practitioner  # noqa: E402
from outcomes.engine.jsonio import dumps, result_to_dict, snapshot_from_dict  # noqa: E402


def main() -> None:
    plan = Plan.from_dict(json.loads((HERE.parent / "plans" / "fop_v9.json").read_text("utf-8")))
    raw = json.loads((HERE / "family_snapshot.json").read_text("utf-8"))
    result = evaluate(snapshot_from_dict(raw), plan)
    doc = HERE.parent / "engine" / "FORMAT.md"
    text = doc.read_text("utf-8")
    blocks = {
        "### Snapshot\n\n```json\n": dumps(raw),
        "### Result\n\n```json\n": dumps(result_to_dict(result)),
        "(`explain.for_practitioner`)\n\n```text\n": for_practitioner(result) + "\n",
    }
    for opening, body in blocks.items():
        pattern = re.compile(re.escape(opening) + r".*?```", re.S)
        text, count = pattern.subn(lambda _m, o=opening, b=body: o + b + "```", text)
        if count != 1:
            raise SystemExit(f"FORMAT.md: cannot find the block after {opening.splitlines()[0]!r}")
    doc.write_text(text, "utf-8")


if __name__ == "__main__":
    main()
