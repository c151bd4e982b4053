"""Likely duplicates of a person about to be recorded (DOMAIN §3, "Duplicate detection").

Two steps, kept apart so each can be read on its own:

1. Candidates come from the database in one query: surnames (current or
   previous) that are trigram-similar, names typed the other way round, the
   same identifier, or a date of birth that is the same, a day out or has day
   and month swapped. Each branch also needs a sign about the given name or the
   date of birth, because a candidate with neither could never score enough to
   be offered, and "Smith" alone would bring back thousands.
2. Each candidate is scored in Python by adding up evidence for and against,
   each piece with a reason a practitioner can read ("Known nickname: Bill /
   William"). Evidence against matters as much as evidence for: twins share a
   surname, a date of birth and a postcode, and only their different first
   names tell them apart.

A record merged into another is never offered; the survivor is offered in its
place, and the merged record's details still count, since they describe the
same person.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection

from cases.models import Person, PersonName
from cases.people.identifiers import normalise_identifier
from cases.people.nicknames import (
    is_known_name,
    known_as,
    name_key,
    name_words,
    same_given_name,
    trigram_similarity,
    typing_slips,
)

# Offered when the evidence adds up to at least this. Identical names and date
# of birth score 0.9; twins (same surname, date of birth and postcode, different
# first names) score 0.4; the same name at the same postcode with no date of
# birth to compare is just enough to be worth a look.
MATCH_THRESHOLD = 0.6

# How much each piece of evidence weighs. Negative weights count against.
SAME_NHS_NUMBER, DIFFERENT_NHS_NUMBER = 0.7, -0.8
SAME_NI_NUMBER, DIFFERENT_NI_NUMBER = 0.7, -0.6
SAME_UPN, DIFFERENT_UPN = 0.6, -0.5
DOB_SAME, DOB_DAY_OUT, DOB_SWAPPED, DOB_YEAR_SLIP, DOB_DIFFERENT = 0.4, 0.25, 0.25, 0.15, -0.5
BORN_NEAR_EXPECTED = 0.25
FIRST_SAME, FIRST_NICKNAME, FIRST_SLIP, FIRST_DIFFERENT = 0.25, 0.2, 0.15, -0.35
FIRST_OTHER_NAME, FIRST_INITIAL = 0.15, 0.05
SURNAME_SAME, SURNAME_PART, SURNAME_SLIP, SURNAME_DIFFERENT = 0.25, 0.2, 0.2, -0.1
SURNAME_SIMILAR_SCALE = 0.25  # times the trigram similarity
NAMES_SWAPPED = 0.45
SAME_POSTCODE = 0.1

# Trigram similarity below this says nothing about a surname.
SIMILAR_SURNAME_FLOOR = 0.45
# Days between an expected date of delivery and a real birth that still fit.
EXPECTED_DATE_SLACK_DAYS = 45
# Given names recorded before a child is named; they say nothing either way.
PLACEHOLDER_FIRST_NAMES = frozenset({"BABY", "UNBORN", "UNNAMED", "UNKNOWN", "INFANT"})


@dataclass(frozen=True)
class Match:
    """An existing person offered as a likely duplicate: the evidence added up, and why."""

    person: Person
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Wanted:
    """The details being checked, each reduced to the form it is compared in."""

    first_name: str
    last_name: str
    date_of_birth: datetime.date | None
    postcode: str
    nhs_number: str
    ni_number: str
    upn: str


def likely_duplicates(
    *,
    first_name: str,
    last_name: str,
    date_of_birth: datetime.date | None = None,
    postcode: str = "",
    nhs_number: str = "",
    ni_number: str = "",
    upn: str = "",
    exclude_person_id: int | None = None,
    limit: int = 10,
) -> list[Match]:
    """Existing people these details may describe, best first, each with its reasons."""
    wanted = _Wanted(
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        date_of_birth=date_of_birth,
        postcode=_postcode_key(postcode),
        nhs_number=normalise_identifier(nhs_number),
        ni_number=normalise_identifier(ni_number),
        upn=normalise_identifier(upn),
    )
    hits = _candidate_hits(wanted)  # [(id of the record hit, id of its survivor)]
    if not hits:
        return []
    people = Person.objects.prefetch_related("other_names").in_bulk(
        {pk for pair in hits for pk in pair}
    )
    found_through: dict[int, set[int]] = defaultdict(set)
    for hit_id, survivor_id in hits:
        if exclude_person_id not in (hit_id, survivor_id):
            found_through[survivor_id].add(hit_id)

    matches = []
    for survivor_id, hit_ids in found_through.items():
        survivor = people[survivor_id]
        score, reasons = _score(wanted, survivor)
        for hit_id in sorted(hit_ids - {survivor_id}):
            merged_score, merged_reasons = _score(wanted, people[hit_id])
            if merged_score > score:
                score = merged_score
                reasons = [
                    *merged_reasons,
                    f"Through {people[hit_id]}'s record, merged into this one",
                ]
        if score >= MATCH_THRESHOLD:
            matches.append(Match(person=survivor, score=score, reasons=reasons))
    matches.sort(key=lambda m: (-m.score, m.person.last_name, m.person.first_name, m.person.pk))
    return matches[:limit]


# --- Candidates -----------------------------------------------------------------------------


# A sign in the given name: similar spelling, a known nickname, an initial, a
# placeholder ("Baby") on either side. Without one, a candidate cannot reach
# the threshold unless an identifier or the date of birth speaks for it.
_GIVEN_NAME_SIGN = """(
    %(any_first_name)s
    OR UPPER(p.first_name) %% UPPER(%(first)s)
    OR UPPER(p.first_name) = ANY(%(first_names)s::text[])
    OR (LENGTH(p.first_name) = 1 OR %(initial_only)s) AND LEFT(UPPER(p.first_name), 1) = %(initial)s
)"""
_NEAR_BIRTH = "p.date_of_birth = ANY(%(dates)s::date[])"

# One statement whatever the database holds: a union of branches that each
# start from an index (trigram GIN on UPPER(last_name) of people and of their
# other names and on UPPER(first_name), the date of birth, the identifiers'
# partial indexes), then a walk along `merged_into` to each surviving record.
_CANDIDATES_SQL = """
WITH RECURSIVE hit(id, merged_into_id) AS (
    SELECT p.id, p.merged_into_id FROM cases_person p
    WHERE _NEAR_BIRTH AND _GIVEN_NAME_SIGN
  UNION
    SELECT p.id, p.merged_into_id FROM cases_person p
    WHERE UPPER(p.last_name) %% UPPER(%(last)s) AND (_GIVEN_NAME_SIGN OR _NEAR_BIRTH)
  UNION
    SELECT p.id, p.merged_into_id
    FROM cases_personname n JOIN cases_person p ON p.id = n.person_id
    WHERE UPPER(n.last_name) %% UPPER(%(last)s) AND (_GIVEN_NAME_SIGN OR _NEAR_BIRTH)
  UNION
    SELECT p.id, p.merged_into_id FROM cases_person p
    WHERE UPPER(p.first_name) %% UPPER(%(last)s) AND UPPER(p.last_name) %% UPPER(%(first)s)
  UNION
    SELECT p.id, p.merged_into_id FROM cases_person p
    WHERE p.nhs_number <> '' AND p.nhs_number = %(nhs_number)s
  UNION
    SELECT p.id, p.merged_into_id FROM cases_person p
    WHERE p.ni_number <> '' AND p.ni_number = %(ni_number)s
  UNION
    SELECT p.id, p.merged_into_id FROM cases_person p
    WHERE p.upn <> '' AND p.upn = %(upn)s
),
chain(hit_id, id, merged_into_id, hops) AS (
    SELECT id, id, merged_into_id, 0 FROM hit
  UNION ALL
    SELECT chain.hit_id, p.id, p.merged_into_id, chain.hops + 1
    FROM chain JOIN cases_person p ON p.id = chain.merged_into_id
    WHERE chain.hops < 20
)
SELECT hit_id, id FROM chain WHERE merged_into_id IS NULL
""".replace("_GIVEN_NAME_SIGN", _GIVEN_NAME_SIGN).replace("_NEAR_BIRTH", _NEAR_BIRTH)


def _candidate_hits(wanted: _Wanted) -> list[tuple[int, int]]:
    """Ids of records worth scoring, each with the id of its surviving record (often itself)."""
    first = name_key(_first_word(wanted.first_name))
    params = {
        "first": wanted.first_name,
        "last": wanted.last_name,
        "any_first_name": not first or first in PLACEHOLDER_FIRST_NAMES,
        "first_names": sorted(
            known_as(first) | {wanted.first_name.upper()} | PLACEHOLDER_FIRST_NAMES
        ),
        "initial": first[:1],
        "initial_only": len(first) == 1,
        "dates": _dates_near(wanted.date_of_birth) if wanted.date_of_birth else [],
        "nhs_number": wanted.nhs_number,
        "ni_number": wanted.ni_number,
        "upn": wanted.upn,
    }
    with connection.cursor() as cursor:
        cursor.execute(_CANDIDATES_SQL, params)
        return cursor.fetchall()


def _dates_near(born: datetime.date) -> list[datetime.date]:
    """The date of birth, a day either side, and with day and month swapped where that is a date."""
    one_day = datetime.timedelta(days=1)
    dates = [born, born - one_day, born + one_day]
    swapped = _swapped(born)
    if swapped:
        dates.append(swapped)
    return dates


def _swapped(born: datetime.date) -> datetime.date | None:
    if born.day == born.month or born.day > 12:
        return None
    return born.replace(month=born.day, day=born.month)


# --- Scoring --------------------------------------------------------------------------------


def _score(wanted: _Wanted, person: Person) -> tuple[float, list[str]]:
    """Add up the evidence that `person` is who `wanted` describes, with a reason for each."""
    evidence = [
        *_identifier_evidence(wanted, person),
        *_date_of_birth_evidence(wanted, person),
        *_name_evidence(wanted, person),
    ]
    if wanted.postcode and wanted.postcode == _postcode_key(person.postcode):
        evidence.append((SAME_POSTCODE, "Same postcode"))
    score = round(sum(weight for weight, _ in evidence), 2)
    return score, [reason for _, reason in evidence]


_IDENTIFIERS = (
    ("nhs_number", "NHS number", SAME_NHS_NUMBER, DIFFERENT_NHS_NUMBER),
    ("ni_number", "National Insurance number", SAME_NI_NUMBER, DIFFERENT_NI_NUMBER),
)


def _identifier_evidence(wanted: _Wanted, person: Person):
    for attribute, label, same, different in _IDENTIFIERS:
        ours, theirs = getattr(wanted, attribute), normalise_identifier(getattr(person, attribute))
        if ours and theirs:
            yield (same, f"Same {label}") if ours == theirs else (different, f"Different {label}s")
    theirs = normalise_identifier(person.upn)
    if wanted.upn and theirs:
        if wanted.upn == theirs:
            yield SAME_UPN, "Same unique pupil number"
        elif not (_is_temporary_upn(wanted.upn) or _is_temporary_upn(theirs)):
            # A temporary UPN is replaced by a permanent one, so only two
            # permanent numbers that differ say these are different pupils.
            yield DIFFERENT_UPN, "Different unique pupil numbers"


def _is_temporary_upn(upn: str) -> bool:
    return upn[-1:].isalpha()


def _date_of_birth_evidence(wanted: _Wanted, person: Person):
    ours, theirs = wanted.date_of_birth, person.date_of_birth
    if ours is None:
        return
    if theirs is None:
        expected = person.expected_date_of_birth
        if expected and abs((ours - expected).days) <= EXPECTED_DATE_SLACK_DAYS:
            yield BORN_NEAR_EXPECTED, "Born close to the expected date of delivery"
        return
    if ours == theirs:
        yield DOB_SAME, "Date of birth matches"
    elif abs((ours - theirs).days) == 1:
        yield DOB_DAY_OUT, "Date of birth a day out"
    elif _swapped(ours) == theirs:
        yield DOB_SWAPPED, "Day and month of birth swapped"
    elif _year_slip(ours, theirs):
        yield DOB_YEAR_SLIP, "Year of birth looks mistyped"
    else:
        yield DOB_DIFFERENT, "Dates of birth differ"


def _year_slip(ours: datetime.date, theirs: datetime.date) -> bool:
    """The same birthday in a year a keystroke out: one either side, or 1985 typed as 1958."""
    if (ours.month, ours.day) != (theirs.month, theirs.day):
        return False
    if abs(ours.year - theirs.year) == 1:
        return True
    x, y = str(ours.year), str(theirs.year)
    diffs = [i for i in range(len(x)) if x[i] != y[i]] if len(x) == len(y) else []
    return len(diffs) == 2 and diffs[1] == diffs[0] + 1 and x[diffs[0]] == y[diffs[1]]


def _name_evidence(wanted: _Wanted, person: Person):
    ours_first, ours_last = name_words(wanted.first_name), name_words(wanted.last_name)
    theirs_first, theirs_last = name_words(person.first_name), name_words(person.last_name)
    if ours_first and ours_last and ours_first == theirs_last and ours_last == theirs_first:
        yield NAMES_SWAPPED, "First and last names swapped"
        return
    yield from _first_name_evidence(ours_first, person)
    yield from _surname_evidence(ours_last, wanted.last_name, person)


def _first_name_evidence(ours: list[str], person: Person):
    theirs = name_words(person.first_name)
    if not ours or not theirs or ours[0] in PLACEHOLDER_FIRST_NAMES:
        return
    if theirs[0] in PLACEHOLDER_FIRST_NAMES:
        return
    mine, given = ours[0], theirs[0]
    if ours == theirs or mine == given:
        yield FIRST_SAME, "First name matches"
    elif same_given_name(mine, given):
        yield FIRST_NICKNAME, f"Known nickname: {_shown(mine)} / {_shown(given)}"
    elif _first_name_slip(mine, given):
        yield FIRST_SLIP, f"First name one letter out ({_shown(mine)} / {_shown(given)})"
    elif (len(mine) == 1 or len(given) == 1) and mine[0] == given[0]:
        yield FIRST_INITIAL, "First initial matches"
    else:
        other = _other_given_name(mine, person)
        if other:
            yield FIRST_OTHER_NAME, other
        else:
            yield FIRST_DIFFERENT, f"Different first names ({_shown(mine)} / {_shown(given)})"


def _first_name_slip(mine: str, given: str) -> bool:
    """One letter out, unless both are real names: Francis and Frances may be twins."""
    if min(len(mine), len(given)) < 4 or typing_slips(mine, given) != 1:
        return False
    return not (is_known_name(mine) and is_known_name(given))


def _other_given_name(mine: str, person: Person) -> str:
    """A reason when the name given is the person's middle name or an alias, else ''."""
    for middle in name_words(person.middle_names):
        if same_given_name(mine, middle):
            return f"Goes by middle name {_shown(middle)}"
    for other in person.other_names.all():
        for word in name_words(other.first_name):
            if same_given_name(mine, word):
                return f"Matches {_other_name_label(other)} {other}"
    return ""


