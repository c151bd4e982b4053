"""Demo casework for each household: episodes, team around the family, consent, requests,
programme attachment (demo.families).

The shares are chosen so every demo role has families to see through the
access gate (earlyhelp.access): leads and TAF members through open episodes,
other agencies through consent under a sharing agreement, the hub through
its queue, the manager through their team's episodes, the programme team
through attachments, the auditor through the claim batch's audit sample (demo.claims builds
the batch once the nightly job has judged the attached families).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cases.models import Consent, DataKind, Episode, SupportRequest, TafMember
from demo.evidence import DemoEvidence
from demo.heritages import HERITAGES
from demo.household import Household
from demo.people import age_on
from demo.working import tool_scores, working_records
from earlyhelp import services
from earlyhelp.models import Locality, Organisation, Role, Team, User
from outcomes.engine.plan import PRINCIPLES
from outcomes.models import Attachment, OutcomesPlanVersion

LONDON = ZoneInfo("Europe/London")
OPEN_SHARE = 0.22  # families with an open episode
FAMILY_SUPPORT_LEAD_SHARE = 0.78  # of episodes, led by the council's family support teams
CASELOAD = 10  # families an intensive family worker holds (DOMAIN §9)
FAMILY_SUPPORT = "Children and Family Wellbeing Service"
CLOSURE_REASONS = [
    ("needs_met", 55),
    ("stepped_down", 10),
    ("stepped_up", 10),
    ("moved_out_of_area", 5),
    ("withdrew_consent", 10),
    ("transferred", 10),
]
# Partner services whose practitioners lead some episodes and sit on teams
# around the family: key -> (organisation, team, job title).
PARTNER_SERVICES = {
    "health_visitor": ("Leicestershire Partnership Trust", "Health visiting", "Health visitor"),
    "school_nurse": ("Leicestershire Partnership Trust", "School nursing", "School nurse"),
    "school": ("Loughborough Grammar Academy", "Pastoral team", "Family support adviser"),
    "ews": ("Education Welfare Service", "Education welfare", "Education welfare officer"),
    "yos": ("Youth Offending Service", "Case management", "Case manager"),
    "barnardos": ("Barnardo's", "Leicestershire family services", "Family support worker"),
    "uava": ("UAVA", "Outreach", "Independent domestic violence adviser"),
    "turning_point": ("Turning Point", "Young people's service", "Recovery worker"),
    "dwp": ("DWP Jobcentre Plus", "Supporting Families employment advisers", "Work coach"),
    "adhd": ("ADHD Solutions", "Family support", "Family practitioner"),
}


@dataclass(frozen=True)
class Staffer:
    user_id: int
    organisation_id: int
    service: str  # a district name for family support workers, else a PARTNER_SERVICES key


@dataclass
class Staff:
    """Who can lead and join cases, and the demo users the data is shaped around."""

    practitioner: Staffer  # the demo `practitioner` user
    programme_user_id: int
    plan_version_id: int  # the outcomes plan families are attached under
    family_support: dict[str, list[Staffer]]  # district -> workers (not the demo user)
    partners: dict[str, list[Staffer]]
    caseload: dict[int, int] = field(default_factory=dict)

    @classmethod
    def load(cls, *, families: int, seed: int, district_shares: dict[str, float]) -> Staff:
        """Find the demo users and create enough workers for caseloads of about ten."""
        demo = {
            u.username: u
            for u in User.objects.filter(username__in=["practitioner", "programme"]).select_related(
                "team__locality"
            )
        }
        if len(demo) < 2:
            raise RuntimeError(
                "Load the demo organisations and users first (demo.organisations.seed_demo)."
            )
        practitioner = demo["practitioner"]
        fs_org = Organisation.objects.get(name=FAMILY_SUPPORT)
        # Not for security: reproducible names for reproducible demo accounts.
        maker = _StaffMaker(random.Random(f"staff-{seed}"))  # noqa: S311
        family_support = {}
        for district, share in district_shares.items():
            team, _ = Team.objects.get_or_create(
                organisation=fs_org,
                name=f"{district} family support",
                defaults={"locality": Locality.objects.filter(name=district).first()},
            )
            open_cases = families * OPEN_SHARE * FAMILY_SUPPORT_LEAD_SHARE * share
            if team.pk == practitioner.team_id:
                open_cases -= CASELOAD  # the demo practitioner's own
            count = max(1, math.ceil(open_cases / CASELOAD))
            users = maker.users(team, "Family support worker", count)
            family_support[district] = [Staffer(u, fs_org.pk, district) for u in users]
        partners = {}
        per_service = min(30, max(2, families // 1500))
        for service, (org_name, team_name, job) in PARTNER_SERVICES.items():
            org = Organisation.objects.get(name=org_name)
            team, _ = Team.objects.get_or_create(organisation=org, name=team_name)
            users = maker.users(team, job, per_service)
            partners[service] = [Staffer(u, org.pk, service) for u in users]
        district = practitioner.team.locality.name if practitioner.team.locality else None
        return cls(
            practitioner=Staffer(practitioner.pk, fs_org.pk, district or "Charnwood"),
            programme_user_id=demo["programme"].pk,
            plan_version_id=OutcomesPlanVersion.objects.get(version=9).pk,
            family_support=family_support,
            partners=partners,
        )


class _StaffMaker:
    """Practitioner accounts with made-up names; an account already there is reused."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.taken: set[str] = set()

    def users(self, team: Team, job_title: str, count: int) -> list[int]:
        ids = []
        for _ in range(count):
            heritage = self.rng.choices(HERITAGES, weights=[h.weight for h in HERITAGES])[0]
            names = self.rng.choice([heritage.female_adult, heritage.male_adult])
            first, last = self.rng.choice(names), self.rng.choice(heritage.surnames)
            base = "".join(c for c in f"{first}.{last}".lower() if c.isalnum() or c == ".")
            username, n = base, 1
            while username in self.taken:
                n += 1
                username = f"{base}{n}"
            self.taken.add(username)
            user = User.objects.filter(username=username).first() or services.user_create(
                username=username,
                email=f"{username}@example.org",
                role=Role.PRACTITIONER,
                first_name=first,
                last_name=last,
                team=team,
                job_title=job_title,
            )
            ids.append(user.pk)
        return ids


