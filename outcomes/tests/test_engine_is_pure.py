"""CONVENTIONS.md, "Rules are data, the engine is pure": no Django, no ORM, no clock."""

import ast
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[1] / "engine"
MODULES = sorted(ENGINE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ENGINE)))
def test_engine_module_imports_only_the_standard_library_and_itself(path):
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            assert top not in {"django", "rest_framework", "celery", "outcomes"}, (
                f"{path.name} imports {name}: the engine must stay pure"
            )


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ENGINE)))
def test_engine_never_reads_the_clock(path):
    text = path.read_text("utf-8")
    for call in ("date.today(", "datetime.now(", "datetime.today(", "time.time(", "utcnow("):
        assert call not in text, f"{path.name} reads the clock ({call}): use snapshot.as_of"
