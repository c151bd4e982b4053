from django.contrib import admin

from .models import EmploymentProvider


@admin.register(EmploymentProvider)
class EmploymentProviderAdmin(admin.ModelAdmin):
    """The providers the employment triage panel allocates referrals to."""

    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        # A provider with allocations is kept (and can be made inactive) so the figures hold.
        if obj is not None and obj.referrals.exists():
            return False
        return super().has_delete_permission(request, obj)
