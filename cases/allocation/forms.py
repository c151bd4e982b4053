"""The team manager's form: who leads the work with the family (DOMAIN §4 step 3)."""

from django import forms

from cases.closure.services import UNLED_NEEDS_MISSING, UNLED_REASON_MISSING, UNLED_REASONS
from earlyhelp.limits import TEXT_MAX
from earlyhelp.manage_forms import GovukMessagesMixin


class NameLeadForm(GovukMessagesMixin, forms.Form):
    lead_practitioner = forms.ModelChoiceField(
        label="Lead practitioner",
        queryset=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the lead practitioner",
            "invalid_choice": "Select the lead practitioner from the list",
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_practitioner"].queryset = candidates


class EndUnledForm(GovukMessagesMixin, forms.Form):
    reason = forms.ChoiceField(
        label="Why does the episode end?",
        choices=[(r.value, r.label) for r in UNLED_REASONS],
        widget=forms.RadioSelect,
        error_messages={"required": UNLED_REASON_MISSING},
    )
    needs_at_closure = forms.CharField(
        label="What the service did, and what the family need now",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=TEXT_MAX,
        error_messages={"required": UNLED_NEEDS_MISSING},
    )
