"""The layers as import-linter contracts (pyproject.toml, README "Design"), run by `make test`
so a change that breaks a layer fails CI, and shown to fail when a layer is broken."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [
    "earlyhelp",
    "cases",
    "assessments",
    "outcomes",
    "partners",
    "workspace",
    "reports",
    "returns",
    "demo",
    "simulation",
]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=where,
        env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_contracts_hold_with_no_ignored_imports():
    config = (ROOT / "pyproject.toml").read_text()
    assert "ignore_imports" not in config
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture
def copy_of_the_tree(tmp_path):
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(
    "module, forbidden_import, broken",
    [
        # Casework depends on neither assessments, the PBR engine nor partners…
        ("cases/people/probe.py", "from outcomes.models import Attachment", "Layers"),
        ("cases/probe.py", "import assessments.models", "Layers"),
        ("cases/episode/probe.py", "from partners import relations", "Layers"),
        # …the core knows no app, even from inside a function…
        ("earlyhelp/probe.py", "def f():\n    from cases.models import Family", "Layers"),
        # …assessments do not import partners, nobody imports the demo generator…
        ("assessments/probe.py", "import partners.models", "Layers"),
        ("outcomes/probe.py", "from demo import families", "Layers"),
        # …and nothing imports the simulated year, not even the demo it builds on…
        ("demo/probe.py", "from simulation import clock", "Layers"),
        # …the reports read the apps below them, and no app below reads a report…
        ("outcomes/probe.py", "from reports import registry", "Layers"),
        ("workspace/probe.py", "import reports.views", "Layers"),
        # …nothing below the national returns reads them, nor do the home pages beside them…
        ("outcomes/probe.py", "from returns import selectors", "Layers"),
        ("workspace/probe.py", "import returns.models", "Layers"),
        # …and the engine imports nothing of Django or the apps.
        ("outcomes/engine/probe.py", "import django.db", "engine is pure"),
        ("outcomes/engine/probe.py", "from outcomes.engine import plan\nimport cases", "engine"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(copy_of_the_tree, module, forbidden_import, broken):
    assert lint_imports(copy_of_the_tree).returncode == 0
    (copy_of_the_tree / module).write_text(forbidden_import + "\n")
    result = lint_imports(copy_of_the_tree)
    assert result.returncode != 0
    assert "1 broken" in result.stdout
    assert module.replace("/", ".").removesuffix(".py") in result.stdout
    assert broken in result.stdout.split("Broken contracts")[1]
