from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data generator and its `seed_demo` command. Nothing in the service imports it:
    it writes through the apps' services like any other caller, from the top of the layers."""

    name = "demo"
    verbose_name = "Demo data"
