"""The API's exception handler: a service's refusal is JSON like any other API error.

`PermissionDeniedError` -> 403 {"detail"}; `StaleVersionError` -> 409 {"field": "version", "detail"}; any other
`RuleError` -> 400 {"field", "detail"}; everything else as Django REST framework answers it. Views need not catch them (they still may, to name a field of their own).
"""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from grassroots.core.errors import RuleError
from grassroots.ui.api import rule_error_response


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RuleError):
        return rule_error_response(exc)
    return drf_exception_handler(exc, context)
