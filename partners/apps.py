from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partner agencies and API clients"

    def ready(self):
        from . import relations  # noqa: F401 (defines its relations in the access table)
        from .agreements import register_pages
        from .api import schema  # noqa: F401 (registers how the schema describes client sign-in)

        register_pages()
