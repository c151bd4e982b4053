"""Errors as RFC 9457 problem details, with a field-by-field list for validation errors."""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as RuleBroken
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

PROBLEM_TYPES = "https://earlyhelp.invalid/problems/"
TITLES = {
    400: "Your request has problems",
    401: "Sign in first",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    412: "The record has changed since you read it",
    413: "Too large",
    415: "Unsupported media type",
    428: "Say which version you are changing",
    429: "Too many requests",
}


def problem(
    status: int, detail: str, *, kind: str | None = None, errors=None, request=None, headers=None
) -> Response:
    body = {
        "type": PROBLEM_TYPES + (kind or str(status)),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.get_full_path()
    if errors:
        body["errors"] = errors
    response = Response(body, status=status, headers=headers)
    response.content_type = "application/problem+json"
    return response


def _field_errors(detail, prefix="") -> list[dict]:
    """DRF's nested error dict as [{"field": "values.proven", "message": "..."}]."""
    found = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):  # a list field's item
                found += _field_errors(value, f"{prefix}[{key}]")
                continue
            name = key if key != "non_field_errors" else ""
            found += _field_errors(value, f"{prefix}.{name}" if prefix and name else prefix or name)
    elif isinstance(detail, list):
        for i, value in enumerate(detail):
            if isinstance(value, dict | list):
                found += _field_errors(value, f"{prefix}[{i}]")
            else:
                found.append({"field": prefix, "message": str(value)})
    else:
        found.append({"field": prefix, "message": str(detail)})
    return found


def rule_problem(error: RuleBroken, request=None) -> Response:
    """A service's refusal (Django's ValidationError): its fields are named as the API names
    them already (`note`, `consent.chase_on`, `people[0].date_of_birth`)."""
    if not hasattr(error, "error_dict"):
        errors = [{"field": "", "message": message} for message in error.messages]
        return problem(
            400, "; ".join(error.messages), kind="validation", errors=errors, request=request
        )
    errors = [
        {"field": "" if field == NON_FIELD_ERRORS else field, "message": message}
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


def exception_handler(exc, context):
    request = context.get("request")
    if isinstance(exc, RuleBroken):
        # The rules are the services', shared with the pages (HackSoft's styleguide does
        # the same): an API view calls the service and lets its refusal come here.
        return rule_problem(exc, request)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("No such record, or not one you may see")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "You may not do this")
    response = drf_handler(exc, context)
    if response is None:
        return None
    headers = {k: v for k, v in response.items() if k in ("Retry-After", "WWW-Authenticate")}
    if isinstance(exc, exceptions.ValidationError):
        return problem(
            400,
            "Some fields are not right: see errors",
            kind="validation",
            errors=_field_errors(exc.detail),
            request=request,
        )
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    return problem(response.status_code, str(detail), request=request, headers=headers)
