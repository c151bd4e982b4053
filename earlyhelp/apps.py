from django.apps import AppConfig


class EarlyHelpConfig(AppConfig):
    name = "earlyhelp"
    verbose_name = "People and organisations"

    def ready(self):
        from . import checks, compiled, signals  # noqa: F401

        compiled.pass_history_over_them()
