"""Snapshots to and from JSON-ready dicts, and results to JSON-ready dicts (see FORMAT.md).

Dates are ISO strings (YYYY-MM-DD). Reading checks everything the engine relies on and raises
`SnapshotError` whose message starts with the path of the field at fault, e.g.
"evidence[3].values.possible_sessions: missing (a school_attendance needs it)".
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date

from .kinds import EVIDENCE_KINDS, check_values
from .plan import ClaimWindow
from .results import FamilyResult
from .snapshot import (
    CLAIM_ROUTES,
    CLOSURE_REASONS,
    ROLES,
    STAGES,
    Attachment,
    Episode,
    EvidenceItem,
    FamilySnapshot,
    FamilyWorking,
    Member,
    PreviousClaim,
    ProblemIdentified,
    ProgrammeYear,
    SchoolTerm,
)


class SnapshotError(ValueError):
    """A snapshot dict that cannot be read; `field` is the path of the field at fault."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


# --- reading --------------------------------------------------------------------------------------


def _obj(d, where: str) -> dict:
    if not isinstance(d, dict):
        raise SnapshotError(where or "snapshot", f"expected an object, got {type(d).__name__}")
    return d


def _field(d: dict, key: str, where: str, *, required: bool = True):
    path = f"{where}.{key}" if where else key
    if key not in d or (d[key] is None and required):
        if required:
            raise SnapshotError(path, "missing")
        return None, path
    return d[key], path


def _text(d, key, where, *, required=True) -> str | None:
    value, path = _field(d, key, where, required=required)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise SnapshotError(path, f"expected text, got {value!r}")
    return value


def _date(d, key, where, *, required=True) -> date | None:
    value, path = _field(d, key, where, required=required)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise SnapshotError(path, f"expected an ISO date (YYYY-MM-DD), got {value!r}")


def _bool(d, key, where, *, required=True) -> bool | None:
    value, path = _field(d, key, where, required=required)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise SnapshotError(path, f"expected true or false, got {value!r}")
    return value


def _int(d, key, where) -> int:
    value, path = _field(d, key, where)
    if not isinstance(value, int) or isinstance(value, bool):
        raise SnapshotError(path, f"expected a whole number, got {value!r}")
    return value


def _choice(d, key, where, choices, *, required=True):
    value, path = _field(d, key, where, required=required)
    if value is None:
        return None
    if value not in choices:
        raise SnapshotError(path, f"expected one of {', '.join(map(str, choices))}, got {value!r}")
    return value


def _list(d, key, where, *, required=True) -> list:
    value, path = _field(d, key, where, required=required)
    if value is None:
        return []
    if not isinstance(value, list):
        raise SnapshotError(path, f"expected a list, got {type(value).__name__}")
    return value


def _values(kind: str, raw, where: str) -> dict:
    for problem in check_values(kind, _parse_dates(kind, raw)):
        field, _, text = problem.partition(": ")
        raise SnapshotError(f"{where}.{field}" if field != "kind" else f"{where}.kind", text)
    return _parse_dates(kind, raw)


def _parse_dates(kind: str, raw):
    spec = EVIDENCE_KINDS.get(kind)
    if spec is None or not isinstance(raw, dict):
        return raw
    out = dict(raw)
    for key, expected in spec.required + spec.optional:
        if expected == "date" and isinstance(out.get(key), str):
            try:
                out[key] = date.fromisoformat(out[key])
            except ValueError:
                pass
    return out


