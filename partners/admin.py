from django import forms
from django.contrib import admin

from cases.models import DataKind

from .models import ApiClient, InformationSharingAgreement


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=ApiClient.Scope.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = ApiClient
        fields = ["organisation", "name", "scopes", "is_active"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    list_display = ["name", "organisation", "is_active", "created_at"]
    list_filter = ["is_active", "organisation"]


class AgreementForm(forms.ModelForm):
    data_kinds = forms.MultipleChoiceField(
        choices=DataKind.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = InformationSharingAgreement
        fields = ["name", "organisations", "data_kinds", "starts_on", "ends_on"]


@admin.register(InformationSharingAgreement)
class InformationSharingAgreementAdmin(admin.ModelAdmin):
    """Administrators keep the agreements; the access gate reads them (DOMAIN §1)."""

    form = AgreementForm
    list_display = ["name", "starts_on", "ends_on"]
    filter_horizontal = ["organisations"]
