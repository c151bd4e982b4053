"""Information sharing agreements in the administrators' configuration pages (issue 18: kept
in pages, not only in the Django admin): listed, added and changed as the other kinds there are,
saved through `services.agreement_save`, which writes each change to the audit trail."""

from __future__ import annotations

from earlyhelp.manage_views import Section, register

from .forms import AgreementForm
from .models import InformationSharingAgreement
from .services import agreement_save


def _save(form, by):
    data = form.cleaned_data
    return agreement_save(
        agreement=form.instance if form.instance.pk else None,
        name=data["name"],
        organisations=list(data["organisations"]),
        data_kinds=data["data_kinds"],
        starts_on=data["starts_on"],
        ends_on=data.get("ends_on"),
        by=by,
    )


def register_pages() -> None:
    register(
        Section(
            "agreements",
            "information sharing agreement",
            "Information sharing agreements",
            AgreementForm,
            [("Name", "name"), ("From", "starts_on"), ("To", "ends_on"), ("Agencies", "agencies")],
            rows=lambda: InformationSharingAgreement.objects.prefetch_related(
                "organisations"
            ).order_by("name"),
            save=_save,
        )
    )
