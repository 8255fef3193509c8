"""The meetings API (mounted under /api/ by the registry: `ROUTES` on the router, `urlpatterns` beside it).

    GET   /api/meetings/?org=A&kind=theme_day&start=2024-01-01&end=2024-03-31
                                              meetings the user may read (of org's subtree when given), latest first
    POST  /api/meetings/                      record one, with its attendance (`services.record_meeting`: the page's
                                              service; marked entered late when dated before today)
    GET   /api/meetings/{id}/                 one, with its minutes, attendance and attachments
    GET   /api/meetings/{id}/attendance/      its attendance
    PATCH /api/meetings/{id}/attendance/      set the attendance of the members given (`services.update_attendance`)
    GET   /api/orgs/{code}/duties/?year=2024  the duty periods of org's subtree in the year (`selectors.duties`), each
                                              judged by `selectors.duty_state` on `as_of` (default today)

Every read comes from the user's `Scope`: a meeting or an organization outside it is 404 (an organization named
by `org` too). Writes go through the services, which check permission again (refused: 403) and the rules
(broken: 400 naming the field, by the API's exception handler) and write the audit entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from grassroots.core.errors import RuleError
from grassroots.orgs.models import Organization
from grassroots.ui.api import AS_OF, ConflictSerializer, ScopedViewMixin, as_of

from . import selectors, services
from .models import Meeting, MeetingKind
from .serializers import (
    AttendanceSerializer,
    AttendanceUpdateSerializer,
    DutiesSerializer,
    MeetingCreateSerializer,
    MeetingDetailSerializer,
    MeetingSerializer,
)


def _readable_org(view: ScopedViewMixin, code: str) -> Organization:
    org = view.scope.orgs().filter(code=code).first()
    if org is None:
        raise NotFound
    return org


def _attendance(rows: list[dict[str, Any]]) -> dict[int, tuple[str, str]]:
    """The service's form of the attendance ({member id: (presence, reason)}); a member listed twice is refused."""
    out: dict[int, tuple[str, str]] = {}
    for row in rows:
        if row["member"] in out:
            raise RuleError(_("the same member is named twice"), field="attendance")
        out[row["member"]] = (row["presence"], row.get("reason", ""))
    return out


class MeetingFilter(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label=gettext_lazy("Organization code (its whole subtree)"))
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices)
    start = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    end = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Meeting
        fields = ["kind"]

    def filter_org(self, queryset: QuerySet[Meeting], name: str, value: str) -> QuerySet[Meeting]:
        org = self.request.scope.orgs().filter(code=value).first()
        if org is None:
            raise NotFound
        return queryset.filter(org__path__startswith=org.path)


class MeetingViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     viewsets.GenericViewSet):
    """Meetings the user may read; POST records one through the same service as the meetings page."""

    queryset = Meeting.objects.none()  # the real one is get_queryset's; this names the model
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Meeting]:
        qs = Meeting.objects.select_related("org", "recorded_by").order_by("-date", "-id")
        return self.scope.by_org(qs, org_field="org")

    def get_serializer_class(self) -> Any:
        if self.action == "retrieve":
            return MeetingDetailSerializer
        return MeetingSerializer

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = MeetingCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        org = _readable_org(self, data["org"])
        meeting = services.record_meeting(
            org=org, kind=data["kind"], date=data["date"], topic=data["topic"], place=data["place"],
            host=data["host"], minutes=data["minutes"], study_hours=data["study_hours"],
            attendance=_attendance(data["attendance"]), recorded_by=request.user)
        meeting = self.get_queryset().get(pk=meeting.pk)
        return Response(MeetingDetailSerializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: AttendanceSerializer(many=True)})
    @extend_schema(methods=["PATCH"], request=AttendanceUpdateSerializer,
                   responses={200: AttendanceSerializer(many=True), 409: ConflictSerializer})
    @action(detail=True, methods=["get", "patch"], filterset_class=None, pagination_class=None)
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        """The meeting's attendance; PATCH sets the presence of the members given (the others stay as recorded)
        and recomputes the quorum, given the meeting's `version` as read (409 when the meeting changed since)."""
        meeting = self.get_object()
        if request.method == "PATCH":
            form = AttendanceUpdateSerializer(data=request.data)
            form.is_valid(raise_exception=True)
            services.update_attendance(meeting, _attendance(form.validated_data["attendance"]),
                                       version=form.validated_data["version"])
        rows = meeting.attendance.select_related("member").order_by("member__name", "member_id")
        return Response(AttendanceSerializer(rows, many=True).data)


YEAR = OpenApiParameter("year", OpenApiTypes.INT, description="The year (default: this year)")


class YearQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=1990, max_value=2100, required=False)


class DutiesView(ScopedViewMixin, APIView):
    """The duties of organizational life of an organization's subtree for a year: one entry per unit, duty and
    period, as `meetings.selectors.duties` gives them, each judged by `selectors.duty_state` on `as_of`."""

    @extend_schema(parameters=[YEAR, AS_OF], responses={200: DutiesSerializer})
    def get(self, request: Request, code: str) -> Response:
        org = _readable_org(self, code)
        today = timezone.localdate()
        query = YearQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year", today.year)
        day = as_of(request)
        rows = selectors.duties(org, dt.date(year, 1, 1), dt.date(year, 12, 31))
        codes = dict(self.scope.orgs().filter(pk__in={r.org_id for r in rows}).values_list("pk", "code"))
        duties = [{"org": codes[r.org_id], "org_name": r.org_name, "rule": r.rule, "rule_id": r.rule_id,
                   "kind": r.kind, "period_start": r.period_start, "period_end": r.period_end, "due": r.due,
                   "needs_quorum": r.needs_quorum, "state": selectors.duty_state(r, day, today=today),
                   "meetings": r.meetings, "held": r.held}
                  for r in rows if r.org_id in codes]
        return Response(DutiesSerializer({"org": org.code, "year": year, "as_of": day, "duties": duties}).data)


ROUTES = [("meetings", MeetingViewSet, "api-meeting")]
urlpatterns = [path("orgs/<str:code>/duties/", DutiesView.as_view(), name="api-org-duties")]
