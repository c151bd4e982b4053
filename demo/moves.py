"""Demo people who move between households, and people entered twice (demo.household).

A move is the same person record leaving one household and joining another,
with the dates on both memberships and addresses: "one record per child".
A duplicate is what the one-record rule is there to catch: someone already
known, entered again as a new record with a slip (a typo, a nickname, a
date of birth a day out or with day and month swapped), sometimes carrying
the same NHS number. Both reach back only to households of the current
batch, whose rows are still unsaved and can be changed.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING

from cases.models import FamilyMember, Person
from cases.models.person import Ethnicity
from demo.people import age_on, near_date, nickname, typo

if TYPE_CHECKING:
    from demo.household import Household, HouseholdMaker

ROLE = FamilyMember.Role


def partner_from_earlier(maker: HouseholdMaker, house: Household, sex: str) -> bool:
    """A parent who left an earlier household and joined this one; False if nobody fits."""
    candidates = [
        h
        for h in maker.batch
        if h.partner and h.partner.membership.left_on is None and h.partner.person.sex == sex
    ]
    if not candidates:
        return False
    rng, today = maker.rng, maker.today
    old = rng.choice(candidates)
    person = old.partner.person
    earliest = max(old.home.since, old.partner.membership.joined_on, house.home.since)
    moved_on = maker.between(earliest, today - timedelta(days=14))
    maker.leave(old.partner, moved_on)
    house.partner = maker.arrive(house, person, ROLE.PARENT_CARER, "Partner", moved_on)
    # Sometimes one of their children goes to live with them too, later.
    children = [
        c
        for c in old.children
        if c.person.date_of_birth
        and c.person.date_of_birth < moved_on
        and c.membership.left_on is None
    ]
    if children and rng.random() < 0.3:
        child = rng.choice(children)
        later = maker.between(moved_on, today - timedelta(days=7))
        maker.leave(child, later)
        relationship = "Stepdaughter" if child.person.sex == "female" else "Stepson"
        house.children.append(maker.arrive(house, child.person, ROLE.CHILD, relationship, later))
    return True


def duplicate_from_earlier(maker: HouseholdMaker, house: Household) -> None:
    """Someone from an earlier household, entered again here as a new record."""
    today = maker.today
    known = [m for h in maker.batch for m in h.current()]
    if not known:
        return
    original = maker.rng.choice(known).person
    copy = slipped_copy(maker.rng, original, today)
    age = age_on(copy.date_of_birth, today)
    if age < 18:
        grandchild = age_on(house.head.person.date_of_birth, today) - age >= 36
        relationship = {
            ("female", True): "Granddaughter",
            ("male", True): "Grandson",
            ("female", False): "Niece",
            ("male", False): "Nephew",
        }[(copy.sex, grandchild)]
        role = ROLE.CHILD
    else:
        relationship = maker.rng.choice(["Friend", "Lodger", "Relative"])
        role = ROLE.OTHER_ADULT
    on = maker.between(max(house.home.since, copy.date_of_birth), today - timedelta(days=3))
    house.others.append(maker.arrive(house, copy, role, relationship, on))
    maker.rows.persons.append(copy)
    maker.rows.duplicates.append((original, copy))


def slipped_copy(rng: random.Random, original: Person, today: date) -> Person:
    """`original` as a second, careless entry would record them."""
    copy = Person(
        first_name=original.first_name,
        middle_names="" if rng.random() < 0.6 else original.middle_names,
        last_name=original.last_name,
        date_of_birth=original.date_of_birth,
        sex=original.sex,
        ethnicity=original.ethnicity if rng.random() < 0.7 else Ethnicity.NOT_STATED,
        first_language=original.first_language,
        school=original.school,
        send=original.send,
    )
    # What went wrong: a typo, a nickname, a date of birth, two of these, or
    # nothing but the address (the same person at a new address).
    slips = rng.choice([["name"], ["date"], ["name", "date"], ["nickname"], []])
    if "nickname" in slips:
        copy.first_name = nickname(rng, original.first_name) or typo(rng, original.first_name)
    if "name" in slips:
        if rng.random() < 0.6:
            copy.last_name = typo(rng, original.last_name)
        else:
            copy.first_name = typo(rng, original.first_name)
    if "date" in slips:
        slipped = near_date(rng, original.date_of_birth)
        copy.date_of_birth = slipped if slipped <= today else slipped - timedelta(days=2)
    # The second entry often lacks identifiers; it never carries a different one.
    if original.nhs_number and rng.random() < 0.4:
        copy.nhs_number = original.nhs_number
    if original.upn and rng.random() < 0.3:
        copy.upn = original.upn
    return copy
