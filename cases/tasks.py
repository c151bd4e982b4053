"""Celery tasks: thin wrappers around services (CONVENTIONS.md)."""

from celery import shared_task

from cases.closure import lead
from cases.consent import services as consent
from cases.dashboards import stored as dashboard_figures
from cases.notifications import services as notifications


@shared_task
def notify_overdue_reviews() -> int:
    return notifications.notify_overdue_reviews()


@shared_task
def refresh_dashboard_figures() -> int:
    return dashboard_figures.dashboard_figures_refresh_all()


@shared_task
def apply_scheduled_lead_changes() -> int:
    return lead.lead_changes_apply_due()


@shared_task
def notify_consent_chase_due() -> int:
    return consent.consent_chase_notify()
