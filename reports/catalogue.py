"""Every report module, imported when the app is ready so each registers its reports."""

# Each module's reports register themselves with `reports.registry.report` when imported.
REPORT_MODULES: list[str] = ["reports.finance"]
