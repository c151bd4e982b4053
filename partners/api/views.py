"""API views, one per operation, each reaching families and persons only through the gate."""

import json
from datetime import UTC
from pathlib import Path

import django_filters
from django import forms
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.gate import (
    families_allowing,
    families_visible_to,
    family_for,
    person_for,
    persons_visible_to,
)
from cases.models import Family, FamilyMember, Person
from earlyhelp.access import Action, record_listing
from outcomes import selectors as outcome_selectors
from outcomes.engine import EvaluationError, evaluate
from outcomes.engine.jsonio import SnapshotError, result_to_dict, snapshot_from_dict
from outcomes.evidence_files import (
    MAX_ROWS,
    EvidenceFileError,
    TooManyRows,
    file_format,
    read_evidence_file,
)
from outcomes.models import Evidence, OutcomesPlanVersion
from outcomes.services import evidence_import

from .auth import HasScope
from .filters import FilterSet
from .parsers import JSONParser
from .problems import problem
from .serializers import EvidenceSerializer, FamilySerializer, PersonSerializer

SNAPSHOT_EXAMPLE = json.loads(
    (Path(__file__).resolve().parents[2] / "outcomes/examples/family_snapshot.json").read_text()
)


class GateView:
    permission_classes = [*APIView.permission_classes, HasScope]


def family_rows(user):
    """Families as the API shows them: the list, the detail and the change feed."""
    return (
        families_visible_to(user)
        .select_related("locality")
        .prefetch_related(
            Prefetch("memberships", queryset=FamilyMember.objects.select_related("person"))
        )
    )


def evidence_rows(user):
    """Evidence of every family where the gate lets the user read evidence."""
    return Evidence.objects.filter(family__in=families_allowing(user, Action.VIEW_EVIDENCE))


class UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """Any ISO 8601 offset Python reads (up to ±23:59), as UTC: PostgreSQL takes ±15:59 only."""

    def clean(self, value):
        moment = super().clean(value)
        try:
            return moment.astimezone(UTC) if moment is not None else None
        except OverflowError:
            raise forms.ValidationError(
                "Give a date and time between the years 1 and 9999"
            ) from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class FamilyFilter(FilterSet):
    postcode = django_filters.CharFilter(field_name="postcode", lookup_expr="istartswith")
    locality = django_filters.CharFilter(field_name="locality__name", lookup_expr="iexact")
    updated_since = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")


class FamilyList(GateView, generics.ListAPIView):
    """Families the client's agency may see (consent under a sharing agreement)."""

    queryset = Family.objects.none()  # for the schema; get_queryset decides
    scopes = {"GET": "families:read"}
    serializer_class = FamilySerializer
    filterset_class = FamilyFilter
    ordering_fields = ["id", "updated_at"]

    def get_queryset(self):
        return family_rows(self.request.user)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        record_listing(request.user, [_Id(row["id"]) for row in response.data["results"]])
        return response


class FamilyDetail(GateView, generics.RetrieveAPIView):
    """One family the client may see, with its members; 404 for any other (audited)."""

    scopes = {"GET": "families:read"}
    serializer_class = FamilySerializer

    def get_object(self):
        return family_for(self.request.user, self.kwargs["pk"], action=Action.VIEW)


class PersonList(GateView, generics.ListAPIView):
    """Persons who are or were members of families the client may see."""

    queryset = Person.objects.none()  # for the schema; get_queryset decides
    scopes = {"GET": "families:read"}
    serializer_class = PersonSerializer
    filterset_fields = ["nhs_number", "upn", "date_of_birth"]

    def get_queryset(self):
        return persons_visible_to(self.request.user)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        record_listing(request.user, persons=[_Id(r["id"]) for r in response.data["results"]])
        return response


class PersonDetail(GateView, generics.RetrieveAPIView):
    """One person the client may see through any family they belong or belonged to."""

    scopes = {"GET": "families:read"}
    serializer_class = PersonSerializer

    def get_object(self):
        return person_for(self.request.user, self.kwargs["pk"], action=Action.VIEW)


class FamilyEvidence(GateView, generics.ListAPIView):
    """A family's outcome evidence, where the client's consent covers evidence."""

    queryset = Evidence.objects.none()  # for the schema; get_queryset decides
    scopes = {"GET": "evidence:read"}
    serializer_class = EvidenceSerializer

    def get_queryset(self):
        family = family_for(self.request.user, self.kwargs["pk"], action=Action.VIEW_EVIDENCE)
        return outcome_selectors.evidence_for_family(family).order_by("id")


