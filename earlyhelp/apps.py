from django.apps import AppConfig


class EarlyHelpConfig(AppConfig):
    name = "earlyhelp"
    verbose_name = "People and organisations"

    def ready(self):
        from . import checks, signals  # noqa: F401
