"""The API of household honours (`ROUTES` under /api/):

    GET  /api/honours/                    the honours of the places the user reads (?year= ?state=)
    POST /api/honours/                    propose one (household, year, kind, reason)
    GET  /api/honours/{id}/               one
    POST /api/honours/{id}/approve/       /publish/ /decline/ (with `version`; 409 when stale)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.core.errors import RuleError
from grassroots.households.models import Household
from grassroots.ui.api import ConflictSerializer, LenientDateField, ScopedViewMixin, rule_error_response

from . import selectors, services
from .models import Honour, State


class HonourSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id", read_only=True)
    household_code = serializers.CharField(source="household.code", read_only=True)
    head_name = serializers.CharField(source="household.head_name", read_only=True)
    place = serializers.CharField(source="household.territory.name", read_only=True)
    kind = serializers.SerializerMethodField()
    kind_name = serializers.SerializerMethodField()
    state = serializers.CharField(read_only=True, help_text=_lazy("proposed, approved, published or declined"))

    class Meta:
        model = Honour
        fields = ["id", "household", "household_code", "head_name", "place", "year", "kind", "kind_name", "reason",
                  "state", "proposed_on", "approved_on", "published_on", "declined_on", "decline_reason", "version"]
        read_only_fields = fields

    def get_kind(self, h: Honour) -> str:
        return f"{selectors.LOCAL_PREFIX}{h.local_kind_id}" if h.local_kind_id else h.kind

    def get_kind_name(self, h: Honour) -> str:
        return selectors.kind_label(h)


class HonourProposeSerializer(serializers.Serializer):
    household = serializers.IntegerField()
    year = serializers.IntegerField()
    kind = serializers.CharField(help_text=_lazy("A model kind's code or local-<id>"))
    reason = serializers.CharField(max_length=500)
    on = LenientDateField(required=False, allow_null=True, default=None)


class HonourStepSerializer(serializers.Serializer):
    on = LenientDateField(required=False, allow_null=True, default=None)
    version = serializers.IntegerField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class HonourErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, required=False)
    detail = serializers.CharField()


ERRORS: dict[int, Any] = {400: OpenApiTypes.OBJECT, 403: HonourErrorSerializer, 409: ConflictSerializer}


class HonourFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=State.choices)

    class Meta:
        model = Honour
        fields = ["year", "state"]


class HonourViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Household honours of the places the user reads."""

    queryset = Honour.objects.none()
    serializer_class = HonourSerializer
    filterset_class = HonourFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Honour]:
        return (selectors.visible(self.scope).select_related("household__territory", "local_kind")
                .order_by("-year", "id"))

    def _done(self, write: Callable[[], Honour], code: int = status.HTTP_200_OK) -> Response:
        try:
            honour = write()
        except RuleError as exc:
            return rule_error_response(exc)
        fresh = Honour.objects.select_related("household__territory", "local_kind").get(pk=honour.pk)
        return Response(HonourSerializer(fresh).data, status=code)

    @extend_schema(request=HonourProposeSerializer, responses={201: HonourSerializer, **ERRORS})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = HonourProposeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        household = Household.objects.visible_to(self.scope).filter(pk=d.pop("household")).first()
        if household is None:
            return Response({"field": "household", "detail": "unknown household"},
                            status=status.HTTP_400_BAD_REQUEST)
        return self._done(lambda: services.propose(household=household, **d), status.HTTP_201_CREATED)

    def _step(self, request: Request, fn: Callable[..., Honour], *, reason: bool = False) -> Response:
        honour = self.get_object()
        form = HonourStepSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        extra = {"reason": d["reason"]} if reason else {}
        return self._done(lambda: fn(honour, on=d["on"], version=d["version"], **extra))

    @extend_schema(request=HonourStepSerializer, responses={200: HonourSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.approve)

    @extend_schema(request=HonourStepSerializer, responses={200: HonourSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.publish)

    @extend_schema(request=HonourStepSerializer, responses={200: HonourSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.decline, reason=True)


ROUTES = [("honours", HonourViewSet, "api-honour")]
