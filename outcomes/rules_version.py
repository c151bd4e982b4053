"""The version of the rules the nightly job judges by: a digest of the code that gives an answer.

A family's answer depends on its records, its plan version, the school terms, the date — and
the code that reads them: the engine (`outcomes/engine`) and the snapshot builder that hands it
the records (`outcomes/snapshots.py`). Triggers mark a family when its records change; nothing
marks it when that code changes. So each stored answer keeps the version it was given by, and a
night judges again every answer given by another version (`outcomes.changes`): a deployment
that changes a rule re-judges every family the next night (writing only the answers that
differ), where a hand-bumped number could be forgotten. Any edit to those files counts, even a
comment: a needless re-judging costs one full night's run; a missed one, wrong answers.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

_HERE = Path(__file__).resolve().parent
SOURCES = (_HERE / "engine", _HERE / "snapshots.py")


def _digest() -> str:
    h = hashlib.sha256()
    files = []
    for source in SOURCES:
        files += sorted(source.rglob("*.py")) if source.is_dir() else [source]
    for path in files:
        h.update(path.relative_to(_HERE).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:16]


RULES_VERSION = _digest()
