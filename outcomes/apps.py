from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Family Outcomes Plan and payment by results"

    def ready(self):
        from . import relations  # noqa: F401 (defines its relations in the access table)
