"""Query-string filters of the organizations' API list. They narrow a queryset the scope already restricted; an
organization named by code is looked up inside the user's scope too (`scoped_org`), so a filter cannot probe
outside it."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from grassroots.access.scope import scope_for

from .models import Organization, OrgKind


def scoped_org(request: Any, code: str) -> Organization | None:
    """The organization with this code if the requesting user may read it (the view's scope when it set one)."""
    scope = getattr(request, "scope", None) or scope_for(getattr(request, "user", None))
    return scope.orgs().filter(code=code).first()


class OrgFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrgKind.choices)
    parent = django_filters.CharFilter(method="filter_parent", label=_("Parent organization code"))
    active = django_filters.BooleanFilter(method="filter_active", label=_("Not revoked"))
    search = django_filters.CharFilter(method="filter_search", label=_("Name contains"))

    class Meta:
        model = Organization
        fields = ["kind"]

    def filter_parent(self, queryset: QuerySet[Organization], name: str, value: str) -> QuerySet[Organization]:
        parent = scoped_org(self.request, value)
        if parent is None:
            return queryset.none()
        return queryset.filter(path__startswith=parent.path, depth=parent.depth + 1)

    def filter_active(self, queryset: QuerySet[Organization], name: str, value: bool) -> QuerySet[Organization]:
        return queryset.filter(revoked_on__isnull=value)

    def filter_search(self, queryset: QuerySet[Organization], name: str, value: str) -> QuerySet[Organization]:
        return queryset.filter(name__icontains=value.strip()) if value.strip() else queryset
