from django.contrib.admin.apps import AdminConfig


class EarlyHelpAdminConfig(AdminConfig):
    """Django admin, with the site that only administrators reach."""

    default_site = "earlyhelp.admin_site.EarlyHelpAdminSite"
