"""Finding a person: by name (current, previous or alias, spelt as it comes), date of birth,
postcode, NHS number, unique pupil number or National Insurance number, all in one box.

A name search is two queries. The first reads the known names (`KnownName`: each first or last
name anyone bears or bore, once) that could be the word typed: alike in trigrams (pg_trgm), in
sound (double metaphone), or a slip or two of typing away; Python scores each (`closeness`)
and keeps the close ones, closest first. The second reads the people who bear or bore those
names, name by name in that order, asking the access gate of each until the page is full.

Anything else typed (a date, a postcode, an identifier) narrows the people instead: those who
match it exactly, through the gate, named closest first when a name is typed as well.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from cases.gate import persons_visible_to, rows_of_visible_families
from cases.models import FamilyMember, KnownName
from cases.people.identifiers import normalise_identifier
from cases.people.nicknames import trigram_similarity, typing_slips
from cases.people.rules import postcode_normalised

MAX_TERMS = 4
MAX_NAMES = 60  # the closest known names kept for a word: more would never reach a page
MAX_PAIR_NAMES = 20  # of a first and last name typed, each one's closest names, paired
MAX_FOUND = 500  # people matching a date, postcode or identifier read at most

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("JAN", "JANUARY"),
            ("FEB", "FEBRUARY"),
            ("MAR", "MARCH"),
            ("APR", "APRIL"),
            ("MAY",),
            ("JUN", "JUNE"),
            ("JUL", "JULY"),
            ("AUG", "AUGUST"),
            ("SEP", "SEPT", "SEPTEMBER"),
            ("OCT", "OCTOBER"),
            ("NOV", "NOVEMBER"),
            ("DEC", "DECEMBER"),
        ],
        start=1,
    )
    for m in names
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE_PATTERNS = [
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), ("y", "m", "d")),
    (re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b"), ("d", "m", "y")),
    (re.compile(rf"\b(\d{{1,2}})(?:ST|ND|RD|TH)?\s+({_MONTH})\s+(\d{{4}})\b"), ("d", "mon", "y")),
]
_NHS = re.compile(r"(?<![\w])(\d{3})[\s-]?(\d{3})[\s-]?(\d{4})(?![\w])")
_NI = re.compile(r"\b([A-Z]{2})\s?(\d{2})\s?(\d{2})\s?(\d{2})\s?([A-D])\b")
_UPN = re.compile(r"\b([A-Z]\d{11}[0-9A-Z])\b")
_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b")
_OUTWARD = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")


@dataclass
class Query:
    """What one search box holds, read apart: name words and exact criteria."""

    names: list[str] = field(default_factory=list)
    date_of_birth: date | None = None
    postcode: str = ""  # a whole postcode ("LE11 3TU") or its outward part ("LE11")
    nhs_number: str = ""
    ni_number: str = ""
    upn: str = ""
    bad_date: bool = False  # something written as a date that is not one (31/2/2015)

    @property
    def criteria(self) -> Q | None:
        found = Q()
        if self.date_of_birth:
            found &= Q(date_of_birth=self.date_of_birth)
        if self.postcode and " " in self.postcode:
            found &= Q(postcode=self.postcode)
        elif self.postcode:
            found &= Q(postcode__startswith=f"{self.postcode} ")
        for name in ("nhs_number", "ni_number", "upn"):
            if getattr(self, name):
                found &= Q(**{name: getattr(self, name)})
        return found or None

    @property
    def described(self) -> list[str]:
        """What was searched by, in words, for the page and the audit entry."""
        said = ["name"] if self.names else []
        for attribute, words in [
            ("date_of_birth", "date of birth"),
            ("postcode", "postcode"),
            ("nhs_number", "NHS number"),
            ("ni_number", "National Insurance number"),
            ("upn", "unique pupil number"),
        ]:
            if getattr(self, attribute):
                said.append(words)
        return said


def read_query(text: str) -> Query:
    """The search box's text read apart: "smith 3/4/2015", "943 476 5919", "LE11 3TU",
    "QQ 12 34 56 C", "A123456789012", "Nowak"."""
    rest = (text or "").upper()
    query = Query()
    for pattern, order in _DATE_PATTERNS:
        if match := pattern.search(rest):
            parts = dict(zip(order, match.groups(), strict=True))
            month = MONTHS[parts["mon"]] if "mon" in parts else int(parts["m"])
            year = int(parts["y"])
            if year < 100:  # "3/4/15": the most recent such year not in the future
                year += 2000 if 2000 + year <= date.today().year else 1900
            try:
                query.date_of_birth = date(year, month, int(parts["d"]))
            except ValueError:
                query.bad_date = True
            rest = rest[: match.start()] + " " + rest[match.end() :]
            break
    if match := _NI.search(rest):
        query.ni_number = "".join(match.groups())
        rest = rest[: match.start()] + " " + rest[match.end() :]
    if match := _UPN.search(rest):
        query.upn = match.group(1)
        rest = rest[: match.start()] + " " + rest[match.end() :]
    if match := _NHS.search(rest):
        query.nhs_number = normalise_identifier("".join(match.groups()))
        rest = rest[: match.start()] + " " + rest[match.end() :]
    if match := _POSTCODE.search(rest):
        query.postcode = postcode_normalised(" ".join(match.groups()))
        rest = rest[: match.start()] + " " + rest[match.end() :]
    words = re.sub(r"[^\w\s'-]", " ", rest).split()
    for word in words:
        if not query.postcode and _OUTWARD.match(word):
            query.postcode = word
        elif not any(ch.isdigit() for ch in word):
            query.names.append(word)
    query.names = query.names[:MAX_TERMS]
    return query


def plain(name: str) -> str:
    """A name in plain capital letters, as migration 0020 keeps `KnownName.plain`."""
    folded = unicodedata.normalize("NFKD", name.upper().replace("Ł", "L"))
    return re.sub(r"[^A-Z]", "", folded.encode("ascii", "ignore").decode())


def closeness(name: str, name_plain: str, sounds: tuple, term: str, term_plain: str, term_sounds):
    """How close a known name is to a word typed, 0 (not at all) to 1 (the same): alike in
    plain letters, in trigrams, in typing slips (a swap of neighbours is one) and in sound."""
    if name == term:
        return 1.0
    if name_plain == term_plain:
        return 0.95  # only accents, hyphens or apostrophes differ
    slips = typing_slips(name_plain, term_plain)
    allowed = 1 if len(term_plain) <= 4 else 2
    trigrams = trigram_similarity(name_plain, term_plain)
    sound = 0.0
    if sounds[0] and sounds[0] == term_sounds[0]:
        sound = 1.0
    elif {s for s in sounds if s} & {s for s in term_sounds if s}:
        sound = 0.5
    if slips > allowed and trigrams < 0.3 and not sound:
        return 0.0
    by_slips = {0: 0.5, 1: 0.4, 2: 0.2}.get(slips, 0.0) if slips <= allowed else 0.0
    return round(min(0.94, 0.4 * trigrams + by_slips + 0.2 * sound), 6)


_CANDIDATES = """
SELECT part, name, plain, sound, sound_alt, dmetaphone(%(plain)s), dmetaphone_alt(%(plain)s)
  FROM (SELECT * FROM cases_knownname
         WHERE name = %(term)s
            OR sound IN (dmetaphone(%(plain)s), dmetaphone_alt(%(plain)s))
            OR sound_alt IN (dmetaphone(%(plain)s), dmetaphone_alt(%(plain)s))
        UNION
        SELECT * FROM cases_knownname WHERE plain %% %(plain)s
        UNION
        SELECT * FROM cases_knownname
         WHERE left(plain, 1) = left(%(plain)s, 1)
           AND length(plain) BETWEEN length(%(plain)s) - 2 AND length(%(plain)s) + 2
           AND levenshtein_less_equal(plain, %(plain)s, 2) <= 2) AS alike
