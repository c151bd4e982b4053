"""System checks of the service's own wiring (run by `manage.py check`, migrate and runserver)."""

from django.core.checks import Error, register

from .access import undefined_relations


@register()
def every_relation_defined(app_configs=None, **kwargs):
    """A relation some role can have but no app defines would grant nothing, silently."""
    return [
        Error(
            f"No app defines the access relation {relation.name} ({relation}).",
            hint="Define it with @earlyhelp.access.defines in the app that owns its records, "
            "imported from the app's ready().",
            id="earlyhelp.E001",
        )
        for relation in sorted(undefined_relations())
    ]
