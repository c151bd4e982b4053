"""Demo people: names, dates of birth, identifiers and addresses (used by demo.household).

Everything comes from the `random.Random` it is given, never the global one
or the clock, so one seed always gives the same people.
"""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta

from cases.people.identifiers import nhs_check_digit, upn_check_letter
from demo.names import (
    DISTRICT_TOWNS,
    NICKNAMES,
    POSTCODE_UNIT_LETTERS,
    PRIMARY_SCHOOL_KINDS,
    SECONDARY_SCHOOL_KINDS,
    SPELLING_VARIANTS,
    STREET_STEMS,
    STREET_TYPES,
)

# Leicestershire County Council's local authority number: the first three
# characters after a UPN's check letter.
LEICESTERSHIRE_LA = "855"
_NI_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
_NI_SECOND = "ABCEGHJKLMNPRSTWXYZ"
_NI_NEVER = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
_SPELLINGS = {}
for _a, _b in SPELLING_VARIANTS:
    _SPELLINGS.setdefault(_a, []).append(_b)
    _SPELLINGS.setdefault(_b, []).append(_a)


def weighted(items, weights):
    """A chooser over `items` with fixed weights (cumulative, so each draw is cheap)."""
    cumulative = list(itertools.accumulate(weights))
    return lambda rng: rng.choices(items, cum_weights=cumulative)[0]


def zipf(items):
    """A chooser that favours the first items, as surnames are in a real population."""
    return weighted(items, [1 / (rank + 8) for rank in range(len(items))])


def born(rng: random.Random, today: date, age: int) -> date:
    """A date of birth making someone `age` (whole years) on `today`."""
    latest = _years_before(today, age)
    earliest = _years_before(today, age + 1) + timedelta(days=1)
    return earliest + timedelta(days=rng.randint(0, (latest - earliest).days))


def born_plus(dob: date, years: int) -> date:
    """The day someone born on `dob` turns `years` old."""
    return _years_before(dob, -years)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_on(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def school_year(dob: date, today: date) -> int | None:
    """England's school year group (0 = Reception … 13 = Year 13), or None if not of school age.

    The year group follows the child's age on 31 August before the school year began.
    """
    start = date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    group = age_on(dob, start - timedelta(days=1)) - 4
    return group if 0 <= group <= 13 else None


class Identifiers:
    """NHS numbers, National Insurance numbers and UPNs that pass cases.people.identifiers,
    each unique.

    NHS numbers use the 999 range that NHS England keeps for test data, so no
    demo number belongs to a real patient.
    """

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def _unique(self, make) -> str:
        while True:
            value = make()
            if value and value not in self.used:
                self.used.add(value)
                return value

    def nhs_number(self) -> str:
        def make():
            first_nine = f"999{self.rng.randrange(1_000_000):06d}"
            check = nhs_check_digit(first_nine)
            return None if check is None else f"{first_nine}{check}"

        return self._unique(make)

    def ni_number(self) -> str:
        def make():
            prefix = self.rng.choice(_NI_FIRST) + self.rng.choice(_NI_SECOND)
            if prefix in _NI_NEVER:
                return None
            return f"{prefix}{self.rng.randrange(1_000_000):06d}{self.rng.choice('ABCD')}"

        return self._unique(make)

    def upn(self, establishment: int, year_allocated: int) -> str:
        def make():
            body = (
                f"{LEICESTERSHIRE_LA}{establishment:04d}{year_allocated % 100:02d}"
                f"{self.rng.randrange(1000):03d}"
            )
            return upn_check_letter(body) + body

        return self._unique(make)


class Places:
    """Streets with their postcodes and schools, per town, fixed for one seed.

    Each street has one postcode, so neighbours share it, as the duplicate
    finder's "same postcode" signal expects.
    """

    def __init__(self, rng: random.Random):
        self.rng = rng
        districts = list(DISTRICT_TOWNS)
        self.pick_district = weighted(districts, [DISTRICT_TOWNS[d][0] for d in districts])
        self.pick_town = {}
        self.streets = {}
        self.schools = {}
        self.district_of = {}
        for district, (_, towns) in DISTRICT_TOWNS.items():
            self.pick_town[district] = weighted(towns, [weight for *_, weight in towns])
            for town, outward, weight in towns:
                self.district_of[town] = district
                names = rng.sample(STREET_STEMS, min(len(STREET_STEMS), 12 + 6 * weight))
                self.streets[town] = [
                    (f"{stem} {rng.choice(STREET_TYPES)}", self._postcode(outward))
                    for stem in names
                ]
                self.schools[town] = self._schools(town)

    def _postcode(self, outward: str) -> str:
        unit = "".join(self.rng.choices(POSTCODE_UNIT_LETTERS, k=2))
        return f"{outward} {self.rng.randint(1, 9)}{unit}"

    def _schools(self, town: str) -> dict:
        primary = [
            (f"{town} {kind}", self.rng.randint(2000, 3999))
            for kind in self.rng.sample(PRIMARY_SCHOOL_KINDS, 2)
        ]
        secondary = (
            f"{town} {self.rng.choice(SECONDARY_SCHOOL_KINDS)}",
            self.rng.randint(4000, 4999),
        )
        return {"primary": primary, "secondary": secondary}

    def address(self, district: str) -> tuple[str, str, str]:
        """(line 1, town, postcode) somewhere in the district."""
        town, _, _ = self.pick_town[district](self.rng)
        street, postcode = self.rng.choice(self.streets[town])
        number = self.rng.randint(1, 160)
        if self.rng.random() < 0.12:
            return f"Flat {self.rng.randint(1, 24)}, {number} {street}", town, postcode
        return f"{number} {street}", town, postcode

    def school_for(self, town: str, year: int, family_choice: int) -> tuple[str, int] | None:
        """The school a child in `year` attends: brothers and sisters share a primary school."""
        schools = self.schools[town]
        if year <= 6:
            return schools["primary"][family_choice % 2]
        if year <= 11:
            return schools["secondary"]
        return None


# Keys side by side on a UK keyboard: the slips a rushed entry makes.
_NEAR_KEYS = {
    "a": "sq",
    "e": "wr",
    "i": "uo",
    "o": "ip",
    "n": "bm",
    "m": "n",
    "r": "et",
    "t": "ry",
    "s": "ad",
    "l": "k",
    "h": "gj",
    "y": "tu",
}


def typo(rng: random.Random, name: str) -> str:
    """The name as someone might mistype or misspell it (never unchanged)."""
    if name in _SPELLINGS and rng.random() < 0.5:
        return rng.choice(_SPELLINGS[name])
    if len(name) < 4:
        return name + name[-1]
    for _ in range(10):
        i = rng.randint(1, len(name) - 2)
        kind = rng.choice(["swap", "drop", "double", "near"])
        if kind == "swap":
            changed = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        elif kind == "drop":
            changed = name[:i] + name[i + 1 :]
        elif kind == "double":
            changed = name[:i] + name[i] + name[i:]
        else:
            near = _NEAR_KEYS.get(name[i].lower())
            changed = name[:i] + rng.choice(near) + name[i + 1 :] if near else name
        if changed != name:
            return changed
    return name + "e"


def nickname(rng: random.Random, first_name: str) -> str | None:
    options = NICKNAMES.get(first_name)
    return rng.choice(options) if options else None


def near_date(rng: random.Random, dob: date) -> date:
    """A date of birth as it gets mis-recorded: a day out, or day and month swapped."""
    if dob.day <= 12 and dob.day != dob.month and rng.random() < 0.5:
        return dob.replace(day=dob.month, month=dob.day)
    return dob + timedelta(days=rng.choice([-1, 1]))
