"""Family snapshots built from the records, many families at a time, for the engine (DOMAIN §8).

One builder, `family_snapshots`, serves both kinds of family the engine judges: an attached one
(`snapshots_for(family_ids, as_of=)`, for the nightly job, claims and the what-if, seven queries
whatever the chunk's size, each family judged on its latest attachment) and one not yet attached
(attachment asks the engine whether it is eligible). They differ only in what the programme
knows of them (`Standing`); the household, the evidence and who recorded it are read the same
way, so a family is judged on the same facts before and after it is attached. The result is the
engine's own plain-data format, so the nightly job, `evaluate_outcomes` and the API's what-if all
judge the same thing.

Evidence recorded after the as-of date is handed on, as any evidence is: the engine ignores it
until the day it is recorded, and says its answer stands only until then (`stands_until`). The
other records not yet in view on the as-of date (a later attachment, a closure, a member joining,
a problem identified, a claim made) are left out here, and `next_in_view` says when the first
of them comes into view. Reading the evidence once for both costs nothing in a night's run;
there is seldom any evidence recorded after its date.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import msgspec
from django.conf import settings
from django.db import connection

from outcomes.engine import snapshot as engine
from outcomes.engine.kinds import EVIDENCE_KINDS
from outcomes.engine.plan import PRINCIPLES, ClaimWindow

# Our closure reasons in the engine's words: one reason here covers two of the seed's.
CLOSURE_REASON = {"withdrew_or_disengaged": "disengaged"}

# Joined from the list of ids (not `family_id = ANY(…)`), so PostgreSQL knows it looks up a
# thousand families and reads their episodes by key: with ANY it guessed a few hundred rows and
# read every episode of every family for each chunk, ten times the cost.
_ATTACHMENTS = """
SELECT DISTINCT ON (a.family_id)
       a.family_id, a.id, a.attached_on, p.version, o.name, a.principles,
       e.started_on, e.ended_on, e.closure_reason
  FROM unnest(%(ids)s::bigint[]) AS f(id)
  JOIN outcomes_attachment a ON a.family_id = f.id
  JOIN outcomes_outcomesplanversion p ON p.id = a.plan_version_id
  JOIN earlyhelp_organisation o ON o.id = a.lead_agency_id
  JOIN cases_episode e ON e.id = a.episode_id
 WHERE a.attached_on <= %(as_of)s
 ORDER BY a.family_id, a.attached_on DESC, a.id DESC
"""

# Everyone in the household at some time since the episode began.
_MEMBERS = """
SELECT m.family_id, m.person_id, COALESCE(p.date_of_birth, p.expected_date_of_birth), m.role
  FROM cases_familymember m
  JOIN cases_person p ON p.id = m.person_id
  JOIN unnest(%(ids)s::bigint[], %(starts)s::date[]) AS f(family_id, started_on)
    ON f.family_id = m.family_id
 WHERE (m.joined_on IS NULL OR m.joined_on <= %(as_of)s)
   AND (m.left_on IS NULL OR m.left_on >= f.started_on)
   AND COALESCE(p.date_of_birth, p.expected_date_of_birth) IS NOT NULL
 ORDER BY m.family_id, m.person_id
"""

# By attachment alone: each is one family's (joining the attachments again made PostgreSQL read
# them all for every chunk).
_PROBLEMS = """
SELECT pi.attachment_id, pi.problem, pi.indicator, pi.person_id, pi.identified_on, pi.stage,
       pi.evidence_ids
  FROM outcomes_problemidentified pi
 WHERE pi.attachment_id = ANY(%(attachments)s) AND pi.identified_on <= %(as_of)s
 ORDER BY pi.attachment_id, pi.problem, pi.indicator, pi.id
"""

# Ids come as the engine's text and values as JSON text (for msgspec), each row as it is wanted:
# a 1,000-family chunk reads some 20,000 rows.
_EVIDENCE = """
SELECT ev.family_id, ev.id::text, ev.kind, ev.person_id::text, ev.period_start, ev.period_end,
       ev.recorded_on, ev.source, ev.recorded_by_id, ev.api_client_id, ev.values::text,
       ev.supersedes_id::text
  FROM outcomes_evidence ev
 WHERE ev.family_id = ANY(%(ids)s)
 ORDER BY ev.family_id, ev.id
