"""`manage.py evaluate_outcomes FILE.json` — judge family snapshots against the outcomes plan.

Reads one snapshot or a list of snapshots (FORMAT.md) from a file or `-` for standard input, and
prints each family's result with its explanation as JSON. It never touches the database: the
engine is pure, and the plan comes from a JSON file (`--plan`, repeatable; the default is version 9
in outcomes/plans/). A snapshot is judged by the version its attachment (or its own
`plan_version`) names; bad input stops with the snapshot's index and the field at fault.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from earlyhelp import json_input
from outcomes.engine import EvaluationError, Plan, PlanError, evaluate
from outcomes.engine.explain import for_auditor, for_practitioner
from outcomes.engine.jsonio import SnapshotError, dumps, result_to_dict, snapshot_from_dict

DEFAULT_PLAN = Path(__file__).resolve().parents[2] / "plans" / "fop_v9.json"
EXPLAIN = {"practitioner": for_practitioner, "auditor": for_auditor}


class Command(BaseCommand):
    help = "Evaluate family snapshots (JSON) against the Family Outcomes Plan; prints JSON."
    requires_system_checks = []  # reads files, never the database
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("file", help="a snapshot JSON file, or - for standard input")
        parser.add_argument(
            "--plan",
            action="append",
            dest="plans",
            metavar="FILE",
            help="an outcomes plan JSON file; repeat it for several versions "
            "(default: outcomes/plans/fop_v9.json)",
        )
        parser.add_argument(
            "--explain",
            choices=("practitioner", "auditor", "none"),
            default="practitioner",
            help="add the explanation as text for a practitioner (default) or an auditor",
        )

    def handle(self, *args, **options):
        plans = self._plans(options["plans"] or [str(DEFAULT_PLAN)])
        default_version = next(iter(plans))
        data = self._read(options["file"], options.get("stdin"))
        single = isinstance(data, dict)
        if not single and not isinstance(data, list):
            raise CommandError("input: expected a snapshot object or a list of snapshots")
        explain = EXPLAIN.get(options["explain"])
        results = []
        for index, raw in enumerate([data] if single else data):
            results.append(self._evaluate(index, raw, plans, default_version, explain))
        self.stdout.write(dumps(results[0] if single else results), ending="")

    def _plans(self, paths) -> dict:
        plans = {}
        for path in paths:
            try:
                with open(path, encoding="utf-8") as f:
                    plan = Plan.from_dict(json.load(f))
            except OSError as exc:
                raise CommandError(f"--plan {path}: cannot read it ({exc.strerror})") from None
            except json.JSONDecodeError as exc:
                raise CommandError(f"--plan {path}: not valid JSON ({exc})") from None
            except PlanError as exc:
                raise CommandError(f"--plan {path}: {exc}") from None
            plans[plan.version] = plan
        return plans

    def _read(self, name: str, stdin):
        try:
            if name == "-":
                text = (stdin or sys.stdin).read()
            else:
                with open(name, encoding="utf-8") as f:
                    text = f.read()
        except OSError as exc:
            raise CommandError(f"{name}: cannot read it ({exc.strerror})") from None
        try:
            return json_input.loads(text)
        except ValueError as exc:  # not JSON, or nested deeper than any snapshot
            where = "standard input" if name == "-" else name
            raise CommandError(f"{where}: not valid JSON ({exc})") from None

    def _evaluate(self, index, raw, plans, default_version, explain):
        where = f"snapshot {index}"
        if not isinstance(raw, dict):
            raise CommandError(f"{where}: expected an object")
        if raw.get("family_id"):
            where += f" ({raw['family_id']})"
        version = raw.get("plan_version") or (raw.get("attachment") or {}).get("plan_version")
        version = version or default_version
        plan = plans.get(version)
        if plan is None:
            loaded = ", ".join(str(v) for v in plans)
            raise CommandError(
                f"{where}: plan_version: no plan version {version!r} loaded (loaded: {loaded}); "
                "add it with --plan"
            )
        try:
            result = evaluate(snapshot_from_dict(raw), plan)
        except (SnapshotError, EvaluationError) as exc:
            raise CommandError(f"{where}: {exc}") from None
        out = result_to_dict(result)
        if explain is not None:
            out["explanation_text"] = explain(result)
        return out