class Casework:
    def __init__(self, rng: random.Random, today: date, staff: Staff, *, work=None):
        self.rng = rng
        self.today = today
        self.staff = staff
        self.work = work  # demo.work.WorkConversations, or None for none
        self.rows = None  # the batch being built (demo.families.Rows)
        # Its own generator, so adding evidence leaves the rest of the demo as it was.
        self.evidence = DemoEvidence(random.Random(f"evidence-{today}"), today)  # noqa: S311
        closures, weights = zip(*CLOSURE_REASONS, strict=True)
        self.pick_closure = lambda: rng.choices(closures, weights=weights)[0]

    def days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low, high))

    def at_work(self, day: date) -> datetime:
        """A moment in office hours on `day`, in the council's time zone."""
        return datetime.combine(
            day, time(self.rng.randint(8, 17), self.rng.choice([0, 15, 30, 45])), tzinfo=LONDON
        )

    def plan(self, house: Household, *, showcase: str | None = None) -> None:
        """Episodes, requests, consent and attachment for one household.

        `showcase="lead"` gives the demo practitioner an open, attached
        case; `showcase="queue"` puts a request in the hub's queue,
        so every demo user has something to see however few families are asked for.
        """
        rng = self.rng
        needs = self._needs(house)
        cursor = self.today - timedelta(days=rng.randint(20, 200))
        attached = False
        if showcase == "lead":
            started = self.today - timedelta(days=120)
            self._episode(
                house, needs, self.staff.practitioner, started, None, attach=True, showcase=True
            )
            attached, cursor = True, started
        elif showcase is None and rng.random() < OPEN_SHARE:
            started = self.today - timedelta(days=rng.randint(7, 330))
            lead = self._lead(house, needs, now_open=True)
            attached = self._episode(house, needs, lead, started, None)
            cursor = started
        elif showcase == "queue" or rng.random() < 0.04:
            received = self.days_ago(0, 10)
            self._request(house, received, None, SupportRequest.Status.AWAITING_TRIAGE)
        elif rng.random() < 0.08:  # advice or no further action, closed at triage
            received = self.days_ago(3, 700)
            self._request(house, received, 0, SupportRequest.Status.CLOSED)
        closed = rng.choices([0, 1, 2], weights=[64, 30, 6])[0]
        for _ in range(closed):
            ended = cursor - timedelta(days=rng.randint(30, 500))
            started = ended - timedelta(days=rng.randint(60, 420))
            if started < house.since:
                break
            lead = self._lead(house, needs, now_open=False)
            attached = self._episode(house, needs, lead, started, ended) or attached
            cursor = started
        if attached and showcase != "lead":
            # Drawn once picked for the audit sample here; the claim batch's service draws the
            # sample now (demo.claims), and the draw stays so the rest of the demo is as it was.
            rng.random()

    def _needs(self, house: Household) -> set[str]:
        """The partner services this household's members would draw on."""
        ages = [age_on(m.person.date_of_birth, self.today) for m in house.current()]
        children = [a for a in ages if a < 18]
        needs = {"barnardos", "uava", "turning_point"}
        if any(a < 5 for a in children) or any(
            m.person.expected_date_of_birth for m in house.children
        ):
            needs.add("health_visitor")
        if any(5 <= a <= 16 for a in children):
            needs |= {"school", "ews", "school_nurse"}
        if any(10 <= a <= 17 for a in children):
            needs.add("yos")
        if any(a >= 18 for a in ages):
            needs.add("dwp")
        if any(m.person.send != "none" for m in house.children):
            needs.add("adhd")
        return needs

    def _lead(self, house: Household, needs: set[str], *, now_open: bool) -> Staffer:
        rng, staff = self.rng, self.staff
        district = house.home.district
        if rng.random() < FAMILY_SUPPORT_LEAD_SHARE:
            workers = staff.family_support[district]
            demo = staff.practitioner
            if district == demo.service:
                # The demo practitioner takes their district's open cases until
                # they hold a full caseload, and led some closed ones before.
                if not now_open:
                    workers = [*workers, demo]
                elif staff.caseload.get(demo.user_id, 0) < CASELOAD:
                    return demo
            return rng.choice(workers)
        service = rng.choice(
            sorted(needs & {"health_visitor", "school", "ews", "yos", "barnardos"})
        )
        return rng.choice(staff.partners[service])

    def _episode(
        self, house, needs, lead: Staffer, started, ended, *, attach=False, showcase=False
    ) -> bool:
        """One episode with its request, team and consent; True if attached to the programme."""
        rng = self.rng
        is_open = ended is None
        reason = "" if is_open else self.pick_closure()
        episode = Episode(
            family=house.family,
            status=Episode.Status.OPEN if is_open else Episode.Status.CLOSED,
            started_on=started,
            ended_on=ended,
            lead_agency_id=lead.organisation_id,
            lead_practitioner_id=lead.user_id,
            closure_reason=reason,
        )
        self.rows.episodes.append(episode)
        if is_open:
            self.staff.caseload[lead.user_id] = self.staff.caseload.get(lead.user_id, 0) + 1
            if self.work is not None:
                persons = [m.person for m in house.current()]
                conversation = self.work.for_episode(
                    episode, persons, lead.user_id, showcase=showcase
                )
                if conversation is not None:
                    self.rows.work_conversations.append(conversation)

        received = started - timedelta(days=rng.randint(5, 35))
        status = SupportRequest.Status.ALLOCATED if is_open else SupportRequest.Status.CLOSED
        self._request(house, received, rng.randint(0, 4), status)

        team = self._team(episode, needs - {lead.service}, is_open)
        eligible = (
            (started <= self.today - timedelta(days=60)) if is_open else reason == "needs_met"
        )
        attach = attach or (eligible and rng.random() < 0.25)
        if attach:
            latest = min(self.today, ended or self.today)
            attached_on = min(latest, started + timedelta(days=rng.randint(30, 90)))
            attachment = Attachment(
                family=house.family,
                episode=episode,
                attached_on=attached_on,
                lead_agency_id=lead.organisation_id,
                attached_by_id=self.staff.programme_user_id,
                plan_version_id=self.staff.plan_version_id,
                # The demo attaches only families whose records hold all four (demo.working).
                principles=dict.fromkeys(PRINCIPLES, True),
            )
            evidence, problems = self.evidence.for_attachment(
                attachment,
                started=started,
                parents=[m.person for m in (house.head, house.partner) if m],
                children=[m.person for m in house.children],
            )
            # Too few problems to be eligible: not attached (whose evidence is not recorded).
            attach = bool(problems)
        if attach:
            self.rows.attachments.append(attachment)
            self.rows.evidence += evidence
            self.rows.problems += problems
            everyone = [house.head, house.partner, *house.children, *house.others]
            episode_records = {
                "episode": episode,
                "attached_on": attached_on,
                "lead_id": lead.user_id,
                "plan_version_id": self.staff.plan_version_id,
                "members": [m for m in everyone if m and m.membership.left_on is None],
            }
            working_records(
                self.rows, indicators=[p.indicator for p in problems], **episode_records
            )
            tool_scores(self.rows, today=self.today, **episode_records)
        # A request needs the family's consent, so it was given by the day it came in.
        given_on = received - timedelta(days=rng.randint(0, 3))
        self._consent(house, lead, team, given_on, ended, reason, attach)
        return attach

    def _team(self, episode, services: set[str], is_open: bool) -> list[Staffer]:
        """The team around the family: partners from the services the household needs."""
        rng = self.rng
        chances = {"health_visitor": 0.6, "school": 0.6, "school_nurse": 0.15, "ews": 0.15}
        chosen = [s for s in sorted(services) if rng.random() < chances.get(s, 0.1)]
        team = []
        for service in chosen[:4]:
            member = rng.choice(self.staff.partners[service])
            joined = episode.started_on + timedelta(days=rng.randint(0, 40))
            if joined > self.today:
                continue
            left = episode.ended_on
            if is_open and rng.random() < 0.15:
                left = joined + timedelta(days=rng.randint(30, 200))
                left = left if left <= self.today else None
            self.rows.taf_members.append(
                TafMember(episode=episode, user_id=member.user_id, joined_on=joined, left_on=left)
            )
            team.append(member)
        return team

    def _consent(self, house, lead, team, given_on, ended, reason, attached) -> None:
        """The head of household's consent, naming every agency on the case."""
        rng = self.rng
        parent = house.head.person
        recent = given_on >= self.today - timedelta(days=60)
        verbal = ended is None and recent and rng.random() < 0.35
        covers = [DataKind.SUMMARY, DataKind.CASEWORK] + ([DataKind.EVIDENCE] if attached else [])
        agencies = {lead.organisation_id} | {m.organisation_id for m in team}
        if rng.random() < 0.1:
            agencies.add(self.staff.partners["dwp"][0].organisation_id)
        consent = Consent(
            person=parent,
            family=house.family,
            kind=Consent.Kind.VERBAL if verbal else Consent.Kind.WRITTEN,
            given_by=f"{parent.first_name} {parent.last_name}",
            given_on=given_on,
            # Verbal consent: chase the written form a fortnight on (some now overdue).
            chase_on=given_on + timedelta(days=14) if verbal else None,
            covers=covers,
            withdrawn_on=None,
            recorded_by_id=lead.user_id,
        )
        if reason == "withdrew_consent":
            consent.withdrawn_on = ended
        self.rows.consents.append((consent, sorted(agencies)))

    def _request(self, house, received: date, triage_days: int | None, status) -> None:
        """A request received on a day and triaged `triage_days` later (None: not yet)."""
        received_at = self.at_work(received)
        triaged_at = None
        if triage_days is not None:
            delay = timedelta(days=triage_days, hours=self.rng.randint(1, 6))
            triaged_at = received_at + delay
        self.rows.requests.append(
            SupportRequest(
                family=house.family, status=status, received_at=received_at, triaged_at=triaged_at
            )
        )
