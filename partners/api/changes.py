"""GET /api/v1/changes/: the change feed a partner system follows to stay in step."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from earlyhelp.access import Action, record_listing, role_may
from partners import feed

from .pagination import MAX_PAGE_SIZE, page_size_from
from .problems import problem
from .views import GateView


class ChangeOut(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["family", "person", "evidence", "request", "action", "case_note"]
    )
    id = serializers.IntegerField()
    op = serializers.ChoiceField(
        choices=["upsert", "delete"],
        help_text="upsert: here is the record now; delete: it is gone, or no longer yours to see",
    )
    data = serializers.JSONField(
        allow_null=True, help_text="As the resource's own endpoint shows it; null for a delete"
    )


class ChangePageOut(serializers.Serializer):
    results = ChangeOut(many=True)
    cursor = serializers.CharField(help_text="Send it back as ?cursor= to read on from here")
    more = serializers.BooleanField(help_text="False: you are up to date; ask again later")
    next = serializers.CharField(allow_null=True)


class ChangeFeed(GateView, APIView):
    """Changes to every record the client may read, oldest first, from the cursor on.

    Each record comes as it is now; when one is deleted, or the client may no longer
    see it, a `delete` for it. Start without a cursor to build the whole picture.
    """

    scopes = {"GET": "changes:read"}

    @extend_schema(
        parameters=[
            OpenApiParameter("cursor", OpenApiTypes.STR, description="Where you left off"),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                description=f"How many changes to a page: 1 to {MAX_PAGE_SIZE}, 100 if left out",
            ),
        ],
        responses={200: ChangePageOut},
        examples=[
            OpenApiExample(
                "Two changes",
                value={
                    "results": [
                        {"kind": "family", "id": 12, "op": "upsert", "data": {"id": 12}},
                        {"kind": "evidence", "id": 981, "op": "delete", "data": None},
                    ],
                    "cursor": "MTIzNDUuNjc4",
                    "more": False,
                    "next": None,
                },
                response_only=True,
            )
        ],
    )
    def get(self, request):
        if not role_may(request.user, Action.FOLLOW_CHANGES):
            # Its triggers follow what practitioners' relations read, and no other role's.
            return problem(
                403,
                "You do not have permission to follow the change feed: it follows what a "
                "practitioner's work reaches, for partner systems and practitioners",
                request=request,
            )
        try:
            after = feed.cursor_decode(request.query_params.get("cursor", ""))
        except feed.BadCursor as error:
            return problem(400, str(error), kind="validation", request=request)
        size = page_size_from(request, default=100)
        client = getattr(request, "api_client", None)
        scopes = set(client.scopes) if client is not None else None
        page = feed.changes_for(request.user, scopes=scopes, after=after, size=size)
        shown = [i for i in page.items if i["data"] is not None]
        record_listing(
            request.user,
            [_Id(i["id"]) for i in shown if i["kind"] == "family"],
            persons=[_Id(i["id"]) for i in shown if i["kind"] == "person"],
            action="changes",
        )
        cursor = feed.cursor_encode(page.position)
        next_url = None
        if page.more:
            next_url = request.build_absolute_uri(
                f"{request.path}?cursor={cursor}&page_size={size}"
            )
        return Response(
            {"results": page.items, "cursor": cursor, "more": page.more, "next": next_url}
        )


class _Id:
    def __init__(self, pk):
        self.pk = pk
