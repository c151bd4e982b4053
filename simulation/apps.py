from django.apps import AppConfig


class SimulationConfig(AppConfig):
    """A council's year played through the services, day by day, with invariants checked after
    each day (issue 18). Nothing in the service imports it: it sits on top of every app."""

    name = "simulation"
    verbose_name = "Simulated council year"
