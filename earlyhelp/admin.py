from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group

from . import services
from .models import Locality, Organisation, Team, User, UserSession


@admin.register(Locality)
class LocalityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0
    fields = ["name", "locality"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "tier", "is_active"]
    list_filter = ["kind", "tier", "is_active"]
    search_fields = ["name"]
    inlines = [TeamInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "locality"]
    list_filter = ["organisation__kind", "locality"]
    search_fields = ["name", "organisation__name"]
    list_select_related = ["organisation", "locality"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "get_full_name", "role", "team", "is_active", "last_login"]
    list_filter = ["role", "is_active", "team__organisation"]
    list_select_related = ["team__organisation"]
    search_fields = ["username", "first_name", "last_name", "email"]
    filter_horizontal = ["managed_teams"]
    readonly_fields = ["last_login", "date_joined", "deactivated_at", "is_staff", "is_superuser"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "email", "job_title"]}),
        ("Role and team", {"fields": ["role", "team", "managed_teams"]}),
        (
            "Status",
            {"fields": ["is_active", "deactivated_at", "last_login", "date_joined"]},
        ),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "email", "role", "team", "password1", "password2"],
            },
        ),
    ]
    actions = ["deactivate_users"]

    def save_model(self, request, obj, form, change):
        services.user_sync_role(obj)
        leaving = change and "is_active" in form.changed_data and not obj.is_active
        super().save_model(request, obj, form, change)
        if leaving:
            ended = services.user_deactivate(obj)
            messages.info(request, f"{obj} is deactivated; {ended} session(s) ended.")

    @admin.action(description="Deactivate selected users (leavers) and end their sessions")
    def deactivate_users(self, request, queryset):
        ended = sum(services.user_deactivate(user) for user in queryset.filter(is_active=True))
        messages.success(
            request, f"Deactivated {queryset.count()} user(s); {ended} session(s) ended."
        )


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "ip_address"]
    readonly_fields = ["user", "session_key", "created_at", "ip_address"]

    def has_add_permission(self, request):
        return False


# Roles are a field on the user (DOMAIN §1), not Django groups.
admin.site.unregister(Group)
