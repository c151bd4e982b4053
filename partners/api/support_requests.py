"""Requests for support from partner systems: sent into the hub's queue, and their status read.

The input serializer checks the payload's shape; the request is then checked by the rules of
the same service as the request pages, `support_request_submit`, and written by it with the
client's system user as the sender: so the hub sees it in its queue like any other, the API
refuses exactly what the pages refuse in the same words, and the client reads back exactly the
requests it sent ("Your requests").
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from cases.front_door import rules
from cases.front_door.selectors import requests_submitted_by
from cases.front_door.services import (
    ConsentGiven,
    Referrer,
    RequestedPerson,
    support_request_submit,
)
from cases.gate import person_to_link
from cases.models import Consent, DataKind, FamilyMember, SupportRequest
from cases.people import rules as person_rules
from earlyhelp import audit
from earlyhelp.access import record_listing
from earlyhelp.models import AuditEntry, Locality, Organisation

from .fields import AllNamed, Choices, Day, Id, Named, Text, says
from .parsers import JSONParser
from .views import GateView

# A new person's details a partner may give; what it leaves out the record assumes.
PERSON_DETAILS = ["first_name", "last_name", "date_of_birth", "nhs_number", "upn", "postcode"]
NO_SUCH_PERSON = "No such person you may see"


def _text(field=None, **kwargs):
    """Text, with the longest the rules allow for `field` (and their words for longer)."""
    if field is not None:
        most, too_long = rules.LIMITS[field]
        kwargs["max_length"] = most
        kwargs["error_messages"] = {"max_length": too_long, **kwargs.get("error_messages", {})}
    return Text(**kwargs)


def _optional_text(field=None, **kwargs):
    """Optional text: left out, null and "" are all no answer."""
    return _text(field, required=False, allow_blank=True, allow_null=True, **kwargs)


class RequestedPersonIn(serializers.Serializer):
    default_error_messages = {"invalid": "Give each person as an object"}

    person_id = Id(
        required=False,
        allow_null=True,
        help_text="A person the client may already see; else give their details.",
    )
    role = serializers.ChoiceField(
        choices=FamilyMember.Role.choices,
        error_messages=says(rules.ROLE_MISSING, invalid_choice=rules.ROLE_UNKNOWN),
    )
    relationship = _optional_text("relationship")
    concerns = _optional_text("concerns")
    first_name = _optional_text(help_text="Needed for a new person")
    last_name = _optional_text(help_text="Needed for a new person")
    date_of_birth = Day(
        required=False, allow_null=True, not_real=person_rules.DATE_OF_BIRTH_NOT_REAL
    )
    nhs_number = _optional_text()
    upn = _optional_text()
    postcode = _optional_text()

    def validate_person_id(self, value):
        """Linking by id goes through the gate: one the client may not see is not there."""
        if value is None:
            return None
        try:
            return person_to_link(self.context["request"].user, value)
        except Http404:
            raise serializers.ValidationError(NO_SUCH_PERSON) from None


class ConsentIn(serializers.Serializer):
    default_error_messages = {"invalid": "Give the family's consent as an object"}

    kind = serializers.ChoiceField(
        choices=Consent.Kind.choices,
        error_messages=says(rules.CONSENT_KIND_MISSING, invalid_choice=rules.CONSENT_KIND_UNKNOWN),
    )
    given_by = _text("given_by", error_messages=says(rules.GIVEN_BY_MISSING))
    given_on = Day(not_real=rules.GIVEN_ON_NOT_REAL, error_messages=says(rules.GIVEN_ON_MISSING))
    chase_on = Day(
        required=False,
        allow_null=True,
        not_real=rules.CHASE_ON_NOT_REAL,
        help_text="For verbal consent: when to chase the written form",
    )
    covers = Choices(
        choices=DataKind.choices,
        error_messages=says(rules.COVERS_MISSING, unknown=rules.COVERS_UNKNOWN),
    )
    agencies = AllNamed(
        model=Organisation,
        help_text="Names of the agencies the family agreed to.",
        error_messages=says(rules.AGENCIES_MISSING, unknown=rules.AGENCIES_UNKNOWN),
    )


class SupportRequestIn(serializers.Serializer):
    """A request for support, as the request pages ask for it (DOMAIN §4 step 1)."""

    default_error_messages = {"invalid": "Send one request as a JSON object"}

    kind = serializers.ChoiceField(
        choices=SupportRequest.Kind.choices,
        error_messages=says(rules.KIND_MISSING, invalid_choice=rules.KIND_UNKNOWN),
    )
    referrer_name = _text("referrer_name")
    referrer_role = _text("referrer_role")
    referrer_phone = _text("referrer_phone")
    referrer_email = _optional_text("referrer_email")
    reason = _text(error_messages=says(rules.REASON_MISSING))
    address_line = _text("address_line", error_messages=says(rules.ADDRESS_MISSING))
    postcode = _text(error_messages=says(rules.POSTCODE_MISSING))
    locality = Named(
        model=Locality,
        help_text="The locality's name",
        error_messages=says(rules.LOCALITY_MISSING, unknown=rules.LOCALITY_UNKNOWN),
    )
    people = serializers.ListSerializer(
        child=RequestedPersonIn(),
        allow_empty=False,
        error_messages=says(rules.NO_PEOPLE, not_a_list="Give the people as a list"),
    )
    consent = ConsentIn(error_messages=says("Give the family's consent"))

    def get_fields(self):
        # Who is asking decides the words for a missing name, role and telephone number.
        fields = super().get_fields()
        given = getattr(self, "initial_data", None)
        kind = given.get("kind") if isinstance(given, dict) else None
        for name, message in rules.referrer_missing(kind).items():
            fields[name].error_messages.update(says(message))
        return fields


class SupportRequestOut(serializers.ModelSerializer):
    """Where a request the client sent stands; its family only once the client may see it."""

    reference = serializers.CharField(read_only=True)
    family = serializers.SerializerMethodField()
    about = serializers.SerializerMethodField()
    decision = serializers.CharField(source="decision.priority", default=None, allow_null=True)
    lead_agency = serializers.CharField(
        source="allocation.lead_agency.name", default=None, allow_null=True
    )

    class Meta:
        model = SupportRequest
        fields = [
            "id",
            "reference",
            "kind",
            "status",
            "received_at",
            "triaged_at",
            "decision",
            "lead_agency",
            "about",
            "family",
        ]

    def get_family(self, obj) -> int | None:
        return obj.family_id if getattr(obj, "family_visible", False) else None

    def get_about(self, obj) -> list[str]:
        return [member.name_as_given for member in obj.members.all()]


# Names an agency and a locality the demo data has (`make run`), so the example works as sent.
EXAMPLE = {
    "kind": "multi_agency",
    "referrer_name": "Sam Teacher",
    "referrer_role": "Designated safeguarding lead",
    "referrer_phone": "01632 960 001",
    "referrer_email": "sam.teacher@school.example",
    "reason": "Attendance has fallen to 70% this term and the family asked for help.",
    "address_line": "1 High Street, Loughborough",
    "postcode": "LE11 3TU",
    "locality": "Charnwood",
    "people": [
        {
            "role": "child",
            "first_name": "Alex",
            "last_name": "Smith",
            "date_of_birth": "2014-05-01",
            "concerns": "Often late; tired in class",
        }
    ],
    "consent": {
        "kind": "written",
        "given_by": "Jo Smith (mother)",
        "given_on": "2026-09-01",
        "covers": ["summary", "evidence"],
        "agencies": ["Loughborough Grammar Academy"],
    },
}


class SupportRequestList(GateView, generics.ListCreateAPIView):
    """The requests the client sent (newest status first); POST sends one to the hub's queue."""

    queryset = SupportRequest.objects.none()  # for the schema; get_queryset decides
    scopes = {"GET": "requests:read", "POST": "requests:write"}
    parser_classes = [JSONParser]
    serializer_class = SupportRequestOut
    filterset_fields = ["status", "kind"]
    ordering_fields = ["id", "received_at"]

    def get_queryset(self):
        return requests_submitted_by(user=self.request.user)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        families = [_Id(row["family"]) for row in response.data["results"] if row["family"]]
        record_listing(request.user, families, action="your_requests")
        return response

    @extend_schema(
        request=SupportRequestIn,
        responses={201: SupportRequestOut},
        examples=[OpenApiExample("A school's request", value=EXAMPLE, request_only=True)],
    )
    def post(self, request, *args, **kwargs):
        given = SupportRequestIn(data=request.data, context={"request": request})
        given.is_valid(raise_exception=True)
        # The service's own refusal, keyed by the API's field paths, is a problem too
        # (`problems.exception_handler`).
        sent = support_request_submit(
            by=request.user, **_arguments(given.validated_data, user=request.user)
        )
        sent = requests_submitted_by(user=request.user).get(pk=sent.pk)
        return Response(SupportRequestOut(sent).data, status=status.HTTP_201_CREATED)


