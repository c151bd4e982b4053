"""The team manager's form: who leads the work with the family (DOMAIN §4 step 3)."""

from django import forms

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
