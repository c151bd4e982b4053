"""The team around the family's work a partner system takes part in: its actions, its notes.

A client is on a family's team as its system user (the lead adds it like any
practitioner of its agency), so it owns actions and writes case notes exactly
as a person on the team would, through the same gate and services as the pages:
an input serializer checks the payload's shape, and the service its rules, in
the words the pages use. Updates to an action need the ETag the client read
(If-Match), so two systems never overwrite each other without knowing.
"""

import django_filters
from django import forms
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
from cases.episode.selectors import open_episode_of
from cases.gate import families_allowing, family_for
from cases.models import CaseNote, Episode, PlanAction
from cases.people.selectors import plan_action_for, plan_actions_owned_by
from earlyhelp.access import Action, record_listing

from .fields import Day, Id, Text, says
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
    default_error_messages = {"invalid": "Send the update as a JSON object"}

    status = serializers.ChoiceField(
        choices=PlanAction.Status.choices,
        error_messages=says(
            services.ACTION_STATUS_MISSING, invalid_choice=services.ACTION_STATUS_UNKNOWN
        ),
    )
    note = Text(
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
    default_error_messages = {"invalid": "Send the note as a JSON object"}

    family = Id(error_messages=says("Enter the family's id", invalid="Enter the family's id"))
    kind = serializers.ChoiceField(
        choices=CaseNote.Kind.choices,
        error_messages=says(services.NOTE_KIND_MISSING, invalid_choice=services.NOTE_KIND_UNKNOWN),
    )
    happened_on = Day(
        not_real=services.date_not_real(services.NOTE_HAPPENED_ON),
        error_messages=says(services.date_missing(services.NOTE_HAPPENED_ON)),
    )
    about = serializers.ListField(
        child=Id(),
        required=False,
        help_text="Person ids of members",
        error_messages={"not_a_list": "Give the person ids of members"},
    )
    text = Text(error_messages=says(services.NOTE_TEXT_MISSING))


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
        given = PlanActionUpdateIn(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            services.plan_action_update(
                action=action,
                status=given.validated_data["status"],
                note=given.validated_data.get("note") or "",
                by=request.user,
                expected_version=_matching(wanted, action),
            )
        except services.ActionChanged as changed:
            return problem(412, str(changed), request=request, headers=_etag(action, fresh=True))
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
        given = CaseNoteIn(data=request.data)
        given.is_valid(raise_exception=True)
        answers = given.validated_data
        family = family_for(request.user, answers["family"], action=Action.ADD_CASE_NOTE)
        episode = open_episode_of(family)
        if episode is None:
            return problem(409, "The family has no open episode", request=request)
        # Its rules are the service's, as for the page: a refusal is a problem, by field.
        note = services.case_note_add(
            episode=episode,
            kind=answers["kind"],
            happened_on=answers["happened_on"],
            about=answers.get("about") or [],
            text=answers["text"],
            by=request.user,
        )
        note = self.get_queryset().get(pk=note.pk)
        return Response(CaseNoteOut(note).data, status=status.HTTP_201_CREATED)


class _Id:
    def __init__(self, pk):
        self.pk = pk