"""


def names_like(terms: list[str]) -> dict[str, list[tuple[float, str, str]]]:
    """For each word, the known names close to it: (closeness, part, name), closest first, a
    last name before a first name as close. One query for all the words."""
    sql = " UNION ALL ".join(
        f"(SELECT {i} AS word, * FROM ({_CANDIDATES.replace('%(', f'%({i}_')}) AS c{i})"  # noqa: S608 (our own SQL)
        for i in range(len(terms))
    )
    params = {}
    for i, term in enumerate(terms):
        params[f"{i}_term"], params[f"{i}_plain"] = term, plain(term) or term
    found: dict[str, list] = {term: [] for term in terms}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for word, part, name, name_plain, sound, sound_alt, t_sound, t_alt in cursor.fetchall():
            term = terms[word]
            score = closeness(
                name, name_plain, (sound, sound_alt), term, plain(term), (t_sound, t_alt)
            )
            if score > 0:
                found[term].append((score, part, name))
    for names in found.values():
        names.sort(key=lambda n: (-n[0], n[1] != KnownName.Part.LAST, n[2]))
        del names[MAX_NAMES:]
    return found


# Three ways a known name can be like the word, each read from its own index: the same name or
# the same sound (`known_name_sound*`), alike in trigrams (`known_name_plain_trgm`), a slip or
# two away among names of its initial and about its length (`known_name_initial_length`).

# The people who bear each known name, name by name in the order given (`names`, `parts` and
# `ranks`, unnested in order behind a fence), each name's bearers in the order a page lists
# them: those who bear it now (`person_by_last_name`, `person_by_first_name`), then those who
# bore it (`personname_by_*`); the gate asked of each in that order, stopping when the page is
# full. The order is the nested loop's own (a LATERAL join of ordered reads), so there is no
# ORDER BY to make it read every bearer of a common surname.
_BEARERS = """
SELECT "bearer"."id"
  FROM (SELECT * FROM unnest(%(parts)s::text[], %(names)s::text[])
          WITH ORDINALITY AS k(part, name, rank)
         ORDER BY rank OFFSET 0) AS "known"
 CROSS JOIN LATERAL (
        (SELECT id FROM cases_person
          WHERE "known".part = 'last' AND upper(last_name) = "known".name
            AND merged_into_id IS NULL
          ORDER BY upper(last_name), last_name, first_name, id)
        UNION ALL
        (SELECT id FROM cases_person
          WHERE "known".part = 'first' AND upper(first_name) = "known".name
            AND merged_into_id IS NULL
          ORDER BY upper(first_name), last_name, first_name, id)
        UNION ALL
        (SELECT p.id FROM cases_personname n JOIN cases_person p ON p.id = n.person_id
          WHERE "known".part = 'last' AND upper(n.last_name) = "known".name
            AND p.merged_into_id IS NULL
          ORDER BY p.last_name, p.first_name, p.id)
        UNION ALL
        (SELECT p.id FROM cases_personname n JOIN cases_person p ON p.id = n.person_id
          WHERE "known".part = 'first' AND upper(n.first_name) = "known".name
            AND p.merged_into_id IS NULL
          ORDER BY p.last_name, p.first_name, p.id)) AS "bearer"
 WHERE EXISTS ({gate})
 LIMIT %(limit)s
