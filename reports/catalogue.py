"""Every report module, imported when the app is ready so each registers its reports."""

# Each module's reports register themselves with `reports.registry.report` when imported, and
# the index lists them in this order: the money and the claims first, then the outcomes.
REPORT_MODULES: list[str] = [
    "reports.finance",
    "reports.outcome_reports",
]
