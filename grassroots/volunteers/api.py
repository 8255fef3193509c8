"""The volunteer-service API (mounted under /api/ by the router over the module registry).

    GET/POST  /api/volunteers/teams/                 ?org=    teams; POST creates (`services.team_create`)
    GET/PATCH /api/volunteers/teams/{id}/                     PATCH with `version` (`services.team_update`)
    GET/POST  /api/volunteers/people/                ?org=&kind=   volunteers (masked); POST registers
    POST      /api/volunteers/people/{id}/reveal/              the full document number or phone, logged
    GET/POST  /api/volunteers/activities/            ?org=&team=&start=&end=   POST creates
    POST      /api/volunteers/activities/{id}/signup/          sign a volunteer up
    POST      /api/volunteers/activities/{id}/confirm/         confirm every attendance marked present
    GET       /api/volunteers/participations/        ?activity=&volunteer=&confirmed=
    POST      /api/volunteers/participations/{id}/attendance/  present/absent with the actual times
    POST      /api/volunteers/participations/{id}/confirm/     confirm the hours
    GET/POST  /api/volunteers/reports/  POST /{id}/decide/     self-reported hours
    GET/POST  /api/volunteers/corrections/  POST /{id}/decide/ correction requests
    GET/POST  /api/volunteers/certificates/                    certificates; POST issues one

Every queryset comes from the user's scope (outside it: 404); writes go through the services (403 refused, 400
naming the field, 409 stale version: the API's exception handler answers them).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.ui.api import ConflictSerializer, IdFilter, ScopedViewMixin, readable_org

from . import services
from .models import Activity, Certificate, Correction, Participation, SelfReport, Volunteer, VolunteerTeam
from .serializers import (
    VolActivityCreateSerializer,
    VolActivitySerializer,
    VolAttendanceSerializer,
    VolCertificateCreateSerializer,
    VolCertificateSerializer,
    VolCorrectionCreateSerializer,
    VolCorrectionSerializer,
    VolDecideSerializer,
    VolParticipationSerializer,
    VolReportCreateSerializer,
    VolReportSerializer,
    VolRevealedSerializer,
    VolRevealSerializer,
    VolSignUpSerializer,
    VolTeamCreateSerializer,
    VolTeamSerializer,
    VolTeamUpdateSerializer,
    VolunteerCreateSerializer,
    VolunteerSerializer,
    VolVersionSerializer,
)


class OrgFilter(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label=_lazy("Organization code (its whole subtree)"))
    org_field = "org"

    def filter_org(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        org = readable_org(self.request, value)
        return queryset.filter(**{f"{self.org_field}__path__startswith": org.path})


class TeamFilter(OrgFilter):
    class Meta:
        model = VolunteerTeam
        fields = ["active"]


class VolunteerFilter(OrgFilter):
    kind = django_filters.ChoiceFilter(choices=[("member", "member"), ("resident", "resident")], method="filter_kind")

    class Meta:
        model = Volunteer
        fields: list[str] = []

    def filter_kind(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(member__isnull=value == "resident")


class ActivityFilter(OrgFilter):
    team = IdFilter(field_name="team_id")
    start = django_filters.DateFilter(field_name="starts_at", lookup_expr="date__gte", label=_lazy("From"))
    end = django_filters.DateFilter(field_name="starts_at", lookup_expr="date__lte", label=_lazy("To"))

    class Meta:
        model = Activity
        fields = ["cancelled"]


class ParticipationFilter(django_filters.FilterSet):
    activity = IdFilter(field_name="activity_id")
    volunteer = IdFilter(field_name="volunteer_id")
    confirmed = django_filters.BooleanFilter(field_name="confirmed_on", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Participation
        fields = ["state"]


class ReportFilter(OrgFilter):
    volunteer = IdFilter(field_name="volunteer_id")

    class Meta:
        model = SelfReport
        fields = ["state"]


class CorrectionFilter(OrgFilter):
    volunteer = IdFilter(field_name="volunteer_id")

    class Meta:
        model = Correction
        fields = ["state"]


class CertificateFilter(OrgFilter):
    volunteer = IdFilter(field_name="volunteer_id")

    class Meta:
        model = Certificate
        fields = ["year"]


class _Base(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"

    def _volunteer(self, pk: Any) -> Volunteer:
        return get_object_or_404(self._volunteers(), pk=pk)

    def _volunteers(self) -> QuerySet[Volunteer]:
        own = Q(member_id__in=self.scope.own_member_ids)
        return Volunteer.objects.filter(Q(pk__in=Volunteer.objects.visible_to(self.scope).values("pk")) | own
                                        ).select_related("org", "member")


class TeamViewSet(_Base, mixins.UpdateModelMixin):
    """Volunteer teams of the organizations the user may read."""

    queryset = VolunteerTeam.objects.none()
    serializer_class = VolTeamSerializer
    filterset_class = TeamFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[VolunteerTeam]:
        return VolunteerTeam.objects.visible_to(self.scope).select_related("org").order_by("org__path", "code")

    @extend_schema(request=VolTeamCreateSerializer, responses={201: VolTeamSerializer})
    def create(self, request: Request) -> Response:
        form = VolTeamCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        org = readable_org(request, d.pop("org"))
        team = services.team_create(org, **d)
        return Response(VolTeamSerializer(team).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VolTeamUpdateSerializer, responses={200: VolTeamSerializer, 409: ConflictSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        team = self.get_object()
        form = VolTeamUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        team = services.team_update(team, **d)
        return Response(VolTeamSerializer(team).data)

    @extend_schema(exclude=True)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:  # PUT is not offered
        return Response(status=status.HTTP_405_METHOD_NOT_ALLOWED)


class VolunteerViewSet(_Base):
    """Volunteers registered in the organizations the user may read (and the user's own records), masked."""

    queryset = Volunteer.objects.none()
    serializer_class = VolunteerSerializer
    filterset_class = VolunteerFilter

    def get_queryset(self) -> QuerySet[Volunteer]:
        return self._volunteers().order_by("number", "pk")

    @extend_schema(request=VolunteerCreateSerializer, responses={201: VolunteerSerializer})
    def create(self, request: Request) -> Response:
        form = VolunteerCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        org = readable_org(request, d.pop("org"))
        member_id = d.pop("member")
        member = get_object_or_404(self.scope.members(), pk=member_id) if member_id else None
        volunteer = services.volunteer_register(org, member=member, **d)
        return Response(VolunteerSerializer(volunteer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VolRevealSerializer, responses={200: VolRevealedSerializer})
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """The full document number or phone; every reveal is written to the audit log."""
        volunteer = self.get_object()
        form = VolRevealSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        field = form.validated_data["field"]
        return Response({"field": field, "value": services.volunteer_reveal(volunteer, field=field)})


class ActivityViewSet(_Base):
    """Activities of the teams the user may read."""

    queryset = Activity.objects.none()
    serializer_class = VolActivitySerializer
    filterset_class = ActivityFilter

    def get_queryset(self) -> QuerySet[Activity]:
        return Activity.objects.visible_to(self.scope).select_related("org", "team").order_by("starts_at", "pk")

    @extend_schema(request=VolActivityCreateSerializer, responses={201: VolActivitySerializer})
    def create(self, request: Request) -> Response:
        form = VolActivityCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        team = get_object_or_404(VolunteerTeam.objects.visible_to(self.scope), pk=d.pop("team"))
        activity = services.activity_create(team, **d)
        return Response(VolActivitySerializer(activity).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VolSignUpSerializer, responses={201: VolParticipationSerializer})
    @action(detail=True, methods=["post"])
    def signup(self, request: Request, pk: str | None = None) -> Response:
        activity = self.get_object()
        form = VolSignUpSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        participation = services.sign_up(activity, self._volunteer(form.validated_data["volunteer"]))
        return Response(VolParticipationSerializer(participation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: VolParticipationSerializer(many=True)})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        activity = self.get_object()
        services.confirm_activity(activity, on=timezone.localdate())
        rows = activity.participations.select_related("volunteer__member").order_by("pk")
        return Response(VolParticipationSerializer(rows, many=True).data)


class ParticipationViewSet(_Base):
    """Sign-ups and attendance at the activities the user may read (and the user's own)."""

    queryset = Participation.objects.none()
    serializer_class = VolParticipationSerializer
    filterset_class = ParticipationFilter

    def get_queryset(self) -> QuerySet[Participation]:
        return (Participation.objects.filter(Q(activity__in=Activity.objects.visible_to(self.scope))
                                             | Q(volunteer__member_id__in=self.scope.own_member_ids))
                .select_related("volunteer__member", "activity").order_by("pk"))

    @extend_schema(request=VolAttendanceSerializer, responses={200: VolParticipationSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        p = self.get_object()
        form = VolAttendanceSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        p = services.mark_attendance(p, present=d["present"], actual_start=d["actual_start"],
                                     actual_end=d["actual_end"], version=d["version"])
        return Response(VolParticipationSerializer(p).data)

    @extend_schema(request=VolVersionSerializer, responses={200: VolParticipationSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        p = self.get_object()
        form = VolVersionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        p = services.confirm_hours(p, on=timezone.localdate(), version=form.validated_data["version"])
        return Response(VolParticipationSerializer(p).data)

    @extend_schema(request=VolVersionSerializer, responses={200: VolParticipationSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        p = self.get_object()
        form = VolVersionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        p = services.withdraw(p, version=form.validated_data["version"])
        return Response(VolParticipationSerializer(p).data)


class _Decided(_Base):
    model: Any = None

    def get_queryset(self) -> QuerySet[Any]:
        return (self.model.objects.filter(Q(pk__in=self.model.objects.visible_to(self.scope).values("pk"))
                                          | Q(volunteer__member_id__in=self.scope.own_member_ids))
                .select_related("volunteer__member").order_by("pk"))


class ReportViewSet(_Decided):
    """Self-reported service. POST reports (the volunteer, or staff for them); decide approves or declines."""

    model = SelfReport
    queryset = SelfReport.objects.none()
    serializer_class = VolReportSerializer
    filterset_class = ReportFilter

    @extend_schema(request=VolReportCreateSerializer, responses={201: VolReportSerializer})
    def create(self, request: Request) -> Response:
        form = VolReportCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        report = services.report_hours(self._volunteer(d.pop("volunteer")), **d)
        return Response(VolReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VolDecideSerializer, responses={200: VolReportSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        form = VolDecideSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        report = services.decide_report(report, on=timezone.localdate(), **form.validated_data)
        return Response(VolReportSerializer(report).data)


class CorrectionViewSet(_Decided):
    """Requests to correct a volunteer's record. POST asks (the volunteer, or staff for them); decide answers."""

    model = Correction
    queryset = Correction.objects.none()
    serializer_class = VolCorrectionSerializer
    filterset_class = CorrectionFilter

    @extend_schema(request=VolCorrectionCreateSerializer, responses={201: VolCorrectionSerializer})
    def create(self, request: Request) -> Response:
        form = VolCorrectionCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        volunteer = self._volunteer(d.pop("volunteer"))
        p_id, r_id = d.pop("participation"), d.pop("report")
        participation = get_object_or_404(Participation, pk=p_id, volunteer=volunteer) if p_id else None
        report = get_object_or_404(SelfReport, pk=r_id, volunteer=volunteer) if r_id else None
        correction = services.request_correction(volunteer, participation=participation, report=report,
                                                 on=timezone.localdate(), **d)
        return Response(VolCorrectionSerializer(correction).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VolDecideSerializer, responses={200: VolCorrectionSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        correction = self.get_object()
        form = VolDecideSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        correction = services.decide_correction(correction, on=timezone.localdate(), **form.validated_data)
        return Response(VolCorrectionSerializer(correction).data)


class CertificateViewSet(_Decided):
    """Certificates issued (the .docx is the page `volunteers/certificates/{id}/`). POST issues one."""

    model = Certificate
    queryset = Certificate.objects.none()
    serializer_class = VolCertificateSerializer
    filterset_class = CertificateFilter

    @extend_schema(request=VolCertificateCreateSerializer, responses={201: VolCertificateSerializer})
    def create(self, request: Request) -> Response:
        form = VolCertificateCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        certificate = services.issue_certificate(self._volunteer(d.pop("volunteer")), on=timezone.localdate(), **d)
        return Response(VolCertificateSerializer(certificate).data, status=status.HTTP_201_CREATED)


ROUTES = [
    ("volunteers/teams", TeamViewSet, "volunteer-team"),
    ("volunteers/people", VolunteerViewSet, "volunteer"),
    ("volunteers/activities", ActivityViewSet, "volunteer-activity"),
    ("volunteers/participations", ParticipationViewSet, "volunteer-participation"),
    ("volunteers/reports", ReportViewSet, "volunteer-report"),
    ("volunteers/corrections", CorrectionViewSet, "volunteer-correction"),
    ("volunteers/certificates", CertificateViewSet, "volunteer-certificate"),
]
