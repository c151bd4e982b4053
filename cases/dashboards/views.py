"""The manager's caseload dashboard: filters in the URL, each table as CSV (issue 9)."""

from __future__ import annotations

import csv
import re
from datetime import date

from dateutil.relativedelta import relativedelta
from django import forms
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases.dashboards.charts import bar_chart_svg
from cases.dashboards.selectors import Cuts, default_cuts
from cases.dashboards.stored import dashboard_figures
from earlyhelp.access import Action, page_for
from earlyhelp.models import Locality, Organisation, Team

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_MONTHS = 36


class MonthField(forms.Field):
    """A month typed as 2026-01: read as its first day; anything else is refused."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)
        self.widget.attrs.update({"class": "govuk-input--width-5", "spellcheck": "false"})

    def to_python(self, value):
        value = str(value or "").strip()
        if not value:
            return None
        match = MONTH.match(value)
        if not match or not 1 <= int(match[2]) <= 12:
            raise forms.ValidationError(f"{self.label} must be a month, like 2026-01")
        return date(int(match[1]), int(match[2]), 1)


class CutsForm(forms.Form):
    start = MonthField(label="From month", help_text="For example, 2026-01")
    end = MonthField(label="To month", help_text="For example, 2026-12")
    team = forms.ModelChoiceField(
        label="Team", queryset=Team.objects.none(), required=False, empty_label="All your teams"
    )
    agency = forms.ModelChoiceField(
        label="Lead agency",
        queryset=Organisation.objects.all(),
        required=False,
        empty_label="All agencies",
    )
    locality = forms.ModelChoiceField(
        label="Locality",
        queryset=Locality.objects.all(),
        required=False,
        empty_label="All localities",
    )

    def __init__(self, *args, manager, **kwargs):
        super().__init__(*args, **kwargs)
        # Team's label names its organisation: one query for the choices, however many teams.
        self.fields["team"].queryset = Team.objects.filter(managers=manager).select_related(
            "organisation"
        )

    def clean(self):
        data = super().clean()
        this_month = timezone.localdate().replace(day=1)
        end = data.get("end") or this_month
        start = data.get("start") or end - relativedelta(months=11)
        if start > end:
            self.add_error("start", "From month must be on or before the to month")
        elif (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
            self.add_error("start", f"Choose a period of {MAX_MONTHS} months or fewer")
        data["start"], data["end"] = start, end
        return data

    def cuts(self) -> Cuts:
        data = self.cleaned_data
        return Cuts(
            first_month=data["start"],
            last_month=data["end"],
            team=data.get("team"),
            agency=data.get("agency"),
            locality=data.get("locality"),
        )


@page_for(Action.SEE_CASELOAD_DASHBOARD)
def caseload_dashboard_view(request):
    form = CutsForm(request.GET or None, manager=request.user)
    if request.GET and not form.is_valid():
        return render(request, "dashboards/caseload.html", {"form": form}, status=400)
    cuts = form.cuts() if request.GET else default_cuts(timezone.localdate())
    figures = dashboard_figures(request.user, cuts)
    tables = figures.tables
    if request.GET.get("format") == "csv":
        return _csv(tables, request.GET.get("table"), cuts)
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("table", None)
    for table in tables:
        table.chart = bar_chart_svg(table) if table.chart_column is not None else None
    return render(
        request,
        "dashboards/caseload.html",
        {
            "form": form,
            "tables": tables,
            "cuts": cuts,
            "query": query.urlencode(),
            "computed_at": figures.computed_at,
            "max_age": settings.DASHBOARD_FIGURES_MAX_AGE_MINUTES,
        },
    )


def _csv(tables, key, cuts) -> HttpResponse:
    table = next((t for t in tables if t.key == key), None)
    if table is None:
        raise Http404("No such table")
    return table_csv(table, f"{table.key}-{cuts.first_month:%Y-%m}-to-{cuts.last_month:%Y-%m}.csv")


def table_csv(table, filename: str) -> HttpResponse:
    """One `Table` as CSV: its headers and the same text rows the page shows."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(table.headers)
    writer.writerows(table.text_rows())
    return response
