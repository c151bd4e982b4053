"""The reports' pages: an index, and each report with its filters, tables, charts and CSVs."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases.dashboards.charts import bar_chart_svg
from cases.dashboards.views import table_csv
from earlyhelp.access import Action, page_for

from . import registry
from .forms import ReportFilterForm
from .scope import Scope

reports_page = page_for(Action.SEE_PROGRAMME_REPORTS)


@reports_page
def report_index(request):
    return render(request, "reports/index.html", {"reports": registry.REPORTS.values()})


@reports_page
def report_detail(request, slug):
    found = registry.REPORTS.get(slug)
    if found is None:
        raise Http404("No such report")
    form = ReportFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "reports/report.html", {"report": found, "form": form}, status=400)
    data = form.cleaned_data if request.GET else {}
    scope = Scope(
        request.user,
        year=data.get("year"),
        partner=data.get("partner"),
        locality=data.get("locality"),
        today=timezone.localdate(),
    )
    tables = found.build(scope)
    if request.GET.get("format") == "csv":
        return _csv(tables, request.GET.get("table"), found.slug, scope)
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("table", None)
    for table in tables:
        table.chart = bar_chart_svg(table) if table.chart_column is not None else None
    return render(
        request,
        "reports/report.html",
        {
            "report": found,
            "form": form,
            "tables": tables,
            "scope": scope,
            "query": query.urlencode(),
        },
    )


def _csv(tables, key, slug: str, scope: Scope) -> HttpResponse:
    table = next((t for t in tables if t.key == key), None)
    if table is None:
        raise Http404("No such table")
    year = scope.year.starts_in if scope.year else "all-years"
    name = slug if table.key == slug else f"{slug}-{table.key}"
    return table_csv(table, f"{name}-{year}.csv")
