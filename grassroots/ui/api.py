"""The pieces every module's API is built from (the API's faces live in each app's `api.py`; `grassroots.api`
only mounts them, with the schema and the exception handler).

- `ScopedViewMixin`: names the authenticated user as the actor and gives the view the user's `Scope`.
- `as_of` / `AS_OF`: the `?as_of=` date a read answers for, and its schema parameter.
- `flag`: a true/false query parameter, strictly (`?all=maybe` is a 400, not "false").
- `LenientDateField`: a date as people type it.
- `IdFilter`: a query-string filter on a record's id, a whole number the database can hold (else a 400).
- `readable_org` / `readable_member`: the organization with a code, or the member with a pk, that the user may
  read, else a 404 (whether the user may write is the service's to say: 403).
- `rule_error_response`: a service's RuleError as the API answers it (403 for a refusal, 409 for a stale version,
  else 400 naming the field).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.access.scope import Scope, scope_for
from grassroots.core.context import set_actor
from grassroots.core.dates import DateError, parse_date
from grassroots.core.errors import PermissionDeniedError, RuleError, StaleVersionError

AS_OF = OpenApiParameter("as_of", OpenApiTypes.DATE, description="The date to answer for (default: today)")


def as_of(request: Request) -> dt.date:
    text = request.query_params.get("as_of", "")
    try:
        day = parse_date(text)
    except DateError as exc:
        raise ValidationError({"as_of": [str(exc)]}) from exc
    return day or timezone.localdate()


def flag(request: Request, name: str) -> bool:
    """The query parameter `name` as true/false (1/0); absent or empty is false; anything else a 400."""
    text = request.query_params.get(name, "").strip().lower()
    if text not in {"", "true", "false", "1", "0"}:
        raise ValidationError({name: [_("Enter true or false.")]})
    return text in {"true", "1"}


def rule_error_response(exc: RuleError) -> Response:
    """403 for a permission refusal, 409 for a write from a stale version (who changed what since), 400 naming
    the offending field for any other broken rule."""
    if isinstance(exc, PermissionDeniedError):
        return Response({"detail": exc.message}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, StaleVersionError):
        return Response({"field": exc.field, "detail": exc.message}, status=status.HTTP_409_CONFLICT)
    return Response({"field": exc.field, "detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)


class ConflictSerializer(serializers.Serializer):
    """The 409 answer to an update made from a stale version: who changed what since (nothing was written)."""

    field = serializers.CharField(help_text=_("Always “version”"))
    detail = serializers.CharField(help_text=_("Who changed the record, when and which fields, since that version"))


class ScopedViewMixin(GenericAPIView):
    """Names the authenticated user as the actor and gives the view the user's scope.

    DRF authenticates inside the view, after the middleware named the acting user (anonymous for a request with
    HTTP basic credentials), so `initial` names the authenticated user: the services and the audit log then see
    the real API user.

    Every query parameter of the API takes one value: one given twice (`?channel=web&channel=api`) is a 400
    naming it, rather than one of the values silently winning.
    """

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authenticates, checks permissions
        repeated = sorted(name for name, values in request.query_params.lists() if len(values) > 1)
        if repeated:
            raise ValidationError({name: [_("Give this parameter once.")] for name in repeated})
        set_actor(request.user)
        request.scope = self.scope  # type: ignore[attr-defined]  # for the filters, built once per request

    @property
    def scope(self) -> Scope:
        if not hasattr(self, "_scope"):
            self._scope = scope_for(self.request.user)
        return self._scope


def code_param(value: Any) -> str:
    """A code as a request gave it (an organization's, a place's, a household's), ready for a lookup: trimmed, and
    without NUL characters, which PostgreSQL refuses in text (a code with a NUL is no code: the lookup finds none)."""
    return str(value if value is not None else "").replace("\x00", "").strip()


def readable_org(request: Any, code: str) -> Any:
    """The organization with this code in the user's read scope (`request.scope`), else 404."""
    org = request.scope.orgs().filter(code=code_param(code)).first()
    if org is None:
        raise NotFound(_("unknown organization"))
    return org


def readable_member(view: ScopedViewMixin, pk: Any) -> Any:
    """A member the user may read, else 404 (whether the user may write is the service's to say: 403)."""
    return get_object_or_404(view.scope.members().select_related("org"), pk=pk)


ID_MAX = 2**63 - 1  # the largest id a database's bigint holds


class IdFilter(django_filters.NumberFilter):
    """A filter on a record's id: a whole number from 1 to `ID_MAX`. A decimal (`1.5`, `-5e117`) or a number past
    the database's integers is a 400 naming the parameter, never a query that overflows into a 500."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.DATE)
class LenientDateField(serializers.Field):
    """A date as people type it (2019-12-31, 2019/12/31, 2019年12月31日 ...), read by `parse_date`."""

    default_error_messages = {"invalid": _("Enter a date such as 2019-12-31.")}

    def to_internal_value(self, data: Any) -> dt.date | None:
        try:
            return parse_date(data)
        except DateError:
            self.fail("invalid")
        return None  # pragma: no cover (fail raises)

    def to_representation(self, value: dt.date) -> str:
        return value.isoformat()
