"""The API of assistance (`ROUTES` under /api/):

    GET  /api/assistance/ledger/                the entries of the places the user reads (?year= ?kind= ?org= ?household=)
    POST /api/assistance/ledger/                record one (`services.assistance_record`)
    GET  /api/assistance/ledger/{id}/           one
    POST /api/assistance/ledger/{id}/correct/   correct it (with `version`; 409 when stale)
    GET  /api/assistance/rounds/                the distribution rounds of the organizations the user reads
    GET  /api/assistance/rounds/{id}/           one, with its list per household
    GET  /api/assistance/donations/             the donations received (?org=)
    GET  /api/assistance/stock/?org=CODE        the store's stock per item

No phone or ID number leaves: a household is its number, its head's name and its place's name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from grassroots.core.errors import RuleError
from grassroots.households.models import Household
from grassroots.orgs.models import Organization
from grassroots.ui.api import (
    ConflictSerializer,
    LenientDateField,
    ScopedViewMixin,
    code_param,
    readable_org,
    rule_error_response,
)

from . import selectors, services
from .models import Assistance, DistributionLine, DistributionRound, Donation, StockItem


class AssistanceEntrySerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id", read_only=True)
    household_code = serializers.CharField(source="household.code", read_only=True)
    head_name = serializers.CharField(source="household.head_name", read_only=True)
    place = serializers.CharField(source="household.territory.name", read_only=True)
    kind = serializers.SerializerMethodField(help_text=_lazy("A statutory kind's code, or local-<id>"))
    kind_name = serializers.SerializerMethodField()
    form = serializers.CharField(read_only=True, help_text=_lazy("cash, goods or service"))
    source = serializers.CharField(read_only=True,  # type: ignore[assignment]
                                   help_text=_lazy("government, unit, party, donations or other"))

    class Meta:
        model = Assistance
        fields = ["id", "household", "household_code", "head_name", "place", "kind", "kind_name", "form", "amount",
                  "goods", "quantity", "given_on", "source", "source_name", "persons_count", "note", "version"]
        read_only_fields = fields

    def get_kind(self, entry: Assistance) -> str:
        return selectors.kind_value(entry)

    def get_kind_name(self, entry: Assistance) -> str:
        return selectors.kind_label(entry)


class AssistanceInputSerializer(serializers.Serializer):
    household = serializers.IntegerField(help_text=_lazy("The household's id"))
    kind = serializers.CharField(help_text=_lazy("A statutory kind's code (dibao, tekun, disaster, medical, "
                                                 "education, housing, employment, temporary) or local-<id>"))
    form = serializers.CharField(help_text=_lazy("cash, goods or service"))
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True,
                                      default=None)
    goods = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True,
                                        default=None)
    given_on = LenientDateField(required=False, allow_null=True, default=None)
    source = serializers.CharField(help_text=_lazy("government, unit, party, donations or other"))  # type: ignore[assignment]
    source_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    persons_count = serializers.IntegerField(required=False, allow_null=True, default=None)
    persons = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class AssistanceCorrectSerializer(AssistanceInputSerializer):
    household = None  # type: ignore[assignment]
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


class AssistanceErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, required=False)
    detail = serializers.CharField()


ERRORS: dict[int, Any] = {400: OpenApiTypes.OBJECT, 403: AssistanceErrorSerializer, 409: ConflictSerializer}


class AssistanceFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="given_on", lookup_expr="year")
    kind = django_filters.CharFilter(method="filter_kind")
    household = django_filters.NumberFilter(field_name="household_id")
    org = django_filters.CharFilter(method="filter_org", label=_lazy("Organization code (the places it holds)"))

    class Meta:
        model = Assistance
        fields: list[str] = []

    def filter_kind(self, qs: QuerySet[Assistance], name: str, value: str) -> QuerySet[Assistance]:
        if value.startswith(selectors.LOCAL_PREFIX):
            pk = value[len(selectors.LOCAL_PREFIX):]
            return qs.filter(local_kind_id=int(pk)) if pk.isdigit() else qs.none()
        return qs.filter(kind=value)

    def filter_org(self, qs: QuerySet[Assistance], name: str, value: str) -> QuerySet[Assistance]:
        org = Organization.objects.filter(code=code_param(value)).first()
        return qs.filter(pk__in=selectors.ledger_of(org).values("pk")) if org else qs.none()


class AssistanceViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The assistance ledger of the places the user reads."""

    queryset = Assistance.objects.none()
    serializer_class = AssistanceEntrySerializer
    filterset_class = AssistanceFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Assistance]:
        return (selectors.visible(self.scope).select_related("household__territory", "local_kind")
                .order_by("-given_on", "-id"))

    def _done(self, write: Callable[[], Assistance], code: int = status.HTTP_200_OK) -> Response:
        try:
            entry = write()
        except RuleError as exc:
            return rule_error_response(exc)
        fresh = Assistance.objects.select_related("household__territory", "local_kind").get(pk=entry.pk)
        return Response(AssistanceEntrySerializer(fresh).data, status=code)

    @extend_schema(request=AssistanceInputSerializer, responses={201: AssistanceEntrySerializer, **ERRORS})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = AssistanceInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        household = Household.objects.visible_to(self.scope).filter(pk=d.pop("household")).first()
        if household is None:
            return Response({"field": "household", "detail": "unknown household"},
                            status=status.HTTP_400_BAD_REQUEST)
        return self._done(lambda: services.assistance_record(household=household, **d), status.HTTP_201_CREATED)

    @extend_schema(request=AssistanceCorrectSerializer, responses={200: AssistanceEntrySerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, pk: str | None = None) -> Response:
        entry = self.get_object()
        form = AssistanceCorrectSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        version = d.pop("version")
        return self._done(lambda: services.assistance_correct(entry, version=version, **d))


class AssistanceLineSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id", read_only=True)
    household_code = serializers.CharField(source="household.code", read_only=True)
    head_name = serializers.CharField(source="household.head_name", read_only=True)
    item = serializers.CharField(source="item.name", read_only=True)
    unit = serializers.CharField(source="item.unit", read_only=True)

    class Meta:
        model = DistributionLine
        fields = ["id", "household", "household_code", "head_name", "item", "unit", "quantity"]
        read_only_fields = fields


class AssistanceRoundSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    kind = serializers.SerializerMethodField()
    kind_name = serializers.SerializerMethodField()

    class Meta:
        model = DistributionRound
        fields = ["id", "org", "title", "held_on", "kind", "kind_name", "signed", "signed_on", "note", "version"]
        read_only_fields = fields

    def get_kind(self, rnd: DistributionRound) -> str:
        return selectors.kind_value(rnd)

    def get_kind_name(self, rnd: DistributionRound) -> str:
        return selectors.kind_label(rnd)


class AssistanceRoundDetailSerializer(AssistanceRoundSerializer):
    lines = AssistanceLineSerializer(many=True, read_only=True)

    class Meta(AssistanceRoundSerializer.Meta):
        fields = [*AssistanceRoundSerializer.Meta.fields, "lines"]
        read_only_fields = fields


class AssistanceRoundViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                             viewsets.GenericViewSet):
    """The distribution rounds of the organizations the user reads."""

    queryset = DistributionRound.objects.none()
    serializer_class = AssistanceRoundSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[DistributionRound]:
        qs = DistributionRound.objects.visible_to(self.scope).select_related("org", "local_kind")
        if self.action == "retrieve":
            qs = qs.prefetch_related("lines__household", "lines__item")
        return qs.order_by("-held_on", "-id")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return AssistanceRoundDetailSerializer if self.action == "retrieve" else AssistanceRoundSerializer


class AssistanceDonationSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    item = serializers.CharField(source="item.name", read_only=True, allow_null=True, default=None)
    unit = serializers.CharField(source="item.unit", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Donation
        fields = ["id", "org", "donor", "donor_is_unit", "received_on", "item", "unit", "quantity", "value", "note"]
        read_only_fields = fields


class AssistanceDonationViewSet(ScopedViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The donations received by the organizations the user reads (?org=CODE: its subtree)."""

    queryset = Donation.objects.none()
    serializer_class = AssistanceDonationSerializer

    @extend_schema(parameters=[OpenApiParameter("org", OpenApiTypes.STR)])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Donation]:
        qs = Donation.objects.visible_to(self.scope).select_related("org", "item").order_by("-received_on", "-id")
        code = self.request.query_params.get("org", "").strip()
        if code:
            org = Organization.objects.filter(code=code_param(code)).first()
            qs = qs.filter(org__path__startswith=org.path) if org else qs.none()
        return qs


class AssistanceStockSerializer(serializers.Serializer):
    item = serializers.CharField()
    unit = serializers.CharField()
    received = serializers.DecimalField(max_digits=14, decimal_places=2)
    distributed = serializers.DecimalField(max_digits=14, decimal_places=2)
    on_hand = serializers.DecimalField(max_digits=14, decimal_places=2)
    held_since = serializers.DateField(allow_null=True)


class AssistanceStockView(ScopedViewMixin, APIView):
    """The stock of an organization's store, item by item."""

    queryset = StockItem.objects.none()
    pagination_class = None

    @extend_schema(parameters=[OpenApiParameter("org", OpenApiTypes.STR, required=True)],
                   responses={200: AssistanceStockSerializer(many=True)})
    def get(self, request: Request) -> Response:
        org = readable_org(request, request.query_params.get("org", ""))
        rows = [{"item": s.item.name, "unit": s.item.unit, "received": s.received, "distributed": s.distributed,
                 "on_hand": s.on_hand, "held_since": s.oldest_undistributed} for s in selectors.stock(org)]
        return Response(AssistanceStockSerializer(rows, many=True).data)


ROUTES = [("assistance/ledger", AssistanceViewSet, "api-assistance"),
          ("assistance/rounds", AssistanceRoundViewSet, "api-assistance-round"),
          ("assistance/donations", AssistanceDonationViewSet, "api-assistance-donation")]
urlpatterns = [path("assistance/stock/", AssistanceStockView.as_view(), name="api-assistance-stock")]
