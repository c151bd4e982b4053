"""The relation to a family that the employment triage panel makes (earlyhelp.access has the
table): a completed work conversation is a referral the hub's weekly panel allocates."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q

from earlyhelp.access import Reach, Relation, defines

from .models import WorkConversation


@defines(Relation.EMPLOYMENT_PANEL)
def _employment_panel(user, wanted, moment) -> dict:
    # Like a request: awaiting the panel, or decided there in the last N days.
    since = moment.now - timedelta(days=settings.HUB_RECENT_TRIAGE_DAYS)
    referrals = WorkConversation.objects.filter(status=WorkConversation.Status.COMPLETED).filter(
        Q(decided_at__isnull=True) | Q(decided_at__gte=since)
    )
    return {Relation.EMPLOYMENT_PANEL: Reach(referrals, "episode__family")}
