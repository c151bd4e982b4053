"""The council the year is played in: its staff, and the families who come to the front door.

Staff are the demo's (`demo.organisations.seed_demo`: localities, agencies, teams, one user per
role) with more practitioners, a manager for each family support team, social workers and
partner staff for teams around the family, sized to the number of families. Everyone is made
through `earlyhelp.services.user_create`, as the administrators' pages make them.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from demo.heritages import ENGLISH_SURNAMES, HERITAGES
from demo.organisations import seed_demo
from demo.people import near_date, typo
from earlyhelp import services
from earlyhelp.models import Locality, Organisation, Role, Team, User

FAMILY_SUPPORT = "Children and Family Wellbeing Service"
SOCIAL_CARE = "Children's Social Care"
# Families a practitioner holds at once (a family support worker's usual 10-15).
FAMILIES_PER_WORKER = 12
# Partner agencies whose staff join teams around the family, with a team for each.
PARTNERS = [
    ("Leicestershire Partnership Trust", "Health visiting Charnwood"),
    ("Education Welfare Service", "Education welfare"),
    ("Youth Offending Service", "Youth offending"),
    ("DWP Jobcentre Plus", "Jobcentre Plus employment advisors"),
]
ADULT = "Sarah Emma Laura Gemma Kelly David Paul Mark Andrew Lee Priya Agnieszka Ayesha".split()


@dataclass
class Staff:
    hub: list[User]
    practitioners: dict[int, list[User]]  # by team id: the family support teams' workers
    managers: dict[int, User]  # by team id
    social_workers: list[User]
    partners: list[User]
    programme: User
    auditor: User
    teams: dict[int, Team]  # family support teams, by locality id
    family_support: Organisation
    localities: list[Locality]

    def workers(self) -> list[User]:
        return [u for team in self.practitioners.values() for u in team if u.is_active]


@dataclass
class World:
    """What the simulated staff remember between days (ids only: records are read afresh)."""

    rng: random.Random
    staff: Staff
    start: date
    today: date
    families: int  # the year's families, which sets how many requests arrive a day
    counts: Counter = field(default_factory=Counter)  # actions done, by kind
    skipped: Counter = field(default_factory=Counter)  # actions a service refused, by reason
    people: list[dict] = field(default_factory=list)  # people met so far, for duplicates
    reads: list = field(default_factory=list)  # the day's reads through the gate, to check
    leavers: int = 0
    made_returns: set = field(default_factory=set)
    batched_windows: set = field(default_factory=set)
    attach_after: dict = field(default_factory=dict)  # episode id -> when to look again
    leaving: dict = field(default_factory=dict)  # worker id -> last day, for those on notice

    def did(self, kind: str, n: int = 1) -> None:
        self.counts[kind] += n


def staff_for(families: int, *, rng: random.Random) -> Staff:
    """The demo's staff, with enough workers for `families` (made once; found again after)."""
    seed_demo(password="simulated-year")
    family_support = Organisation.objects.get(name=FAMILY_SUPPORT)
    social_care = Organisation.objects.get(name=SOCIAL_CARE)
    teams = {
        team.locality_id: team
        for team in Team.objects.filter(
            organisation=family_support, locality__isnull=False
        ).select_related("locality")
    }
    per_team = max(2, -(-families // (FAMILIES_PER_WORKER * 4 * len(teams))))
    practitioners, managers = {}, {}
    for team in teams.values():
        slug = team.name.split()[0].lower()
        practitioners[team.pk] = [
            _user(f"sim-{slug}-worker-{i}", Role.PRACTITIONER, team, rng) for i in range(per_team)
        ]
        manager = _user(f"sim-{slug}-manager", Role.MANAGER, team, rng)
        manager.managed_teams.add(team)
        managers[team.pk] = manager
    first_response = Team.objects.get(organisation=social_care, name="First Response")
    partners = []
    for name, team_name in PARTNERS:
        organisation = Organisation.objects.get(name=name)
        team, _ = Team.objects.get_or_create(organisation=organisation, name=team_name)
        partners += [
            _user(f"sim-{team.pk}-partner-{i}", Role.PRACTITIONER, team, rng) for i in (1, 2)
        ]
    hub_team = Team.objects.get(organisation=family_support, name="Allocations hub")
    return Staff(
        hub=[User.objects.get(username="hub"), _user("sim-hub-2", Role.HUB, hub_team, rng)],
        practitioners=practitioners,
        managers=managers,
        social_workers=[
            _user(f"sim-social-worker-{i}", Role.PRACTITIONER, first_response, rng)
            for i in (1, 2, 3)
        ],
        partners=partners,
        programme=User.objects.get(username="programme"),
        auditor=User.objects.get(username="auditor"),
        teams=teams,
        family_support=family_support,
        localities=[team.locality for team in teams.values()],
    )


def _user(username: str, role: str, team: Team, rng: random.Random) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = services.user_create(
            username=username,
            email=f"{username}@example.org",
            role=role,
            first_name=rng.choice(ADULT),
            last_name=rng.choice(ENGLISH_SURNAMES.split()),
            team=team,
            job_title="Family support worker" if role == Role.PRACTITIONER else role.title(),
        )
    return user


def new_household(rng: random.Random, today: date) -> list[dict]:
    """A parent or two and one to three children, as a referrer writes them down."""
    heritage = rng.choices(HERITAGES, weights=[h.weight for h in HERITAGES])[0]
    surname = rng.choice(heritage.surnames)
    mother = rng.choice(heritage.female_adult)
    people = [_someone(rng, today, mother, surname, "parent_carer", "Mother", 22, 45)]
    if rng.random() < 0.4:
        father = rng.choice(heritage.male_adult)
        people.append(_someone(rng, today, father, surname, "parent_carer", "Father", 24, 50))
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        child = rng.choice(rng.choice((heritage.female_child, heritage.male_child)))
        people.append(_someone(rng, today, child, surname, "child", "Child", 1, 16))
    return people


def as_a_duplicate(rng: random.Random, person: dict) -> dict:
    """The same person written down again by another referrer: a typo or a near date of birth."""
    details = dict(person["details"])
    if rng.random() < 0.5:
        details["last_name"] = typo(rng, details["last_name"])
    else:
        details["date_of_birth"] = near_date(rng, details["date_of_birth"])
    return {**person, "details": details}


def _someone(rng, today, first, last, role, relationship, youngest, oldest) -> dict:
    born = today - timedelta(days=rng.randint(youngest * 365 + 30, oldest * 365))
    return {
        "details": {"first_name": first, "last_name": last, "date_of_birth": born},
        "role": role,
        "relationship": relationship,
    }