"""

# Two words or more: pairs of a known first name and a known last name (either way round),
# closest pair first; the people who bear both now, then those who bore both (a previous
# name without a first name is the person's own first name with it).
_PAIR_BEARERS = """
SELECT "bearer"."id"
  FROM (SELECT * FROM unnest(%(firsts)s::text[], %(lasts)s::text[])
          WITH ORDINALITY AS k(first, last, rank)
         ORDER BY rank OFFSET 0) AS "known"
 CROSS JOIN LATERAL (
        (SELECT id FROM cases_person
          WHERE upper(last_name) = "known".last AND upper(first_name) = "known".first
            AND merged_into_id IS NULL
          ORDER BY upper(last_name), upper(first_name), last_name, first_name, id)
        UNION ALL
        (SELECT p.id FROM cases_personname n JOIN cases_person p ON p.id = n.person_id
          WHERE upper(n.last_name) = "known".last
            AND upper(coalesce(nullif(n.first_name, ''), p.first_name)) = "known".first
            AND p.merged_into_id IS NULL
          ORDER BY p.last_name, p.first_name, p.id)) AS "bearer"
 WHERE EXISTS ({gate})
 LIMIT %(limit)s
"""


def ranked_names(terms: list[str]) -> tuple[str, dict]:
    """The bearers' query and its names for the words of a name search, closest first."""
    if len(terms) > 1:
        terms = [terms[0], terms[-1]]
    like = names_like(terms)
    if len(terms) == 1:
        names = like[terms[0]]
        return _BEARERS, {"parts": [n[1] for n in names], "names": [n[2] for n in names]}
    one, other = terms[0], terms[-1]  # "Mary Ann Smith": Mary and Smith
    pairs = []
    for a, b in [(one, other), (other, one)]:
        firsts = [n for n in like[a] if n[1] == KnownName.Part.FIRST][:MAX_PAIR_NAMES]
        lasts = [n for n in like[b] if n[1] == KnownName.Part.LAST][:MAX_PAIR_NAMES]
        pairs += [(f[0] + s[0], s[2], f[2]) for f in firsts for s in lasts]
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    pairs = list(dict.fromkeys((last, first) for _, last, first in pairs))
    return _PAIR_BEARERS, {"firsts": [p[1] for p in pairs], "lasts": [p[0] for p in pairs]}


