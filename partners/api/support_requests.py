"""Requests for support from partner systems: sent into the hub's queue, and their status read.

A request is checked by the same forms as the request pages' questions and
written by the same service, `support_request_submit`, with the client's
system user as the sender: so the hub sees it in its queue like any other,
and the client reads back exactly the requests it sent ("Your requests").
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from cases.front_door.forms import (
    AddAnotherForm,
    ConsentForm,
    FamilyReferrerForm,
    ProfessionalReferrerForm,
    ReasonForm,
    RequestAddressForm,
    RequestKindForm,
    RequestMemberForm,
    submission,
)
from cases.front_door.selectors import requests_submitted_by
from cases.front_door.services import (
    RequestedPerson,
    support_request_submit,
)
from cases.gate import person_to_link
from cases.models import Person, SupportRequest
from cases.people.forms import PersonForm
from earlyhelp import audit
from earlyhelp.access import record_listing
from earlyhelp.models import AuditEntry, Locality, Organisation

from .answers import form_answers
from .parsers import JSONParser
from .problems import problem
from .views import GateView

PERSON_FIELDS = list(PersonForm.Meta.fields)
REFERRER_FIELDS = ["referrer_name", "referrer_role", "referrer_phone", "referrer_email"]
# What a partner leaves out is what the model assumes (sex and ethnicity "not known/stated").
PERSON_DEFAULTS = {
    name: Person._meta.get_field(name).get_default()
    for name in PERSON_FIELDS
    if Person._meta.get_field(name).has_default()
}


class RequestedPersonIn(serializers.Serializer):
    person_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="A person the client may already see; else give their details.",
    )
    role = serializers.ChoiceField(choices=["child", "parent_carer", "other_adult"])
    # Optional answers may also be null: null, like leaving one out, is no answer.
    relationship = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    concerns = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    first_name = serializers.CharField(required=False, allow_null=True)
    last_name = serializers.CharField(required=False, allow_null=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    nhs_number = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    upn = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    postcode = serializers.CharField(required=False, allow_blank=True, allow_null=True)


class ConsentIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["written", "verbal"])
    given_by = serializers.CharField()
    given_on = serializers.DateField()
    chase_on = serializers.DateField(required=False, allow_null=True)
    covers = serializers.ListField(child=serializers.CharField())
    agencies = serializers.ListField(
        child=serializers.CharField(), help_text="Names of the agencies the family agreed to."
    )


class SupportRequestIn(serializers.Serializer):
    """A request for support, as the request pages ask for it (DOMAIN §4 step 1)."""

    kind = serializers.ChoiceField(choices=["multi_agency", "family", "step_down"])
    referrer_name = serializers.CharField()
    referrer_role = serializers.CharField()
    referrer_phone = serializers.CharField()
    referrer_email = serializers.EmailField(required=False, allow_blank=True, allow_null=True)
    reason = serializers.CharField()
    address_line = serializers.CharField()
    postcode = serializers.CharField()
    locality = serializers.CharField(help_text="The locality's name")
    people = RequestedPersonIn(many=True)
    consent = ConsentIn()


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
        submission, errors = submission_from(request.data, user=request.user)
        if errors:
            return problem(
                400,
                "Some fields are not right: see errors",
                kind="validation",
                errors=errors,
                request=request,
            )
        try:
            sent = support_request_submit(by=request.user, **submission)
        except ValidationError as error:
            return problem(
                400,
                "; ".join(error.messages),
                kind="validation",
                errors=[{"field": "", "message": m} for m in error.messages],
                request=request,
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


def submission_from(data, *, user) -> tuple[dict, list[dict]]:
    """The arguments of `support_request_submit`, checked by the request pages' own forms."""
    if not isinstance(data, dict):
        return {}, [{"field": "", "message": "Send one request as a JSON object"}]
    errors: list[dict] = []

    def answers(given: dict, form, names, prefix="") -> dict:
        return form_answers(
            given,
            {name: form.base_fields[name] for name in names},
            errors=errors,
            prefix=prefix,
        )

    def check(form, prefix=""):
        refused = {error["field"] for error in errors}
        for field, messages in form.errors.items():
            name = "" if field == "__all__" else field
            if f"{prefix}{name}" in refused:
                continue  # refused already as sent: the form only saw it missing
            for message in messages:
                errors.append({"field": f"{prefix}{name}", "message": message})
        return form.cleaned_data if not form.errors else None

    kind = check(RequestKindForm(answers(data, RequestKindForm, ["kind"]), user=user))
    kind = kind["kind"] if kind else None
    referrer_form = (
        FamilyReferrerForm if kind == SupportRequest.Kind.FAMILY else (ProfessionalReferrerForm)
    )
    organisation = user.organisation
    referrer = check(
        referrer_form(
            {
                **answers(data, referrer_form, REFERRER_FIELDS),
                "source_agency": _pk_of(organisation),
            }
        )
    )
    reason = check(ReasonForm(answers(data, ReasonForm, ["reason"])))
    address_data = answers(data, RequestAddressForm, ["address_line", "postcode"])
    address_data["locality"] = _named(Locality, data.get("locality"))
    address = check(RequestAddressForm(address_data))
    given = data.get("consent") if isinstance(data.get("consent"), dict) else {}
    consent_data = answers(
        given, ConsentForm, ["kind", "given_by", "given_on", "chase_on"], "consent."
    )
    if given.get("covers") is not None:
        consent_data["covers"] = given["covers"]
    consent_data["agencies"] = _named_all(given.get("agencies"))
    consent = check(ConsentForm(consent_data), "consent.")
    people = _people(data.get("people"), user=user, errors=errors, check=check, answers=answers)
    if not errors:
        done = AddAnotherForm(
            {"add_another": "no"}, people=[{"concerns": p.concerns} for p in people]
        )
        check(done, "people")
    if errors:
        return {}, errors
    submitted = submission(
        kind=kind,
        referrer=referrer,
        reason=reason["reason"],
        address=address,
        consent=consent,
        people=people,
    )
    return submitted, []


