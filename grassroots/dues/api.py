"""The dues API (mounted under /api/ by the router over the module registry).

    GET  /api/dues/assessments/?org=&year=           assessments of the members the user may read
    GET  /api/dues/assessments/{id}/
    POST /api/dues/assessments/                      assess a member's year (`services.assess`)
    GET  /api/dues/payments/?org=&start=&end=&member=  payments received in the organization's subtree
    GET  /api/dues/payments/{id}/                    with the months it covers
    POST /api/dues/payments/                         record a payment (`services.record_payment`)
    GET  /api/dues/remittances/?org=&start=&end=     remittances made by the organization's subtree
    POST /api/dues/remittances/                      record a remittance (`services.record_remittance`)
    GET  /api/orgs/{code}/dues-ledger/?year=&month=&as_of=   `selectors.ledger` and `selectors.totals`
    GET  /api/members/{id}/dues-statement/?year=&as_of=      `selectors.statement`

Every queryset comes from the user's `Scope`: an organization or member outside it is a 404 (a list filtered by
an organization outside it too). Writes go through the same services as the pages, which check permission
(a refusal is 403) and the rules (a broken rule is 400 naming the field: the API's exception handler answers
both) and write the audit entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.core.errors import RuleError
from grassroots.ui.api import (
    AS_OF,
    ConflictSerializer,
    IdFilter,
    ScopedViewMixin,
    as_of,
    readable_member,
    readable_org,
)

from . import selectors, services
from .models import DuesAssessment, DuesPayment, Remittance
from .serializers import (
    AssessmentCreateSerializer,
    AssessmentSerializer,
    LedgerSerializer,
    PaymentCreateSerializer,
    PaymentSerializer,
    RemittanceCreateSerializer,
    RemittanceSerializer,
    StatementSerializer,
)

# --- filters ---------------------------------------------------------------------------------------------------

class OrgSubtreeFilter(django_filters.FilterSet):
    """`org`: an organization code in the user's scope (its whole subtree; outside the scope: 404)."""

    org = django_filters.CharFilter(method="filter_org", label=_lazy("Organization code (its whole subtree)"))
    org_field = "org"

    def filter_org(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        org = readable_org(self.request, value)
        return queryset.filter(**{f"{self.org_field}__path__startswith": org.path})


class AssessmentFilter(OrgSubtreeFilter):
    org_field = "member__org"
    member = IdFilter(field_name="member_id")

    class Meta:
        model = DuesAssessment
        fields = ["year", "category"]


class PaymentFilter(OrgSubtreeFilter):
    start = django_filters.DateFilter(field_name="paid_on", lookup_expr="gte", label=_lazy("Paid on or after"))
    end = django_filters.DateFilter(field_name="paid_on", lookup_expr="lte", label=_lazy("Paid on or before"))
    member = IdFilter(field_name="member_id")

    class Meta:
        model = DuesPayment
        fields = ["kind"]


class RemittanceFilter(OrgSubtreeFilter):
    start = django_filters.DateFilter(field_name="remitted_on", lookup_expr="gte",
                                      label=_lazy("Remitted on or after"))
    end = django_filters.DateFilter(field_name="remitted_on", lookup_expr="lte",
                                    label=_lazy("Remitted on or before"))

    class Meta:
        model = Remittance
        fields: list[str] = []


# --- the viewsets ----------------------------------------------------------------------------------------------

class AssessmentViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Yearly dues assessments of the members the user may read. POST assesses a member's year through
    `services.assess` (replacing that year's assessment if there is one)."""

    queryset = DuesAssessment.objects.none()  # the real one is get_queryset's; this names the model
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[DuesAssessment]:
        return (DuesAssessment.objects.filter(member__in=self.scope.members())
                .select_related("member__org").order_by("year", "member__name", "member_id"))

    @extend_schema(request=AssessmentCreateSerializer,
                   responses={201: AssessmentSerializer, 409: ConflictSerializer})
    def create(self, request: Request) -> Response:
        form = AssessmentCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        member = readable_member(self, d["member"])
        assessment = services.assess(member, year=d["year"], category=d["category"], base=d.get("base"),
                                     amount=d.get("amount"), approval=d["approval"],
                                     on=d.get("on") or timezone.localdate(), version=d["version"])
        return Response(AssessmentSerializer(self.get_queryset().get(pk=assessment.pk)).data,
                        status=status.HTTP_201_CREATED)


class PaymentViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Dues payments received in the organizations the user may read (and the user's own), with the months
    each covers. POST records one through `services.record_payment` (a voluntary payment covers no month)."""

    queryset = DuesPayment.objects.none()  # the real one is get_queryset's; this names the model
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[DuesPayment]:
        own = Q(member_id__in=self.scope.own_member_ids) if self.scope.own_member_ids else Q(pk__in=[])
        readable = self.scope.by_org(DuesPayment.objects.all()).values("pk")
        return (DuesPayment.objects.filter(Q(pk__in=readable) | own).select_related("member", "org")
                .prefetch_related("months").order_by("paid_on", "id"))

    @extend_schema(request=PaymentCreateSerializer, responses={201: PaymentSerializer})
    def create(self, request: Request) -> Response:
        form = PaymentCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        member = readable_member(self, d["member"])
        payment = services.record_payment(member, paid_on=d["paid_on"], months=d["months"], amount=d["amount"],
                                          kind=d["kind"], channel=d["channel"], paid_by=d["paid_by"],
                                          receipt=d["receipt"], note=d["note"])
        return Response(PaymentSerializer(self.get_queryset().get(pk=payment.pk)).data,
                        status=status.HTTP_201_CREATED)


class RemittanceViewSet(ScopedViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Remittances handed up by the organizations the user may read. POST records one through
    `services.record_remittance` (to the parent organization unless `to_org` names a higher one)."""

    queryset = Remittance.objects.none()  # the real one is get_queryset's; this names the model
    serializer_class = RemittanceSerializer
    filterset_class = RemittanceFilter

    def get_queryset(self) -> QuerySet[Remittance]:
        return (self.scope.by_org(Remittance.objects.all()).select_related("org", "to_org")
                .order_by("remitted_on", "id"))

    @extend_schema(request=RemittanceCreateSerializer, responses={201: RemittanceSerializer})
    def create(self, request: Request) -> Response:
        form = RemittanceCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        org = readable_org(request, d["org"])
        to_org = None
        if d.get("to_org"):
            to_org = org.get_ancestors().filter(code=d["to_org"].strip()).first()
            if to_org is None:
                raise RuleError(_("dues are remitted to a higher organization of %(org)s") % {"org": org.name},
                                field="to_org")
        remittance = services.record_remittance(org, remitted_on=d["remitted_on"], period_start=d["period_start"],
                                                period_end=d["period_end"], amount=d["amount"], to_org=to_org,
                                                note=d["note"])
        return Response(RemittanceSerializer(self.get_queryset().get(pk=remittance.pk)).data,
                        status=status.HTTP_201_CREATED)


# --- the ledger and the statement ----------------------------------------------------------------------------

class PeriodQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=1990, max_value=2100)
    month = serializers.IntegerField(required=False, min_value=1, max_value=12)


YEAR = OpenApiParameter("year", OpenApiTypes.INT, description="The year (default: this year)")
MONTH = OpenApiParameter("month", OpenApiTypes.INT,
                         description="The month, 1-12 (default: this month this year, else December)")


class LedgerView(ScopedViewMixin):
    """A branch's monthly ledger (`selectors.ledger`: one row per member who belonged or paid there in the
    month) with the subtree's totals (`selectors.totals`) of the month and of the year up to `as_of`."""

    serializer_class = LedgerSerializer
    filter_backends: list[Any] = []
    pagination_class = None

    @extend_schema(parameters=[YEAR, MONTH, AS_OF], responses={200: LedgerSerializer})
    def get(self, request: Request, code: str) -> Response:
        org = readable_org(request, code)
        day = as_of(request)
        query = PeriodQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year", day.year)
        month = query.validated_data.get("month", day.month if year == day.year else 12)
        start = dt.date(year, month, 1)
        rows = selectors.ledger(org, year, month)
        data = {
            "org": org.code, "year": year, "month": month, "rows": rows,
            "paid_count": sum(1 for r in rows if r.month_paid),
            "totals": {"month": selectors.totals(org, *selectors.month_span(start)),
                       "year": selectors.totals(org, *selectors.year_to_date(year, day))},
        }
        return Response(LedgerSerializer(data).data)


class StatementView(ScopedViewMixin):
    """A member's dues in a year (`selectors.statement`), with the unpaid months before `as_of` (`overdue`)."""

    serializer_class = StatementSerializer
    filter_backends: list[Any] = []
    pagination_class = None

    @extend_schema(parameters=[YEAR, AS_OF], responses={200: StatementSerializer})
    def get(self, request: Request, pk: int) -> Response:
        member = readable_member(self, pk)
        day = as_of(request)
        query = PeriodQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = selectors.statement(member, query.validated_data.get("year", day.year))
        data["overdue"] = [m for m in data["unpaid"] if m < day]
        if data["assessment"] is not None:
            data["assessment"].member = member
        return Response(StatementSerializer(data).data)


ROUTES = [
    ("dues/assessments", AssessmentViewSet, "api-dues-assessment"),
    ("dues/payments", PaymentViewSet, "api-dues-payment"),
    ("dues/remittances", RemittanceViewSet, "api-dues-remittance"),
]

urlpatterns = [
    path("orgs/<str:code>/dues-ledger/", LedgerView.as_view(), name="api-org-dues-ledger"),
    path("members/<int:pk>/dues-statement/", StatementView.as_view(), name="api-member-dues-statement"),
]
