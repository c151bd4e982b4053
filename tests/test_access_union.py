"""Lists read the gate as a union of family ids; one record as an OR of `Exists`. Same set.

Each relation is one `Reach` (earlyhelp/access.py): the records through which a user reaches
families. A list asks for the union of each relation's family ids (`families_visible_to`,
`families_allowing`, `persons_visible_to`, and each relation's newest ones for a list's first
pages, `newest_families_visible_to`), a search asks each match's family the relations' `Exists`
(`row_by_row`), one record asks each relation's `Exists` over the
family (`relations_to`). On generated demo data, with every relation the demo leaves empty
made too (step-ups held and handed back, step-downs, open and decided duplicate checks,
break-glass live and expired, a team member of a stepped-up family before and after a later
episode, a candidate for the programme), both give exactly the same families for every user
of every role, relation by relation and in all.
"""

from datetime import timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from assessments.models import EarlyHelpAssessment
from cases.gate import (
    families_allowing,
    families_visible_to,
    newest_families_visible_to,
    persons_visible_to,
)
from cases.models import (
    ClosureReason,
    Episode,
    Family,
    FamilyMember,
    Person,
    PossibleDuplicate,
    StepDecision,
    StepDown,
    StepUp,
    TafMember,
)
from demo.families import seed_families
from demo.organisations import seed_demo
from earlyhelp.access import (
    GRANTS,
    ROLE_RELATIONS,
    VISIBLE_THROUGH,
    Action,
    relation_reaches,
    relation_subqueries,
)
from earlyhelp.models import BreakGlass, Role, Team, User
from tests.episode_worlds import write_assessment

pytestmark = pytest.mark.django_db


def _any_of(subqueries) -> Q:
    condition = Q(pk__in=[])
    for exists in subqueries:
        condition |= Q(exists)
    return condition


def visible_by_exists(user) -> set[int]:
    """The gate's list as it was: every family filtered by the OR of each relation's Exists."""
    subqueries = [s for r, s in relation_subqueries(user).items() if r in VISIBLE_THROUGH]
    return set(Family.objects.filter(_any_of(subqueries)).values_list("pk", flat=True))


def allowing_by_exists(user, action, visible: set[int]) -> set[int]:
    granting = [s for r, s in relation_subqueries(user).items() if action in GRANTS[r]]
    return visible & set(Family.objects.filter(_any_of(granting)).values_list("pk", flat=True))


def ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


