"""Fingerprints of what a family is judged on, so a re-run can pass unchanged families over.

A family's fingerprint is an MD5 of the identities and row versions (PostgreSQL's `xmin`, which
every INSERT and UPDATE renews) of everything its snapshot is built from: its attachments and
their lead agencies, episodes, household members and their person records, evidence, problems
identified and claims. Any change to any of those rows changes it. It is computed by PostgreSQL
in one query per chunk, far cheaper than building and judging the snapshot.

The run's fingerprint covers what every family is judged by: the plan versions and school terms.
"""

from __future__ import annotations

from django.db import connection

FAMILY = """
SELECT f.id, md5(concat_ws('|',
  (SELECT string_agg(a.id || ':' || a.xmin || ':' || o.xmin, ',' ORDER BY a.id)
     FROM outcomes_attachment a JOIN earlyhelp_organisation o ON o.id = a.lead_agency_id
    WHERE a.family_id = f.id),
  (SELECT string_agg(e.id || ':' || e.xmin, ',' ORDER BY e.id)
     FROM cases_episode e WHERE e.family_id = f.id),
  (SELECT string_agg(m.id || ':' || m.xmin || ':' || p.xmin, ',' ORDER BY m.id)
     FROM cases_familymember m JOIN cases_person p ON p.id = m.person_id
    WHERE m.family_id = f.id),
  (SELECT count(*) || ':' || coalesce(max(ev.id), 0) || ':'
          || coalesce(sum(ev.xmin::text::bigint), 0)
     FROM outcomes_evidence ev WHERE ev.family_id = f.id),
  (SELECT string_agg(pi.id || ':' || pi.xmin, ',' ORDER BY pi.id)
     FROM outcomes_problemidentified pi JOIN outcomes_attachment a ON a.id = pi.attachment_id
    WHERE a.family_id = f.id),
  (SELECT string_agg(c.id || ':' || c.xmin, ',' ORDER BY c.id)
     FROM outcomes_claim c WHERE c.family_id = f.id)
))
FROM unnest(%s::bigint[]) AS f(id)
"""

EVERYONE = """
SELECT md5(concat_ws('|',
  (SELECT string_agg(v.id || ':' || v.xmin, ',' ORDER BY v.id)
     FROM outcomes_outcomesplanversion v WHERE v.status = 'published'),
  (SELECT string_agg(t.id || ':' || t.xmin, ',' ORDER BY t.id) FROM outcomes_schoolterm t)
))
"""


def for_families(family_ids: list[int]) -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute(FAMILY, [family_ids])
        return dict(cursor.fetchall())


def for_everyone() -> str:
    with connection.cursor() as cursor:
        cursor.execute(EVERYONE)
        return cursor.fetchone()[0]


def as_judged(run_id: int, family_ids: list[int]) -> dict[int, str]:
    """The fingerprints a run recorded for these families (only those it judged)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT u.family_id, u.fingerprint
                 FROM outcomes_nightlychunk c,
                      unnest(c.family_ids, c.fingerprints) AS u(family_id, fingerprint)
                WHERE c.run_id = %s AND c.status = 'done'
                  -- a chunk's ids are sorted: only chunks whose range meets these families
                  -- are unnested, not every chunk of the run for every chunk of this one
                  AND c.family_ids[1] <= %s
                  AND c.family_ids[array_length(c.family_ids, 1)] >= %s
                  AND u.family_id = ANY(%s) AND u.fingerprint <> ''""",
            [run_id, max(family_ids), min(family_ids), family_ids],
        )
        return dict(cursor.fetchall())
