"""Recruitment's API, mounted by `grassroots.api.urls` from this module's ROUTES.

    GET  /api/candidates/                  the candidates the user may read; ?org= (code, its whole subtree),
                                           ?stage= (with ?as_of=: the stage they were at on that day)
    GET  /api/candidates/{id}/             one, with its steps, training contacts and introducers, and votes
    POST /api/candidates/                  an application received          services.candidate_apply
    POST /api/candidates/{id}/steps/       a step of the procedure           services.candidate_take_step
    POST /api/candidates/{id}/notice/      the public notice                 services.candidate_publish_notice
    POST /api/candidates/{id}/sponsors/    training contacts or introducers  services.candidate_assign_sponsors
    POST /api/candidates/{id}/votes/       the branch general meeting's vote services.branch_vote_record

Every queryset comes from the user's `Scope`: a candidate, an organization or a member outside it is not found
(404 for the candidate in the path, 400 naming the field for one in the body). The writes call the services the
pages call, which check the user may write and write the audit entry; a refusal is a 403, a broken rule a 400
naming the field (`grassroots.api.exceptions`). A write answers with the candidate as it now stands.
"""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.core.errors import RuleError
from grassroots.members.models import Member
from grassroots.orgs.models import Organization
from grassroots.ui.api import AS_OF, ScopedViewMixin, as_of

from . import selectors, services
from .models import BranchVote, Candidate, CandidateQuerySet, Sponsor, Stage
from .serializers import (
    ApplicationSerializer,
    CandidateSerializer,
    NoticeRecordSerializer,
    SponsorAssignSerializer,
    StepRecordSerializer,
    VoteRecordSerializer,
)


class CandidateFilter(django_filters.FilterSet):
    """Narrows what the scope already allows: an organization code outside it finds nothing."""

    org = django_filters.CharFilter(method="filter_org", label=_lazy("Organization code (its whole subtree)"))
    stage = django_filters.ChoiceFilter(choices=Stage.choices, method="filter_stage")

    class Meta:
        model = Candidate
        fields = ["stage"]

    def filter_org(self, queryset: QuerySet[Candidate], name: str, value: str) -> QuerySet[Candidate]:
        org = self.request.scope.orgs().filter(code=value).first()  # type: ignore[union-attr]
        if org is None:
            return queryset.none()
        return queryset.filter(org__path__startswith=org.path)

    def filter_stage(self, queryset: QuerySet[Candidate], name: str, value: str) -> QuerySet[Candidate]:
        if "as_of" not in self.request.query_params:
            return queryset.filter(stage=value)
        return selectors.at_stage_on(cast(CandidateQuerySet, queryset), value, as_of(self.request))


class CandidateViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       viewsets.GenericViewSet):
    """Candidates for Party membership, from application to conversion."""

    serializer_class = CandidateSerializer
    filterset_class = CandidateFilter

    def get_queryset(self) -> QuerySet[Candidate]:
        votes = BranchVote.objects.select_related("org").prefetch_related("entitled", "attended", "written")
        sponsors = Sponsor.objects.select_related("member").order_by("role", "since", "member__name", "pk")
        return (Candidate.objects.visible_to(self.scope).select_related("org")
                .prefetch_related("steps", Prefetch("sponsors", queryset=sponsors), Prefetch("votes", queryset=votes))
                .order_by("org__path", "applied_on", "pk"))

    def _answer(self, candidate: Candidate, code: int = status.HTTP_201_CREATED) -> Response:
        fresh = self.get_queryset().get(pk=candidate.pk)
        return Response(CandidateSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def _members(self, ids: list[int], field: str) -> list[Member]:
        """The members with these ids, in the given order, each one the user may read; else a RuleError on `field`."""
        found = {m.pk: m for m in self.scope.members().filter(pk__in=ids)}
        missing = [i for i in ids if i not in found]
        if missing:
            raise RuleError(_("unknown member"), field=field)
        return [found[i] for i in ids]

    @extend_schema(parameters=[AS_OF])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The candidates you may read. `as_of` only matters with `stage`: the stage they were at that day."""
        as_of(request)  # a date that cannot be read is a 400 even without `stage`
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ApplicationSerializer, responses={201: CandidateSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Record an application received by a branch you may change."""
        form = ApplicationSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        org: Organization | None = self.scope.orgs().filter(code=data["org"]).first()
        if org is None:
            raise RuleError(_("unknown organization"), field="org")
        candidate = services.candidate_apply(
            name=data["name"].strip(), sex=data["sex"], birth_date=data["birth_date"],
            id_number=data["id_number"].strip().upper(), education=data["education"],
            occupation=data["occupation"], org=org, applied_on=data["applied_on"],
            ethnicity=data["ethnicity"].strip(), phone=data["phone"].strip())
        return self._answer(candidate)

    @extend_schema(request=StepRecordSerializer, responses={201: CandidateSerializer})
    @action(detail=True, methods=["post"])
    def steps(self, request: Request, pk: str | None = None) -> Response:
        """Record a step of the procedure: talk, recommendation, activist decision, assessment, listing as
        development target, political review, training, reviews, approval, oath, conversion, extension,
        cancellation or withdrawal (`note` is the reason of the last two)."""
        candidate = self.get_object()
        form = StepRecordSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.candidate_take_step(candidate, **form.validated_data)
        return self._answer(candidate)

    @extend_schema(request=NoticeRecordSerializer, responses={201: CandidateSerializer})
    @action(detail=True, methods=["post"])
    def notice(self, request: Request, pk: str | None = None) -> Response:
        """Record the public notice (its length is counted in Chinese working days)."""
        candidate = self.get_object()
        form = NoticeRecordSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.candidate_publish_notice(candidate, **form.validated_data)
        return self._answer(candidate)

    @extend_schema(request=SponsorAssignSerializer, responses={201: CandidateSerializer})
    @action(detail=True, methods=["post"])
    def sponsors(self, request: Request, pk: str | None = None) -> Response:
        """Assign training contacts (to an activist) or introducers (to a development target); they replace the
        previous ones of the same role from `on`."""
        candidate = self.get_object()
        form = SponsorAssignSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        services.candidate_assign_sponsors(candidate, role=data["role"], on=data["on"],
                                           members=self._members(data["members"], "members"))
        return self._answer(candidate)

    @extend_schema(request=VoteRecordSerializer, responses={201: CandidateSerializer})
    @action(detail=True, methods=["post"])
    def votes(self, request: Request, pk: str | None = None) -> Response:
        """Record the branch general meeting's vote on admission or conversion; who was entitled, the quorum and
        the result are computed from the roster on the date."""
        candidate = self.get_object()
        form = VoteRecordSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        services.branch_vote_record(
            candidate, purpose=data["purpose"], on=data["on"], attended=self._members(data["attended"], "attended"),
            written=self._members(data["written"], "written"), yes=data["yes"], no=data["no"],
            abstain=data["abstain"], minutes=data["minutes"])
        return self._answer(candidate)


ROUTES = [("candidates", CandidateViewSet, "api-candidate")]
