"""The practical-projects API (mounted under /api/ by the router over the module registry).

    GET  /api/practical-projects/?org=&year=&parent=   projects the user may read, with progress (rolled up, exact
                                                      as a fraction and rounded), milestones
    POST /api/practical-projects/                     plan one (`services.project_create`)
    GET  /api/practical-projects/{id}/timeline/       the project's dated history
    POST /api/practical-projects/{id}/status/         change its status, with `version` (`services.status_change`)
    POST /api/practical-projects/{id}/progress/       report a leaf project's progress (`services.progress_record`)
    POST /api/practical-projects/{id}/milestones/     add a milestone (`services.milestone_add`)
    POST /api/practical-projects/{id}/supervision/    record a supervision activity (`services.supervision_record`)

Every queryset comes from the user's `Scope` (outside it: 404); the services check permission (403) and the
rules (400 naming the field; a stale `version` is 409). Serializer names carry "Practical" (cobuild has a Project).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.deliberation.models import Seat
from grassroots.ui.api import ConflictSerializer, IdFilter, LenientDateField, ScopedViewMixin, readable_org

from . import selectors, services
from .models import Milestone, PracticalProject, ProgressReport, Supervision, SupervisionKind
from .progress import display


class PracticalMilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "title", "due_on", "done_on", "weight", "version"]


class PracticalProjectSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    progress = serializers.SerializerMethodField(help_text=_lazy("Progress in per cent, rounded"))
    progress_exact = serializers.SerializerMethodField(help_text=_lazy("Progress as an exact fraction, a/b"))
    milestones = PracticalMilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = PracticalProject
        fields = ["id", "org", "parent", "code", "title", "year", "weight", "description", "lead_unit",
                  "handler_name", "handler_phone", "planned_start", "due_on", "status", "status_label",
                  "status_reason", "done_on", "published", "meeting", "vote", "progress", "progress_exact",
                  "milestones", "version"]

    def _progress(self, obj: PracticalProject) -> Any:
        known = self.context.get("progress") or {}  # the list's, computed for the whole page at once
        if obj.pk in known:
            return known[obj.pk]
        return selectors.progress_map([obj], None)[obj.pk]

    def get_progress(self, obj: PracticalProject) -> str:
        return display(self._progress(obj))

    def get_progress_exact(self, obj: PracticalProject) -> str:
        return str(self._progress(obj))


class PracticalProjectCreateSerializer(serializers.Serializer):
    org = serializers.CharField(required=False, allow_blank=True, default="")
    parent = serializers.IntegerField(min_value=1, required=False, allow_null=True,  # type: ignore[assignment]
                                      default=None)
    title = serializers.CharField(max_length=200)
    code = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    year = serializers.IntegerField(min_value=1990, max_value=2100, required=False, allow_null=True, default=None)
    weight = serializers.IntegerField(min_value=1, max_value=1000, required=False, default=1)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    lead_unit = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    handler_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    handler_phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    planned_start = LenientDateField(required=False, allow_null=True, default=None)
    due_on = LenientDateField(required=False, allow_null=True, default=None)
    published = serializers.BooleanField(required=False, default=False)


class PracticalStatusSerializer(serializers.Serializer):
    to = serializers.CharField(max_length=12)
    on = LenientDateField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    version = serializers.IntegerField()


class PracticalProgressSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgressReport
        fields = ["id", "on", "percent", "note"]


class PracticalMilestoneCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    due_on = LenientDateField()
    weight = serializers.IntegerField(min_value=1, max_value=1000, required=False, default=1)


class PracticalSupervisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Supervision
        fields = ["id", "on", "kind", "seats", "names", "findings", "follow_up", "follow_up_done_on", "version"]


class PracticalSupervisionCreateSerializer(serializers.Serializer):
    on = LenientDateField()
    kind = serializers.ChoiceField(choices=SupervisionKind.choices)
    seats = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list)
    names = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    findings = serializers.CharField(required=False, allow_blank=True, default="")
    follow_up = serializers.CharField(required=False, allow_blank=True, default="")


class PracticalTimelineEntrySerializer(serializers.Serializer):
    on = serializers.DateField()
    kind = serializers.CharField()
    text = serializers.CharField()
    detail = serializers.CharField()
    project = serializers.IntegerField(allow_null=True, help_text=_lazy("The sub-project concerned, if any"))


class PracticalProjectFilter(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label=_lazy("Organization code (its whole subtree)"))
    year = django_filters.NumberFilter(field_name="year")
    parent = IdFilter(field_name="parent_id")

    class Meta:
        model = PracticalProject
        fields: list[str] = []

    def filter_org(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        org = readable_org(self.request, value)
        return queryset.filter(org__path__startswith=org.path)


class PracticalProjectViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                              viewsets.GenericViewSet):
    """Practical projects with their progress and milestones."""

    queryset = PracticalProject.objects.none()
    serializer_class = PracticalProjectSerializer
    filterset_class = PracticalProjectFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[PracticalProject]:
        return (PracticalProject.objects.visible_to(self.scope).select_related("org")
                .prefetch_related("milestones").order_by("org__path", "-year", "pk"))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        context = {**self.get_serializer_context(), "progress": selectors.progress_map(rows, None)}
        data = PracticalProjectSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def _answer(self, project: PracticalProject, code: int = status.HTTP_200_OK) -> Response:
        return Response(PracticalProjectSerializer(self.get_queryset().get(pk=project.pk)).data, status=code)

    @extend_schema(request=PracticalProjectCreateSerializer, responses={201: PracticalProjectSerializer})
    def create(self, request: Request) -> Response:
        form = PracticalProjectCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        org_code, parent_id = d.pop("org"), d.pop("parent")
        parent = get_object_or_404(self.get_queryset(), pk=parent_id) if parent_id else None
        org = readable_org(request, org_code) if org_code else None
        project = services.project_create(org=org, parent=parent, **d)
        return self._answer(project, status.HTTP_201_CREATED)

    @extend_schema(responses={200: PracticalTimelineEntrySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        rows = [{"on": e.on, "kind": e.kind, "text": e.text, "detail": e.detail,
                 "project": e.project.pk if e.project else None} for e in selectors.timeline(project)]
        return Response(PracticalTimelineEntrySerializer(rows, many=True).data)

    @extend_schema(request=PracticalStatusSerializer, responses={200: PracticalProjectSerializer,
                                                                 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def status(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        form = PracticalStatusSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._answer(services.status_change(project=project, **form.validated_data))

    @extend_schema(request=PracticalProgressSerializer, responses={201: PracticalProgressSerializer})
    @action(detail=True, methods=["post"])
    def progress(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        form = PracticalProgressSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        r = services.progress_record(project=project, **form.validated_data)
        return Response(PracticalProgressSerializer(r).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PracticalMilestoneCreateSerializer, responses={201: PracticalMilestoneSerializer})
    @action(detail=True, methods=["post"])
    def milestones(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        form = PracticalMilestoneCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        m = services.milestone_add(project=project, **form.validated_data)
        return Response(PracticalMilestoneSerializer(m).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PracticalSupervisionCreateSerializer, responses={201: PracticalSupervisionSerializer})
    @action(detail=True, methods=["post"])
    def supervision(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        form = PracticalSupervisionCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        ids = d.pop("seats")
        seats = list(Seat.objects.visible_to(self.scope).filter(pk__in=ids))
        if len(seats) != len(set(ids)):
            raise serializers.ValidationError({"seats": [_lazy("unknown seat")]})
        sv = services.supervision_record(project=project, seats=seats, **d)
        return Response(PracticalSupervisionSerializer(sv).data, status=status.HTTP_201_CREATED)


ROUTES = [
    ("practical-projects", PracticalProjectViewSet, "api-practical-project"),
]
