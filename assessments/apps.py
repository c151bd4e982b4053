from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments and outcome tools"

    def ready(self):
        from . import relations  # noqa: F401 (defines its relations in the access table)