def snapshot_from_dict(d: dict) -> FamilySnapshot:
    d = _obj(d, "")
    members = []
    seen_people: set[str] = set()
    for i, m in enumerate(_list(d, "members", "")):
        w = f"members[{i}]"
        _obj(m, w)
        pid = _text(m, "person_id", w)
        if pid in seen_people:
            raise SnapshotError(f"{w}.person_id", f"{pid!r} appears twice")
        seen_people.add(pid)
        members.append(
            Member(
                pid,
                _date(m, "date_of_birth", w),
                _choice(m, "role", w, ROLES),
                _bool(m, "parenting_responsibilities", w, required=False),
            )
        )
    evidence = []
    ids: set[str] = set()
    for i, e in enumerate(_list(d, "evidence", "")):
        w = f"evidence[{i}]"
        _obj(e, w)
        eid = _text(e, "id", w)
        if eid in ids:
            raise SnapshotError(f"{w}.id", f"{eid!r} appears twice")
        ids.add(eid)
        kind = _choice(e, "kind", w, tuple(EVIDENCE_KINDS))
        start = _date(e, "period_start", w)
        end = _date(e, "period_end", w, required=False)
        if end is not None and end < start:
            raise SnapshotError(f"{w}.period_end", "is before period_start")
        values = e.get("values", {})
        evidence.append(
            EvidenceItem(
                eid,
                kind,
                _text(e, "person_id", w, required=False),
                start,
                end,
                _date(e, "recorded_on", w),
                _text(e, "source", w),
                _text(e, "recorded_by", w),
                _values(kind, values, w),
                _text(e, "supersedes", w, required=False),
            )
        )
    for i, item in enumerate(evidence):
        if item.supersedes is not None and item.supersedes not in ids:
            raise SnapshotError(
                f"evidence[{i}].supersedes", f"no evidence item {item.supersedes!r}"
            )
    problems = []
    for i, p in enumerate(_list(d, "problems_identified", "")):
        w = f"problems_identified[{i}]"
        _obj(p, w)
        wanted = _list(p, "evidence_ids", w, required=False)
        for j, eid in enumerate(wanted):
            if eid not in ids:
                raise SnapshotError(f"{w}.evidence_ids[{j}]", f"no evidence item {eid!r}")
        problems.append(
            ProblemIdentified(
                _text(p, "problem", w),
                _text(p, "indicator", w),
                _text(p, "person_id", w, required=False),
                _date(p, "identified_on", w),
                _choice(p, "stage", w, STAGES),
                tuple(wanted),
            )
        )
    ep = _obj(_field(d, "episode", "")[0], "episode")
    episode = Episode(
        _date(ep, "started_on", "episode"),
        _date(ep, "ended_on", "episode", required=False),
        _choice(ep, "closure_reason", "episode", CLOSURE_REASONS, required=False),
    )
    if episode.ended_on is not None and episode.closure_reason is None:
        raise SnapshotError("episode.closure_reason", "missing (the episode has ended)")
    attachment = None
    if d.get("attachment") is not None:
        a = _obj(d["attachment"], "attachment")
        attachment = Attachment(
            _date(a, "attached_on", "attachment"),
            _int(a, "plan_version", "attachment"),
            _text(a, "lead_agency", "attachment"),
        )
    working = None
    if d.get("family_working") is not None:
        f = _obj(d["family_working"], "family_working")
        working = FamilyWorking(
            *(_bool(f, k, "family_working") for k in FamilyWorking.__dataclass_fields__)
        )
    claims = []
    for i, c in enumerate(_list(d, "previous_claims", "", required=False)):
        w = f"previous_claims[{i}]"
        _obj(c, w)
        claims.append(
            PreviousClaim(
                _choice(c, "route", w, CLAIM_ROUTES),
                _date(c, "claimed_on", w),
                _date(c, "attached_on", w),
            )
        )
    terms = []
    names: set[str] = set()
    for i, t in enumerate(_list(d, "school_terms", "", required=False)):
        w = f"school_terms[{i}]"
        _obj(t, w)
        term = SchoolTerm(_text(t, "name", w), _date(t, "starts_on", w), _date(t, "ends_on", w))
        if term.ends_on < term.starts_on:
            raise SnapshotError(f"{w}.ends_on", "is before starts_on")
        if term.name in names:
            raise SnapshotError(f"{w}.name", f"{term.name!r} appears twice")
        names.add(term.name)
        terms.append(term)
    ordered = sorted(range(len(terms)), key=lambda i: terms[i].starts_on)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if terms[after].starts_on <= terms[before].ends_on:
            raise SnapshotError(
                f"school_terms[{after}].starts_on",
                f"overlaps {terms[before].name!r}: terms must follow one another",
            )
    years = []
    for i, y in enumerate(_list(d, "programme_years", "", required=False)):
        w = f"programme_years[{i}]"
        _obj(y, w)
        windows = []
        for j, cw in enumerate(_list(y, "claim_windows", w, required=False)):
            _obj(cw, f"{w}.claim_windows[{j}]")
            windows.append(
                ClaimWindow(
                    _date(cw, "opens", f"{w}.claim_windows[{j}]"),
                    _date(cw, "closes", f"{w}.claim_windows[{j}]"),
                )
            )
        years.append(
            ProgrammeYear(
                _date(y, "starts_on", w),
                _date(y, "ends_on", w),
                _int(y, "attachment_fee", w),
                _int(y, "results_payment", w),
                tuple(sorted(windows, key=lambda cw: cw.opens)),
            )
        )
    return FamilySnapshot(
        _text(d, "family_id", ""),
        _date(d, "as_of", ""),
        tuple(members),
        tuple(problems),
        tuple(evidence),
        episode,
        attachment,
        working,
        tuple(claims),
        tuple(terms),
        tuple(sorted(years, key=lambda y: y.starts_on)),
    )


# --- writing --------------------------------------------------------------------------------------


_SCALARS = frozenset((str, int, bool, float, type(None)))
_NAMED: dict = {}  # named tuple class → its field names


def _plain(value):
    """JSON-ready copy of a value: results are named tuples of tuples, text, numbers and dates,
    so those are recognised by their exact type first (a result has hundreds of values); any
    other type takes the general path, `_plain_any`."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is tuple or kind is list:
        return [v if type(v) in _SCALARS else _plain(v) for v in value]
    if kind is date:
        return value.isoformat()
    fields = _NAMED.get(kind)
    if fields is None:
        if not (issubclass(kind, tuple) and hasattr(kind, "_asdict")):
            return _plain_any(value)
        fields = _NAMED[kind] = kind._fields
    return {k: v if type(v) in _SCALARS else _plain(v) for k, v in zip(fields, value, strict=False)}


def _plain_any(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def snapshot_to_dict(snapshot: FamilySnapshot) -> dict:
    d = _plain(snapshot)
    d["attachment"] = _plain(snapshot.attachment)
    d["family_working"] = _plain(snapshot.family_working)
    return d


def result_to_dict(result: FamilyResult) -> dict:
    d = _plain(result)
    d["attachment"]["principles"] = dict(result.attachment.principles)
    for o, r in zip(d["outcomes"], result.outcomes, strict=True):
        o["sustained"] = r.sustained
    return d


def dumps(value, width: int = 100) -> str:
    """JSON that keeps short objects and lists on one line, so an explanation reads top to
    bottom: each container goes on one line when it fits within `width`, else one item a line."""
    return _dump(value, 0, width) + "\n"


def _dump(value, indent: int, width: int) -> str:
    flat = json.dumps(value, ensure_ascii=False)
    if len(flat) + indent <= width or not isinstance(value, dict | list) or not value:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = [
            f"{pad}{json.dumps(k, ensure_ascii=False)}: {_dump(v, indent + 2, width).lstrip()}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + _dump(v, indent + 2, width) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
