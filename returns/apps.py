from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    """The national returns (DOMAIN §10): the National Impact Study extract and Family Progress
    Data, built as of a date from the programme's attachments, people and evidence. It reads
    outcomes, cases and the core and owns only the layouts, so it sits above them (README,
    "Design")."""

    name = "returns"
    verbose_name = "National returns"
