"""The seeds' reports (issue 17; DOMAIN §9; seed 002 §4 Tables 1, 5, 6, 7 and §3.4.6): each a
page of tables, each table with its CSV and a bar chart, all cut by the same filters.

A report is a function from a `Scope` to a list of `cases.dashboards.selectors.Table`s, registered
with `@report(...)`: the page draws the tables, the chart is drawn from a table and the CSV
writes the table's text, so the three cannot disagree. A report runs a fixed number of queries
whatever the number of families (counted in SQL, never family by family).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cases.dashboards.selectors import Table

from .scope import Scope


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    summary: str
    build: Callable[[Scope], list[Table]]


REPORTS: dict[str, Report] = {}


def report(slug: str, title: str, summary: str):
    """Register a report: `build(scope)` returns its tables."""

    def register(build):
        if slug in REPORTS:
            raise ValueError(f"Two reports are called {slug!r}")
        REPORTS[slug] = Report(slug, title, summary, build)
        return build

    return register
