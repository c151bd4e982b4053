"""Reads about the outcomes plan and evidence; lists start from the access gate."""

from datetime import date

from .models import Evidence, OutcomesPlanVersion


def plan_in_force(on: date) -> OutcomesPlanVersion | None:
    """The published version whose effective date is the latest on or before `on`."""
    return (
        OutcomesPlanVersion.objects.filter(
            status=OutcomesPlanVersion.Status.PUBLISHED, effective_from__lte=on
        )
        .order_by("-effective_from")
        .first()
    )


def evidence_for_family(family):
    """Every item, corrections beside what they correct, newest first."""
    return (
        Evidence.objects.filter(family=family)
        .select_related("person", "recorded_by", "api_client", "superseded_by")
        .order_by("-period_start", "-id")
    )
