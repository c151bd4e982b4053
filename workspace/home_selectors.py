"""What each role's home page shows: reads only, each a fixed number of queries (issue 9).

Every list starts from the one gate (earlyhelp/access.py), so a page never
shows or counts a family its reader may not see. Lists of the episodes a user
leads, or a manager's team leads, start from the gate's own relation
(`episodes_led_by`, `episodes_managed_by`): each such episode is what makes its
family visible, so the list is a join and no row is checked against the whole
visible set. Other lists (the actions a user owns) start from
`families_visible_to(user)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, F, OuterRef, Subquery, Window
from django.db.models.functions import Coalesce

from assessments.models import EarlyHelpAssessment
from cases.gate import families_visible_to
from cases.models import Closure, Episode, PlanAction, StepDown
from cases.models.steps import StepDecision
from cases.relations import (
    episodes_led_by,
    episodes_managed_by_id,
    manages,
    step_ups_held_by,
)
from earlyhelp import compiled, listing, policy
from earlyhelp.models import Role, User


def _interval() -> timedelta:
    """The review interval: the service's setting (earlyhelp.policy), read once a request."""
    return policy.review_interval()


def _with_next_review(episodes):
    """A review is due the review interval after the later of the episode's start and its
    latest review, which the database keeps on the episode (`review_counted_from`)."""
    return episodes.annotate(last_review_on=F("review_counted_from"))


@dataclass
class CaseloadRow:
    episode: Episode
    next_review_on: date
    overdue: bool


def practitioner_caseload(user, *, today: date) -> list[CaseloadRow]:
    """The families `user` leads, each with the date its next review is due. One query."""
    episodes = (
        _with_next_review(episodes_led_by(user))
        .select_related("family")
        .order_by("last_review_on", "pk")
    )
    rows, interval = [], _interval()
    for episode in episodes:
        due = episode.last_review_on + interval
        rows.append(CaseloadRow(episode, due, due < today))
    return rows


def actions_due_this_week(user, *, today: date):
    """Open plan actions `user` owns that are due within seven days, or overdue. One query."""
    return list(
        PlanAction.objects.filter(
            owner=user,
            status__in=PlanAction.OPEN,
            due_on__lte=today + timedelta(days=7),
            episode__status=Episode.Status.OPEN,
            episode__family__in=families_visible_to(user),
        )
        .select_related("episode__family")
        .order_by("due_on", "pk")
    )


def assessments_awaiting(user):
    """Assessments of episodes `user` leads that are theirs to write: drafts and returned."""
    return list(
        EarlyHelpAssessment.objects.filter(
            episode__in=episodes_led_by(user),
            status__in=EarlyHelpAssessment.EDITABLE,
        )
        .select_related("episode__family")
        .order_by("-status", "pk")
    )


# --- a manager's team -------------------------------------------------------------------------


def _team_episodes(manager):
    """Open episodes led by a member of a team `manager` manages. The gate's own relation
    (`episodes_managed_by`): each makes its family visible to the manager, so no row needs
    checking against the whole visible set."""
    if not manages(manager):
        return Episode.objects.none()
    return _open_team_episodes(manager.pk)


def _first_episodes(episodes, *order):
    """The first listing.LIST_LIMIT of `episodes` in `order`, with family and lead, each with
    how many there are in all (`listed_total`). One query: the order is found on episodes
    alone, only the rows shown are joined to the rest, and the count is a subquery PostgreSQL
    answers once (from the index of open episodes by lead, `episode_open_by_lead`)."""
    first = episodes.order_by(*order).values("pk")[: listing.LIST_LIMIT]
    return (
        episodes.model.objects.filter(pk__in=first)
        .annotate(listed_total=listing.count_of(episodes))
        .select_related("family", "lead_practitioner")
        .order_by(*order)
    )


def _team_list(manager, name: str, build, *values) -> listing.Listing:
    """A list on a manager's home, read for `manager` by a read declared once
    (earlyhelp.compiled): `build(manager_id, *values)` gives its queryset, whose rows carry
    `listed_total`. Anyone who is not a manager: none."""
    if not manages(manager):
        return listing.Listing([], 0)
    rows = compiled.rows(f"home.{name}:{listing.LIST_LIMIT}", build, manager.pk, *values)
    return listing.Listing(rows, rows[0].listed_total if rows else 0)


