"""The deliberation API (mounted under /api/ by the router over the module registry).

    GET  /api/deliberation-bodies/?org=        bodies with their seats (dated)
    GET  /api/deliberation-votes/?org=         votes: entitled, present, counts, quorum and result, rule applied
    POST /api/deliberation-votes/              record one (`services.vote_record`): counted by the rules
    GET  /api/deliberation-cases/?org=         "four discussions and two openings" cases with their steps
    GET  /api/deliberation-topics/?org=        topics with their number of written opinions

Every queryset comes from the user's `Scope` (outside it: 404); the services check permission (403) and the
rules (400 naming the field). Choice fields are given as plain strings (no enum components, whose names would
clash with other apps' "kind" enums in the schema).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.meetings.models import Meeting
from grassroots.ui.api import ScopedViewMixin, readable_org

from . import services
from .models import Body, PathCase, PathStep, Seat, Topic, Vote


class DeliberationSeatSerializer(serializers.ModelSerializer):
    class Meta:
        model = Seat
        fields = ["id", "name", "member", "office", "from_on", "to_on", "version"]


class DeliberationBodySerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    kind = serializers.CharField(read_only=True)
    seats = DeliberationSeatSerializer(many=True, read_only=True)

    class Meta:
        model = Body
        fields = ["id", "org", "kind", "name", "set_up_on", "ended_on", "note", "version", "seats"]


class DeliberationVoteSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="meeting.org.code", read_only=True)
    date = serializers.DateField(source="meeting.date", read_only=True)
    meeting_kind = serializers.CharField(source="meeting.kind", read_only=True)
    ballot = serializers.CharField(read_only=True)

    class Meta:
        model = Vote
        fields = ["id", "meeting", "org", "date", "meeting_kind", "question", "ballot", "entitled", "present", "yes",
                  "no", "abstain", "issued", "returned", "void", "quorate", "passed", "rule"]


class DeliberationVoteCreateSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(min_value=1)
    question = serializers.CharField(max_length=300)
    yes = serializers.IntegerField(min_value=0)
    no = serializers.IntegerField(min_value=0)
    abstain = serializers.IntegerField(min_value=0)
    secret = serializers.BooleanField(required=False, default=False)
    issued = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    returned = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    void = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)


class DeliberationStepSerializer(serializers.ModelSerializer):
    step = serializers.IntegerField(read_only=True)

    class Meta:
        model = PathStep
        fields = ["step", "on", "meeting", "vote", "where", "text"]


class DeliberationCaseSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    steps = DeliberationStepSerializer(many=True, read_only=True)

    class Meta:
        model = PathCase
        fields = ["id", "org", "title", "opened_on", "version", "steps"]


class DeliberationTopicSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    opinions = serializers.IntegerField(source="n_opinions", read_only=True)

    class Meta:
        model = Topic
        fields = ["id", "org", "title", "text", "opens_on", "closes_on", "public", "opinions", "version"]


class _OrgFilter(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label=_lazy("Organization code (its whole subtree)"))
    org_field = "org"

    def filter_org(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        org = readable_org(self.request, value)
        return queryset.filter(**{f"{self.org_field}__path__startswith": org.path})


class DeliberationBodyFilter(_OrgFilter):
    class Meta:
        model = Body
        fields: list[str] = []


class DeliberationVoteFilter(_OrgFilter):
    org_field = "meeting__org"

    class Meta:
        model = Vote
        fields: list[str] = []


class DeliberationCaseFilter(_OrgFilter):
    class Meta:
        model = PathCase
        fields: list[str] = []


class DeliberationTopicFilter(_OrgFilter):
    class Meta:
        model = Topic
        fields: list[str] = []


class BodyViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Deliberative bodies with their dated seats."""

    queryset = Body.objects.none()
    serializer_class = DeliberationBodySerializer
    filterset_class = DeliberationBodyFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Body]:
        return (Body.objects.visible_to(self.scope).select_related("org").prefetch_related("seats")
                .order_by("org__path", "name", "pk"))


class VoteViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Votes counted by the rules in force on the meeting's date."""

    queryset = Vote.objects.none()
    serializer_class = DeliberationVoteSerializer
    filterset_class = DeliberationVoteFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Vote]:
        return Vote.objects.visible_to(self.scope).select_related("meeting__org").order_by("-meeting__date", "-pk")

    @extend_schema(request=DeliberationVoteCreateSerializer, responses={201: DeliberationVoteSerializer})
    def create(self, request: Request) -> Response:
        form = DeliberationVoteCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        meeting = get_object_or_404(self.scope.by_org(Meeting.objects.all()), pk=d.pop("meeting"))
        vote = services.vote_record(meeting=meeting, **d)
        return Response(DeliberationVoteSerializer(self.get_queryset().get(pk=vote.pk)).data,
                        status=status.HTTP_201_CREATED)


class CaseViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Matters taken through "four discussions and two openings", with their steps."""

    queryset = PathCase.objects.none()
    serializer_class = DeliberationCaseSerializer
    filterset_class = DeliberationCaseFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[PathCase]:
        return (PathCase.objects.visible_to(self.scope).select_related("org").prefetch_related("steps")
                .order_by("-opened_on", "-pk"))


class TopicViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Deliberation topics with the number of written opinions (names are never given out here)."""

    queryset = Topic.objects.none()
    serializer_class = DeliberationTopicSerializer
    filterset_class = DeliberationTopicFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Topic]:
        return (Topic.objects.visible_to(self.scope).select_related("org")
                .annotate(n_opinions=Count("opinions")).order_by("-opens_on", "-pk"))


ROUTES = [
    ("deliberation-bodies", BodyViewSet, "api-deliberation-body"),
    ("deliberation-votes", VoteViewSet, "api-deliberation-vote"),
    ("deliberation-cases", CaseViewSet, "api-deliberation-case"),
    ("deliberation-topics", TopicViewSet, "api-deliberation-topic"),
]
