"""The points API (mounted under /api/ by the router over the module registry).

    GET  /api/points/point-entries/?org=&year=&member=&status=&item=   entries of the subtrees the user may read
                                                                       (and the user's own)
    GET  /api/points/point-entries/{id}/
    POST /api/points/point-entries/                   a manual entry (`services.give_points`)
    POST /api/points/point-entries/{id}/approve/      {version}          (`services.approve_entry`)
    POST /api/points/point-entries/{id}/decline/      {version, reason}  (`services.decline_entry`)
    GET  /api/points/schemes/?org=                    POST: set a scheme (`services.set_scheme`)
    GET  /api/points/exemptions/?org=&member=         POST: record one (`services.record_exemption`)
    GET  /api/orgs/{code}/points-totals/?year=        `selectors.totals`
    POST /api/orgs/{code}/points-proposals/           {year}: `services.propose_points`
    GET  /api/orgs/{code}/points-ranking/?year=       404 unless the organization turned its ranking on
    POST /api/orgs/{code}/points-ranking-setting/     {enabled, version}: `services.set_ranking`
    GET  /api/members/{id}/points-statement/?year=    `selectors.statement`
    POST /api/members/{id}/points-opt-in/             {opted_in}: `services.set_opt_in`

Every queryset comes from the user's `Scope` (outside it: 404); writes go through the services (403 refused,
400 naming the field, 409 stale).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from grassroots.ui.api import ConflictSerializer, IdFilter, ScopedViewMixin, readable_member, readable_org

from . import selectors, services
from .models import EntryStatus, PointEntry, PointExemption, PointScheme
from .serializers import (
    DecisionSerializer,
    EntrySerializer,
    ExemptionCreateSerializer,
    ExemptionSerializer,
    GiveSerializer,
    OptInSerializer,
    PointStatementSerializer,
    PointTotalsSerializer,
    ProposedSerializer,
    ProposeSerializer,
    RankingSerializer,
    RankingSettingOutSerializer,
    RankingSettingSerializer,
    SchemeCreateSerializer,
    SchemeSerializer,
)


class YearFilter(django_filters.NumberFilter):
    """A year: a whole number from 1990 to 2100 (anything else is a 400 naming the parameter)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1990)
        kwargs.setdefault("max_value", 2100)
        super().__init__(*args, **kwargs)


