"""Forms of the programme years' and school terms' pages; their rules are `outcomes.years`'."""

from __future__ import annotations

from django import forms

from earlyhelp.date_input import DateInputField
from earlyhelp.manage_forms import GovukMessagesMixin

from .models import FundingStream, SchoolTerm
from .years import MINIMUM_AUDIT_SAMPLE


def _whole(label: str, *, minimum: int, maximum: int | None = None, **kwargs):
    field = forms.IntegerField(label=label, min_value=minimum, max_value=maximum, **kwargs)
    field.widget.attrs.update({"class": "govuk-input--width-10", "inputmode": "numeric"})
    field.error_messages.update(
        {
            "invalid": f"{label} must be a whole number",
            "min_value": f"{label} must be {minimum} or more",
            "max_value": f"{label} must be {maximum} or less",
        }
    )
    return field


def _date(label: str, **kwargs):
    return DateInputField(label=label, name=label, **kwargs)


class YearForm(GovukMessagesMixin, forms.Form):
    attachment_target = _whole(
        "Attachment target",
        minimum=0,
        help_text="How many families the council aims to attach to the programme this year.",
    )
    audit_sample_percent = _whole(
        "Audit sample percentage",
        minimum=MINIMUM_AUDIT_SAMPLE,
        maximum=100,
        help_text="The share of each claim batch internal audit checks before the claims are "
        "submitted: at least 10%.",
    )


class WindowForm(GovukMessagesMixin, forms.Form):
    opens = _date("Date the window opens")
    closes = _date("Date the window closes")


class FundingForm(GovukMessagesMixin, forms.Form):
    stream = forms.ChoiceField(
        label="Funding stream", choices=FundingStream.choices, widget=forms.RadioSelect
    )
    name = forms.CharField(
        label="Who the contribution comes from",
        required=False,
        max_length=120,
        help_text="Only for other contributions, for example the Police and Crime Commissioner.",
    )
    amount = _whole(
        "Amount in pounds",
        minimum=0,
        help_text="For the attachment fee, the amount per family; for the results payment, per "
        "claim; otherwise the sum for the year.",
    )


class TermForm(GovukMessagesMixin, forms.Form):
    academic_year = _whole(
        "Academic year",
        minimum=2000,
        maximum=2100,
        help_text="The year the school year starts in: 2026 for the school year 2026 to 2027.",
    )
    name = forms.ChoiceField(
        label="Term", choices=SchoolTerm.Name.choices, widget=forms.RadioSelect
    )
    starts_on = _date("Date the term starts")
    ends_on = _date("Date the term ends")