def _open_team_episodes(manager_id):
    return episodes_managed_by_id(manager_id).filter(status=Episode.Status.OPEN)


# A manager of many teams pages through their workers rather than waiting for hundreds of rows.
WORKERS_PER_PAGE = 25


def team_members(manager, *, page=None):
    """One page of the practitioners of `manager`'s teams, each with `open_cases`, and how
    many there are. One query (a second only for a page past the last): each worker's open
    cases are counted from the index of open episodes by lead. Each of those episodes is led
    by a member of the manager's team, so it is one of `episodes_managed_by(manager)`: the
    count is of cases the manager sees."""
    open_cases = (
        Episode.objects.filter(status=Episode.Status.OPEN, lead_practitioner=OuterRef("pk"))
        .order_by()
        .values("lead_practitioner")
        .annotate(open=Count("pk"))
        .values("open")
    )
    members = (
        User.objects.filter(team__managers=manager, role=Role.PRACTITIONER)
        .select_related("team")
        .annotate(open_cases=Coalesce(Subquery(open_cases), 0))
        .order_by("team__name", "last_name", "first_name", "username")
    )
    return listing.counted_page(members, WORKERS_PER_PAGE, page)


def team_overdue_reviews(manager, *, today: date) -> listing.Listing:
    """The first overdue reviews, the longest unreviewed first, and how many. One query, read
    in the order of the index of open episodes by the date their review is counted from
    (`episode_open_review`), stopping at the first of the manager's teams'. Overdue: neither
    begun nor reviewed since the cutoff (`review_counted_from`, which the database keeps as
    the later of the start and the latest review)."""
    return _team_list(
        manager,
        "overdue_reviews",
        lambda manager_id, cutoff: _first_episodes(
            _open_team_episodes(manager_id).filter(review_counted_from__lt=cutoff),
            "review_counted_from",
            "pk",
        ),
        today - _interval(),
    )


def _sign_offs(model, status, order: str):
    def build(manager_id):
        return (
            model.objects.filter(episode__in=_open_team_episodes(manager_id), status=status)
            .annotate(listed_total=Window(Count("pk")))
            .select_related("episode__family", "episode__lead_practitioner")
            .order_by(order, "pk")[: listing.LIST_LIMIT]
        )

    return build


def team_assessments_to_sign_off(manager) -> listing.Listing:
    return _team_list(
        manager,
        "assessments_to_sign_off",
        _sign_offs(EarlyHelpAssessment, EarlyHelpAssessment.Status.SUBMITTED, "submitted_at"),
    )


def team_closures_to_sign_off(manager) -> listing.Listing:
    return _team_list(
        manager,
        "closures_to_sign_off",
        _sign_offs(Closure, Closure.Status.AWAITING_SIGN_OFF, "requested_at"),
    )


def team_long_open(manager, *, today: date) -> listing.Listing:
    """Open episodes that began more than 12 months ago, oldest first, and how many. One query."""
    return _team_list(
        manager,
        "long_open",
        lambda manager_id, before: _first_episodes(
            _open_team_episodes(manager_id).filter(started_on__lt=before), "started_on", "pk"
        ),
        _months_before(today, 12),
    )


def _months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    # The same day of the month, or the month's last day when it has fewer days.
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def worker_open_cases(manager, worker):
    """The open episodes `worker` leads that `manager` may see."""
    return list(
        _team_episodes(manager)
        .filter(lead_practitioner=worker)
        .select_related("family")
        .order_by("started_on", "pk")
    )


def families_held_in_social_care(user, *, limit: int = 50) -> list:
    """The families a social worker holds from early help (issue 18: "her home lists the
    families and requests she holds"): each accepted step-up handed to her and not handed
    back, newest first, with whether her step-down of it waits for the front door. One query;
    the relation is the gate's own (SOCIAL_CARE), so it lists only families she may see."""
    waiting = StepDown.objects.filter(from_step_up=OuterRef("pk"), status=StepDecision.PENDING)
    return list(
        step_ups_held_by(user)
        .annotate(step_down_waiting=Exists(waiting))
        .select_related("episode__family", "requested_by")
        .order_by("-decided_at", "-pk")[:limit]
    )
