"""The family gate: every family or person a page, export, search or the API reaches.

Lists start from `families_visible_to` / `persons_visible_to`; one record comes through
`family_for` / `person_for`, which ask the access table (`earlyhelp.access`) how the user is
related to the family, decide, and write the audit row. No view filters for permissions on
its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from earlyhelp import audit, compiled
from earlyhelp.access import (
    GRANTS,
    VISIBLE_THROUGH,
    Action,
    Relation,
    actions_of,
    as_id,
    decide,
    kept,
    relation_reaches,
    relation_subqueries,
    role_may,
    user_key,
)
from earlyhelp.models import AuditEntry, BreakGlass

from .models import Family, FamilyMember, Person


def _union(ids: list[QuerySet]) -> QuerySet | None:
    if not ids:
        return None
    return ids[0].union(*ids[1:], all=True) if len(ids) > 1 else ids[0]


def _family_ids(reaches: list) -> QuerySet | None:
    """The ids of the families any of `reaches` reaches: one subquery, the UNION ALL of each
    relation's own records' family ids. PostgreSQL reads each relation's records through its
    indexes and then the families named, so a list costs what the user's relations hold, not
    a check of every family in the database against each relation."""
    return _union([reach.family_ids() for reach in reaches])


def family_ids_visible_to(user):
    """The ids of every family the user may see, as a subquery (`family__in=…` of a list
    over records of families), with no join to the families themselves.

    Compiled once in a request (`earlyhelp.access.kept`) and reused by every list on the
    page: the union's SQL costs more to build than to run for most users."""

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Family.objects.none().values("pk")
    return kept(("family ids", *user_key(user)), lambda: _family_ids_visible_to(user))


def _family_ids_visible_to(user):
    reaches = relation_reaches(user)
    ids = _family_ids([reach for relation, reach in reaches.items() if relation in VISIBLE_THROUGH])
    if ids is None:
        return Family.objects.none().values("pk")
    return RawSQL(*ids.query.sql_with_params())  # noqa: S611 (the ORM's own SQL and parameters)


def rows_of_visible_families(user, rows: QuerySet, *, family_id: str = "family_id") -> QuerySet:
    """The rows of `rows` (families, memberships…) whose family the user may see, asked row
    by row: the OR of each relation's Exists of the family at the row's `family_id`, a few
    index probes a row. For rows found by other means (a search's matches): the check costs
    what was found, not the whole visible set."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return rows.none()
    reaches = [r for relation, r in relation_reaches(user).items() if relation in VISIBLE_THROUGH]
    if not reaches:
        return rows.none()
    condition = Q(reaches[0].exists(family_id))
    for reach in reaches[1:]:
        condition |= Q(reach.exists(family_id))
    return rows.filter(condition)


def families_visible_to(user, *, row_by_row: bool = False) -> QuerySet:
    """Every family the user may see: the only queryset lists and searches start from.

    By default the families are read from the user's relations (the union of their family
    ids): for lists that start from what the user may see. `row_by_row` asks instead, of
    each family the rest of the query finds, whether a relation reaches it: for rows found
    by other means, a search's matches, so the search costs what it matches rather than
    everything the user may see (tens of thousands of families for some). Both are the same
    set as the OR of each relation's `Exists` that `relations_to` asks of one family (both
    come from the relation's one `Reach`; tests/test_access_union.py compares them)."""

    if row_by_row:
        return rows_of_visible_families(user, Family.objects.all(), family_id="pk")
    return Family.objects.filter(pk__in=family_ids_visible_to(user))


def newest_families_visible_to(user, *, count: int) -> QuerySet:
    """The `count` newest families the user may see (the highest record numbers first): a
    list's first pages. Each relation gives its own `count` newest family ids, read in its
    index's order and stopping there, and the newest of those are the answer (the newest
    `count` of a union are among the newest `count` of each part). So a page costs what the
    page shows, not the whole visible set, which for a practitioner whose agency holds many
    families' consent is tens of thousands."""

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Family.objects.none()
    reaches = relation_reaches(user)
    ids = _union(
        [
            reach.newest_family_ids(count)
            for relation, reach in reaches.items()
            if relation in VISIBLE_THROUGH
        ]
    )
    if ids is None:
        return Family.objects.none()
    return Family.objects.filter(pk__in=ids).order_by("-pk")


