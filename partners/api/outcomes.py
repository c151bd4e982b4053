"""A family's outcomes and claim status, as last night's job left them (issue 11: "outcomes and
claim status for families it works with"), through the same gate as the evidence: a client
reads them where it may read the family's evidence. The decision is the one the job kept; what is
still missing and the explanation are worked out again from the records, with
`explanation_matches` false (and a `notice`) where the records have changed since."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.gate import family_for
from earlyhelp.access import Action
from outcomes.explanations import explain, reason_texts
from outcomes.selectors import current_result

from .views import GateView


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    met = serializers.BooleanField()
    met_on = serializers.DateField(allow_null=True)
    sustained_on = serializers.DateField(allow_null=True)
    missing = serializers.ListField(child=serializers.CharField())


class FamilyOutcomesSerializer(serializers.Serializer):
    family = serializers.CharField(help_text="The family's reference")
    judged = serializers.BooleanField(help_text="False until the nightly job has judged it")
    as_of = serializers.DateField(allow_null=True, help_text="The date the results are as of")
    plan_version = serializers.IntegerField(allow_null=True)
    claim_status = serializers.ChoiceField(
        choices=["in_progress", "claimable", "claimed", "not_claimable"], allow_null=True
    )
    claimable_since = serializers.DateField(allow_null=True)
    claim_route = serializers.IntegerField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())
    missing = serializers.ListField(child=serializers.CharField())
    outcomes = OutcomeSerializer(many=True, help_text="Each outcome that applies to the family")
    explanation = serializers.CharField(allow_blank=True, help_text="In plain English")
    explanation_matches = serializers.BooleanField(
        help_text="True when the explanation and what is missing are the ones the decision was "
        "taken on; false when the records have changed since (see `notice`)"
    )
    notice = serializers.CharField(
        allow_blank=True, help_text="Why the explanation may not be the decision's, if it may not"
    )


EXAMPLE = {
    "family": "F0000123",
    "judged": True,
    "as_of": "2026-11-26",
    "plan_version": 9,
    "claim_status": "claimable",
    "claimable_since": "2026-07-15",
    "claim_route": 2,
    "reasons": [],
    "missing": [],
    "outcomes": [
        {
            "outcome": "3.1",
            "met": True,
            "met_on": "2026-01-14",
            "sustained_on": "2026-07-15",
            "missing": [],
        }
    ],
    "explanation": "Family 123, as of 26 November 2026 (Family Outcomes Plan version 9)\n…",
    "explanation_matches": True,
    "notice": "",
}


def family_outcomes(family) -> dict:
    row = current_result(family)
    if row is None:
        return {
            "family": family.reference,
            "judged": False,
            **dict.fromkeys(
                ("as_of", "plan_version", "claim_status", "claimable_since", "claim_route")
            ),
            "reasons": [],
            "missing": [],
            "outcomes": [],
            "explanation": "",
            "explanation_matches": False,
            "notice": "",
        }
    explained = explain(row)
    answer = explained.answer
    missing_of = {o.outcome: o.missing for o in answer.outcomes} if answer is not None else {}
    return {
        "family": family.reference,
        "judged": True,
        "as_of": row.as_of,
        "plan_version": row.plan_version,
        "claim_status": row.claim_status,
        "claimable_since": row.claimable_since,
        "claim_route": row.claim_route,
        "reasons": reason_texts(row),
        "missing": list(explained.missing),
        "outcomes": [
            {
                "outcome": o.outcome,
                "met": o.met,
                "met_on": o.met_on,
                "sustained_on": o.sustained_on,
                "missing": list(missing_of.get(o.outcome, ())),
            }
            for o in row.decision.applying()
        ],
        "explanation": explained.practitioner(),
        "explanation_matches": explained.same,
        "notice": explained.notice,
    }


class FamilyOutcomes(GateView, APIView):
    """A family's current outcomes and claim status with their plain-English explanation, as
    the nightly job last judged them; `judged` is false until it has."""

    scopes = {"GET": "outcomes:read"}

    @extend_schema(
        responses=FamilyOutcomesSerializer,
        examples=[OpenApiExample("A claimable family", value=EXAMPLE, response_only=True)],
    )
    def get(self, request, pk):
        family = family_for(request.user, pk, action=Action.VIEW_EVIDENCE)
        return Response(FamilyOutcomesSerializer(family_outcomes(family)).data)
