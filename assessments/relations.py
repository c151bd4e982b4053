"""The relation to a family that the employment triage panel makes (earlyhelp.access has the
table): a completed work conversation is a referral the hub's weekly panel allocates."""

from __future__ import annotations

from django.db.models import Q

from earlyhelp import policy
from earlyhelp.access import Reach, Relation, defines

from .models import WorkConversation


@defines(Relation.EMPLOYMENT_PANEL)
def _employment_panel(user, wanted, moment) -> dict:
    # Like a request: awaiting the panel, or decided there within the hub's window.
    since = policy.hub_window_start(moment.now)
    referrals = WorkConversation.objects.filter(status=WorkConversation.Status.COMPLETED).filter(
        Q(decided_at__isnull=True) | Q(decided_at__gte=since)
    )
    return {Relation.EMPLOYMENT_PANEL: Reach(referrals, "episode__family")}
