from importlib import import_module

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "The programme's reports"

    def ready(self):
        from .catalogue import REPORT_MODULES

        for module in REPORT_MODULES:
            import_module(module)
