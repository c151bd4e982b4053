"""Reads of a person's notifications.

A notification names a family ("Case allocated: the Nowak family"). It is kept after the
person stops working with the family, but the family is then not named again: whether it
may be is the gate's question, asked when the notification is shown, like any page's.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from cases.gate import families_visible_to
from cases.models import Notification


def notifications_for(user) -> QuerySet:
    """The user's notifications, newest first, each with `family_visible`: whether the family
    it names (if any) is one the user may see now, asked of that family alone (a page shows
    five)."""
    visible = families_visible_to(user, row_by_row=True).filter(pk=OuterRef("family_id"))
    return (
        Notification.objects.filter(user=user)
        .annotate(family_visible=Exists(visible))
        .select_related("family")
    )


def families_named(notes) -> list:
    """The families the shown notifications name, for the page's audit row."""
    return [note.family for note in notes if note.family_id and note.family_visible]
