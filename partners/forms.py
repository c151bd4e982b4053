from django import forms
from django.core.exceptions import ValidationError

from outcomes.evidence_files import MAX_BYTES, MAX_ROWS, file_format


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
