"""A list on a home page: its first rows and how many there are in all, in one query.

A manager's or programme team's lists show the first rows and say how many there are, so a
page of a service with many overdue cases stays one page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Window

LIST_LIMIT = 25


@dataclass
class Listing:
    rows: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def first_rows(queryset) -> Listing:
    """The first LIST_LIMIT rows and the count of all, in one query (a window count)."""
    rows = list(queryset.annotate(listed_total=Window(Count("pk")))[:LIST_LIMIT])
    return Listing(rows, rows[0].listed_total if rows else 0)