"""

# Who recorded the chunk's evidence, named as the snapshot names them (a user by username, a
# partner system by its name), looked up once each rather than joined to 20,000 rows (two
# nested-loop joins were most of the evidence query's 70 ms a chunk).
_RECORDERS = """
SELECT 'u', id, username FROM earlyhelp_user WHERE id = ANY(%(users)s)
UNION ALL
SELECT 'c', id, name FROM partners_apiclient WHERE id = ANY(%(clients)s)
"""

# The family's accepted step-ups to social care and step-downs to early help, recorded in the
# service: evidence for outcome 6.2 without a feed from social care (a step-down closes the
# family's cases, a step-up is a re-referral), dated the local day of the front door's decision.
# Recorded by the service itself: who decided is on the step's own record (reading their name
# here would need a rename of them to mark the family, migration 0011's NAMES).
_STEPS = """
SELECT e.family_id, 'step_up', s.id, (s.decided_at AT TIME ZONE %(tz)s)::date
  FROM cases_stepup s
  JOIN cases_episode e ON e.id = s.episode_id
 WHERE e.family_id = ANY(%(ids)s) AND s.status = 'accepted' AND s.decided_at IS NOT NULL
UNION ALL
SELECT s.family_id, 'step_down', s.id, (s.decided_at AT TIME ZONE %(tz)s)::date
  FROM cases_stepdown s
 WHERE s.family_id = ANY(%(ids)s) AND s.status = 'accepted' AND s.decided_at IS NOT NULL
 ORDER BY 1, 4, 2, 3
"""
STEPS_SOURCE = "early help service"

_CLAIMS = """
SELECT cl.family_id, cl.route, cl.claimed_on, a.attached_on
  FROM outcomes_claim cl
  JOIN outcomes_attachment a ON a.id = cl.attachment_id
 WHERE cl.family_id = ANY(%(ids)s) AND cl.claimed_on <= %(as_of)s
 ORDER BY cl.family_id, cl.claimed_on
"""


# Values stored as ISO strings in JSON that the engine reads as dates, per kind.
DATE_VALUES = {
    name: tuple(key for key, type_ in (*kind.required, *kind.optional) if type_ == "date")
    for name, kind in EVIDENCE_KINDS.items()
}


_decode = msgspec.json.Decoder(dict).decode  # a third of json.loads's time


def _values(kind: str, text: str) -> dict:
    """The values as the engine reads them. (Django leaves jsonb to its fields to decode, so a
    plain cursor hands back text.)"""
    values = _decode(text)
    keys = DATE_VALUES.get(kind)
    if keys:
        for key in keys:
            if isinstance(values.get(key), str):
                values[key] = date.fromisoformat(values[key])
    return values


# The school terms and the programme years in one query: every snapshot of a run or a page
# shares them. A term's engine name is the calendar year it starts in and its name
# (`SchoolTerm.engine_name`).
_CALENDAR = """
SELECT (SELECT coalesce(json_agg(json_build_array(
                  date_part('year', t.starts_on)::int || ' ' || t.name, t.starts_on, t.ends_on)
                  ORDER BY t.starts_on), '[]')
          FROM outcomes_schoolterm t),
       (SELECT coalesce(json_agg(json_build_array(y.starts_in,
                  (SELECT f.amount FROM outcomes_fundingline f
                    WHERE f.year_id = y.id AND f.stream = 'attachment_fee' LIMIT 1),
                  (SELECT f.amount FROM outcomes_fundingline f
                    WHERE f.year_id = y.id AND f.stream = 'results_payment' LIMIT 1),
                  (SELECT coalesce(json_agg(json_build_array(w.opens, w.closes) ORDER BY w.opens),
                                   '[]')
                     FROM outcomes_programmeclaimwindow w WHERE w.year_id = y.id))
                  ORDER BY y.starts_in), '[]')
          FROM outcomes_programmeyear y)
