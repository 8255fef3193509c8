"""Query-string filters of the members' API list. They narrow a queryset the scope already restricted; the
organization is looked up inside the user's scope too, so a filter cannot probe outside it."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from grassroots.orgs.filters import scoped_org

from .models import Education, Member, Occupation, Sex, Standing, Status


class MemberFilter(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label=_("Organization code (its whole subtree)"))
    status = django_filters.ChoiceFilter(choices=Status.choices)
    sex = django_filters.ChoiceFilter(choices=Sex.choices)
    education = django_filters.ChoiceFilter(choices=Education.choices)
    occupation = django_filters.ChoiceFilter(choices=Occupation.choices)
    standing = django_filters.ChoiceFilter(choices=Standing.choices)
    mobile = django_filters.BooleanFilter()
    search = django_filters.CharFilter(method="filter_search", label=_("Name contains"))

    class Meta:
        model = Member
        fields = ["status", "sex", "education", "occupation", "standing", "mobile"]

    def filter_org(self, queryset: QuerySet[Member], name: str, value: str) -> QuerySet[Member]:
        org = scoped_org(self.request, value)
        if org is None:
            return queryset.none()
        return queryset.filter(org__path__startswith=org.path)

    def filter_search(self, queryset: QuerySet[Member], name: str, value: str) -> QuerySet[Member]:
        return queryset.filter(name__icontains=value.strip()) if value.strip() else queryset
