"""The change feed: what changed among the records a user (a client's system user) may read.

Database triggers append a line to `partners_change` for every write to a record the
API shows, and lines for every record of a family whenever who may see the family
changes (consent, its agencies, sharing agreements, episodes, the team, step-ups and
step-downs), in the same transaction as the write.

Lines are read in the order of their `position`, which the sequencer gives only to
lines already committed, one sequencer at a time (an advisory lock), each taking
numbers above the last. So positions become visible strictly in order: a bigserial
alone would not do, because line 9 may commit after line 10 and a reader that had
moved past 10 would never see it. Writers never wait for the feed; the sequencer runs
at the start of each read.

Each line is judged when it is read, by the same querysets as the API's own lists:
a record the user may read now comes with its current data; one they may not is a
tombstone, but only if the feed showed it to them before (`FeedSight`), so the feed
never tells anyone that a record they could not see exists, changed or went. Replaying
the feed from the start therefore rebuilds exactly what the user may read now.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q

from .models import Change, FeedSight

BATCH = 500  # lines read at a time
MAX_BATCHES = 20  # per page, so a page that finds little visible still answers quickly


@dataclass(frozen=True)
class Kind:
    scope: str
    rows: Callable  # user -> queryset of what the user may read, with its joins
    serializer: type


def kinds() -> dict[str, Kind]:
    from cases.front_door.selectors import requests_submitted_by
    from cases.gate import persons_visible_to
    from cases.people.selectors import plan_actions_owned_by

    from .api.episode import CaseNoteOut, PlanActionOut, case_note_rows
    from .api.serializers import EvidenceSerializer, FamilySerializer, PersonSerializer
    from .api.support_requests import SupportRequestOut
    from .api.views import evidence_rows, family_rows

    return {
        "family": Kind("families:read", family_rows, FamilySerializer),
        "person": Kind("families:read", persons_visible_to, PersonSerializer),
        "evidence": Kind("evidence:read", evidence_rows, EvidenceSerializer),
        "request": Kind(
            "requests:read", lambda user: requests_submitted_by(user=user), SupportRequestOut
        ),
        "action": Kind("actions:read", plan_actions_owned_by, PlanActionOut),
        "case_note": Kind("case_notes:read", case_note_rows, CaseNoteOut),
    }


class BadCursor(ValueError):
    pass


def cursor_encode(position: int | None) -> str:
    if position is None:
        return ""
    return base64.urlsafe_b64encode(f"p{position}".encode()).decode()


def cursor_decode(token: str) -> int | None:
    if not token:
        return None
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
        position = int(text.removeprefix("p")) if text.startswith("p") else -1
    except (ValueError, UnicodeDecodeError) as error:
        raise BadCursor("The cursor is not one the feed gave") from error
    if not 0 <= position < 2**63:
        raise BadCursor("The cursor is not one the feed gave")
    return position


@dataclass
class Page:
    items: list[dict]
    position: int | None
    more: bool


SEQUENCER_LOCK = 0x6561706900000001  # pg_advisory_xact_lock key: one sequencer at a time


def sequence_committed() -> int:
    """Number the committed lines that have no position yet, after the last one numbered."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEQUENCER_LOCK])
        cursor.execute(
            "UPDATE partners_change AS c SET position = last.p + pending.n"
            " FROM (SELECT coalesce(max(position), 0) AS p FROM partners_change) AS last,"
            " (SELECT id, row_number() OVER (ORDER BY id) AS n FROM partners_change"
            "  WHERE position IS NULL) AS pending"
            " WHERE c.id = pending.id"
        )
        return cursor.rowcount


def changes_for(user, *, scopes: set[str] | None, after=None, size: int = 100) -> Page:
    """The next `size` changes the user may know of after `after`; `scopes` None: every kind."""
    readable = {
        name: kind for name, kind in kinds().items() if scopes is None or kind.scope in scopes
    }
    sequence_committed()
    found: dict[tuple[str, int], dict] = {}
    position, more = after, True
    for _ in range(MAX_BATCHES):
        lines = Change.objects.filter(position__gt=position or 0, kind__in=list(readable))
        lines = list(
            lines.order_by("position").values_list("position", "kind", "record_id")[:BATCH]
        )
        if not lines:
            more = False
            break
        judged = _judge(user, readable, {(kind, pk) for _p, kind, pk in lines})
        for line, kind, pk in lines:
            position = line
            item = judged.get((kind, pk))
            if item is not None:
                found.pop((kind, pk), None)  # the latest line of a record is where it shows
                found[(kind, pk)] = item
            if len(found) >= size:
                break
        if len(found) >= size:
            more = True
            break
        if len(lines) < BATCH:
            more = False
            break
    items = list(found.values())
    _remember(user, items)
    return Page(items=items, position=position, more=more)


def _judge(user, readable: dict[str, Kind], keys: set[tuple[str, int]]) -> dict:
    """Each record as the user may see it now, a tombstone if they saw it and may not now."""
    by_kind: dict[str, list[int]] = {}
    for kind, pk in keys:
        by_kind.setdefault(kind, []).append(pk)
    seen = set(
        FeedSight.objects.filter(user=user)
        .filter(
            _any_of(Q(kind=kind, record_id__in=ids) for kind, ids in by_kind.items()) or Q(pk=None)
        )
        .values_list("kind", "record_id")
    )
    judged = {}
    for kind, ids in by_kind.items():
        spec = readable[kind]
        records = spec.rows(user).filter(pk__in=ids)
        for record in records:
            judged[(kind, record.pk)] = {
                "kind": kind,
                "id": record.pk,
                "op": "upsert",
                "data": spec.serializer(record).data,
            }
        for pk in ids:
            if (kind, pk) not in judged and (kind, pk) in seen:
                judged[(kind, pk)] = {"kind": kind, "id": pk, "op": "delete", "data": None}
    return judged


def _any_of(conditions) -> Q | None:
    combined = None
    for condition in conditions:
        combined = condition if combined is None else combined | condition
    return combined


def _remember(user, items: list[dict]) -> None:
    shown = [FeedSight(user=user, kind=i["kind"], record_id=i["id"]) for i in items if i["data"]]
    gone = [(i["kind"], i["id"]) for i in items if i["data"] is None]
    with transaction.atomic():
        FeedSight.objects.bulk_create(shown, ignore_conflicts=True)
        if gone:
            FeedSight.objects.filter(user=user).filter(
                _any_of(Q(kind=kind, record_id=pk) for kind, pk in gone)
            ).delete()
