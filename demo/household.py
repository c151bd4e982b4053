"""Demo households: who lives together, since when, and where they lived before (demo.families).

A household is a head (usually the mother), sometimes a partner, 0–5
children, sometimes an unborn child and another adult. A few people move
from one household to another (the same record, with dates), and a few are
entered twice as new records with a slip in the name or date of birth: the
true duplicates the duplicate finder should find.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from cases.models import Address, Family, FamilyMember, Person, PersonName
from cases.models.person import Ethnicity, Send, SocialCareStatus
from demo.heritages import ENGLISH_OLDER_FEMALE, ENGLISH_OLDER_MALE, HERITAGES, Heritage
from demo.moves import duplicate_from_earlier, partner_from_earlier
from demo.names import ADULT_DISABILITIES, CHILD_DISABILITIES
from demo.people import (
    Identifiers,
    Places,
    age_on,
    born,
    born_plus,
    nickname,
    school_year,
    weighted,
    zipf,
)

if TYPE_CHECKING:
    from demo.families import Rows

ROLE = FamilyMember.Role


def _years_ago(today: date, years: int) -> date:
    return born_plus(today, -years)


PICK_HERITAGE = weighted(HERITAGES, [h.weight for h in HERITAGES])
CHILD_COUNTS = weighted([0, 1, 2, 3, 4, 5], [6, 28, 30, 20, 10, 6])
OLDER = {"female": ENGLISH_OLDER_FEMALE.split(), "male": ENGLISH_OLDER_MALE.split()}
MOVE_SHARE = 0.05  # couples where the partner came from another household in the data
DUPLICATE_SHARE = 0.1  # households where someone already known is entered again


@dataclass
class Member:
    person: Person
    membership: FamilyMember
    address: Address | None


@dataclass
class Home:
    line: str
    town: str
    postcode: str
    district: str
    since: date


@dataclass
class Household:
    family: Family
    heritage: Heritage
    home: Home
    previous_home: Home | None
    head: Member | None = None
    partner: Member | None = None
    children: list[Member] = field(default_factory=list)
    others: list[Member] = field(default_factory=list)

    @property
    def since(self) -> date:
        """Since when the household has been together (at this address or the one before)."""
        return self.previous_home.since if self.previous_home else self.home.since

    def current(self) -> list[Member]:
        """Members living here now who are born (not the unborn)."""
        everyone = [self.head, self.partner, *self.children, *self.others]
        return [
            m
            for m in everyone
            if m and m.membership.left_on is None and m.person.date_of_birth is not None
        ]


class HouseholdMaker:
    def __init__(self, rng: random.Random, today: date, localities: dict):
        self.rng = rng
        self.today = today
        self.localities = localities
        self.places = Places(rng)
        self.ids = Identifiers(rng)
        self.surnames = {h.key: zipf(h.surnames) for h in HERITAGES}
        self.batch: list[Household] = []  # earlier households movers and duplicates come from
        self.rows: Rows | None = None

    def start_batch(self, rows: Rows) -> None:
        # Moves and duplicates reach back only within a batch, so every row they
        # change is still unsaved.
        self.rows = rows
        self.batch = []

    def days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low, max(low, high)))

    def between(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def home(self, district: str, since: date) -> Home:
        line, town, postcode = self.places.address(district)
        return Home(line, town, postcode, district, since)

    # --- households ----------------------------------------------------------

    def household(self, reference: str, *, district: str | None = None) -> Household:
        rng = self.rng
        heritage = PICK_HERITAGE(rng)
        district = district or self.places.pick_district(rng)
        couple = rng.random() < 0.55
        head_sex = "female" if rng.random() < (0.8 if couple else 0.88) else "male"
        head_age = round(rng.triangular(19, 52, 31))
        adult_since = self.today - timedelta(days=(head_age - 17) * 365)
        home = self.home(
            district, self.days_ago(60, min(12 * 365, (self.today - adult_since).days))
        )
        previous = None
        if rng.random() < 0.3 and home.since - adult_since > timedelta(days=400):
            moved_in = max(adult_since, home.since - timedelta(days=rng.randint(300, 6 * 365)))
            elsewhere = district if rng.random() < 0.7 else self.places.pick_district(rng)
            previous = self.home(elsewhere, moved_in)
        family = Family(
            reference=reference,
            address_line=f"{home.line}, {home.town}",
            postcode=home.postcode,
            locality=self.localities[district],
        )
        house = Household(family, heritage, home, previous)

        head = self.person(heritage, head_sex, head_age)
        house.head = self.join(house, head, ROLE.PARENT_CARER, "Head of household")
        birth_surname = head.last_name
        married = couple and rng.random() < 0.55
        # A partner who moved in later is not the children's other parent; one
        # who came from another household in the data is not married in either.
        arrival = self._partner(house, head_sex, head_age, married) if couple else "none"
        married = married and arrival != "moved"
        parents = [m.person for m in (house.head, house.partner) if m]
        father = next((p for p in parents if p.sex == "male"), None)
        mother = next((p for p in parents if p.sex == "female"), None)
        if arrival == "together":
            family_surname = father.last_name if father else head.last_name
            unmarried_choice = family_surname if rng.random() < 0.6 else (mother or head).last_name
            child_surname = family_surname if married else unmarried_choice
        else:
            family_surname = house.partner.person.last_name if house.partner else head.last_name
            child_surname = head.last_name if rng.random() < 0.6 else self.surname(heritage, "male")
        if married:
            for parent in parents:
                self._take_surname(parent, family_surname)
        family.name = f"{head.last_name} family"

        mother_born = mother.date_of_birth if mother else head.date_of_birth
        expecting = mother is not None and age_on(mother_born, self.today) <= 43
        count = CHILD_COUNTS(rng)
        if count == 0 and not expecting:
            count = 1  # early help is for families with a child, born or expected
        births = self._births(mother_born, count)
        school_choice = rng.randint(0, 1)
        for dob in births:
            self._child(house, dob, child_surname, school_choice)
        if expecting and (not births or rng.random() < 0.06):
            self._unborn(house, child_surname)
        if rng.random() < 0.1:
            self._other_adult(house, head_age, birth_surname)
        if rng.random() < DUPLICATE_SHARE:
            duplicate_from_earlier(self, house)
        self.rows.families.append(family)
        self.batch.append(house)
        return house

    def _partner(self, house, head_sex, head_age, married) -> str:
        """Add a partner: "together" from the start, "late" (moved in since) or "moved"
        (the same person, from an earlier household)."""
        rng = self.rng
        sex = "male" if head_sex == "female" else "female"
        if rng.random() < 0.04:
            sex = head_sex  # same-sex couples
        if rng.random() < MOVE_SHARE and partner_from_earlier(self, house, sex):
            return "moved"
        heritage = house.heritage if rng.random() < 0.85 else PICK_HERITAGE(rng)
        age = max(18, head_age + round(rng.gauss(2, 4)))
        partner = self.person(heritage, sex, age)
        relationship = ("Wife" if sex == "female" else "Husband") if married else "Partner"
        if rng.random() < 0.2:  # a new partner, who moved in after the family was known
            joined = self.between(house.home.since, self.today - timedelta(days=30))
            house.partner = self.arrive(house, partner, ROLE.PARENT_CARER, relationship, joined)
            self.rows.persons.append(partner)
            return "late"
        house.partner = self.join(house, partner, ROLE.PARENT_CARER, relationship)
        return "together"

    def _births(self, mother_born: date, count: int) -> list[date]:
        """Children's dates of birth, youngest first: a year or more apart, now and then twins,
        none born before their mother was 16 and none over 17 now."""
        rng = self.rng
        earliest = max(born_plus(mother_born, 16), _years_ago(self.today, 18) + timedelta(days=1))
        if count == 0 or earliest > self.today:
            return []
        dob = self.between(max(earliest, _years_ago(self.today, 12)), self.today)
        births = []
        for _ in range(count):
            if births and rng.random() > 0.02:
                dob -= timedelta(days=rng.randint(420, 1800))
            if dob < earliest:
                break
            births.append(dob)
        return births

    def _child(self, house, dob, surname, school_choice):
        rng = self.rng
        sex = rng.choice(["female", "male"])
        child = self.person(house.heritage, sex, age_on(dob, self.today), child=True, dob=dob)
        siblings = {c.person.first_name for c in house.children}
        for _ in range(5):  # brothers and sisters do not share a first name
            if child.first_name not in siblings:
                break
            names = house.heritage.female_child if sex == "female" else house.heritage.male_child
            child.first_name = rng.choice(names)
        child.last_name = surname
        if house.heritage.female_surnames and sex == "female" and rng.random() < 0.5:
            child.last_name = rng.choice(house.heritage.female_surnames)
        parents = {m.person.ethnicity for m in (house.head, house.partner) if m}
        if len(parents - {Ethnicity.NOT_STATED}) > 1:
            child.ethnicity = Ethnicity.MIXED
        self._schooling(child, house.home.town, school_choice)
        relationship = "Daughter" if sex == "female" else "Son"
        house.children.append(self.join(house, child, ROLE.CHILD, relationship))

    def _schooling(self, child: Person, town: str, choice: int) -> None:
        rng = self.rng
        year = school_year(child.date_of_birth, self.today)
        if year is None:
            return
        school = self.places.school_for(town, year, choice)
        if school:
            child.school = school[0]
            if rng.random() < 0.95:
                reception_year = self.today.year - year - (0 if self.today.month >= 9 else 1)
                first_school = self.places.schools[town]["primary"][choice % 2]
                child.upn = self.ids.upn(first_school[1], reception_year)
        elif rng.random() < 0.6:
            child.school = f"{town} Sixth Form College"
        roll = rng.random()
        if roll < 0.05:
            child.send = Send.EHC_PLAN
            child.disability = rng.choice(CHILD_DISABILITIES)
        elif roll < 0.19:
            child.send = Send.SEN_SUPPORT
        # The same roll, so the rest of the generator draws what it drew before: about 4% of
        # school-age children are children in need, 1% on a protection plan, 1% looked after.
        elif roll < 0.23:
            child.social_care_status = SocialCareStatus.CHILD_IN_NEED
        elif roll < 0.24:
            child.social_care_status = SocialCareStatus.CHILD_PROTECTION
        elif roll < 0.25:
            child.social_care_status = SocialCareStatus.LOOKED_AFTER
        if year >= 4 and rng.random() < 0.08:
            child.young_carer = True

    def _unborn(self, house, surname):
        unborn = Person(
            first_name="Unborn",
            last_name=surname,
            expected_date_of_birth=self.today + timedelta(days=self.rng.randint(14, 250)),
            ethnicity=house.head.person.ethnicity,
            postcode=house.family.postcode,
        )
        house.children.append(self.join(house, unborn, ROLE.CHILD, "Unborn child"))

    def _other_adult(self, house, head_age, head_birth_surname):
        rng = self.rng
        sex = rng.choice(["female", "male"])
        roll = rng.random()
        if roll < 0.5 and head_age <= 60:  # the head's mother or father
            adult = self.person(house.heritage, sex, min(85, head_age + rng.randint(19, 32)))
            if house.heritage.key == "english":
                adult.first_name = rng.choice(OLDER[sex])
            adult.last_name = head_birth_surname
            relationship = "Mother" if sex == "female" else "Father"
        elif roll < 0.85 and head_age >= 37:  # a grown-up son or daughter still at home
            adult = self.person(house.heritage, sex, rng.randint(18, min(24, head_age - 17)))
            adult.last_name = (house.children or [house.head])[0].person.last_name
            relationship = "Daughter" if sex == "female" else "Son"
        else:
            adult = self.person(PICK_HERITAGE(rng), sex, rng.randint(19, 55))
            relationship = rng.choice(["Lodger", "Friend", "Aunt" if sex == "female" else "Uncle"])
        house.others.append(self.join(house, adult, ROLE.OTHER_ADULT, relationship))

    # --- people ---------------------------------------------------------------

    def surname(self, heritage: Heritage, sex: str) -> str:
        if heritage.female_surnames and sex == "female" and self.rng.random() < 0.8:
            return self.rng.choice(heritage.female_surnames)
        return self.surnames[heritage.key](self.rng)

    def person(self, heritage: Heritage, sex: str, age: int, *, child=False, dob=None) -> Person:
        rng = self.rng
        if child:
            names = heritage.female_child if sex == "female" else heritage.male_child
        else:
            names = heritage.female_adult if sex == "female" else heritage.male_adult
        person = Person(
            first_name=rng.choice(names),
            last_name=self.surname(heritage, sex),
            date_of_birth=dob or born(rng, self.today, age),
            sex=sex,
            ethnicity=heritage.ethnicity if rng.random() < 0.96 else Ethnicity.NOT_STATED,
            first_language="English",
        )
        if heritage.key == "english" and rng.random() < 0.35:
            person.middle_names = rng.choice(names)
        if rng.random() < 0.92:
            person.nhs_number = self.ids.nhs_number()
        if age >= 16 and rng.random() < (0.7 if heritage.other_language_share else 0.88):
            person.ni_number = self.ids.ni_number()
        if not child and rng.random() < heritage.other_language_share:
            person.first_language = heritage.language
            person.interpreter_needed = rng.random() < heritage.interpreter_share
        elif child and heritage.other_language_share and rng.random() < 0.15:
            person.first_language = heritage.language
        if not child and rng.random() < 0.06:
            person.disability = rng.choice(ADULT_DISABILITIES)
        if age >= 12 and rng.random() < 0.04:
            alias = nickname(rng, person.first_name)
            if alias:
                self.rows.other_names.append(
                    PersonName(person=person, kind=PersonName.Kind.ALIAS, first_name=alias)
                )
        return person

    def _take_surname(self, person: Person, surname: str) -> None:
        """A married name, with the name before it kept as a previous name (most of the time)."""
        if person.last_name == surname:
            return
        if self.rng.random() < 0.7:
            self.rows.other_names.append(
                PersonName(
                    person=person,
                    kind=PersonName.Kind.PREVIOUS,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    # Married as an adult, at least a year ago.
                    used_until=self.between(
                        born_plus(person.date_of_birth, 18), self.today - timedelta(days=365)
                    ),
                )
            )
        person.last_name = surname

    def join(self, house: Household, person: Person, role: str, relationship: str) -> Member:
        """A new person, living with the household since it was known (or since birth)."""
        dob = person.date_of_birth
        membership = FamilyMember(
            family=house.family,
            person=person,
            role=role,
            relationship=relationship,
            joined_on=max(house.since, dob) if dob else None,
        )
        self.rows.members.append(membership)
        self.rows.persons.append(person)
        address = None
        if dob:
            if house.previous_home and dob < house.home.since:
                before = self._address(
                    person, house.previous_home, max(dob, house.previous_home.since)
                )
                before.moved_out = house.home.since
            address = self._address(person, house.home, max(dob, house.home.since))
        return Member(person, membership, address)

    def arrive(self, house, person, role, relationship, on: date) -> Member:
        """Someone (already known, or new) moving into the household on a date."""
        membership = FamilyMember(
            family=house.family, person=person, role=role, relationship=relationship, joined_on=on
        )
        self.rows.members.append(membership)
        return Member(person, membership, self._address(person, house.home, on))

    def _address(self, person: Person, home: Home, moved_in: date) -> Address:
        address = Address(
            person=person,
            line_1=home.line,
            town=home.town,
            postcode=home.postcode,
            locality=self.localities[home.district],
            moved_in=moved_in,
        )
        self.rows.addresses.append(address)
        person.postcode = home.postcode
        return address

    def leave(self, member: Member, on: date) -> None:
        member.membership.left_on = max(on, member.membership.joined_on or on)
        if member.address:
            member.address.moved_out = member.membership.left_on