def _surname_evidence(ours: list[str], written: str, person: Person):
    theirs = name_words(person.last_name)
    if not ours or not theirs:
        return
    best = _surname_likeness(ours, theirs, f"{written} / {person.last_name}", "")
    for other in person.other_names.all():
        words = name_words(other.last_name)
        if words:
            label = f"{_other_name_label(other)} {other.last_name}"
            best = max(best, _surname_likeness(ours, words, f"{written} / {label}", label))
    weight, reason = best
    if weight:
        yield weight, reason
    else:
        yield SURNAME_DIFFERENT, "Different surname"


def _other_name_label(other: PersonName) -> str:
    return "previous name" if other.kind == PersonName.Kind.PREVIOUS else "alias"


def _surname_likeness(
    ours: list[str], theirs: list[str], shown: str, other_name: str
) -> tuple[float, str]:
    """How strongly two surnames agree, as (weight, reason); (0, "") when they do not.

    `shown` is the pair as written, for the reason; `other_name` names a
    previous name or alias when that is what is compared.
    """
    mine, given = "".join(ours), "".join(theirs)
    if mine == given:
        return SURNAME_SAME, f"Matches {other_name}" if other_name else "Surname matches"
    if set(ours) <= set(theirs) or set(theirs) <= set(ours):
        return SURNAME_PART, f"Surname part matches ({shown})"
    if min(len(mine), len(given)) >= 4 and typing_slips(mine, given) == 1:
        return SURNAME_SLIP, f"Surname one letter out ({shown})"
    similarity = trigram_similarity(" ".join(ours), " ".join(theirs))
    if similarity >= SIMILAR_SURNAME_FLOOR:
        weight = round(SURNAME_SIMILAR_SCALE * similarity, 2)
        return weight, f"Surname similar ({similarity:.2f}: {shown})"
    return 0.0, ""


# --- Text helpers ---------------------------------------------------------------------------


def _first_word(name: str) -> str:
    words = name_words(name)
    return words[0] if words else ""


def _shown(key: str) -> str:
    return key.title()


def _postcode_key(postcode: str) -> str:
    return re.sub(r"\s", "", postcode or "").upper()
