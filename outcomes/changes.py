"""Which families a night must judge: judge only what can have changed (issue 16).

A family's answer depends on its records, the plan version it is judged by, the school terms
and the date. A night judges a family only if:

- it has no answer yet, or its answer was given for a later date than tonight's;
- its answer no longer stands tonight (`FamilyResult.stands_until`: the first date on which a
  date-driven rule could read its records differently);
- something it is judged on changed since: its records, its plan version, the school terms.
  Every writer of those tables marks the families it may change (`FamilyChange`), by triggers
  in the writer's own transaction (migration 0011), so no change is missed however it is made.

The chunk that judges a family takes its marks away in the same transaction as it reads the
records and writes the answer (`take`). Writers only add marks, so a change committed before
the chunk's DELETE is both taken and read by the snapshot, which is built after it; a change
committed later leaves its mark, so the family is judged again the next night. A chunk that
rolls back leaves every mark where it was.
"""

from __future__ import annotations

from datetime import date

from django.db import connection

# The attached families of a run that must be judged, and how many there are in all. One pass
# over the attachments and current results (about 0.1 s for 100,000 families); the marks are
# few, so they are joined as a set rather than looked up row by row.
_TO_JUDGE = """
SELECT coalesce(array_agg(family_id ORDER BY family_id) FILTER (WHERE NOT stands), '{}'),
       count(*)
  FROM (SELECT a.family_id,
               coalesce(r.judged_on <= %(as_of)s
                        AND (r.stands_until IS NULL OR r.stands_until > %(as_of)s)
                        AND c.family_id IS NULL, false) AS stands
          FROM (SELECT DISTINCT family_id FROM outcomes_attachment
                 WHERE attached_on <= %(as_of)s
                   AND (%(one)s::bigint IS NULL OR family_id = %(one)s)) a
          LEFT JOIN outcomes_familyresult r ON r.family_id = a.family_id AND r.is_current
          LEFT JOIN (SELECT DISTINCT family_id FROM outcomes_familychange) c
                 ON c.family_id = a.family_id) AS attached
"""


def families_to_judge(*, as_of: date, family_id: int | None = None) -> tuple[list[int], int]:
    """The attached families (all, or the one) a run as of `as_of` must judge, in id order,
    and how many others it passes over because their answers stand."""
    with connection.cursor() as cursor:
        cursor.execute(_TO_JUDGE, {"as_of": as_of, "one": family_id})
        todo, attached = cursor.fetchone()
    return todo, attached - len(todo)


def take(family_ids: list[int]) -> None:
    """Take away the families' marks: they are being judged now, in this transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM outcomes_familychange WHERE family_id = ANY(%s::bigint[])", [family_ids]
        )


def mark(family_ids, *, source: str) -> None:
    """Mark families to be judged again (one the engine could not judge, say)."""
    if family_ids:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO outcomes_familychange (family_id, source)"
                " SELECT unnest(%s::bigint[]), %s",
                [sorted(family_ids), source],
            )


def prune() -> None:
    """Forget marks of families never attached: a night never judges them, and their
    attachment, when it comes, marks them anew."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM outcomes_familychange c WHERE NOT EXISTS"
            " (SELECT 1 FROM outcomes_attachment a WHERE a.family_id = c.family_id)"
        )