"""


@dataclass(frozen=True)
class Calendar:
    """What every family is judged with beside its own records: the school terms and the
    programme years (claim windows and amounts)."""

    terms: tuple[engine.SchoolTerm, ...]
    years: tuple[engine.ProgrammeYear, ...]


def calendar() -> Calendar:
    day = date.fromisoformat
    with connection.cursor() as cursor:
        cursor.execute(_CALENDAR)
        terms, years = cursor.fetchone()
    if isinstance(terms, str):  # a cursor that does not decode json
        terms, years = json.loads(terms), json.loads(years)
    return Calendar(
        tuple(engine.SchoolTerm(name, day(start), day(end)) for name, start, end in terms),
        tuple(
            engine.ProgrammeYear(
                date(starts_in, 4, 1),
                date(starts_in + 1, 3, 31),
                fee or 0,
                payment or 0,
                tuple(ClaimWindow(day(opens), day(closes)) for opens, closes in windows),
            )
            for starts_in, fee, payment, windows in years
        ),
    )


def school_terms() -> tuple[engine.SchoolTerm, ...]:
    return calendar().terms


@dataclass(frozen=True)
class Standing:
    """What the programme knows of a family, beside its records: the episode the snapshot is
    about, its attachment (None for a family not yet attached), the family-working principles
    as checked, and the problems identified — from the attachment's own records for an attached
    family, from the assessment's indicators for a candidate."""

    episode: engine.Episode
    attachment: engine.Attachment | None
    family_working: engine.FamilyWorking | None
    problems: tuple[engine.ProblemIdentified, ...]


def snapshots_for(
    family_ids: list[int], *, as_of: date, terms: Calendar | None = None
) -> dict[int, engine.FamilySnapshot]:
    """The snapshot of each attached family in `family_ids` (families with no attachment on or
    before `as_of` are left out), keyed by family id."""
    ids = sorted(set(family_ids))
    with connection.cursor() as cursor:
        cursor.execute(_ATTACHMENTS, {"ids": ids, "as_of": as_of})
        attached = {row[0]: row for row in cursor.fetchall()}
        if not attached:
            return {}
        problems = defaultdict(list)
        family_of = {row[1]: family_id for family_id, row in attached.items()}
        cursor.execute(_PROBLEMS, {"attachments": list(family_of), "as_of": as_of})
        for attachment_id, problem, indicator, person_id, on, stage, evidence_ids in cursor:
            problems[family_of[attachment_id]].append(
                engine.ProblemIdentified(
                    problem,
                    indicator,
                    None if person_id is None else str(person_id),
                    on,
                    stage,
                    tuple(str(i) for i in evidence_ids),
                )
            )
    standings = {}
    for family_id, row in attached.items():
        _, _, attached_on, version, agency, principles, started, ended, reason = row
        ended = ended if ended is not None and ended <= as_of else None
        standings[family_id] = Standing(
            engine.Episode(
                started, ended, (CLOSURE_REASON.get(reason, reason) or None) if ended else None
            ),
            engine.Attachment(attached_on, version, agency),
            _family_working(principles),
            tuple(problems[family_id]),
        )
    return family_snapshots(standings, as_of=as_of, terms=terms)


