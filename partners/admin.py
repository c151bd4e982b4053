from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from oauth2_provider.models import AccessToken, Application, Grant, IDToken, RefreshToken

from cases.models import DataKind

from .models import ApiClient, InformationSharingAgreement
from .services import api_client_create, api_client_revoke


class ApiClientForm(forms.ModelForm):
    """Scopes as checkboxes; the rest of a new client is made by `api_client_create`."""

    scopes = forms.MultipleChoiceField(
        choices=ApiClient.SCOPE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = ApiClient
        fields = ["organisation", "name", "scopes", "requests_per_minute"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Partner systems: add one (its secret is shown once), change its scopes, revoke it."""

    form = ApiClientForm
    list_display = ["name", "organisation", "is_active", "created_at"]
    list_filter = ["is_active", "organisation"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return ["organisation", "name", "is_active"] if obj else ["is_active"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        try:
            new = api_client_create(
                organisation=obj.organisation,
                name=obj.name,
                scopes=form.cleaned_data["scopes"],
                requests_per_minute=obj.requests_per_minute,
            )
        except ValidationError as error:
            raise PermissionDenied(" ".join(error.messages)) from error
        obj.pk = new.client.pk
        messages.warning(
            request,
            f"Client id {new.client_id} — secret {new.client_secret} — copy the secret now: "
            "it is shown only once.",
        )

    @admin.action(description="Revoke: no new tokens, and current tokens stop working")
    def revoke(self, request, queryset):
        for client in queryset:
            api_client_revoke(client=client)
        self.message_user(request, f"{queryset.count()} client(s) revoked.")


# Tokens and applications are kept through API clients above, never edited by hand.
for model in (AccessToken, Application, Grant, IDToken, RefreshToken):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


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
