"""The team around the family's work a partner system takes part in: its actions, its notes.

A client is on a family's team as its system user (the lead adds it like any
practitioner of its agency), so it owns actions and writes case notes exactly
as a person on the team would, through the same gate, forms and services as
the pages. Updates to an action need the ETag the client read (If-Match), so
two systems never overwrite each other without knowing.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from cases.episode import services
from cases.episode.forms import CaseNoteForm, PlanActionUpdateForm
from cases.episode.selectors import open_episode_of
from cases.gate import families_allowing, family_for
from cases.models import CaseNote, Episode, PlanAction
from cases.people.selectors import current_members_of, plan_action_for, plan_actions_owned_by
from earlyhelp.access import Action, record_listing

from .answers import form_answers
from .filters import FilterSet
from .parsers import JSONParser
from .problems import problem
from .views import GateView


class PlanActionOut(serializers.ModelSerializer):
    family = serializers.IntegerField(source="episode.family_id")

    class Meta:
        model = PlanAction
        fields = ["id", "family", "what", "due_on", "need", "outcome", "status", "updated_at"]


class PlanActionUpdateIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=PlanAction.Status.choices)
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="What has happened; needed to stop an action",
    )


class CaseNoteOut(serializers.ModelSerializer):
    family = serializers.IntegerField(source="episode.family_id")
    about = serializers.SerializerMethodField()

    class Meta:
        model = CaseNote
        fields = ["id", "family", "kind", "happened_on", "about", "text", "written_at"]

    def get_about(self, obj) -> list[int]:
        return [member.person_id for member in obj.about.all()]


class CaseNoteIn(serializers.Serializer):
    family = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CaseNote.Kind.choices)
    happened_on = serializers.DateField()
    about = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Person ids of members"
    )
    text = serializers.CharField()


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A record's id: a whole number, not the decimal django-filter assumes."""

    field_class = forms.IntegerField


class ActionFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=PlanAction.Status.choices)
    family = IdFilter(field_name="episode__family_id")


class PlanActionList(GateView, generics.ListAPIView):
    """The actions of families' plans that the client owns, on families it may still read."""

    queryset = PlanAction.objects.none()  # for the schema; get_queryset decides
    scopes = {"GET": "actions:read"}
    serializer_class = PlanActionOut
    filterset_class = ActionFilter
    ordering_fields = ["id", "due_on"]

    def get_queryset(self):
        return plan_actions_owned_by(self.request.user)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        families = {row["family"] for row in response.data["results"]}
        record_listing(request.user, [_Id(pk) for pk in sorted(families)], action="list_actions")
        return response


IF_MATCH = OpenApiParameter(
    "If-Match",
    {"type": "string", "minLength": 1},
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag of the action as you last read it",
)


class PlanActionDetail(GateView, generics.GenericAPIView):
    """One action the client owns: GET gives its ETag; PATCH or PUT its status with If-Match."""

    scopes = {"GET": "actions:read", "PATCH": "actions:write", "PUT": "actions:write"}
    parser_classes = [JSONParser]
    serializer_class = PlanActionOut

    def get_object(self):
        return plan_action_for(self.request.user, self.kwargs["pk"], owned_only=True)

    def get(self, request, pk):
        action = self.get_object()
        return Response(PlanActionOut(action).data, headers=_etag(action))

    @extend_schema(
        request=PlanActionUpdateIn,
        parameters=[IF_MATCH],
        responses={200: PlanActionOut},
        examples=[
            OpenApiExample(
                "Started", value={"status": "in_progress", "note": "First meeting booked"}
            )
        ],
    )
    def patch(self, request, pk):
        return self._update(request, pk)

    @extend_schema(
        request=PlanActionUpdateIn,
        parameters=[IF_MATCH],
        responses={200: PlanActionOut},
        examples=[OpenApiExample("Done", value={"status": "done", "note": "Routine in place"})],
    )
    def put(self, request, pk):
        return self._update(request, pk)

    def _update(self, request, pk):
        action = plan_action_for(request.user, pk, to_update=True, owned_only=True)
        wanted = request.headers.get("If-Match")
        if not wanted:
            return problem(
                428,
                "Send If-Match with the ETag of the action as you last read it",
                request=request,
            )
        if action.episode.status != Episode.Status.OPEN:
            return problem(409, "The family's episode is closed", request=request)
        data = request.data if isinstance(request.data, dict) else {}
        refused: list[dict] = []
        given = form_answers(data, PlanActionUpdateForm.base_fields, errors=refused)
        if refused:
            return _problem(refused, request)
        form = PlanActionUpdateForm(
            {"status": given.get("status"), "note": given.get("note") or ""},
            episode=action.episode,
        )
        if not form.is_valid():
            return _form_problem(form, request)
        try:
            services.plan_action_update(
                action=action,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                by=request.user,
                expected_version=_matching(wanted, action),
            )
        except services.ActionChanged as changed:
            return problem(412, str(changed), request=request, headers=_etag(action, fresh=True))
        except ValidationError as error:
            return _service_problem(error, request)
        action.refresh_from_db()
        return Response(PlanActionOut(action).data, headers=_etag(action))


