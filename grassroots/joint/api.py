"""The joint-meetings API (mounted under /api/ by the router over the module registry).

    GET  /api/joint-bodies/?org=                    bodies of the organizations the user may read, with members
    POST /api/joint-bodies/                         set one up (`services.body_create`)
    POST /api/joint-bodies/{id}/members/            a unit joins (`services.membership_add`)
    POST /api/joint-bodies/{id}/end/                end the body, with `version` (`services.body_end`)
    GET  /api/joint-meetings/?org=&body=            meetings with attendance by unit and decisions
    POST /api/joint-meetings/                       record one (`services.session_record`)
    GET  /api/joint-tasks/?org=&open=               tasks from decisions
    POST /api/joint-tasks/{id}/done/                mark done, with `version` (`services.task_done`)

Every queryset comes from the user's `Scope` (outside it: 404); the services check permission (403) and the
rules (400 naming the field; a stale `version` is 409).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.cobuild.models import ResidentUnit
from grassroots.ui.api import ConflictSerializer, IdFilter, LenientDateField, ScopedViewMixin, readable_org

from . import services
from .models import Decision, JointMeeting, JointMembership, JointSession, Task, UnitAttendance


class MembershipSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = JointMembership
        fields = ["id", "unit", "unit_name", "joined_on", "left_on", "representative", "version"]


class BodySerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = JointMeeting
        fields = ["id", "org", "name", "set_up_on", "ended_on", "note", "version", "memberships"]


class BodyCreateSerializer(serializers.Serializer):
    org = serializers.CharField()
    name = serializers.CharField(max_length=100)
    set_up_on = LenientDateField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class MemberAddSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1)
    joined_on = LenientDateField()
    representative = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class EndSerializer(serializers.Serializer):
    on = LenientDateField()
    version = serializers.IntegerField()


class UnitAttendanceSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    presence = serializers.CharField(read_only=True)

    class Meta:
        model = UnitAttendance
        fields = ["unit", "unit_name", "presence", "attendee"]


class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "decision", "title", "unit", "owner", "due_on", "done_on", "note", "version"]


class JointDecisionSerializer(serializers.ModelSerializer):
    tasks = TaskSerializer(many=True, read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "order", "text", "project", "tasks"]


class SessionSerializer(serializers.ModelSerializer):
    date = serializers.DateField(source="meeting.date", read_only=True)
    topic = serializers.CharField(source="meeting.topic", read_only=True)
    place = serializers.CharField(source="meeting.place", read_only=True)
    host = serializers.CharField(source="meeting.host", read_only=True)
    entered_late = serializers.BooleanField(source="meeting.entered_late", read_only=True)
    attendance = UnitAttendanceSerializer(many=True, read_only=True)
    decisions = JointDecisionSerializer(many=True, read_only=True)

    class Meta:
        model = JointSession
        fields = ["id", "body", "meeting", "date", "topic", "place", "host", "entered_late", "attendance",
                  "decisions"]


class UnitPresenceSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1)
    presence = serializers.CharField(max_length=8)
    attendee = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class SessionCreateSerializer(serializers.Serializer):
    body = serializers.IntegerField(min_value=1)
    date = LenientDateField()
    topic = serializers.CharField(max_length=300)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    host = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    minutes = serializers.CharField(required=False, allow_blank=True, default="")
    attendance = UnitPresenceSerializer(many=True, required=False, default=list)
    decisions = serializers.ListField(child=serializers.CharField(max_length=1000), required=False, default=list)


class DoneSerializer(serializers.Serializer):
    done_on = LenientDateField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, allow_null=True, default=None)
    version = serializers.IntegerField()


class OrgFilter(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label=_lazy("Organization code (its whole subtree)"))
    org_field = "org"

    def filter_org(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        org = readable_org(self.request, value)
        return queryset.filter(**{f"{self.org_field}__path__startswith": org.path})


class BodyFilter(OrgFilter):
    class Meta:
        model = JointMeeting
        fields: list[str] = []


class SessionFilter(OrgFilter):
    org_field = "body__org"
    body = IdFilter(field_name="body_id")

    class Meta:
        model = JointSession
        fields: list[str] = []


class TaskFilter(OrgFilter):
    org_field = "decision__session__body__org"
    open = django_filters.BooleanFilter(field_name="done_on", lookup_expr="isnull", label=_lazy("Not done yet"))

    class Meta:
        model = Task
        fields: list[str] = []


class BodyViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Joint meeting bodies with their member units."""

    queryset = JointMeeting.objects.none()
    serializer_class = BodySerializer
    filterset_class = BodyFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[JointMeeting]:
        return (JointMeeting.objects.visible_to(self.scope).select_related("org")
                .prefetch_related(Prefetch("memberships", JointMembership.objects.select_related("unit")))
                .order_by("org__path", "name", "pk"))

    @extend_schema(request=BodyCreateSerializer, responses={201: BodySerializer})
    def create(self, request: Request) -> Response:
        form = BodyCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        body = services.body_create(org=readable_org(request, d["org"]), name=d["name"], set_up_on=d["set_up_on"],
                                    note=d["note"])
        return Response(BodySerializer(self.get_queryset().get(pk=body.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MemberAddSerializer, responses={201: MembershipSerializer})
    @action(detail=True, methods=["post"])
    def members(self, request: Request, pk: str) -> Response:
        body = self.get_object()
        form = MemberAddSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        unit = get_object_or_404(ResidentUnit.objects.visible_to(self.scope), pk=d["unit"])
        m = services.membership_add(body=body, unit=unit, joined_on=d["joined_on"],
                                    representative=d["representative"])
        return Response(MembershipSerializer(m).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EndSerializer, responses={200: BodySerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        body = self.get_object()
        form = EndSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.body_end(body=body, ended_on=form.validated_data["on"], version=form.validated_data["version"])
        return Response(BodySerializer(self.get_queryset().get(pk=body.pk)).data)


class SessionViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Meetings of joint meeting bodies, with attendance by unit and decisions."""

    queryset = JointSession.objects.none()
    serializer_class = SessionSerializer
    filterset_class = SessionFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[JointSession]:
        return (JointSession.objects.visible_to(self.scope).select_related("meeting")
                .prefetch_related(Prefetch("attendance", UnitAttendance.objects.select_related("unit")),
                                  "decisions", "decisions__tasks")
                .order_by("-meeting__date", "-pk"))

    @extend_schema(request=SessionCreateSerializer, responses={201: SessionSerializer})
    def create(self, request: Request) -> Response:
        form = SessionCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        body = get_object_or_404(JointMeeting.objects.visible_to(self.scope), pk=d["body"])
        session = services.session_record(
            body=body, date=d["date"], topic=d["topic"], place=d["place"], host=d["host"], minutes=d["minutes"],
            attendance={a["unit"]: (a["presence"], a["attendee"]) for a in d["attendance"]},
            decisions=d["decisions"])
        return Response(SessionSerializer(self.get_queryset().get(pk=session.pk)).data,
                        status=status.HTTP_201_CREATED)


class TaskViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tasks set by the decisions of joint meetings."""

    queryset = Task.objects.none()
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Task]:
        return Task.objects.visible_to(self.scope).order_by("done_on", "due_on", "pk")

    @extend_schema(request=DoneSerializer, responses={200: TaskSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: str) -> Response:
        task = self.get_object()
        form = DoneSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        task = services.task_done(task=task, done_on=d["done_on"], note=d["note"], version=d["version"])
        return Response(TaskSerializer(task).data)


ROUTES = [
    ("joint-bodies", BodyViewSet, "api-joint-body"),
    ("joint-meetings", SessionViewSet, "api-joint-meeting"),
    ("joint-tasks", TaskViewSet, "api-joint-task"),
]