class OrgSubtreeFilter(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label=_lazy("Organization code (its whole subtree)"))

    def filter_org(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        org = readable_org(self.request, value)
        return queryset.filter(org__path__startswith=org.path)


class EntryFilter(OrgSubtreeFilter):
    member = IdFilter(field_name="member_id")
    year = YearFilter(field_name="year")
    status = django_filters.ChoiceFilter(choices=EntryStatus.choices)
    item = django_filters.CharFilter(field_name="item")

    class Meta:
        model = PointEntry
        fields: list[str] = []


class SchemeFilter(OrgSubtreeFilter):
    class Meta:
        model = PointScheme
        fields: list[str] = []


class ExemptionFilter(OrgSubtreeFilter):
    member = IdFilter(field_name="member_id")

    class Meta:
        model = PointExemption
        fields: list[str] = []


class EntryViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Points entries of the organizations the user may read, and the user's own. POST gives a manual entry."""

    queryset = PointEntry.objects.none()
    serializer_class = EntrySerializer
    filterset_class = EntryFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[PointEntry]:
        own = Q(member_id__in=self.scope.own_member_ids) if self.scope.own_member_ids else Q(pk__in=[])
        readable = self.scope.by_org(PointEntry.objects.all()).values("pk")
        return (PointEntry.objects.filter(Q(pk__in=readable) | own).select_related("org", "member")
                .order_by("day", "id"))

    @extend_schema(request=GiveSerializer, responses={201: EntrySerializer})
    def create(self, request: Request) -> Response:
        form = GiveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        member = readable_member(self, d["member"])
        entry = services.give_points(member, item=d["item"], day=d["day"], points=d["points"] or None,
                                     reason=d["reason"])
        return Response(EntrySerializer(self.get_queryset().get(pk=entry.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecisionSerializer, responses={200: EntrySerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve a proposal, with the `version` read (409 when it changed since)."""
        entry = self.get_object()
        form = DecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        entry = services.approve_entry(entry, version=form.validated_data["version"])
        return Response(EntrySerializer(self.get_queryset().get(pk=entry.pk)).data)

    @extend_schema(request=DecisionSerializer, responses={200: EntrySerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def decline(self, request: Request, pk: str | None = None) -> Response:
        """Decline a proposal with its `reason`, given the `version` read."""
        entry = self.get_object()
        form = DecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        entry = services.decline_entry(entry, reason=form.validated_data["reason"],
                                       version=form.validated_data["version"])
        return Response(EntrySerializer(self.get_queryset().get(pk=entry.pk)).data)


class SchemeViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Points schemes set by the organizations the user may read. POST sets one (replacing that of the same day,
    given its `version`)."""

    queryset = PointScheme.objects.none()
    serializer_class = SchemeSerializer
    filterset_class = SchemeFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[PointScheme]:
        return self.scope.by_org(PointScheme.objects.all()).select_related("org").order_by("org_id",
                                                                                           "effective_from")

    @extend_schema(request=SchemeCreateSerializer, responses={201: SchemeSerializer, 409: ConflictSerializer})
    def create(self, request: Request) -> Response:
        form = SchemeCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        org = readable_org(request, d["org"])
        scheme = services.set_scheme(org, effective_from=d["effective_from"], params=d["params"], note=d["note"],
                                     version=d["version"])
        return Response(SchemeSerializer(self.get_queryset().get(pk=scheme.pk)).data,
                        status=status.HTTP_201_CREATED)


class ExemptionViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Exemptions from points recorded by the organizations the user may read. POST records one."""

    queryset = PointExemption.objects.none()
    serializer_class = ExemptionSerializer
    filterset_class = ExemptionFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[PointExemption]:
        return (self.scope.by_org(PointExemption.objects.all()).select_related("org", "member")
                .order_by("-start", "-id"))

    @extend_schema(request=ExemptionCreateSerializer, responses={201: ExemptionSerializer})
    def create(self, request: Request) -> Response:
        form = ExemptionCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        member = readable_member(self, d["member"])
        exemption = services.record_exemption(member, reason=d["reason"], start=d["start"], end=d["end"],
                                              note=d["note"])
        return Response(ExemptionSerializer(self.get_queryset().get(pk=exemption.pk)).data,
                        status=status.HTTP_201_CREATED)


YEAR = OpenApiParameter("year", OpenApiTypes.INT, description="The year (default: this year)")


class YearQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=1990, max_value=2100, required=False)


def _year(request: Request) -> int:
    query = YearQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    year: int = query.validated_data.get("year", timezone.localdate().year)
    return year


class TotalsView(ScopedViewMixin, APIView):
    """Each member of the subtree with their year's total (`selectors.totals`)."""

    @extend_schema(parameters=[YEAR], responses={200: PointTotalsSerializer})
    def get(self, request: Request, code: str) -> Response:
        org = readable_org(request, code)
        year = _year(request)
        rows = selectors.totals(org, year, timezone.localdate())
        return Response(PointTotalsSerializer({"org": org.code, "year": year, "rows": rows}).data)


class RankingView(ScopedViewMixin, APIView):
    """The members who opted in, by total: 404 unless the organization turned its ranking page on."""

    @extend_schema(parameters=[YEAR], responses={200: RankingSerializer})
    def get(self, request: Request, code: str) -> Response:
        org = readable_org(request, code)
        if not selectors.ranking_enabled(org):
            raise NotFound(_("This organization has no ranking page."))
        year = _year(request)
        rows = selectors.ranking(org, year, timezone.localdate())
        return Response(RankingSerializer({"org": org.code, "year": year, "rows": rows}).data)


class ProposeView(ScopedViewMixin, APIView):
    """Propose the entries the records of the subtree give for a year (`services.propose_points`)."""

    @extend_schema(request=ProposeSerializer, responses={200: ProposedSerializer})
    def post(self, request: Request, code: str) -> Response:
        org = readable_org(request, code)
        form = ProposeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        made = services.propose_points(org, form.validated_data["year"])
        return Response(ProposedSerializer({"proposed": len(made)}).data)


class RankingSettingView(ScopedViewMixin, APIView):
    """Turn the organization's ranking page on or off (`services.set_ranking`)."""

    @extend_schema(request=RankingSettingSerializer, responses={200: RankingSettingOutSerializer,
                                                                409: ConflictSerializer})
    def post(self, request: Request, code: str) -> Response:
        org = readable_org(request, code)
        form = RankingSettingSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        setting = services.set_ranking(org, enabled=form.validated_data["enabled"],
                                       version=form.validated_data["version"])
        return Response(RankingSettingOutSerializer(setting).data)


class StatementView(ScopedViewMixin, APIView):
    """A member's points in a year, each entry with what counts of it (`selectors.statement`)."""

    @extend_schema(parameters=[YEAR], responses={200: PointStatementSerializer})
    def get(self, request: Request, pk: int) -> Response:
        member = readable_member(self, pk)
        data = selectors.statement(member, _year(request), timezone.localdate())
        return Response(PointStatementSerializer(data).data)


class OptInView(ScopedViewMixin, APIView):
    """The member's own choice (or the secretary's on their behalf) to appear on a ranking page."""

    @extend_schema(request=OptInSerializer, responses={200: OptInSerializer})
    def post(self, request: Request, pk: int) -> Response:
        member = readable_member(self, pk)
        form = OptInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        row = services.set_opt_in(member, opted_in=form.validated_data["opted_in"])
        return Response(OptInSerializer({"opted_in": row.opted_in}).data)


ROUTES = [
    ("points/point-entries", EntryViewSet, "api-points-entry"),
    ("points/schemes", SchemeViewSet, "api-points-scheme"),
    ("points/exemptions", ExemptionViewSet, "api-points-exemption"),
]

urlpatterns = [
    path("orgs/<str:code>/points-totals/", TotalsView.as_view(), name="api-org-points-totals"),
    path("orgs/<str:code>/points-ranking/", RankingView.as_view(), name="api-org-points-ranking"),
    path("orgs/<str:code>/points-proposals/", ProposeView.as_view(), name="api-org-points-proposals"),
    path("orgs/<str:code>/points-ranking-setting/", RankingSettingView.as_view(),
         name="api-org-points-ranking-setting"),
    path("members/<int:pk>/points-statement/", StatementView.as_view(), name="api-member-points-statement"),
    path("members/<int:pk>/points-opt-in/", OptInView.as_view(), name="api-member-points-opt-in"),
]
