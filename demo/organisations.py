"""Demo organisations, localities, teams and one user per role, for `make run`.

Idempotent: a second run finds everything in place and changes nothing but
the demo passwords (reset to the printed one).
"""

from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from earlyhelp import services
from earlyhelp.models import Locality, Organisation, Role, Team, User

# Leicestershire's seven districts (the county source, DOMAIN §3).
DISTRICTS = [
    "Blaby",
    "Charnwood",
    "Harborough",
    "Hinckley and Bosworth",
    "Melton",
    "North West Leicestershire",
    "Oadby and Wigston",
]

K = Organisation.Kind
# Partner agencies named in the sources (DOMAIN §3).
ORGANISATIONS = [
    ("Children and Family Wellbeing Service", K.FAMILY_SUPPORT),
    ("Children's Social Care", K.SOCIAL_CARE),
    ("Multi-Systemic Therapy", K.MST),
    ("Education Welfare Service", K.EDUCATION),
    ("Youth Offending Service", K.YOUTH_JUSTICE),
    ("Targeted Youth Support", K.YOUTH_JUSTICE),
    ("Connexions", K.EMPLOYMENT),
    ("Disabled Children's Service", K.COUNCIL),
    ("Persons from Abroad team", K.COUNCIL),
    ("Loughborough Grammar Academy", K.EDUCATION),
    ("Leicestershire Partnership Trust", K.HEALTH),
    ("ADHD Solutions", K.VOLUNTARY),
    ("Barnardo's", K.VOLUNTARY),
    ("UAVA", K.VOLUNTARY),
    ("National Probation Service", K.PROBATION),
    ("Community Rehabilitation Company", K.PROBATION),
    ("Turning Point", K.VOLUNTARY),
    ("DWP Jobcentre Plus", K.EMPLOYMENT),
    ("GREAT employment project", K.EMPLOYMENT),
    ("Leicestershire Police", K.POLICE),
    ("Charnwood Borough Council Housing", K.HOUSING),
]

TEAMS = [
    ("Children and Family Wellbeing Service", "Allocations hub", None),
    ("Children and Family Wellbeing Service", "Charnwood family support", "Charnwood"),
    ("Children and Family Wellbeing Service", "Melton family support", "Melton"),
    ("Children and Family Wellbeing Service", "Supporting Leicestershire Families", None),
    ("Children and Family Wellbeing Service", "Quality and audit", None),
    ("Children and Family Wellbeing Service", "Service administration", None),
    ("Leicestershire Partnership Trust", "Health visiting Charnwood", "Charnwood"),
    ("Children's Social Care", "First Response", None),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str
    team: str
    job_title: str


DEMO_USERS = [
    DemoUser(
        "practitioner",
        "Priya",
        "Shah",
        Role.PRACTITIONER,
        "Charnwood family support",
        "Family support worker",
    ),
    DemoUser("hub", "Harry", "Bennett", Role.HUB, "Allocations hub", "Allocations officer"),
    DemoUser(
        "manager", "Maria", "Kowalski", Role.MANAGER, "Charnwood family support", "Team manager"
    ),
    DemoUser(
        "programme",
        "Paul",
        "Okafor",
        Role.PROGRAMME,
        "Supporting Leicestershire Families",
        "Programme officer",
    ),
    DemoUser("auditor", "Aisha", "Rahman", Role.AUDITOR, "Quality and audit", "Internal auditor"),
    # Social care's social workers raise step-down requests (DOMAIN §4 step 8).
    DemoUser(
        "social-worker", "Sofia", "Mensah", Role.PRACTITIONER, "First Response", "Social worker"
    ),
    DemoUser(
        "admin",
        "Adam",
        "Clarke",
        Role.ADMINISTRATOR,
        "Service administration",
        "System administrator",
    ),
]


@transaction.atomic
def seed_demo(*, password: str) -> list[tuple[DemoUser, TOTPDevice | None]]:
    localities = {}
    for name in DISTRICTS:
        localities[name], _ = Locality.objects.get_or_create(
            name=name, defaults={"kind": Locality.Kind.DISTRICT}
        )
    organisations = {}
    for name, kind in ORGANISATIONS:
        organisations[name] = Organisation.objects.filter(name=name).first() or (
            services.organisation_create(name=name, kind=kind)
        )
    teams = {}
    for org_name, team_name, locality in TEAMS:
        teams[team_name], _ = Team.objects.get_or_create(
            organisation=organisations[org_name],
            name=team_name,
            defaults={"locality": localities.get(locality)},
        )

    created = []
    for demo in DEMO_USERS:
        user = User.objects.filter(username=demo.username).first()
        if user is None:
            user = services.user_create(
                username=demo.username,
                email=f"{demo.username}@example.org",
                role=demo.role,
                first_name=demo.first_name,
                last_name=demo.last_name,
                team=teams[demo.team],
                job_title=demo.job_title,
            )
        user.set_password(password)
        user.save(update_fields=["password"])
        if demo.role == Role.MANAGER:
            user.managed_teams.add(teams[demo.team])
        device = None
        if user.needs_two_factor:
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(user=user, name="Demo device", confirmed=True)
        created.append((demo, device))
    return created
