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


def current_result(family):
    """The family's current nightly result (None until the nightly job has judged it)."""
    from .models import FamilyResult

    return FamilyResult.objects.filter(family=family, is_current=True).first()


def results_for_family_page(family) -> dict | None:
    """What the family page shows of the family's current results: the claim status, what is
    still missing, each outcome, and the engine's plain-English explanation."""
    from outcomes.engine.explain import for_practitioner, headline

    from .results_read import result_from_dict

    row = current_result(family)
    if row is None:
        return None
    result = result_from_dict(row.result)
    return {
        "row": row,
        "headline": headline(result),
        "reasons": [r["text"] for r in row.result["claim"]["reasons"]],
        "missing": list(row.result["missing"]),
        "outcomes": [o for o in row.result["outcomes"] if o["applies"]],
        "explanation": for_practitioner(result),
    }