def families_allowing(user, action: Action) -> QuerySet:
    """The families where `user` may take `action` (for bulk work that names many families):
    visible, and reached through a relation that grants it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Family.objects.none()
    reaches = relation_reaches(user)
    visible = [reach for relation, reach in reaches.items() if relation in VISIBLE_THROUGH]
    granting = [relation for relation in reaches if action in GRANTS[relation]]
    if not visible or not granting:
        return Family.objects.none()
    families = Family.objects.filter(pk__in=_family_ids([reaches[r] for r in granting]))
    if set(granting) <= VISIBLE_THROUGH:  # each granting relation makes its family visible
        return families
    return families.filter(pk__in=_family_ids(visible))


def persons_visible_to(user, *, row_by_row: bool = False) -> QuerySet:
    """Every person who is or was a member of a family the user may see (`row_by_row` as
    for `families_visible_to`: each person's families are asked about, for a search)."""

    if row_by_row:
        members = FamilyMember.objects.filter(person=OuterRef("pk"))
        return Person.objects.filter(Exists(rows_of_visible_families(user, members)))
    members = FamilyMember.objects.filter(family__in=family_ids_visible_to(user))
    return Person.objects.filter(pk__in=members.values("person"))


def relations_to(user, family_id: int) -> set[Relation]:
    """How this user is related to one family (empty: they may not see it)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    subqueries = relation_subqueries(user)
    if not subqueries:
        return set()
    names = {f"rel_{i}": relation for i, relation in enumerate(subqueries)}
    row = (
        Family.objects.filter(pk=family_id)
        .annotate(**{name: subqueries[relation] for name, relation in names.items()})
        .values(*names)
        .first()
    )
    if row is None:
        return set()
    return {relation for name, relation in names.items() if row[name]}


def family_for(user, family_id, *, action: Action = Action.VIEW):
    """The family, if `user` may take `action` on it; else 404 (not visible) or 403. Audited."""

    family_id = as_id(family_id)
    family = compiled.first(
        "cases.gate.family_for",
        lambda pk: Family.objects.select_related("locality").filter(pk=pk).order_by("pk")[:1],
        family_id,
    )
    relations = relations_to(user, family_id) if family else set()
    decide(
        user,
        action,
        exists=family is not None,
        relations=relations,
        record={"family_id": family_id},
    )
    family.relations = relations
    family.allowed_actions = actions_of(user, relations)
    return family


def family_record_for(
    user,
    records: type[Model] | QuerySet,
    record_id=None,
    *,
    action: Action | Callable[[Model], Action],
    family_id=None,
    via: str = "episode__family",
):
    """A record that belongs to a family (a step request, a plan action, a team member, an
    evidence item, a referral, a sample item…), through that family's gate.

    `records` is the model or a queryset of it, narrowed and with the joins the caller needs:
    the app that owns the model passes it, so casework never imports it. `via` is the path
    from a record to its family. The record is the one with `record_id`, or without one the
    one record of `family_id` in `records`; a URL that names a family too (`family_id`) must
    name the record's own.

    A record that does not exist, and one of another family than the URL's, answer 404 and
    are audited as not found, exactly as a record of a family the user may not see: nobody
    learns from the answer that a record exists. Then `family_for` decides on its family (404,
    403, audited). `action` may be a function of the record, for a rule that depends on it
    (updating a plan action: `earlyhelp.access.action_to_update`).

    The record comes back with `.family`, the family as the gate gave it (its relations and
    `allowed_actions`).
    """
    if record_id is None and family_id is None:
        raise TypeError("family_record_for needs a record_id, a family_id or both")
    found = records.objects.all() if isinstance(records, type) else records
    if record_id is not None:
        found = found.filter(pk=as_id(record_id))
    if family_id is not None:
        family_id = as_id(family_id)
        found = found.filter(**{via: family_id})
    # One query finds the record and its family; the record leaves only if the gate allows.
    record = found.annotate(gate_family_id=F(via)).order_by("pk").first()
    if record is None or record.gate_family_id is None:
        kind = found.model._meta.verbose_name
        audit.record(
            user,
            action=action if isinstance(action, str) else action.__name__,
            outcome=AuditEntry.Outcome.NOT_FOUND,
            family_id=family_id,
            detail=f"{kind} {record_id}" if record_id is not None else kind,
        )
        raise Http404("No such record")
    needed = action if isinstance(action, str) else action(record)
    record.family = family_for(user, record.gate_family_id, action=needed)
    return record


def person_for(user, person_id, *, action: Action = Action.VIEW):
    """The person, if `user` may take `action` through any family they belong or belonged to."""
    person_id = as_id(person_id)
    person = Person.objects.filter(pk=person_id).first()
    relations: set[Relation] = set()
    if person is not None:
        # A merged record is a pointer: it is seen through the record it was merged into.
        through = person_id if person.merged_into_id is None else _survivor_of(person)
        family_ids = Family.objects.filter(memberships__person_id=through).values_list(
            "pk", flat=True
        )
        for family_id in family_ids:
            relations |= relations_to(user, family_id)
    decide(
        user,
        action,
        exists=person is not None,
        relations=relations,
        record={"person_id": person_id},
    )
    person.relations = relations
    person.allowed_actions = actions_of(user, relations)
    return person


def person_to_link(user, person_id):
    """A person `user` may link to a request or a household by id: one they may see, and a
    record of its own. Anyone else — in families they may not see, merged into another
    record, never there — answers as a person that does not exist (404), and is audited.

    Linking someone from outside one's families goes through the hub, which may see both
    (`cases.people.services.possible_duplicates_raise`): linking them here would open their
    whole record to whoever linked them.
    """
    person = person_for(user, person_id, action=Action.VIEW)
    if person.merged_into_id is not None:
        raise Http404("No such record")
    return person


@dataclass(frozen=True)
class PersonOffers:
    """The duplicate finder's matches as one user may be shown them.

    `shown` are people the user may see, offered in full (name, date of birth, postcode, the
    reasons). Of the others the user learns only that someone with these details is already
    known (`known_elsewhere`): never who, where, or their record's id. `hidden` holds their ids
    for the audit and the hub, never for a page.
    """

    shown: list
    hidden: tuple[int, ...] = ()

    @property
    def known_elsewhere(self) -> bool:
        return bool(self.hidden)

    def __bool__(self) -> bool:
        return bool(self.shown or self.hidden)


def person_offers(user, matches, *, family_id=None, action="duplicate_check") -> PersonOffers:
    """What `user` may be shown of `matches` (from `likely_duplicates`), with one audit row
    naming every person offered, and in its detail which were shown and which were not."""
    ids = [match.person.pk for match in matches]
    if not ids:
        return PersonOffers(shown=[])
    visible = set(persons_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    shown = [match for match in matches if match.person.pk in visible]
    hidden = tuple(pk for pk in ids if pk not in visible)
    audit.record(
        user,
        action=action,
        outcome=AuditEntry.Outcome.ALLOWED,
        family_id=family_id,
        listed_person_ids=ids,
        detail=f"shown: {_ids(visible)}; known but not shown: {_ids(hidden)}",
    )
    return PersonOffers(shown=shown, hidden=hidden)


def _ids(ids) -> str:
    return ", ".join(str(pk) for pk in sorted(ids)) or "none"


def _survivor_of(person) -> int:

    survivor_id = person.merged_into_id
    for _ in range(20):  # merges chain rarely; a bound keeps a bad cycle from hanging a page
        next_id = Person.objects.filter(pk=survivor_id).values_list("merged_into_id", flat=True)[0]
        if next_id is None:
            break
        survivor_id = next_id
    return survivor_id


# DOMAIN §1: "break-glass" access needs a written reason, expires, and is flagged to
# managers, who read the reason: a sentence, not a word.
BREAK_GLASS_REASON_MIN = 20
BREAK_GLASS_REASON_TOO_SHORT = f"Give a reason of at least {BREAK_GLASS_REASON_MIN} characters"


def break_glass_grant(*, user, family_id: int, reason: str) -> BreakGlass:
    """An administrator's time-limited access to one family, with their written reason."""
    if not role_may(user, Action.BREAK_GLASS):
        raise PermissionDenied("Only administrators use break-glass access.")
    if len((reason or "").strip()) < BREAK_GLASS_REASON_MIN:
        raise ValidationError({"reason": [BREAK_GLASS_REASON_TOO_SHORT]})
    if not Family.objects.filter(pk=family_id).exists():
        raise Http404("No such record")
    grant = BreakGlass.objects.create(
        user=user,
        family_id=family_id,
        reason=reason,
        expires_at=timezone.now() + timedelta(hours=settings.BREAK_GLASS_HOURS),
    )
    audit.record(
        user,
        action="break_glass",
        outcome=AuditEntry.Outcome.ALLOWED,
        family_id=family_id,
        detail=reason,
    )
    return grant
