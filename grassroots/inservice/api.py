"""The in-service members' API (mounted under /api/ by the router over the module registry).

    GET/POST  /api/inservice/            ?member=&community_org=&home_org=&state=   POST reports
    POST      /api/inservice/{id}/decide/    accept or decline (the community), with `version`
    POST      /api/inservice/{id}/assign/    grid (its place's code) and post (id), with `version`
    GET/POST  /api/inservice/{id}/services/  the services logged; POST logs one (the community)
    POST      /api/inservice/{id}/reveal/    the full phone, logged

Readable: the reports of members the user may read, and those made to organizations the user may read (the
community never reads the rest of the member's archive). Writes go through the services (403, 400 naming the
field, 409 stale version)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.grids.models import Grid
from grassroots.members.models import Member
from grassroots.posts.models import Post
from grassroots.ui.api import ConflictSerializer, IdFilter, ScopedViewMixin, readable_org

from . import services
from .models import Report, State
from .serializers import (
    InsAssignSerializer,
    InsDecideSerializer,
    InsReportCreateSerializer,
    InsReportSerializer,
    InsRevealedSerializer,
    InsServiceCreateSerializer,
    InsServiceSerializer,
)


class ReportFilter(django_filters.FilterSet):
    member = IdFilter(field_name="member_id")
    community_org = django_filters.CharFilter(method="filter_community",
                                              label=_lazy("Community organization code (its whole subtree)"))
    home_org = django_filters.CharFilter(method="filter_home", label=_lazy("Home organization code (its subtree)"))
    state = django_filters.ChoiceFilter(choices=State.choices)

    class Meta:
        model = Report
        fields = ["member", "state"]

    def filter_community(self, queryset: QuerySet[Report], name: str, value: str) -> QuerySet[Report]:
        return queryset.filter(community_org__path__startswith=readable_org(self.request, value).path)

    def filter_home(self, queryset: QuerySet[Report], name: str, value: str) -> QuerySet[Report]:
        return queryset.filter(home_org__path__startswith=readable_org(self.request, value).path)


def _bad(field: str, message: Any) -> ValidationError:
    return ValidationError({field: [message], "field": field})


class ReportViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """In-service members' reports to the community where they live."""

    queryset = Report.objects.none()
    serializer_class = InsReportSerializer
    filterset_class = ReportFilter
    lookup_value_regex = r"\d{1,10}"

    def get_queryset(self) -> QuerySet[Report]:
        return (Report.objects.visible_to(self.scope)
                .select_related("member", "community_org", "home_org", "grid__territory").order_by("-date", "-id"))

    @extend_schema(request=InsReportCreateSerializer, responses={201: InsReportSerializer})
    def create(self, request: Request) -> Response:
        form = InsReportCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        community = services.community_org_by_code(d.pop("community_org"))
        if community is None:
            raise _bad("community_org", _lazy("no organization has this code"))
        member_id = d.pop("member")
        member = self.scope.members().filter(pk=member_id).first()
        if member is None:  # the community's side records a later report of a member it accepted
            earlier = self.get_queryset().filter(member_id=member_id, community_org=community).first()
            member = earlier.member if earlier is not None else None
        if member is None:
            return Response({"detail": _lazy("Not found.")}, status=status.HTTP_404_NOT_FOUND)
        assert isinstance(member, Member)
        report = services.report(member, community_org=community, **d)
        return Response(InsReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=InsDecideSerializer, responses={200: InsReportSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        r = self.get_object()
        form = InsDecideSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        if d["accept"]:
            r = services.accept(r, on=d["on"], version=d["version"])
        else:
            r = services.decline(r, on=d["on"], reason=d["reason"], version=d["version"])
        return Response(InsReportSerializer(r).data)

    @extend_schema(request=InsAssignSerializer, responses={200: InsReportSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        r = self.get_object()
        form = InsAssignSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        grid = Grid.objects.filter(territory__code=d["grid"].strip()).first() if d["grid"].strip() else None
        if d["grid"].strip() and grid is None:
            raise _bad("grid", _lazy("no grid has this code"))
        post = Post.objects.filter(pk=d["post"]).first() if d["post"] else None
        if d["post"] and post is None:
            raise _bad("post", _lazy("no post has this id"))
        r = services.assign(r, grid=grid, post=post, version=d["version"])
        return Response(InsReportSerializer(r).data)

    @extend_schema(methods=["GET"], responses={200: InsServiceSerializer(many=True)})
    @extend_schema(methods=["POST"], request=InsServiceCreateSerializer, responses={201: InsServiceSerializer})
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def services(self, request: Request, pk: str | None = None) -> Response:
        r = self.get_object()
        if request.method == "GET":
            return Response(InsServiceSerializer(r.services.order_by("-day", "-id"), many=True).data)
        form = InsServiceCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        s = services.log_service(r, **form.validated_data)
        return Response(InsServiceSerializer(s).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: InsRevealedSerializer})
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        r = get_object_or_404(self.get_queryset(), pk=pk)
        return Response({"phone": services.reveal_phone(r)})


ROUTES = [("inservice", ReportViewSet, "inservice-report-api")]
