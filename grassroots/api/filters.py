"""Query-string filters of the API's own lists (the audit log), and the filter backend every API list uses.
Each domain's filters live in its app."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from grassroots.core.models import AuditEntry

BOOLEAN_WORDS = frozenset({"true", "false", "1", "0"})


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, with no filter value silently ignored.

    django-filter already answers 400 for a value its form field refuses (an unknown choice, a bad date), but a
    `BooleanFilter` reads anything but true/false as "no filter": `?mobile=maybe` would answer the whole list as
    if it were filtered. Here such a value is a 400 naming the parameter too.
    """

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        errors: dict[str, list[str]] = {}
        for name, field in filterset.filters.items():
            if not isinstance(field, django_filters.BooleanFilter):
                continue
            for value in request.query_params.getlist(name):
                if value.strip() and value.strip().lower() not in BOOLEAN_WORDS:
                    errors[name] = [_("Enter true or false.")]
        if errors:
            raise ValidationError(errors)
        return super().filter_queryset(request, queryset, view)


class AuditFilter(django_filters.FilterSet):
    class Meta:
        model = AuditEntry
        fields = ["action", "object_type", "object_id", "channel"]
