"""Celery tasks: thin wrappers around services (CONVENTIONS.md)."""

from celery import shared_task

from . import notifications


@shared_task
def notify_overdue_reviews() -> int:
    return notifications.notify_overdue_reviews()
