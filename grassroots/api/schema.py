"""The schema's error answers: every operation lists its 400, 403 and 404, with one shared `Error` component.

Any operation can answer them: 400 for a bad query parameter, filter value or body (a dict naming the
parameter or field, or `{"field", "detail"}` for a service's broken rule); 403 without a login or for a user
the rules refuse (`{"detail"}`); 404 for a path whose object is outside the user's scope (`{"detail"}`); and an
operation that reads a body, 415 for a body whose Content-Type it does not read. Declaring
them once here, rather than on each view, keeps a new module's endpoints honest with no work of its own.

An optional query parameter sent empty (`?stage=`, as an HTML form sends it) is read as absent, everywhere; the
schema says so with `allowEmptyValue`.
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An error: `detail` says what went wrong; a refused value is named by `field`, or by its "
                   "parameter or field name as the key of a list of messages.",
    "properties": {
        "detail": {"type": "string"},
        "field": {"type": "string", "nullable": True},
    },
    "additionalProperties": True,
}
ERROR_ANSWERS = {
    "400": "The request is refused: a parameter, filter value or field is invalid, or a rule is broken.",
    "403": "Not logged in, or not allowed to do this.",
    "404": "Not found, or outside what you may read.",
    "429": "Too many failed logins for this account or address: refused until the lock ends (Retry-After).",
}
BODY_TYPE_REFUSED = "The body's Content-Type is not one the operation reads."
METHODS = ("get", "put", "patch", "post", "delete", "head", "options", "trace")


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the `Error` component, the error answers of every operation, and
    `allowEmptyValue` on its optional query parameters."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            for parameter in operation.get("parameters", ()):
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
            responses = operation.setdefault("responses", {})
            answers = dict(ERROR_ANSWERS)
            if "requestBody" in operation:
                answers["415"] = BODY_TYPE_REFUSED
            for code, description in answers.items():
                responses.setdefault(code, {"content": reference, "description": description})
    return result
