"""Forms of the programme team's and auditors' pages: claim batches, audit verdicts and the
what-if."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from earlyhelp.date_input import DateInputField
from earlyhelp.manage_forms import GovukMessagesMixin

from .claim_batches import window_label
from .models import AuditSampleItem


class BatchBuildForm(GovukMessagesMixin, forms.Form):
    """Step one picks the window and the submission date; step two (with `candidates`) the
    families to claim."""

    window = forms.ChoiceField(label="Claim window", widget=forms.RadioSelect)
    submitted_on = DateInputField(
        label="Date the claims are submitted",
        name="Date the claims are submitted",
        help_text="Each family is checked again on this date: a claim must be valid on the day "
        "it is submitted. It must fall within the window and not be in the future. For "
        "example, 16 9 2019.",
    )
    families = forms.MultipleChoiceField(
        label="Families to claim", widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, windows, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.windows = {w.opens.isoformat(): w for w in windows}
        today = timezone.localdate()
        self.fields["window"].choices = [
            (k, window_label(w) + (" (open now)" if w.opens <= today <= w.closes else ""))
            for k, w in self.windows.items()
        ]
        if candidates is None:
            del self.fields["families"]
        else:
            self.fields["families"].choices = [
                (
                    str(r.family_id),
                    f"{r.family.name} ({r.family.reference}), claimable since "
                    f"{r.claimable_since:%-d %B %Y}, route {r.claim_route}",
                )
                for r in candidates
            ]

    def clean_window(self):
        return self.windows[self.cleaned_data["window"]]

    def clean(self):
        cleaned = super().clean()
        window, on = cleaned.get("window"), cleaned.get("submitted_on")
        if window and on:
            if not window.opens <= on <= window.closes:
                self.add_error("submitted_on", "The submission date must be within the window")
            elif on > timezone.localdate():
                self.add_error("submitted_on", "The submission date cannot be in the future")
        return cleaned


class VerdictForm(GovukMessagesMixin, forms.Form):
    verdict = forms.ChoiceField(
        label="Does the evidence support the claim?",
        error_messages={"required": "Select whether the evidence supports the claim"},
        choices=AuditSampleItem.Verdict.choices,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed when you disagree: what the evidence does not show.",
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("verdict") == AuditSampleItem.Verdict.DISAGREE
            and not (cleaned.get("reason") or "").strip()
        ):
            self.add_error("reason", "Enter why the evidence does not support the claim")
        return cleaned


class WhatIfForm(GovukMessagesMixin, forms.Form):
    """The family (picked from a search among the families the user may see; the gate decides)
    and the date to judge it on."""

    family = forms.IntegerField(
        label="Family",
        widget=forms.RadioSelect,
        error_messages={"required": "Select a family", "invalid": "Select a family"},
    )
    on = DateInputField(
        label="Date to judge the family on",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date to judge the family on"},
    )
