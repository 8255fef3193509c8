"""The commitments API (mounted under /api/ by the router over the module registry).

    GET   /api/commitments/?org=&year=&level=&result=&member=   commitments the user may read (a member: their own)
    POST  /api/commitments/                                     make one (`services.commitment_make`)
    GET   /api/commitments/{id}/
    PATCH /api/commitments/{id}/                                edit (`services.commitment_edit`, with `version`)
    POST  /api/commitments/{id}/result/                         the branch's result (`services.result_set`)
    POST  /api/commitments/{id}/withdraw/                       withdraw (`services.commitment_withdraw`)
    GET   /api/commitment-progress/?commitment=                 progress entries
    POST  /api/commitment-progress/                             add one (`services.progress_add`; photos on the page)

Every queryset comes from the user's scope (outside it: 404); writes go through the services (a refusal is 403,
a broken rule 400 naming the field, a stale version 409: the API's exception handler answers them).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.ui.api import ConflictSerializer, IdFilter, ScopedViewMixin, readable_org

from . import selectors, services
from .models import Commitment, Level, Progress, Result
from .serializers import (
    CommitmentCreateSerializer,
    CommitmentEditSerializer,
    CommitmentSerializer,
    ProgressCreateSerializer,
    ProgressSerializer,
    ResultSerializer,
    WithdrawSerializer,
)

RESULT_CHOICES = [*Result.choices, ("none", _lazy("No result yet")),
                  ("withdrawn", _lazy("Withdrawn before the deadline"))]


class CommitmentFilter(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label=_lazy("Organization code (its whole subtree)"))
    year = django_filters.NumberFilter(field_name="year")
    level = django_filters.ChoiceFilter(choices=Level.choices)
    result = django_filters.ChoiceFilter(choices=RESULT_CHOICES, method="filter_result")
    member = IdFilter(field_name="member_id")

    class Meta:
        model = Commitment
        fields: list[str] = []

    def filter_org(self, queryset: QuerySet[Commitment], name: str, value: str) -> QuerySet[Commitment]:
        org = readable_org(self.request, value)
        return queryset.filter(org__path__startswith=org.path)

    def filter_result(self, queryset: QuerySet[Commitment], name: str, value: str) -> QuerySet[Commitment]:
        if value == "withdrawn":
            return queryset.filter(withdrawn_on__isnull=False)
        queryset = queryset.filter(withdrawn_on__isnull=True)
        return queryset.filter(result="" if value == "none" else value)


class CommitmentViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Public commitments the user may read (a member's own account: their own). POST makes one; PATCH edits an
    open one from the `version` read; `result` and `withdraw` are the branch's review and a withdrawal."""

    queryset = Commitment.objects.none()  # the real one is get_queryset's; this names the model
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilter
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Commitment]:
        return (selectors.visible(self.scope).select_related("member", "org")
                .order_by("year", "org__path", "member__name", "id"))

    def _one(self, pk: Any) -> Commitment:
        return get_object_or_404(self.get_queryset(), pk=pk)

    def _answer(self, c: Commitment, code: int = status.HTTP_200_OK) -> Response:
        return Response(CommitmentSerializer(self.get_queryset().get(pk=c.pk)).data, status=code)

    @extend_schema(request=CommitmentCreateSerializer, responses={201: CommitmentSerializer})
    def create(self, request: Request) -> Response:
        form = CommitmentCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        member = get_object_or_404(self.scope.members().select_related("org"), pk=d["member"])
        made = services.commitment_make(member, year=d["year"], level=d["level"], theme=d["theme"], text=d["text"],
                                        deadline=d["deadline"], made_on=d["made_on"])
        return self._answer(made, status.HTTP_201_CREATED)

    @extend_schema(request=CommitmentEditSerializer, responses={200: CommitmentSerializer, 409: ConflictSerializer})
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        c = self._one(pk)
        form = CommitmentEditSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        return self._answer(services.commitment_edit(c, version=d["version"], level=d["level"], theme=d["theme"],
                                                     text=d["text"], deadline=d["deadline"]))

    @extend_schema(request=ResultSerializer, responses={200: CommitmentSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def result(self, request: Request, pk: Any = None) -> Response:
        c = self._one(pk)
        form = ResultSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        return self._answer(services.result_set(c, version=d["version"], result=d["result"], note=d["note"],
                                                on=d["on"]))

    @extend_schema(request=WithdrawSerializer, responses={200: CommitmentSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: Any = None) -> Response:
        c = self._one(pk)
        form = WithdrawSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        return self._answer(services.commitment_withdraw(c, version=d["version"], reason=d["reason"], on=d["on"]))


class ProgressFilter(django_filters.FilterSet):
    commitment = IdFilter(field_name="commitment_id")

    class Meta:
        model = Progress
        fields: list[str] = []


class ProgressViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Progress entries of the commitments the user may read. POST adds one (a photo is added on the page)."""

    queryset = Progress.objects.none()
    serializer_class = ProgressSerializer
    filterset_class = ProgressFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Progress]:
        return Progress.objects.filter(commitment__in=selectors.visible(self.scope)).order_by("date", "id")

    @extend_schema(request=ProgressCreateSerializer, responses={201: ProgressSerializer})
    def create(self, request: Request) -> Response:
        form = ProgressCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        c = get_object_or_404(selectors.visible(self.scope), pk=d["commitment"])
        entry = services.progress_add(c, date=d["date"], text=d["text"])
        return Response(ProgressSerializer(entry).data, status=status.HTTP_201_CREATED)


ROUTES = [
    ("commitments", CommitmentViewSet, "api-commitment"),
    ("commitment-progress", ProgressViewSet, "api-commitment-progress"),
]
