"""What each role's home page shows: reads only, each a fixed number of queries (issue 9).

Every list starts from `families_visible_to(user)`, the one gate, so a page
never shows or counts a family its reader may not see. A page builds that
queryset once (`visible`) and hands it to each selector: building the gate's
subqueries is most of a home page's Python time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Max, Q
from django.db.models.functions import Coalesce

from assessments.models import EarlyHelpAssessment
from earlyhelp.access import families_visible_to
from earlyhelp.models import Role, User

from .models import Closure, Episode, PlanAction


def _visible(user, visible):
    return families_visible_to(user) if visible is None else visible


def _interval() -> timedelta:
    return timedelta(weeks=settings.REVIEW_INTERVAL_WEEKS)


def _with_next_review(episodes):
    return episodes.annotate(last_review_on=Coalesce(Max("reviews__held_on"), "started_on"))


@dataclass
class CaseloadRow:
    episode: Episode
    next_review_on: date
    overdue: bool


def practitioner_caseload(user, *, today: date, visible=None) -> list[CaseloadRow]:
    """The families `user` leads, each with the date its next review is due. One query."""
    episodes = (
        _with_next_review(
            Episode.objects.filter(
                family__in=_visible(user, visible),
                status=Episode.Status.OPEN,
                lead_practitioner=user,
            )
        )
        .select_related("family")
        .order_by("last_review_on", "pk")
    )
    rows = []
    for episode in episodes:
        due = episode.last_review_on + _interval()
        rows.append(CaseloadRow(episode, due, due < today))
    return rows


def actions_due_this_week(user, *, today: date, visible=None):
    """Open plan actions `user` owns that are due within seven days, or overdue. One query."""
    return list(
        PlanAction.objects.filter(
            owner=user,
            status__in=PlanAction.OPEN,
            due_on__lte=today + timedelta(days=7),
            episode__status=Episode.Status.OPEN,
            episode__family__in=_visible(user, visible),
        )
        .select_related("episode__family")
        .order_by("due_on", "pk")
    )


def assessments_awaiting(user, *, visible=None):
    """Assessments of episodes `user` leads that are theirs to write: drafts and returned."""
    return list(
        EarlyHelpAssessment.objects.filter(
            episode__lead_practitioner=user,
            episode__status=Episode.Status.OPEN,
            episode__family__in=_visible(user, visible),
            status__in=EarlyHelpAssessment.EDITABLE,
        )
        .select_related("episode__family")
        .order_by("-status", "pk")
    )


# --- a manager's team -------------------------------------------------------------------------

# A manager's lists show the first rows and say how many there are in all, so a page of a
# service with many overdue cases stays one page.
LIST_LIMIT = 25


@dataclass
class Listing:
    rows: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def _listing(queryset) -> Listing:
    """The first LIST_LIMIT rows and the count of all: two queries."""
    return Listing(list(queryset[:LIST_LIMIT]), queryset.count())


def _team_episodes(manager, visible=None):
    """Open episodes led by a member of a team `manager` manages, of families they may see."""
    return Episode.objects.filter(
        family__in=_visible(manager, visible),
        status=Episode.Status.OPEN,
        lead_practitioner__team__managers=manager,
    )


def team_members(manager, *, visible=None):
    """The practitioners of `manager`'s teams, each with `open_cases`. One query."""
    open_here = Q(
        led_episodes__status=Episode.Status.OPEN,
        led_episodes__family__in=_visible(manager, visible),
    )
    return list(
        User.objects.filter(team__managers=manager, role=Role.PRACTITIONER)
        .annotate(open_cases=Count("led_episodes", filter=open_here, distinct=True))
        .select_related("team")
        .order_by("team__name", "last_name", "first_name", "username")
    )


def team_overdue_reviews(manager, *, today: date, visible=None):
    return _listing(
        _with_next_review(_team_episodes(manager, visible))
        .filter(last_review_on__lt=today - _interval())
        .select_related("family", "lead_practitioner")
        .order_by("last_review_on", "pk")
    )


def team_assessments_to_sign_off(manager, *, visible=None):
    return _listing(
        EarlyHelpAssessment.objects.filter(
            episode__in=_team_episodes(manager, visible),
            status=EarlyHelpAssessment.Status.SUBMITTED,
        )
        .select_related("episode__family", "episode__lead_practitioner")
        .order_by("submitted_at", "pk")
    )


def team_closures_to_sign_off(manager, *, visible=None):
    return _listing(
        Closure.objects.filter(
            episode__in=_team_episodes(manager, visible),
            status=Closure.Status.AWAITING_SIGN_OFF,
        )
        .select_related("episode__family", "episode__lead_practitioner")
        .order_by("requested_at", "pk")
    )


def team_long_open(manager, *, today: date, visible=None):
    """Open episodes that began more than 12 months ago."""
    return _listing(
        _team_episodes(manager, visible)
        .filter(started_on__lt=_months_before(today, 12))
        .select_related("family", "lead_practitioner")
        .order_by("started_on", "pk")
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
