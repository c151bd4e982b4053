"""A list on a home page: its first rows and how many there are in all, in one query.

A manager's or programme team's lists show the first rows and say how many there are, so a
page of a service with many overdue cases stays one page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, Subquery, Value, Window
from django.db.models.functions import Coalesce

LIST_LIMIT = 25


@dataclass
class Listing:
    rows: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def first_rows(queryset, *, limit: int | None = None) -> Listing:
    """The first `limit` rows (LIST_LIMIT unless said) and the count of all, in one query (a
    window count)."""
    rows = list(queryset.annotate(listed_total=Window(Count("pk")))[: limit or LIST_LIMIT])
    return Listing(rows, rows[0].listed_total if rows else 0)


def count_of(queryset) -> Coalesce:
    """How many rows `queryset` holds, as an expression another query can carry: a subquery
    that does not refer to the outer row, so PostgreSQL counts once however many rows carry it."""
    counted = (
        queryset.order_by()
        .annotate(listed=Value(1, output_field=IntegerField()))
        .values("listed")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


class _Counted:
    """What a Paginator needs of a list whose count is already known."""

    def __init__(self, total: int):
        self.total = total

    def count(self) -> int:
        return self.total


def counted_page(queryset, per_page: int, number) -> Page:
    """One page of `queryset` as Django's Paginator gives it, with the count read by the page's
    own query (a window count) rather than a query of its own; a page past the last (or not a
    number) is the last (or the first), as `Paginator.get_page` answers."""
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    rows = list(queryset.annotate(listed_total=Window(Count("pk")))[start : start + per_page])
    if rows or number == 1:
        total = rows[0].listed_total if rows else 0
        return Page(rows, number, Paginator(_Counted(total), per_page))
    return Paginator(queryset, per_page).get_page(number)