class SupportRequestDetail(GateView, generics.RetrieveAPIView):
    """Where one request the client sent stands; 404 for anyone else's."""

    scopes = {"GET": "requests:read"}
    serializer_class = SupportRequestOut

    def get_object(self):
        found = requests_submitted_by(user=self.request.user).filter(pk=_pk(self.kwargs["pk"]))
        sent = found.first()
        if sent is None:
            audit.record(
                self.request.user,
                action="view_request",
                outcome=AuditEntry.Outcome.NOT_FOUND,
                detail=f"support request {self.kwargs['pk']}",
            )
            raise Http404("No such request")
        audit.record(
            self.request.user,
            action="view_request",
            outcome=AuditEntry.Outcome.ALLOWED,
            family_id=sent.family_id if sent.family_visible else None,
            detail=sent.reference,
        )
        return sent


def _arguments(data: dict, *, user) -> dict:
    """`support_request_submit`'s arguments from a checked payload (null is no answer)."""
    consent = data["consent"]
    return {
        "kind": data["kind"],
        "source_agency": user.organisation,  # a client asks for its own agency
        "referrer": Referrer(
            name=data["referrer_name"],
            role=data["referrer_role"],
            phone=data["referrer_phone"],
            email=data.get("referrer_email") or "",
        ),
        "reason": data["reason"],
        "people": [_requested(person) for person in data["people"]],
        "address_line": data["address_line"],
        "postcode": data["postcode"],
        "locality": data["locality"],
        "consent": ConsentGiven(
            kind=consent["kind"],
            given_by=consent["given_by"],
            given_on=consent["given_on"],
            chase_on=consent.get("chase_on"),
            covers=consent["covers"],
            agencies=consent["agencies"],
        ),
    }


def _requested(person: dict) -> RequestedPerson:
    details = {name: person.get(name) or "" for name in PERSON_DETAILS}
    details["date_of_birth"] = person.get("date_of_birth")
    return RequestedPerson(
        details={} if person.get("person_id") else details,
        role=person["role"],
        relationship=person.get("relationship") or "",
        concerns=person.get("concerns") or "",
        existing=person.get("person_id"),
    )


def _pk(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        if default is not None:
            return default
        raise Http404("No such request") from None


class _Id:
    def __init__(self, pk):
        self.pk = pk