def family_snapshots(
    standings: dict[int, Standing],
    *,
    as_of: date,
    terms: Calendar | None = None,
) -> dict[int, engine.FamilySnapshot]:
    """The engine's snapshot of each family in `standings` (keyed by family id) as of `as_of`:
    everyone in the household since its episode began, its evidence, and, for an attached family,
    the claims already made. Five queries whatever the number of families
    (four where none is attached)."""
    if terms is None:
        terms = calendar()
    ids = sorted(standings)
    params = {"ids": ids, "as_of": as_of}
    members = defaultdict(list)
    evidence = defaultdict(list)
    claims = defaultdict(list)
    with connection.cursor() as cursor:
        starts = [standings[i].episode.started_on for i in ids]
        cursor.execute(_MEMBERS, {**params, "starts": starts})
        for family_id, person_id, born, role in cursor.fetchall():
            members[family_id].append(engine.Member(str(person_id), born, role))

        cursor.execute(_EVIDENCE, params)
        rows = cursor.fetchall()
        cursor.execute(
            _RECORDERS,
            {
                "users": list({r[8] for r in rows if r[8] is not None}),
                "clients": list({r[9] for r in rows if r[9] is not None}),
            },
        )
        names = {(kind, pk): name for kind, pk, name in cursor.fetchall()}
        item = engine.EvidenceItem
        for row in rows:
            family_id, pk, kind, person, start, end, on, source, user, client, values, sup = row
            by = names.get(("u", user)) or names.get(("c", client)) or source
            evidence[family_id].append(
                item(pk, kind, person, start, end, on, source, by, _values(kind, values), sup)
            )

        cursor.execute(_STEPS, {**params, "tz": settings.TIME_ZONE})
        for family_id, event, pk, on in cursor.fetchall():
            evidence[family_id].append(
                item(
                    f"{event}:{pk}",  # never a stored evidence id, which are numbers
                    "social_care_event",
                    None,  # the household's
                    on,
                    on,
                    on,
                    STEPS_SOURCE,
                    STEPS_SOURCE,
                    {"event": event},
                    None,
                )
            )

        # Previous claims count only against an attachment: a candidate has none to read.
        attached = [i for i in ids if standings[i].attachment is not None]
        if attached:
            cursor.execute(_CLAIMS, {**params, "ids": attached})
            for family_id, route, claimed_on, attached_on in cursor.fetchall():
                claims[family_id].append(engine.PreviousClaim(route, claimed_on, attached_on))

    return {
        family_id: engine.FamilySnapshot(
            family_id=str(family_id),
            as_of=as_of,
            members=tuple(members[family_id]),
            problems_identified=standing.problems,
            evidence=tuple(evidence[family_id]),
            episode=standing.episode,
            attachment=standing.attachment,
            family_working=standing.family_working,
            previous_claims=tuple(claims[family_id]),
            school_terms=terms.terms,
            programme_years=terms.years,
        )
        for family_id, standing in standings.items()
    }


# What the queries above leave out as not yet in view on the as-of date, and the day each comes
# into view: a later attachment, the episode's closure, a member joining, a problem identified,
# a claim made. (Evidence recorded later is the engine's to ignore, and to date.)
_IN_VIEW = """
WITH att AS MATERIALIZED (
    SELECT id, family_id, episode_id, attached_on FROM outcomes_attachment
     WHERE family_id = ANY(%(ids)s)
)
SELECT f, min(d) FROM (
    SELECT family_id, attached_on FROM att WHERE attached_on > %(as_of)s
    UNION ALL
    -- Each branch starts from the chunk's own rows (OFFSET 0 keeps the lookup a lookup): with
    -- few rows dated after the night, the planner would otherwise scan every episode and
    -- every problem for them (40 ms a chunk, 4 s a first run).
    SELECT att.family_id, x.d FROM att,
           LATERAL (SELECT e.ended_on FROM cases_episode e WHERE e.id = att.episode_id
                    OFFSET 0) AS x(d)
     WHERE x.d > %(as_of)s
    UNION ALL
    SELECT family_id, joined_on FROM cases_familymember
     WHERE family_id = ANY(%(ids)s) AND joined_on > %(as_of)s
    UNION ALL
    SELECT att.family_id, x.d FROM att,
           LATERAL (SELECT pi.identified_on FROM outcomes_problemidentified pi
                     WHERE pi.attachment_id = att.id OFFSET 0) AS x(d)
     WHERE x.d > %(as_of)s
    UNION ALL
    SELECT family_id, claimed_on FROM outcomes_claim
     WHERE family_id = ANY(%(ids)s) AND claimed_on > %(as_of)s
) AS later(f, d)
GROUP BY f
"""


def next_in_view(family_ids: list[int], *, as_of: date) -> dict[int, date]:
    """For each family that has one, the first day after `as_of` on which a record
    `snapshots_for` leaves out as not yet in view comes into view: the snapshot as of that day
    differs, so an answer given as of `as_of` stands at most until then. One query."""
    with connection.cursor() as cursor:
        cursor.execute(_IN_VIEW, {"ids": sorted(set(family_ids)), "as_of": as_of})
        return dict(cursor.fetchall())


@functools.lru_cache(maxsize=64)
def _family_working(principles: str) -> engine.FamilyWorking | None:
    """The principles as checked on the day of attachment (as JSON text; a handful of distinct
    values, so each is read once); None where they were never recorded (attachments made before
    the check existed), which the engine reports as not shown."""
    held = json.loads(principles)
    if not held:
        return None
    return engine.FamilyWorking(*(bool(held.get(name)) for name in PRINCIPLES))