class EvidenceSubmit(GateView, APIView):
    """Evidence rows: one object, a JSON list, or a CSV file of thousands of rows.

    The same import service as the pages: every row checked, and a resend with the same
    (source, external_id) changes nothing. Rows sent as JSON are all saved or none; a file
    (multipart `file`, CSV or JSON) keeps its good rows and reports the others, and each of its
    rows needs an `external_id`. The answer is a per-row report.
    """

    scopes = {"POST": "evidence:write"}
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        request=EvidenceSerializer(many=True),
        responses={201: dict, 200: dict},
        examples=[
            OpenApiExample(
                "Two exclusions",
                request_only=True,
                value=[
                    {
                        "family": "F0000123",
                        "person": 456,
                        "kind": "fixed_term_exclusion",
                        "period_start": "2026-03-02",
                        "values": {"days": 2},
                        "source": "Loughborough Grammar Academy",
                        "external_id": "EX-2026-031",
                    },
                    {
                        "family": "F0000123",
                        "person": 456,
                        "kind": "fixed_term_exclusion",
                        "period_start": "2026-05-11",
                        "values": {"days": 1},
                        "source": "Loughborough Grammar Academy",
                        "external_id": "EX-2026-077",
                    },
                ],
            ),
            OpenApiExample(
                "The per-row report",
                response_only=True,
                status_codes=["201"],
                value={"saved": True, "created": 2, "unchanged": 0, "errors": []},
            ),
        ],
    )
    def post(self, request):
        rows = _rows_from(request)
        if isinstance(rows, Response):
            return rows
        # A file follows the evidence files page's rule: its good rows are saved and its bad
        # rows reported ("accepted except exactly those"), every row keyed by its external_id
        # so that resending the corrected file adds only what was refused. Rows sent as JSON
        # are all saved or none: a partner system that retries wants that.
        is_file = "file" in request.FILES
        report = evidence_import(
            rows,
            recorded_by=None if hasattr(request, "api_client") else request.user,
            api_client=getattr(request, "api_client", None),
            families=families_allowing(request.user, Action.ADD_EVIDENCE),
            keep_good_rows=is_file,
        )
        if not report.saved:
            return problem(
                400,
                f"{len(report.problems)} problem(s) in {len(rows)} row(s): nothing was saved",
                kind="evidence-rows",
                errors=[p.as_dict() for p in report.problems],
                request=request,
            )
        body = report.as_dict()
        return Response(body, status=status.HTTP_201_CREATED if report.created else 200)


def _rows_from(request):
    upload = request.FILES.get("file")
    if upload is not None:
        # The API has always read an upload as CSV; a .json file is read as JSON.
        try:
            rows = read_evidence_file(upload.read(), format=file_format(upload.name) or "csv").rows
        except TooManyRows as error:
            return problem(413, str(error), request=request)
        except EvidenceFileError as error:
            return problem(400, str(error), request=request)
    else:
        rows = request.data if isinstance(request.data, list) else [request.data]
    if not rows:
        return problem(400, "Send at least one evidence row", request=request)
    if len(rows) > MAX_ROWS:
        return problem(413, f"At most {MAX_ROWS} rows in one call: split the file", request=request)
    return rows


class Evaluate(GateView, APIView):
    """What-if: family snapshots in the engine's format in, results and explanations out.

    Touches no record: the snapshots are the caller's own data.
    """

    scopes = {"POST": "evaluate"}
    parser_classes = [JSONParser]

    @extend_schema(
        request=dict,
        responses={200: dict},
        examples=[
            OpenApiExample(
                "A family snapshot (outcomes/engine/FORMAT.md gives every field)",
                request_only=True,
                value=SNAPSHOT_EXAMPLE,
            )
        ],
    )
    def post(self, request):
        items = request.data if isinstance(request.data, list) else [request.data]
        if not items or len(items) > 1000:
            return problem(400, "Send between 1 and 1000 snapshots", request=request)
        in_force = outcome_selectors.plan_in_force(timezone.localdate())
        versions = {v.version: v for v in OutcomesPlanVersion.objects.filter(status="published")}
        results, errors = [], []
        for index, item in enumerate(items):
            try:
                snapshot = snapshot_from_dict(item)
            except SnapshotError as error:
                errors.append({"field": f"[{index}].{error.field}", "message": error.problem})
                continue
            wanted = (item.get("attachment") or {}).get("plan_version") or item.get("plan_version")
            version = versions.get(wanted) if wanted else in_force
            if version is None:
                errors.append(
                    {
                        "field": f"[{index}].plan_version",
                        "message": f"no published version {wanted}",
                    }
                )
                continue
            try:
                results.append(result_to_dict(evaluate(snapshot, version.plan)))
            except EvaluationError as error:
                errors.append({"field": f"[{index}]", "message": str(error)})
        if errors:
            return problem(
                400,
                "Some snapshots are not right: see errors",
                errors=errors,
                kind="validation",
                request=request,
            )
        return Response(results if isinstance(request.data, list) else results[0])


class NoSuchPath(APIView):
    """Any other path under /api/v1/ (a negative id, a word for an id, a typo) answers a
    problem like every API answer, not the site's HTML page; signed-in callers only."""

    schema = None  # not an operation

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound("No such record, or not one you may see")


class _Id:
    def __init__(self, pk):
        self.pk = pk
