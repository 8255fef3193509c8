"""The co-construction API (mounted under /api/ by the router over the module registry).

    GET  /api/cobuild/units/?org=&kind=&present=       resident units (the contact's phone masked)
    POST /api/cobuild/units/                           record one (`services.unit_create`)
    GET  /api/cobuild/agreements/?org=&unit=&in_force=  agreements
    POST /api/cobuild/agreements/                      record one; POST …/{id}/renew/ and …/{id}/end/ with `version`
    GET  /api/cobuild/needs/?org=&open=                needs; POST one; POST …/{id}/claim/ (makes a project)
    GET  /api/cobuild/projects/?org=&state=&unit=&year=  projects; POST one; POST …/{id}/start|done|drop/
    GET  /api/cobuild/contributions/?org=&unit=&year=&kind=  contributions; POST one
    GET  /api/cobuild/unit-reports/?org=&unit=              units' reports; POST one; POST …/{id}/accept/

Every queryset comes from the user's `Scope` (outside it: 404); the services check permission (403) and the rules
(400 naming the field; a stale `version` is 409).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.core.idnumber import mask_phone
from grassroots.ui.api import IdFilter, ScopedViewMixin, readable_org

from . import selectors, services
from .models import (
    Agreement,
    Contribution,
    ContributionKind,
    Need,
    Project,
    ProjectState,
    ResidentUnit,
    UnitKind,
    UnitReport,
)

# --- serializers ------------------------------------------------------------------------------------------------


class CobuildUnitSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    party_org = serializers.SerializerMethodField()
    contact_phone = serializers.SerializerMethodField()

    class Meta:
        model = ResidentUnit
        fields = ["id", "org", "name", "kind", "industry", "address", "contact_name", "contact_phone",
                  "has_party_org", "party_members", "party_org", "joined_on", "left_on", "note", "version"]

    def get_party_org(self, obj: ResidentUnit) -> str | None:
        return obj.party_org.code if obj.party_org else None

    def get_contact_phone(self, obj: ResidentUnit) -> str:
        return mask_phone(obj.contact_phone)


class CobuildUnitCreateSerializer(serializers.Serializer):
    org = serializers.CharField()
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=UnitKind.choices)
    industry = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    has_party_org = serializers.BooleanField(required=False, default=False)
    party_members = serializers.IntegerField(min_value=0, max_value=100000, required=False, default=0)
    party_org = serializers.CharField(required=False, allow_blank=True, default="")
    joined_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class CobuildAgreementSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Agreement
        fields = ["id", "org", "unit", "unit_name", "title", "signed_on", "starts_on", "ends_on", "renews", "terms",
                  "ended_on", "version"]


class CobuildAgreementCreateSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    signed_on = serializers.DateField()
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    terms = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class CobuildRenewSerializer(serializers.Serializer):
    version = serializers.CharField()
    signed_on = serializers.DateField()
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    ends_on = serializers.DateField()


class CobuildEndSerializer(serializers.Serializer):
    version = serializers.CharField()
    on = serializers.DateField()
    reason = serializers.CharField(max_length=300)


class CobuildNeedSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)

    class Meta:
        model = Need
        fields = ["id", "org", "agreement", "title", "detail", "listed_on", "claimed_by", "claimed_on",
                  "withdrawn_on", "version"]


class CobuildNeedCreateSerializer(serializers.Serializer):
    org = serializers.CharField()
    title = serializers.CharField(max_length=200)
    detail = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    listed_on = serializers.DateField()
    agreement = serializers.IntegerField(required=False, allow_null=True, default=None)


class CobuildClaimSerializer(serializers.Serializer):
    version = serializers.CharField()
    unit = serializers.IntegerField()
    on = serializers.DateField(required=False, allow_null=True, default=None)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    owner = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class CobuildProjectSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)

    class Meta:
        model = Project
        fields = ["id", "org", "title", "detail", "source", "agreement", "need", "unit", "owner", "started_on",
                  "due_on", "state", "done_on", "outcome", "version"]


class CobuildProjectCreateSerializer(serializers.Serializer):
    org = serializers.CharField()
    title = serializers.CharField(max_length=200)
    detail = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    agreement = serializers.IntegerField(required=False, allow_null=True, default=None)
    unit = serializers.IntegerField(required=False, allow_null=True, default=None)
    owner = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    started_on = serializers.DateField()
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class CobuildVersionSerializer(serializers.Serializer):
    version = serializers.CharField()


class CobuildDoneSerializer(CobuildVersionSerializer):
    on = serializers.DateField(required=False, allow_null=True, default=None)
    outcome = serializers.CharField(max_length=2000)


class CobuildDropSerializer(CobuildVersionSerializer):
    reason = serializers.CharField(max_length=2000)


class CobuildContributionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contribution
        fields = ["id", "unit", "agreement", "project", "kind", "given_on", "amount", "goods"]


class CobuildContributionCreateSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ContributionKind.choices)
    given_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    goods = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    agreement = serializers.IntegerField(required=False, allow_null=True, default=None)
    project = serializers.IntegerField(required=False, allow_null=True, default=None)


class CobuildReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = UnitReport
        fields = ["id", "unit", "reported_on", "offers", "accepted_on", "version"]


class CobuildReportCreateSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    reported_on = serializers.DateField()
    offers = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CobuildAcceptSerializer(CobuildVersionSerializer):
    on = serializers.DateField(required=False, allow_null=True, default=None)


# --- filters ----------------------------------------------------------------------------------------------------

class OrgSubtreeFilter(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label=_lazy("Organization code (its whole subtree)"))
    org_field = "org"

    def filter_org(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        org = readable_org(self.request, value)
        return queryset.filter(**{f"{self.org_field}__path__startswith": org.path})


class UnitFilter(OrgSubtreeFilter):
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices)
    present = django_filters.BooleanFilter(method="filter_present", label=_lazy("In the area today"))

    class Meta:
        model = ResidentUnit
        fields: list[str] = []

    def filter_present(self, queryset: QuerySet[ResidentUnit], name: str, value: Any) -> QuerySet[ResidentUnit]:
        q = selectors.present_on(timezone.localdate())
        return queryset.filter(q) if value else queryset.exclude(q)


class AgreementFilter(OrgSubtreeFilter):
    unit = IdFilter(field_name="unit_id")
    in_force = django_filters.BooleanFilter(method="filter_in_force", label=_lazy("In force today"))

    class Meta:
        model = Agreement
        fields: list[str] = []

    def filter_in_force(self, queryset: QuerySet[Agreement], name: str, value: Any) -> QuerySet[Agreement]:
        q = selectors.in_force_on(timezone.localdate())
        return queryset.filter(q) if value else queryset.exclude(q)


class NeedFilter(OrgSubtreeFilter):
    open = django_filters.BooleanFilter(method="filter_open", label=_lazy("Neither claimed nor withdrawn"))

    class Meta:
        model = Need
        fields: list[str] = []

    def filter_open(self, queryset: QuerySet[Need], name: str, value: Any) -> QuerySet[Need]:
        q = {"claimed_by__isnull": True, "withdrawn_on__isnull": True}
        return queryset.filter(**q) if value else queryset.exclude(**q)


class ProjectFilter(OrgSubtreeFilter):
    state = django_filters.ChoiceFilter(choices=ProjectState.choices)
    unit = IdFilter(field_name="unit_id")
    year = django_filters.NumberFilter(field_name="started_on__year", label=_lazy("Year started"), min_value=1990,
                                       max_value=2100)

    class Meta:
        model = Project
        fields: list[str] = []


class ContributionFilter(OrgSubtreeFilter):
    org_field = "unit__org"
    unit = IdFilter(field_name="unit_id")
    kind = django_filters.ChoiceFilter(choices=ContributionKind.choices)
    year = django_filters.NumberFilter(field_name="given_on__year", label=_lazy("Year given"), min_value=1990,
                                       max_value=2100)

    class Meta:
        model = Contribution
        fields: list[str] = []


class ReportFilter(OrgSubtreeFilter):
    org_field = "unit__org"
    unit = IdFilter(field_name="unit_id")

    class Meta:
        model = UnitReport
        fields: list[str] = []


# --- views ------------------------------------------------------------------------------------------------------

class _Base(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"

    def _visible[M](self, model: type[M], pk: Any) -> M:
        if pk is None:
            return None  # type: ignore[return-value]
        return get_object_or_404(model.objects.visible_to(self.scope), pk=pk)  # type: ignore[attr-defined]

    def _read(self, pk: int) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

    def _made(self, pk: int) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data, status=status.HTTP_201_CREATED)


class UnitViewSet(_Base):
    """Resident units of the organizations the user may read; the contact's phone masked."""

    queryset = ResidentUnit.objects.none()
    serializer_class = CobuildUnitSerializer
    filterset_class = UnitFilter

    def get_queryset(self) -> QuerySet[ResidentUnit]:
        return (ResidentUnit.objects.visible_to(self.scope).select_related("org", "party_org")
                .order_by("org__path", "name", "pk"))

    @extend_schema(request=CobuildUnitCreateSerializer, responses={201: CobuildUnitSerializer})
    def create(self, request: Request) -> Response:
        form = CobuildUnitCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        org = readable_org(request, d.pop("org"))
        party = d.pop("party_org")
        unit = services.unit_create(org=org, party_org=readable_org(request, party) if party else None, **d)
        return self._made(unit.pk)


