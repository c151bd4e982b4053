from django import forms
from django.core.exceptions import ValidationError

from earlyhelp.date_input import DateInputField
from earlyhelp.manage_forms import GovukMessagesMixin
from earlyhelp.models import Organisation
from outcomes.evidence_files import MAX_BYTES, MAX_ROWS, file_format

from .models import DataKind, InformationSharingAgreement
from .services import agreement_problems


class EvidenceFileForm(forms.Form):
    file = forms.FileField(
        label="Upload an evidence file",
        help_text=f"A CSV or JSON file, smaller than {MAX_BYTES // (1024 * 1024)} MB, "
        f"of at most {MAX_ROWS:,} rows.",
        error_messages={
            "required": "Select a CSV or JSON file",
            "empty": "The selected file is empty",
            "invalid": "Select a CSV or JSON file",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if file_format(upload.name) is None:
            raise ValidationError("The selected file must be a CSV or JSON file")
        if upload.size > MAX_BYTES:
            raise ValidationError(
                f"The selected file must be smaller than {MAX_BYTES // (1024 * 1024)} MB: split it"
            )
        return upload


class AgreementForm(GovukMessagesMixin, forms.ModelForm):
    """An information sharing agreement, as administrators keep it in the configuration pages
    (saved by `partners.services.agreement_save`)."""

    organisations = forms.ModelMultipleChoiceField(
        label="Agencies in the agreement",
        queryset=Organisation.objects.filter(is_active=True).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the agencies in the agreement"},
    )
    data_kinds = forms.MultipleChoiceField(
        label="Kinds of data they share",
        choices=DataKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the kinds of data they share"},
    )
    starts_on = DateInputField(name="Start date", label="Start date")
    ends_on = DateInputField(
        name="End date",
        label="End date",
        required=False,
        help_text="Leave empty while the agreement runs.",
    )

    class Meta:
        model = InformationSharingAgreement
        fields = ["name", "organisations", "data_kinds", "starts_on", "ends_on"]
        labels = {"name": "Name of the agreement"}
        error_messages = {
            "name": {
                "required": "Enter the name of the agreement",
                "unique": "An agreement with this name already exists",
            }
        }

    def clean(self):
        cleaned = super().clean()
        self.add_problems(
            agreement_problems(
                starts_on=cleaned.get("starts_on"),
                ends_on=cleaned.get("ends_on"),
                organisations=cleaned.get("organisations"),
            )
        )
        return cleaned
