"""The proposals API (mounted under /api/ by the router over the module registry).

    GET  /api/proposals/?org=&year=&state=   proposals of the organizations the user may read, with proposers
                                             and answers
    POST /api/proposals/                     enter one (`services.proposal_create`; proposers by name)
    POST /api/proposals/{id}/accept/         accept and assign (`services.accept`)
    POST /api/proposals/{id}/merge/          merge into a duplicate (`services.merge`)
    POST /api/proposals/{id}/convert/        not accepted: a residents' opinion (`services.convert`)
    POST /api/proposals/{id}/extend/         extend the deadline once (`services.extend`)
    POST /api/proposals/{id}/answer/         the round's answer in parts (`services.answer`)
    POST /api/proposals/{id}/rate/           the proposer's satisfaction (`services.rate`)
    POST /api/proposals/{id}/reopen/         reopen an unsatisfied answer (`services.reopen`)
    POST /api/proposals/{id}/close/          close a rated proposal (`services.close`)

Every queryset comes from the user's `Scope` (outside it: 404); the services check permission (403) and the
rules (400 naming the field); every action carries `version` (stale: 409).
"""

from __future__ import annotations

from collections.abc import Callable
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

from grassroots.opinions.models import Category
from grassroots.ui.api import ConflictSerializer, LenientDateField, ScopedViewMixin, readable_org

from . import selectors, services
from .models import Proposal, ProposalAnswer, ProposalCategory, ProposalState, Proposer, Satisfaction


class ProposerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Proposer
        fields = ["order", "name", "role", "seat", "member"]


class ProposalAnswerSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProposalAnswer
        fields = ["round", "background", "handling", "problems", "measures", "handler_name", "handler_phone",
                  "answered_on", "due", "satisfaction", "rated_on", "rating_comment"]


class ProposalSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    proposers = ProposerSerializer(many=True, read_only=True)
    answers = ProposalAnswerSerializer(many=True, read_only=True)
    opinion = serializers.CharField(source="opinion.number", read_only=True, default=None)
    merged_into = serializers.CharField(source="merged_into.number", read_only=True, default=None)

    class Meta:
        model = Proposal
        fields = ["id", "org", "number", "title", "text", "category", "territory", "received_on", "project",
                  "state", "rule", "review_due", "reviewed_on", "review_note", "lead_unit", "co_handlers",
                  "merged_into", "opinion", "round", "answer_due", "first_answer_due", "extended_on",
                  "extension_reason", "answered_on", "satisfaction", "rated_on", "closed_on", "version",
                  "proposers", "answers"]


class ProposalCreateSerializer(serializers.Serializer):
    org = serializers.CharField()
    title = serializers.CharField(max_length=200)
    text = serializers.CharField(required=False, allow_blank=True, default="")
    category = serializers.ChoiceField(choices=ProposalCategory.choices, default=ProposalCategory.OTHER)
    received_on = LenientDateField()
    proposers = serializers.ListField(child=serializers.CharField(max_length=50), min_length=1, max_length=30,
                                      help_text=_lazy("Names, the lead first; matched to seats and members."))


class ProposalAcceptSerializer(serializers.Serializer):
    on = LenientDateField()
    lead_unit = serializers.CharField(max_length=100)
    co_handlers = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    version = serializers.IntegerField()


class ProposalMergeSerializer(serializers.Serializer):
    on = LenientDateField()
    into = serializers.IntegerField(min_value=1)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    version = serializers.IntegerField()


class ProposalConvertSerializer(serializers.Serializer):
    on = LenientDateField()
    category = serializers.IntegerField(min_value=1, help_text=_lazy("An opinion category of the station."))
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    version = serializers.IntegerField()


class ProposalReasonSerializer(serializers.Serializer):
    on = LenientDateField()
    reason = serializers.CharField(max_length=300)
    version = serializers.IntegerField()


class ProposalAnswerCreateSerializer(serializers.Serializer):
    answered_on = LenientDateField()
    background = serializers.CharField(required=False, allow_blank=True, default="")
    handling = serializers.CharField()
    problems = serializers.CharField(required=False, allow_blank=True, default="")
    measures = serializers.CharField(required=False, allow_blank=True, default="")
    handler_name = serializers.CharField(max_length=50)
    handler_phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    version = serializers.IntegerField()


class ProposalRateSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    on = LenientDateField()
    comment = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    version = serializers.IntegerField()


class ProposalCloseSerializer(serializers.Serializer):
    on = LenientDateField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    version = serializers.IntegerField()


class ProposalFilter(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label=_lazy("Organization code (its whole subtree)"))
    year = django_filters.NumberFilter(field_name="received_on", lookup_expr="year", label=_lazy("Year received"),
                                       min_value=1990, max_value=2100)
    state = django_filters.ChoiceFilter(choices=ProposalState.choices)

    class Meta:
        model = Proposal
        fields: list[str] = []

    def filter_org(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        org = readable_org(self.request, value)
        return queryset.filter(org__path__startswith=org.path)


class ProposalViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Proposals with their proposers and every answer."""

    queryset = Proposal.objects.none()
    serializer_class = ProposalSerializer
    filterset_class = ProposalFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Proposal]:
        return (Proposal.objects.visible_to(self.scope).select_related("org", "opinion", "merged_into")
                .prefetch_related(Prefetch("proposers", Proposer.objects.order_by("order")), "answers")
                .order_by("-received_on", "-pk"))

    def _done(self, p: Proposal, code: int = status.HTTP_200_OK) -> Response:
        return Response(ProposalSerializer(self.get_queryset().get(pk=p.pk)).data, status=code)

    def _act(self, request: Request, form_class: type[serializers.Serializer],
             write: Callable[[Proposal, dict[str, Any]], Any]) -> Response:
        p = self.get_object()
        form = form_class(data=request.data)
        form.is_valid(raise_exception=True)
        write(p, dict(form.validated_data))
        return self._done(p)

    @extend_schema(request=ProposalCreateSerializer, responses={201: ProposalSerializer})
    def create(self, request: Request) -> Response:
        form = ProposalCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        org = readable_org(request, d["org"])
        people = [selectors.match_proposer(org, n.strip(), d["received_on"]) for n in d["proposers"] if n.strip()]
        p = services.proposal_create(org=org, title=d["title"], text=d["text"], category=d["category"],
                                     received_on=d["received_on"], proposers=people)
        return self._done(p, status.HTTP_201_CREATED)

    @extend_schema(request=ProposalAcceptSerializer, responses={200: ProposalSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        return self._act(request, ProposalAcceptSerializer, lambda p, d: services.accept(proposal=p, **d))

    @extend_schema(request=ProposalMergeSerializer, responses={200: ProposalSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str) -> Response:
        def write(p: Proposal, d: dict[str, Any]) -> Any:
            into = get_object_or_404(Proposal.objects.visible_to(self.scope), pk=d.pop("into"))
            return services.merge(proposal=p, into=into, **d)
        return self._act(request, ProposalMergeSerializer, write)

    @extend_schema(request=ProposalConvertSerializer, responses={200: ProposalSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def convert(self, request: Request, pk: str) -> Response:
        def write(p: Proposal, d: dict[str, Any]) -> Any:
            category = Category.objects.filter(pk=d.pop("category")).first()
            return services.convert(proposal=p, category=category, **d)
        return self._act(request, ProposalConvertSerializer, write)

    @extend_schema(request=ProposalReasonSerializer, responses={200: ProposalSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def extend(self, request: Request, pk: str) -> Response:
        return self._act(request, ProposalReasonSerializer, lambda p, d: services.extend(proposal=p, **d))

    @extend_schema(request=ProposalAnswerCreateSerializer,
                   responses={200: ProposalSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str) -> Response:
        return self._act(request, ProposalAnswerCreateSerializer, lambda p, d: services.answer(proposal=p, **d))

    @extend_schema(request=ProposalRateSerializer, responses={200: ProposalSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def rate(self, request: Request, pk: str) -> Response:
        return self._act(request, ProposalRateSerializer, lambda p, d: services.rate(proposal=p, **d))

    @extend_schema(request=ProposalReasonSerializer, responses={200: ProposalSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        return self._act(request, ProposalReasonSerializer, lambda p, d: services.reopen(proposal=p, **d))

    @extend_schema(request=ProposalCloseSerializer, responses={200: ProposalSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        return self._act(request, ProposalCloseSerializer, lambda p, d: services.close(proposal=p, **d))


ROUTES = [
    ("proposals", ProposalViewSet, "api-proposal"),
]
