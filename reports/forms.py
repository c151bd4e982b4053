"""The reports' filters: programme year, delivery partner and locality, all in the URL."""

from __future__ import annotations

from django import forms

from earlyhelp.manage_forms import GovukMessagesMixin
from earlyhelp.models import Locality, Organisation
from outcomes.models import ProgrammeYear


class ReportFilterForm(GovukMessagesMixin, forms.Form):
    year = forms.ModelChoiceField(
        label="Programme year",
        queryset=ProgrammeYear.objects.order_by("-starts_in"),
        to_field_name="starts_in",
        required=False,
        empty_label="Every year",
    )
    partner = forms.ModelChoiceField(
        label="Delivery partner (lead agency)",
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label="Every partner",
    )
    locality = forms.ModelChoiceField(
        label="Locality",
        queryset=Locality.objects.order_by("name"),
        required=False,
        empty_label="Every locality",
    )
