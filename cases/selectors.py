"""Reads about families and persons, each starting from the access gate's querysets.

A selector owns its select_related/prefetch_related, so a page runs a fixed
number of queries whatever it holds.
"""

from django.db.models import Prefetch

from earlyhelp.access import families_visible_to

from .models import Episode, Family, FamilyMember


def family_list(*, user):
    """The families a user may see, with what the list shows, newest first."""
    return (
        families_visible_to(user)
        .select_related("locality")
        .prefetch_related(
            Prefetch(
                "episodes",
                queryset=Episode.objects.filter(status=Episode.Status.OPEN).select_related(
                    "lead_practitioner"
                ),
                to_attr="open_episodes",
            )
        )
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


def family_search(*, user, query, page_size=25, page=1):
    rows = list(
        family_list(user=user).filter(name__icontains=query)[
            (page - 1) * page_size : page * page_size + 1
        ]
    )
    return rows[:page_size], len(rows) > page_size


def person_search(*, user, query, page_size=25, page=1):
    from earlyhelp.access import persons_visible_to

    rows = list(
        persons_visible_to(user).filter(last_name__icontains=query)[
            (page - 1) * page_size : page * page_size + 1
        ]
    )
    return rows[:page_size], len(rows) > page_size