def _etag(action, *, fresh=False) -> dict:
    if fresh:
        action = PlanAction.objects.get(pk=action.pk)
    return {"ETag": f'"{services.action_version(action)}"'}


def _matching(header: str, action) -> str:
    """The version the client claims to hold: "*" is any, a list matches if any one does."""
    tags = [tag.strip().removeprefix("W/").strip('"') for tag in header.split(",")]
    current = services.action_version(action)
    if "*" in tags or current in tags:
        return current
    return tags[0]


class CaseNoteFilter(FilterSet):
    family = IdFilter(field_name="episode__family_id")
    kind = django_filters.ChoiceFilter(choices=CaseNote.Kind.choices)


def case_note_rows(user):
    """The notes the user wrote, on families where the gate still lets them read casework."""
    return (
        CaseNote.objects.filter(
            written_by=user, episode__family__in=families_allowing(user, Action.VIEW_CASEWORK)
        )
        .select_related("episode")
        .prefetch_related("about")
    )


class CaseNoteList(GateView, generics.ListCreateAPIView):
    """The case notes the client wrote; POST adds one to a family whose team it is on."""

    queryset = CaseNote.objects.none()  # for the schema; get_queryset decides
    scopes = {"GET": "case_notes:read", "POST": "case_notes:write"}
    parser_classes = [JSONParser]
    serializer_class = CaseNoteOut
    filterset_class = CaseNoteFilter
    ordering_fields = ["id", "happened_on"]

    def get_queryset(self):
        return case_note_rows(self.request.user)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        families = {row["family"] for row in response.data["results"]}
        record_listing(request.user, [_Id(pk) for pk in sorted(families)], action="list_notes")
        return response

    @extend_schema(
        request=CaseNoteIn,
        responses={201: CaseNoteOut},
        examples=[
            OpenApiExample(
                "A call",
                value={
                    "family": 123,
                    "kind": "call",
                    "happened_on": "2026-10-01",
                    "about": [456],
                    "text": "Spoke to mum about attendance; agreed a morning routine.",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request, *args, **kwargs):
        data = request.data if isinstance(request.data, dict) else {}
        if not isinstance(data.get("family"), int) or isinstance(data.get("family"), bool):
            return problem(
                400,
                "Say which family the note is for",
                kind="validation",
                errors=[{"field": "family", "message": "Enter the family's id"}],
                request=request,
            )
        family = family_for(request.user, data["family"], action=Action.ADD_CASE_NOTE)
        episode = open_episode_of(family)
        if episode is None:
            return problem(409, "The family has no open episode", request=request)
        members = current_members_of(family)
        by_person = {m.person_id: str(m.pk) for m in members}
        about = data.get("about") or []
        if not isinstance(about, list):
            about = [about]
        refused: list[dict] = []
        fields = {name: CaseNoteForm.base_fields[name] for name in ("kind", "happened_on", "text")}
        given = form_answers(data, fields, errors=refused)
        if not all(isinstance(p, int) and not isinstance(p, bool) for p in about):
            refused.append({"field": "about", "message": "Give the person ids of members"})
        if refused:
            return _problem(refused, request)
        form = CaseNoteForm(
            {**given, "about": [by_person.get(p, f"not-a-member-{p}") for p in about]},
            episode=episode,
            members=members,
        )
        if not form.is_valid():
            return _form_problem(form, request)
        try:
            note = services.case_note_add(episode=episode, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            return _service_problem(error, request)
        note = self.get_queryset().get(pk=note.pk)
        return Response(CaseNoteOut(note).data, status=status.HTTP_201_CREATED)


def _form_problem(form, request):
    errors = [
        {"field": "" if field == "__all__" else field, "message": message}
        for field, messages in form.errors.items()
        for message in messages
    ]
    return _problem(errors, request)


def _problem(errors, request):
    return problem(
        400,
        "Some fields are not right: see errors",
        kind="validation",
        errors=errors,
        request=request,
    )


def _service_problem(error: ValidationError, request):
    """A service's refusal: keyed by field where the service names one, as a page shows it."""
    if not hasattr(error, "error_dict"):
        return problem(400, "; ".join(error.messages), kind="validation", request=request)
    errors = [
        {"field": "" if field == "__all__" else field, "message": message}
        for field, messages in error.message_dict.items()
        for message in messages
    ]
    return problem(
        400,
        "Some fields are not right: see errors",
        kind="validation",
        errors=errors,
        request=request,
    )


class _Id:
    def __init__(self, pk):
        self.pk = pk
