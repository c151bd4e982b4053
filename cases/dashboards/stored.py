"""The caseload dashboard's figures, served from their last computation while it is fresh.

`dashboard_figures` answers a page: the stored tables for this manager and these
filters if they were computed less than DASHBOARD_FIGURES_MAX_AGE_MINUTES ago
(two queries), else it computes them live (`caseload_dashboard`, through the
gate), stores them and answers those. The key holds the filters, the manager's
teams and the figures' code, so a manager given another team, or a deployment
that changes a figure, never sees figures computed before. `computed_at` goes
on the page. Tests prove the stored figures equal the live ones.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from cases.dashboards import selectors as dashboards
from cases.dashboards.selectors import Cuts, Table, caseload_dashboard, default_cuts
from cases.models import DashboardFigures
from earlyhelp.models import Role, User

# The figures' code: a change to it is a change of key.
CODE = hashlib.sha256(Path(dashboards.__file__).read_bytes()).hexdigest()[:16]


@dataclass
class Figures:
    tables: list[Table]
    computed_at: datetime


def figures_key(manager, cuts: Cuts) -> str:
    """One query (the manager's teams)."""
    teams = sorted(manager.managed_teams.values_list("pk", flat=True))
    parts = [
        CODE,
        cuts.first_month.isoformat(),
        cuts.last_month.isoformat(),
        *(str(getattr(cut, "pk", "")) for cut in (cuts.team, cuts.agency, cuts.locality)),
        ",".join(map(str, teams)),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def dashboard_figures(manager, cuts: Cuts) -> Figures:
    """The figures for the page: stored and fresh (2 queries), or computed now."""
    key = figures_key(manager, cuts)
    fresh_since = timezone.now() - timedelta(minutes=settings.DASHBOARD_FIGURES_MAX_AGE_MINUTES)
    stored = (
        DashboardFigures.objects.filter(manager=manager, key=key, computed_at__gte=fresh_since)
        .values_list("tables", "computed_at")
        .first()
    )
    if stored is not None:
        return Figures([decode_table(t) for t in stored[0]], stored[1])
    return dashboard_figures_compute(manager, cuts, key=key)


def dashboard_figures_compute(manager, cuts: Cuts, *, key: str | None = None) -> Figures:
    """Compute the figures live and store them (one upsert, safe when two pages race)."""
    computed_at = timezone.now()  # before reading: figures are at least as new as this
    tables = caseload_dashboard(manager, cuts)
    DashboardFigures.objects.bulk_create(
        [
            DashboardFigures(
                manager=manager,
                key=key or figures_key(manager, cuts),
                tables=[encode_table(t) for t in tables],
                computed_at=computed_at,
            )
        ],
        update_conflicts=True,
        unique_fields=["manager", "key"],
        update_fields=["tables", "computed_at"],
    )
    return Figures(tables, computed_at)


def dashboard_figures_refresh_all() -> int:
    """Beat: recompute every active manager's default view; forget views a day old."""
    DashboardFigures.objects.filter(computed_at__lt=timezone.now() - timedelta(days=1)).delete()
    cuts = default_cuts(timezone.localdate())
    managers = User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk")
    for manager in managers:
        dashboard_figures_compute(manager, cuts)
    return len(managers)


# --- tables as JSON ---------------------------------------------------------------------------


def _encode_cell(value):
    if isinstance(value, timedelta):
        return {"seconds": value.total_seconds()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    return value


def _decode_cell(value):
    if isinstance(value, dict):
        if "seconds" in value:
            return timedelta(seconds=value["seconds"])
        return date.fromisoformat(value["date"])
    return value


def encode_table(table: Table) -> dict:
    return {
        "key": table.key,
        "caption": table.caption,
        "headers": table.headers,
        "rows": [[_encode_cell(cell) for cell in row] for row in table.rows],
        "numeric": sorted(table.numeric),
        "chart_column": table.chart_column,
        "note": table.note,
    }


def decode_table(data: dict) -> Table:
    return Table(
        key=data["key"],
        caption=data["caption"],
        headers=data["headers"],
        rows=[[_decode_cell(cell) for cell in row] for row in data["rows"]],
        numeric=set(data["numeric"]),
        chart_column=data["chart_column"],
        note=data["note"],
    )
