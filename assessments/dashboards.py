"""The employment triage panel figure of DOMAIN §9: referrals, allocated per provider,
unallocated. A `cases.dashboards.selectors.Table`, so the page and its CSV cannot disagree.

A referral counts in the period it was completed in (the conversation's
completion), whatever the panel decided since; the rows below it split that
same set, so allocated + not allocated + awaiting the panel = referrals.
The families are the dashboard's own scope (`families_in_scope`): only those
the user may see, narrowed by team, agency and locality.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Count
from django.utils import timezone

from cases.dashboards.selectors import Cuts, Table, families_in_scope

from .models import EmploymentProvider, NotAllocated, WorkConversation


def _moment(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def employment_panel(user, cuts: Cuts, *, visible=None) -> Table:
    """Referrals completed in the period and what the panel did with them. 2 queries."""
    counts = {
        (row["provider_id"], row["not_allocated_reason"]): row["n"]
        for row in WorkConversation.objects.filter(
            status=WorkConversation.Status.COMPLETED,
            completed_at__gte=_moment(cuts.start),
            completed_at__lt=_moment(cuts.end + timedelta(days=1)),
            episode__family__in=families_in_scope(user, cuts, visible),
        )
        .order_by()
        .values("provider_id", "not_allocated_reason")
        .annotate(n=Count("pk"))
    }
    total = sum(counts.values())
    by_provider: dict = {}
    by_reason: dict = {}
    awaiting = 0
    # A decision is a provider or a reason (a constraint says so): neither is awaiting.
    for (provider_id, reason), n in counts.items():
        if provider_id is not None:
            by_provider[provider_id] = by_provider.get(provider_id, 0) + n
        elif reason:
            by_reason[reason] = by_reason.get(reason, 0) + n
        else:
            awaiting += n
    # Every active provider has a row; an inactive one only while it has referrals here.
    providers = [
        p for p in EmploymentProvider.objects.order_by("name") if p.is_active or p.pk in by_provider
    ]

    def share(n):
        return n / total if total else None

    rows = [["Referrals (completed conversations)", total, share(total)]]
    for provider in providers:
        n = by_provider.get(provider.pk, 0)
        rows.append([f"Allocated to {provider.name}", n, share(n)])
    allocated = sum(by_provider.values())
    rows.append(["Allocated, all providers", allocated, share(allocated)])
    for reason in NotAllocated:
        n = by_reason.get(reason.value, 0)
        rows.append([f"Not allocated: {reason.label.lower()}", n, share(n)])
    unallocated = sum(by_reason.values())
    rows.append(["Not allocated, all reasons", unallocated, share(unallocated)])
    rows.append(["Awaiting the panel", awaiting, share(awaiting)])
    return Table(
        "employment-panel",
        "Employment triage panel: referrals, allocated per provider, unallocated",
        ["Referrals", "Number", "Share of referrals"],
        rows,
        numeric={1, 2},
    )
