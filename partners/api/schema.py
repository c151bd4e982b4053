"""What the OpenAPI schema says beyond what drf-spectacular reads from the views.

How a partner system signs in (OAuth 2 client credentials, with the scopes), and
the problem details every operation may answer with: a schema that documents only
the happy answer would let any error body through unchecked.
"""

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)

from partners.scopes import SCOPES

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "Field by field, for validation problems (and row, for bulk rows)",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "row": {"type": "integer"},
                },
                "required": ["field", "message"],
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}

WHY = {
    "400": "The request has problems: see `errors`",
    "401": "No valid token: ask /api/oauth/token/ for one",
    "403": "The client does not hold the scope this needs, or may not do this to this record",
    "404": "No such record, or not one the client may see (the same answer either way)",
    "406": "Ask for application/json",
    "409": "The family's episode is closed or missing",
    "412": "The record changed since you read it: read it again (its new ETag is sent)",
    "413": "Too many rows in one call",
    "415": "Send JSON (or, for evidence files, multipart form data)",
    "428": "Send If-Match with the ETag you read",
    "429": "Too many calls for this client: wait for Retry-After seconds",
}
EVERY = ["400", "401", "403", "404", "406", "429"]
MORE = {
    ("/api/v1/actions/{id}/", "patch"): ["409", "412", "428"],
    ("/api/v1/actions/{id}/", "put"): ["409", "412", "428"],
    ("/api/v1/case-notes/", "post"): ["409"],
    ("/api/v1/evidence/", "post"): ["413"],
}


class ClientCredentials(OpenApiAuthenticationExtension):
    target_class = "partners.api.auth.ApiClientAuthentication"
    name = "partnerClient"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "description": "A partner system's client id and secret, for a token that "
            "carries the client's scopes",
            "flows": {"clientCredentials": {"tokenUrl": "/api/oauth/token/", "scopes": SCOPES}},
        }

    def get_security_requirement(self, auto_schema):
        scopes = getattr(auto_schema.view, "scopes", {})
        needed = scopes.get(auto_schema.method) or scopes.get("*")
        return {self.name: [needed] if needed else []}


def add_problems(result, generator, request, public):
    """Every operation may answer with a problem; each says which, and what it means."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            codes = [*EVERY, *MORE.get((path, method), [])]
            if "requestBody" in operation:
                codes.append("415")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses[code] = {"description": WHY[code], "content": problem}
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter["schema"].get("type") == "integer":
                    parameter["schema"]["minimum"] = 0  # the URL takes digits only
    return result


class ChoicesField(OpenApiSerializerFieldExtension):
    """Several of a list of choices (`fields.Choices`): at least one, each from the list."""

    target_class = "partners.api.fields.Choices"

    def map_serializer_field(self, auto_schema, direction):
        choices = list(self.target.choices)
        return {"type": "array", "items": {"type": "string", "enum": choices}, "minItems": 1}


class NamesField(OpenApiSerializerFieldExtension):
    """Records chosen by name (`fields.AllNamed`): at least one."""

    target_class = "partners.api.fields.AllNamed"

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}
