from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Families and cases"

    def ready(self):
        from . import relations  # noqa: F401 (defines its relations in the access table)
