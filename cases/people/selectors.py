"""Reads for families and persons. Each starts from the access gate's querysets and owns its
select_related/prefetch_related, so a page makes the same few queries whatever it shows.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import TrigramSimilarity
from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.functions import Greatest, Upper
from django.http import Http404

from cases.episode.selectors import open_episodes
from cases.gate import families_visible_to, family_for, persons_visible_to
from cases.models import Family, FamilyMember, PlanAction
from earlyhelp import audit
from earlyhelp.access import Action
from earlyhelp.models import AuditEntry

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
    """People the user may see whose name is like `query`, closest first.

    One word matches a first or last name; two or more are read as first name
    then last name, or last name then first. Returns (persons, has_next); each
    person carries `visible_memberships`: their households the user may see,
    the current ones first.
    """
    terms = _terms(query)
    if not terms:
        return [], False
    persons = _ranked_persons(persons_visible_to(user), terms).prefetch_related(
        Prefetch(
            "memberships",
            queryset=FamilyMember.objects.filter(family__in=families_visible_to(user))
            .select_related("family")
            .order_by(F("left_on").desc(nulls_first=True), "-joined_on"),
            to_attr="visible_memberships",
        )
    )
    return _page(persons, page_size, page)


def family_search(*, user, query: str, page_size: int = 25, page: int = 1):
    """Families the user may see whose name ("Smith family") is like `query`, closest first.

    Returns (families, has_next); each family carries `current_members`.
    """
    terms = _terms(query)
    if not terms:
        return [], False
    families = (
        _ranked_families(families_visible_to(user), terms)
        .select_related("locality")
        .prefetch_related(
            Prefetch("memberships", queryset=current_memberships(), to_attr="current_members"),
            Prefetch("episodes", queryset=open_episodes(), to_attr="open_episodes"),
        )
    )
    return _page(families, page_size, page)


def family_list(*, user):
    """The families a user may see, with what the list shows, newest first."""
    return (
        families_visible_to(user)
        .select_related("locality")
        .prefetch_related(Prefetch("episodes", queryset=open_episodes(), to_attr="open_episodes"))
        .order_by("-created_at", "-id")
    )


def family_detail(family: Family) -> dict:
    """Everything the family page shows, in a fixed number of queries."""
    members = list(
        FamilyMember.objects.filter(family=family)
        .select_related("person")
        .order_by("left_on", "role", "person__date_of_birth")
    )
    episodes = list(
        family.episodes.select_related("lead_practitioner", "lead_agency").order_by("-started_on")
    )
    consents = list(
        family.consents.select_related("person").prefetch_related("agencies").order_by("-given_on")
    )
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


def _ranked_families(families: QuerySet, terms: list[str]) -> QuerySet:
    term = " ".join(terms)
    return (
        families.annotate(name_upper=Upper("name"))
        .filter(Q(name_upper__trigram_similar=term) | Q(reference=term))
        .annotate(score=TrigramSimilarity("name_upper", term))
        .order_by("-score", "name", "id")
    )


def _ranked_persons(persons: QuerySet, terms: list[str]) -> QuerySet:
    persons = persons.filter(merged_into__isnull=True).annotate(
        first_upper=Upper("first_name"), last_upper=Upper("last_name")
    )

    def like(first: str, last: str):
        return Q(first_upper__trigram_similar=first) & Q(last_upper__trigram_similar=last)

    def closeness(first: str, last: str):
        return TrigramSimilarity("first_upper", first) + TrigramSimilarity("last_upper", last)

    if len(terms) == 1:
        (term,) = terms
        match = Q(last_upper__trigram_similar=term) | Q(first_upper__trigram_similar=term)
        score = Greatest(
            TrigramSimilarity("last_upper", term), TrigramSimilarity("first_upper", term)
        )
    else:
        # "Priya Shah" or "Shah Priya": the first word is the first name or the last.
        word, rest = terms[0], " ".join(terms[1:])
        match = like(word, rest) | like(rest, word)
        score = Greatest(closeness(word, rest), closeness(rest, word))
    return (
        persons.filter(match)
        .annotate(score=score)
        .order_by("-score", "last_name", "first_name", "id")
    )


def _page(rows: QuerySet, page_size: int, page: int):
    """One page of rows and whether another follows, in one query (no COUNT)."""
    page_size = max(1, page_size)
    start = (max(1, page) - 1) * page_size
    found = list(rows[start : start + page_size + 1])
    return found[:page_size], len(found) > page_size


def plan_action_for(user, action_id, *, action: Action, family_id=None, owned_only=False):
    """A plan action through the gate on its family; to update it, it must be the user's.

    `owned_only` (the partner API, whose clients see only their own actions) makes
    anyone else's action missing rather than forbidden. Refusals are audited.
    """
    from cases.episode.services import may_update

    found = PlanAction.objects.filter(pk=_id_or_404(action_id)).select_related(
        "episode__lead_practitioner", "owner"
    )
    if family_id is not None:
        found = found.filter(episode__family_id=family_id)
    if owned_only:
        found = found.filter(owner=user)
    plan_action = found.first()
    if plan_action is None:
        audit.record(
            user,
            action=str(action),
            outcome=AuditEntry.Outcome.NOT_FOUND,
            family_id=family_id,
            detail=f"action {action_id}",
        )
        raise Http404("No such action")
    family = family_for(user, plan_action.episode.family_id, action=action)
    if action == Action.UPDATE_ACTION and not may_update(plan_action, user):
        audit.record(
            user,
            action=Action.UPDATE_ACTION,
            outcome=AuditEntry.Outcome.FORBIDDEN,
            family_id=family.pk,
            detail=f"action {plan_action.pk} is not theirs",
        )
        raise PermissionDenied("Only the action's owner or the lead practitioner updates it.")
    plan_action.family = family
    return plan_action


def plan_actions_owned_by(user) -> QuerySet:
    """The actions the user owns, on families where the gate lets them read the plan."""
    from cases.gate import families_allowing

    return PlanAction.objects.filter(
        owner=user, episode__family__in=families_allowing(user, Action.VIEW_CASEWORK)
    ).select_related("episode")


def _id_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("No such record") from None