@pytest.fixture
def world():
    """Demo data, and the relations demo data leaves empty."""
    seed_demo(password="demo-password-1")
    seed_families(families=150, seed=11)
    now, today = timezone.now(), timezone.localdate()
    hub = User.objects.get(username="hub")
    social_worker = User.objects.get(username="social-worker")
    practitioner = User.objects.get(username="practitioner")
    everyone = User.objects.create(username="manager-of-all", role=Role.MANAGER)
    everyone.managed_teams.set(Team.objects.all())
    episodes = list(Episode.objects.filter(status=Episode.Status.OPEN).order_by("pk")[:12])
    # Stepped up: held by the social worker; one handed back; one with a later episode.
    for episode in episodes[:4]:
        Episode.objects.filter(pk=episode.pk).update(
            status=Episode.Status.CLOSED,
            ended_on=today,
            closure_reason=ClosureReason.STEPPED_UP,
        )
        TafMember.objects.get_or_create(
            episode=episode, user=practitioner, defaults={"joined_on": episode.started_on}
        )
    held = [
        StepUp.objects.create(
            episode=episode,
            reason="Risk",
            requested_by=episode.lead_practitioner,
            status=StepDecision.ACCEPTED,
            decided_by=hub,
            decided_at=now - timedelta(days=40),
            received_by=social_worker,
        )
        for episode in episodes[:3]
    ]
    StepDown.objects.create(
        family=held[0].episode.family,
        from_step_up=held[0],
        reason="Safe",
        requested_by=social_worker,
        handover="Notes",
        status=StepDecision.ACCEPTED,
        decided_by=hub,
        decided_at=now - timedelta(days=35),
    )
    # Allocated to an agency, its lead not yet named: its team managers see it.
    Episode.objects.create(
        family=episodes[1].family,
        started_on=today,
        lead_practitioner=None,
        lead_agency=episodes[1].lead_agency,
    )
    StepUp.objects.create(episode=episodes[4], reason="Risk", requested_by=practitioner)
    StepDown.objects.create(
        family=episodes[3].family, reason="Safe", requested_by=social_worker, handover="Notes"
    )
    # Duplicate checks: open (one the hub raised itself), and decided.
    people = list(Person.objects.order_by("pk")[:6])
    PossibleDuplicate.objects.create(person=people[0], known=people[1], raised_by=practitioner)
    PossibleDuplicate.objects.create(person=people[2], known=people[3], raised_by=hub)
    PossibleDuplicate.objects.create(
        person=people[4],
        known=people[5],
        raised_by=practitioner,
        decided_by=hub,
        decided_at=now,
        decision=PossibleDuplicate.Decision.DIFFERENT,
    )
    # A candidate for the programme: open, not attached, a signed-off assessment of two needs.
    candidate = (
        Episode.objects.filter(status=Episode.Status.OPEN, attachment__isnull=True)
        .exclude(pk__in=[e.pk for e in episodes[:5]])
        .order_by("pk")
        .first()
    )
    assessments = EarlyHelpAssessment.objects.filter(episode=candidate)
    if not assessments.update(status="signed_off", indicators=["1.1", "6.2"]):
        write_assessment(candidate, status="signed_off")
    admin = User.objects.get(username="admin")
    families = list(Family.objects.order_by("-pk")[:2])
    BreakGlass.objects.create(
        user=admin, family=families[0], reason="Urgent", expires_at=now + timedelta(hours=1)
    )
    BreakGlass.objects.create(
        user=admin, family=families[1], reason="Old", expires_at=now - timedelta(hours=1)
    )
    # A member who left: still a person of the family, for persons_visible_to.
    FamilyMember.objects.filter(pk=FamilyMember.objects.order_by("pk")[0].pk).update(left_on=today)
    # Every user but practitioners, of whom the demo makes dozens alike: the demo's two, and
    # every fourth of the others (each of an agency, some leads, some on a team).
    users = list(User.objects.filter(is_active=True).order_by("pk"))
    others = [
        u for u in users if u.role == Role.PRACTITIONER and u not in (practitioner, social_worker)
    ]
    return (
        [u for u in users if u.role != Role.PRACTITIONER]
        + [practitioner, social_worker]
        + others[::4]
    )


def test_each_relations_family_ids_are_the_families_its_exists_finds(world):
    made = set()
    for user in world:
        for relation, reach in relation_reaches(user).items():
            by_ids = set(reach.family_ids().values_list("reached", flat=True))
            by_exists = ids(Family.objects.filter(reach.exists()))
            assert by_ids == by_exists, (user.username, relation)
            if by_ids:
                made.add(relation)
    # Every relation some role can have reached at least one family here.
    assert made == {r for relations in ROLE_RELATIONS.values() for r in relations}


def test_every_list_of_the_gate_is_the_or_of_exists_for_every_user(world):
    roles = set()
    for user in world:
        visible = ids(families_visible_to(user))
        assert visible == visible_by_exists(user), user.username
        assert ids(families_visible_to(user, row_by_row=True)) == visible, user.username
        granted = {a for r in ROLE_RELATIONS[user.role] for a in GRANTS[r]}
        for action in Action:
            allowing = ids(families_allowing(user, action))
            if action in granted:
                assert allowing == allowing_by_exists(user, action, visible), (user, action)
            else:
                assert allowing == set(), (user.username, action)
        persons = set(
            FamilyMember.objects.filter(family__in=visible).values_list("person", flat=True)
        )
        assert ids(persons_visible_to(user)) == persons, user.username
        assert ids(persons_visible_to(user, row_by_row=True)) == persons, user.username
        newest = sorted(visible, reverse=True)
        for count in (1, 7, 60):  # a list's pages: the newest of each relation, then of all
            found = list(newest_families_visible_to(user, count=count)[:count])
            assert [f.pk for f in found] == newest[:count], (user.username, count)
        if visible:
            roles.add(user.role)
    assert roles == set(Role)  # the administrator through a live break-glass grant