def people_named(user, terms: list[str], *, page_size: int, page: int):
    """The ids of one page of the people the user may see named like `terms`, and whether
    another page follows."""
    sql, names = ranked_names(terms)
    if not next(iter(names.values())):
        return [], False
    page_size, page = max(1, page_size), max(1, page)
    wanted = page * page_size + 1
    gate_sql, gate_params = _gate_sql(user)
    gate = {f"gate_{i}": value for i, value in enumerate(gate_params)}
    gate_sql = gate_sql.replace("%s", "%({})s").format(*gate)
    limit = wanted
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql.format(gate=gate_sql), {**names, "limit": limit, **gate})
            found = [row[0] for row in cursor.fetchall()]
        ids = list(dict.fromkeys(found))  # someone found twice: at the closer
        if len(ids) >= wanted or len(found) < limit:
            break
        limit *= 2
    start = (page - 1) * page_size
    return ids[start : start + page_size], len(ids) > start + page_size


def _gate_sql(user) -> tuple[str, tuple]:
    """The gate's question of the person "bearer"."id", for an EXISTS."""
    outer_id = RawSQL('"bearer"."id"', ())  # noqa: S611 (our own alias, never input)
    rows = rows_of_visible_families(user, FamilyMember.objects.filter(person_id=outer_id))
    return rows.values("pk").query.sql_with_params()


def people_matching(user, query: Query, *, page_size: int, page: int):
    """One page of the people the user may see who match the query's date of birth, postcode
    or identifiers exactly (at most MAX_FOUND read), closest to its name words first if any
    (and only those whose current or previous names are like them)."""
    found = list(
        persons_visible_to(user, row_by_row=True)
        .filter(query.criteria, merged_into__isnull=True)
        .prefetch_related("other_names")
        .order_by("last_name", "first_name", "id")[:MAX_FOUND]
    )
    if query.names:
        found = _closest_first(found, query.names)
    start = (max(1, page) - 1) * max(1, page_size)
    return [p.pk for p in found[start : start + page_size]], len(found) > start + page_size


def _closest_first(people, terms):
    """People whose names (now or before) are like every word typed, closest first."""
    keyed = []
    for person in people:
        names = [(person.first_name, person.last_name)] + [
            (n.first_name or person.first_name, n.last_name or person.last_name)
            for n in person.other_names.all()
        ]
        best = 0.0
        for first, last in names:
            words = [plain(w) for w in (first.split() + last.split())]
            scores = [
                max((_quick_closeness(w, plain(t)) for w in words), default=0.0) for t in terms
            ]
            if all(scores):
                best = max(best, sum(scores))
        if best:
            keyed.append((-best, person.last_name, person.first_name, person.pk, person))
    return [k[-1] for k in sorted(keyed, key=lambda k: k[:4])]


def _quick_closeness(name: str, term: str) -> float:
    """`closeness` without sounds (for the few people a date or identifier found)."""
    return closeness(name, name, ("", ""), term, term, ("", ""))
