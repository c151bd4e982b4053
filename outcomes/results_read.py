"""Reading a stored result back: the engine's answer as the nightly job kept it (JSON), turned
into the engine's own named tuples so `explain.for_practitioner` / `for_auditor` word it exactly
as they would have on the night, without re-running anything."""

from __future__ import annotations

import types
from datetime import date
from functools import cache
from typing import Union, get_args, get_origin, get_type_hints

from outcomes.engine import results
from outcomes.engine.results import FamilyResult


@cache
def _hints(cls) -> dict:
    return get_type_hints(cls, vars(results))


def _read(value, hint):
    if value is None:
        return None
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        (hint,) = [a for a in get_args(hint) if a is not type(None)]
        return _read(value, hint)
    if hint is date:
        return date.fromisoformat(value) if isinstance(value, str) else value
    if origin is tuple:
        args = get_args(hint)
        if isinstance(value, dict):  # principles: stored as {name: held}
            value = list(value.items())
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_read(v, args[0]) for v in value)
        return tuple(_read(v, a) for v, a in zip(value, args, strict=True))
    if isinstance(hint, type) and issubclass(hint, tuple) and hasattr(hint, "_fields"):
        hints = _hints(hint)
        return hint(
            *(
                _read(value[name], hints[name])
                for name in hint._fields
                if name in value or name not in hint._field_defaults
            )
        )
    return value


def result_from_dict(d: dict) -> FamilyResult:
    """The inverse of `outcomes.engine.jsonio.result_to_dict`."""
    return _read(d, FamilyResult)


def evidence_ids(value) -> list[int]:
    """Every evidence id any explanation step in `value` (a result dict or part of one) cites,
    in the order first cited."""
    found: dict[int, None] = {}

    def walk(v):
        if isinstance(v, dict):
            if "threshold" in v and "evidence" in v:
                for ref in v["evidence"]:
                    if str(ref["id"]).isdigit():
                        found.setdefault(int(ref["id"]), None)
            for child in v.values():
                if isinstance(child, dict | list):
                    walk(child)
        elif isinstance(v, list):
            for child in v:
                if isinstance(child, dict | list):
                    walk(child)

    walk(value)
    return list(found)
