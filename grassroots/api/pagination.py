"""The API's pages: `?limit=` and `?offset=` as DRF's limit/offset style, but strict and bounded.

- `limit` is a whole number from 1; past `MAX_LIMIT` it is read as `MAX_LIMIT` (no request can ask the server for
  the whole audit log or a whole roster in one answer); absent, `PAGE_SIZE` of the settings.
- `offset` is a whole number from 0 up to `MAX_OFFSET` (a bigger one reaches no database row and would only
  overflow the database's integer).
- Anything else (`limit=true`, `limit=-5`, `offset=1e99`) is a 400 naming the parameter, never a silent default
  and never a 500.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

MAX_LIMIT = 500
MAX_OFFSET = 2**31 - 1


def _whole_number(request: Request, name: str, lowest: int, highest: int | None) -> int | None:
    """The query parameter `name` as a whole number in [lowest, highest], None when absent; else a 400."""
    text = request.query_params.get(name)
    if text is None or text == "":
        return None
    text = text.strip()
    if not text.isascii() or not text.isdigit():
        raise ValidationError({name: [_("Enter a whole number.")]})
    value = int(text) if len(text) <= 18 else 10**18  # past every bound, without reading 5,000 digits
    if value < lowest:
        raise ValidationError({name: [_("Enter a whole number of at least %(n)d.") % {"n": lowest}]})
    if highest is not None and value > highest:
        raise ValidationError({name: [_("Enter a whole number of at most %(n)d.") % {"n": highest}]})
    return value


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_limit(self, request: Request) -> int | None:
        value = _whole_number(request, self.limit_query_param, 1, None)
        if value is None:
            return self.default_limit
        return min(value, self.max_limit)

    def get_offset(self, request: Request) -> int:
        return _whole_number(request, self.offset_query_param, 0, MAX_OFFSET) or 0

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request, view: Any = None) -> list[Any] | None:
        self.get_offset(request)  # a bad offset is refused before the count, even on an empty list
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {"name": self.limit_query_param, "required": False, "in": "query",
             "description": f"Number of results to return per page (default {self.default_limit}; "
                            f"a value above {self.max_limit} is read as {self.max_limit}).",
             "schema": {"type": "integer", "minimum": 1}},
            {"name": self.offset_query_param, "required": False, "in": "query",
             "description": "The initial index from which to return the results.",
             "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET}},
        ]