class AgreementViewSet(_Base):
    """Co-construction agreements of the organizations the user may read."""

    queryset = Agreement.objects.none()
    serializer_class = CobuildAgreementSerializer
    filterset_class = AgreementFilter

    def get_queryset(self) -> QuerySet[Agreement]:
        return Agreement.objects.visible_to(self.scope).select_related("org", "unit").order_by("-signed_on", "-pk")

    @extend_schema(request=CobuildAgreementCreateSerializer, responses={201: CobuildAgreementSerializer})
    def create(self, request: Request) -> Response:
        form = CobuildAgreementCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        unit = self._visible(ResidentUnit, d.pop("unit"))
        made = services.agreement_create(org=unit.org, unit=unit, **d)
        return self._made(made.pk)

    @extend_schema(request=CobuildRenewSerializer, responses={201: CobuildAgreementSerializer})
    @action(detail=True, methods=["post"])
    def renew(self, request: Request, pk: str) -> Response:
        form = CobuildRenewSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        new = services.agreement_renew(self.get_object(), **form.validated_data)
        return self._made(new.pk)

    @extend_schema(request=CobuildEndSerializer, responses={200: CobuildAgreementSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        form = CobuildEndSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._read(services.agreement_end(self.get_object(), **form.validated_data).pk)


class NeedViewSet(_Base):
    """The needs lists (需求清单) of the organizations the user may read."""

    queryset = Need.objects.none()
    serializer_class = CobuildNeedSerializer
    filterset_class = NeedFilter

    def get_queryset(self) -> QuerySet[Need]:
        return Need.objects.visible_to(self.scope).select_related("org").order_by("-listed_on", "-pk")

    @extend_schema(request=CobuildNeedCreateSerializer, responses={201: CobuildNeedSerializer})
    def create(self, request: Request) -> Response:
        form = CobuildNeedCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        made = services.need_create(org=readable_org(request, d.pop("org")),
                                    agreement=self._visible(Agreement, d.pop("agreement")), **d)
        return self._made(made.pk)

    @extend_schema(request=CobuildClaimSerializer, responses={201: CobuildProjectSerializer})
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: str) -> Response:
        form = CobuildClaimSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        project = services.need_claim(self.get_object(), unit=self._visible(ResidentUnit, d.pop("unit")), **d)
        return Response(CobuildProjectSerializer(project).data, status=status.HTTP_201_CREATED)


class ProjectViewSet(_Base):
    """Co-construction projects (项目清单) of the organizations the user may read."""

    queryset = Project.objects.none()
    serializer_class = CobuildProjectSerializer
    filterset_class = ProjectFilter

    def get_queryset(self) -> QuerySet[Project]:
        return Project.objects.visible_to(self.scope).select_related("org").order_by("-started_on", "-pk")

    @extend_schema(request=CobuildProjectCreateSerializer, responses={201: CobuildProjectSerializer})
    def create(self, request: Request) -> Response:
        form = CobuildProjectCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        agreement = self._visible(Agreement, d.pop("agreement"))
        made = services.project_create(org=readable_org(request, d.pop("org")), agreement=agreement,
                                       unit=self._visible(ResidentUnit, d.pop("unit")),
                                       source="agreement" if agreement else "other", **d)
        return self._made(made.pk)

    @extend_schema(request=CobuildVersionSerializer, responses={200: CobuildProjectSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str) -> Response:
        form = CobuildVersionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._read(services.project_start(self.get_object(), **form.validated_data).pk)

    @extend_schema(request=CobuildDoneSerializer, responses={200: CobuildProjectSerializer})
    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: str) -> Response:
        form = CobuildDoneSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._read(services.project_done(self.get_object(), **form.validated_data).pk)

    @extend_schema(request=CobuildDropSerializer, responses={200: CobuildProjectSerializer})
    @action(detail=True, methods=["post"])
    def drop(self, request: Request, pk: str) -> Response:
        form = CobuildDropSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._read(services.project_drop(self.get_object(), **form.validated_data).pk)


class ContributionViewSet(_Base):
    """Money and goods the units gave."""

    queryset = Contribution.objects.none()
    serializer_class = CobuildContributionSerializer
    filterset_class = ContributionFilter

    def get_queryset(self) -> QuerySet[Contribution]:
        return Contribution.objects.visible_to(self.scope).order_by("-given_on", "-pk")

    @extend_schema(request=CobuildContributionCreateSerializer, responses={201: CobuildContributionSerializer})
    def create(self, request: Request) -> Response:
        form = CobuildContributionCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        made = services.contribution_create(unit=self._visible(ResidentUnit, d.pop("unit")),
                                            agreement=self._visible(Agreement, d.pop("agreement")),
                                            project=self._visible(Project, d.pop("project")), **d)
        return self._made(made.pk)


class ReportViewSet(_Base):
    """Units' Party organizations' reports to the community."""

    queryset = UnitReport.objects.none()
    serializer_class = CobuildReportSerializer
    filterset_class = ReportFilter

    def get_queryset(self) -> QuerySet[UnitReport]:
        return UnitReport.objects.visible_to(self.scope).order_by("-reported_on", "-pk")

    @extend_schema(request=CobuildReportCreateSerializer, responses={201: CobuildReportSerializer})
    def create(self, request: Request) -> Response:
        form = CobuildReportCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        made = services.report_create(unit=self._visible(ResidentUnit, d.pop("unit")), **d)
        return self._made(made.pk)

    @extend_schema(request=CobuildAcceptSerializer, responses={200: CobuildReportSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        form = CobuildAcceptSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._read(services.report_accept(self.get_object(), **form.validated_data).pk)


ROUTES = [
    ("cobuild/units", UnitViewSet, "api-cobuild-unit"),
    ("cobuild/agreements", AgreementViewSet, "api-cobuild-agreement"),
    ("cobuild/needs", NeedViewSet, "api-cobuild-need"),
    ("cobuild/projects", ProjectViewSet, "api-cobuild-project"),
    ("cobuild/contributions", ContributionViewSet, "api-cobuild-contribution"),
    ("cobuild/unit-reports", ReportViewSet, "api-cobuild-report"),
]