def _people(entries, *, user, errors, check, answers) -> list[RequestedPerson]:
    if not isinstance(entries, list) or not entries:
        errors.append(
            {"field": "people", "message": "Add at least one person the request is about"}
        )
        return []
    people = []
    for i, entry in enumerate(entries):
        prefix = f"people[{i}]."
        if not isinstance(entry, dict):
            errors.append({"field": f"people[{i}]", "message": "Give each person as an object"})
            continue
        member = check(
            RequestMemberForm(
                answers(entry, RequestMemberForm, ["role", "relationship", "concerns"], prefix)
            ),
            prefix,
        )
        existing, details = None, None
        if entry.get("person_id") is not None:
            try:
                existing = person_to_link(user, entry["person_id"])
            except Http404:
                # Hidden, merged or never there: one answer (the same rule as the pages').
                errors.append(
                    {"field": f"{prefix}person_id", "message": "No such person you may see"}
                )
                continue
            details = {}
        else:
            details = check(
                PersonForm(
                    {**PERSON_DEFAULTS, **answers(entry, PersonForm, PERSON_FIELDS, prefix)}
                ),
                prefix,
            )
        if member is None or details is None:
            continue
        people.append(
            RequestedPerson(
                details=details,
                role=member["role"],
                relationship=member["relationship"],
                concerns=member["concerns"],
                existing=existing,
            )
        )
    return people


def _named(model, name):
    """A record's id from its name, for the forms that choose by id ('' when none matches)."""
    if not isinstance(name, str) or not name.strip():
        return ""
    if "\x00" in name:  # PostgreSQL cannot even compare it: no record is named so
        return "unknown"
    found = model.objects.filter(name__iexact=name.strip(), is_active=True).first()
    return found.pk if found else "unknown"


def _named_all(names) -> list:
    if not isinstance(names, list):
        return []
    return [_named(Organisation, name) for name in names]


def _pk_of(record):
    return record.pk if record is not None else ""


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
