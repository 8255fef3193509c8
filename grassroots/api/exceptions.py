"""The API's exception handler: a service's refusal is JSON like any other API error.

`PermissionDeniedError` -> 403 {"detail"}; any other `RuleError` -> 400 {"field", "detail"}; everything else as
Django REST framework answers it. Views need not catch them (they still may, to name a field of their own).
"""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from grassroots.core.errors import PermissionDeniedError, RuleError


def rule_error_response(exc: RuleError) -> Response:
    """403 for a permission refusal, 400 naming the offending field for any other broken rule."""
    if isinstance(exc, PermissionDeniedError):
        return Response({"detail": exc.message}, status=status.HTTP_403_FORBIDDEN)
    return Response({"field": exc.field, "detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RuleError):
        return rule_error_response(exc)
    return drf_exception_handler(exc, context)
