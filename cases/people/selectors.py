"""Reads for families and persons. Each starts from the access gate's querysets and owns its
select_related/prefetch_related, so a page makes the same few queries whatever it shows.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper

from cases.episode.selectors import open_episodes
from cases.gate import (
    families_allowing,
    families_visible_to,
    family_record_for,
    newest_families_visible_to,
    persons_visible_to,
    rows_of_visible_families,
)
from cases.models import (
    Consent,
    Episode,
    Family,
    FamilyMember,
    Person,
    PersonName,
    PlanAction,
    PossibleDuplicate,
)
from cases.people import search
from earlyhelp import compiled
from earlyhelp.access import Action, action_to_update

# Names are matched with pg_trgm's `%` operator, which the trigram GIN indexes on
# UPPER(first_name), UPPER(last_name) and UPPER(name) answer; it uses pg_trgm's
# similarity threshold, left at its default of 0.3. (A `similarity(...) > x`
# filter would read every row instead.)
MAX_TERMS = 4


def current_memberships() -> QuerySet[FamilyMember]:
    """Who lives in a household now, with their person record, in the order a household is
    listed (by role, then the eldest first): one definition for a family's current members and
    for lists that prefetch them."""
    return (
        FamilyMember.objects.filter(left_on__isnull=True)
        .select_related("person")
        .order_by("role", "person__date_of_birth", "pk")
    )


def current_members_of(family) -> list[FamilyMember]:
    return list(current_memberships().filter(family=family))


def person_search(*, user, query: str, page_size: int = 25, page: int = 1):
    """People the user may see who match `query` (cases/people/search.py: names, current or
    previous, spelt as they come, closest first; a date of birth, postcode, NHS number, UPN
    or National Insurance number exactly). Returns (persons, has_next); each person carries
    `visible_memberships`: their households the user may see, the current ones first."""
    read = search.read_query(query)
    if read.bad_date:
        return [], False
    if read.criteria is not None:
        ids, has_next = search.people_matching(user, read, page_size=page_size, page=page)
    elif read.names:
        ids, has_next = search.people_named(user, read.names, page_size=page_size, page=page)
    else:
        return [], False
    memberships = rows_of_visible_families(user, FamilyMember.objects.all())
    persons = Person.objects.filter(pk__in=ids).prefetch_related(
        Prefetch(
            "memberships",
            queryset=memberships.select_related("family").order_by(
                F("left_on").desc(nulls_first=True), "-joined_on"
            ),
            to_attr="visible_memberships",
        ),
        # A person found by a name they bore: the page says so.
        Prefetch("other_names", queryset=PersonName.objects.order_by("kind", "pk")),
    )
    return _in_order(persons, ids), has_next


def family_search(*, user, query: str, page_size: int = 25, page: int = 1):
    """Families the user may see whose name ("Smith family") is like `query`, closest first.

    Returns (families, has_next); each family carries `current_members`.
    """
    terms = _terms(query)
    if not terms:
        return [], False
    ids, has_next = _first_visible(
        _ranked_families(Family.objects.all(), terms),
        lambda row_id: rows_of_visible_families(
            user, Family.objects.filter(pk=row_id), family_id="pk"
        ),
        columns=("score", "name"),
        page_size=page_size,
        page=page,
    )
    families = (
        Family.objects.filter(pk__in=ids)
        .select_related("locality")
        .prefetch_related(
            Prefetch("memberships", queryset=current_memberships(), to_attr="current_members"),
            Prefetch("episodes", queryset=open_episodes(), to_attr="open_episodes"),
        )
    )
    return _in_order(families, ids), has_next


def _first_visible(ranked: QuerySet, asked, *, columns, page_size: int, page: int):
    """The ids of one page of `ranked`'s rows that the gate lets the user see, in `ranked`'s
    order, and whether another page follows. One query.

    `ranked` is ordered by `columns` and then its id; `asked(row_id)` is the gate's question
    of one row (a queryset of the rows that make it visible, the row's id given as an
    expression). The matches are ranked behind a fence (OFFSET 0) PostgreSQL does not move
    the question through, so it ranks every match (cheap: a comparison each, see
    `_similarity`) and then asks the gate of each in rank order, stopping when the page is
    full. Asked first, a common surname's 6,000 matches would each cost a few index probes
    (and PostgreSQL on one core never sorts a table's rows before a join on its own)."""
    page_size, page = max(1, page_size), max(1, page)
    inner_sql, inner_params = ranked.values("id", *columns).query.sql_with_params()
    gate_sql, gate_params = _asked_of(asked, "ranked")
    order = []
    for field in ranked.query.order_by:
        name = field.lstrip("-")
        name = "id" if name == "pk" else name
        order.append(f'"ranked"."{name}" {"DESC" if field.startswith("-") else "ASC"}')
    sql = (
        f'SELECT "ranked"."id" FROM ({inner_sql} OFFSET 0) AS "ranked"'  # noqa: S608
        f" WHERE EXISTS ({gate_sql}) ORDER BY {', '.join(order)} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*inner_params, *gate_params, page_size + 1, (page - 1) * page_size))
        ids = [row[0] for row in cursor.fetchall()]
    return ids[:page_size], len(ids) > page_size


def _asked_of(asked, alias: str) -> tuple[str, tuple]:
    """The SQL and parameters of the gate's question `asked(row_id)` of the row of an outer
    query named `alias`, for an EXISTS in that query."""
    outer_id = RawSQL(f'"{alias}"."id"', ())  # noqa: S611 (our own alias, never input)
    return asked(outer_id).values("pk").query.sql_with_params()


def _in_order(rows: QuerySet, ids: list) -> list:
    found = {row.pk: row for row in rows}
    return [found[pk] for pk in ids if pk in found]


def family_list(*, user, page_size: int = 25, page: int = 1, filters: dict | None = None):
    """One page of the families a user may see, newest first, with what the list shows.

    Returns (families, has_next) like the searches. Unfiltered, it starts from the gate's
    newest visible families, as many as the pages up to this one hold (and one more), and
    counts nothing: the page costs what it shows, not every family the user may see.
    Filtered (`filters`: lead, team, locality, status, as `FamilyFilterForm` gives them), it
    reads the families that match newest first, asking the gate of each until the page is full.
    """
    page_size, page = max(1, page_size), max(1, page)
    if filters:
        families = (
            families_visible_to(user, row_by_row=True)
            .filter(_family_filters(filters))
            .order_by("-pk")
        )
    else:
        families = newest_families_visible_to(user, count=page * page_size + 1)
    families = families.select_related("locality").prefetch_related(
        Prefetch("episodes", queryset=open_episodes(), to_attr="open_episodes")
    )
    return _page(families, page_size, page)


def _family_filters(filters: dict) -> Q:
    """The families matching every filter chosen; lead and team are of the open episode."""
    found = Q()
    open_now = Episode.objects.filter(family=OuterRef("pk"), status=Episode.Status.OPEN)
    if lead := filters.get("lead"):
        found &= Q(Exists(open_now.filter(lead_practitioner=lead)))
    if team := filters.get("team"):
        found &= Q(Exists(open_now.filter(lead_practitioner__team=team)))
    if locality := filters.get("locality"):
        found &= Q(locality=locality)
    status = filters.get("status")
    if status == "open":
        found &= Q(Exists(open_now))
    elif status == "unallocated":
        found &= Q(Exists(open_now.filter(lead_practitioner__isnull=True)))
    elif status == "closed":
        found &= Q(Exists(Episode.objects.filter(family=OuterRef("pk")))) & ~Q(Exists(open_now))
    elif status == "none":
        found &= ~Q(Exists(Episode.objects.filter(family=OuterRef("pk"))))
    return found


def family_detail(family: Family) -> dict:
    """Everything the family page shows, in a fixed number of queries."""
    members = compiled.rows(
        "cases.family_detail.members",
        lambda family_id: (
            FamilyMember.objects.filter(family=family_id)
            .select_related("person")
            .order_by("left_on", "role", "person__date_of_birth")
        ),
        family.pk,
    )
    episodes = compiled.rows(
        "cases.family_detail.episodes",
        lambda family_id: (
            Episode.objects.filter(family=family_id)
            .select_related("lead_practitioner", "lead_agency")
            .order_by("-started_on")
        ),
        family.pk,
    )
    consents = compiled.rows(
        "cases.family_detail.consents",
        lambda family_id: (
            Consent.objects.filter(family=family_id).select_related("person").order_by("-given_on")
        ),
        family.pk,
    )
    # The agencies each consent shares with (triage/consent_line.html), all the family's in
    # one declared read rather than a prefetch compiled on every page.
    shared: dict = {}
    for consent_id, agency in compiled.rows(
        "cases.family_detail.consent_agencies",
        lambda family_id: (
            Consent.agencies.through.objects.filter(consent__family=family_id)
            .order_by("organisation__name", "organisation_id")
            .values_list("consent_id", "organisation__name")
        ),
        family.pk,
    ):
        shared.setdefault(consent_id, []).append(agency)
    for consent in consents:
        consent.shared_with = shared.get(consent.pk, [])
    return {
        "current_members": [m for m in members if m.left_on is None],
        "past_members": [m for m in members if m.left_on is not None],
        "episodes": episodes,
        "consents": consents,
    }


def _terms(query: str) -> list[str]:
    """The words of a name search, upper-cased as the indexes are; punctuation but
    hyphens and apostrophes dropped."""
    words = re.sub(r"[^\w\s'-]", " ", query or "").upper().split()
    return words[:MAX_TERMS]


def _similarity(field: str, term: str, *, exact: Q):
    """pg_trgm's similarity of `field` to `term`, answered without computing it where `exact`
    holds (the same value, 1: identical words share every trigram). A common surname is
    mostly exact matches, so a search of thousands ranks them at the cost of a comparison."""
    return Case(
        When(exact, then=Value(1.0, output_field=FloatField())),
        default=TrigramSimilarity(field, term),
        output_field=FloatField(),
    )


def _ranked_families(families: QuerySet, terms: list[str]) -> QuerySet:
    term = " ".join(terms)
    return (
        families.annotate(name_upper=Upper("name"))
        .filter(Q(name_upper__trigram_similar=term) | Q(reference=term))
        .annotate(score=_similarity("name_upper", term, exact=Q(name_upper=term)))
        .order_by("-score", "name", "id")
    )


def _page(rows: QuerySet, page_size: int, page: int):
    """One page of rows and whether another follows, in one query (no COUNT)."""
    page_size = max(1, page_size)
    start = (max(1, page) - 1) * page_size
    found = list(rows[start : start + page_size + 1])
    return found[:page_size], len(found) > page_size


def plan_action_for(user, action_id, *, to_update=False, family_id=None, owned_only=False):
    """A plan action through the gate on its family (`family_record_for`): to read it, the gate
    must allow reading the plan; to update it, what the table's owner rule asks
    (`action_to_update`: the lead any action, a TAF member their own).

    `owned_only` (the partner API, whose clients see only their own actions) makes anyone
    else's action missing rather than forbidden.
    """
    records = PlanAction.objects.select_related("episode__lead_practitioner", "owner")
    if owned_only:
        records = records.filter(owner=user)

    def update_action(plan_action):
        return action_to_update(owner_id=plan_action.owner_id, user=user)

    return family_record_for(
        user,
        records,
        action_id,
        action=update_action if to_update else Action.VIEW_CASEWORK,
        family_id=family_id,
    )


def plan_actions_owned_by(user) -> QuerySet:
    """The actions the user owns, on families where the gate lets them read the plan."""
    return PlanAction.objects.filter(
        owner=user, episode__family__in=families_allowing(user, Action.VIEW_CASEWORK)
    ).select_related("episode")


def possible_duplicates_to_check(*, user) -> list[PossibleDuplicate]:
    """Open checks of possible duplicates whose two records `user` may see (the hub, through
    `Relation.DUPLICATE_TO_CHECK`), oldest first, with both persons and who raised it.

    The open checks are read whole (each waits for the hub's decision, and the list says how
    many), then the gate is asked once which of their persons the user may see, row by row:
    asked inside the list's query for both persons, PostgreSQL spent 6-35 ms planning it."""
    checks = list(
        PossibleDuplicate.objects.filter(decided_at__isnull=True)
        .select_related("person", "known", "family", "raised_by")
        .order_by("raised_at", "pk")
    )
    ids = {pk for check in checks for pk in (check.person_id, check.known_id)}
    visible = set(
        persons_visible_to(user, row_by_row=True).filter(pk__in=ids).values_list("pk", flat=True)
    )
    return [c for c in checks if c.person_id in visible and c.known_id in visible]


def possible_duplicate_between(*, person, known) -> PossibleDuplicate | None:
    """The open check of these two records, either way round, if one was raised."""
    return (
        PossibleDuplicate.objects.filter(decided_at__isnull=True)
        .filter(Q(person=person, known=known) | Q(person=known, known=person))
        .first()
    )


def hub_is_checking(person) -> bool:
    """Whether the hub is checking if this new record is someone already known."""
    return PossibleDuplicate.objects.filter(person=person, decided_at__isnull=True).exists()
