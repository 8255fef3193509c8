"""The posts API (mounted under /api/ by the router over the module registry).

    GET  /api/post-kinds/?org=&active=        kinds of the organizations the user may read
    POST /api/post-kinds/                     add a kind (`services.kind_create`)
    POST /api/post-kinds/presets/             load a preset's kinds (`services.kinds_load_presets`)
    PATCH /api/post-kinds/{id}/               rename, describe, (de)activate, with `version`
    GET  /api/posts/?org=&kind=&year=         posts with seats filled and claims waiting
    POST /api/posts/                          set up a post (`services.post_create`)
    PATCH /api/posts/{id}/                    change it, with `version` (`services.post_update`)
    GET  /api/post-claims/?org=&post=&member=&state=&year=   claims (a member sees their own)
    POST /api/post-claims/                    claim (the member themself, or on their behalf)
    POST /api/post-claims/{id}/approve|decline|withdraw|end/   with `version`

Every queryset comes from the user's `Scope` (outside it: 404); the services check permission (403) and the
rules (400 naming the field; a stale `version` is 409).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.core.errors import RuleError
from grassroots.orgs.models import Territory
from grassroots.ui.api import ConflictSerializer, IdFilter, ScopedViewMixin, readable_member, readable_org

from . import selectors, services
from .models import ClaimState, Post, PostClaim, PostKind
from .serializers import (
    ClaimCreateSerializer,
    ClaimDecisionSerializer,
    ClaimSerializer,
    KindCreateSerializer,
    KindSerializer,
    KindUpdateSerializer,
    PostCreateSerializer,
    PostSerializer,
    PostUpdateSerializer,
    PresetSerializer,
)


class OrgSubtreeFilter(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label=_lazy("Organization code (its whole subtree)"))
    org_field = "org"

    def filter_org(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        org = readable_org(self.request, value)
        return queryset.filter(**{f"{self.org_field}__path__startswith": org.path})


class KindFilter(OrgSubtreeFilter):
    class Meta:
        model = PostKind
        fields = ["active"]


class PostFilter(OrgSubtreeFilter):
    kind = IdFilter(field_name="kind_id")
    year = django_filters.NumberFilter(method="filter_year", label=_lazy("Year the term overlaps"), min_value=1990,
                                       max_value=2100)

    class Meta:
        model = Post
        fields: list[str] = []

    def filter_year(self, queryset: QuerySet[Post], name: str, value: Any) -> QuerySet[Post]:
        return selectors.posts_in_period(queryset, *selectors.year_span(int(value)))


class ClaimFilter(OrgSubtreeFilter):
    org_field = "post__org"
    post = IdFilter(field_name="post_id")
    member = IdFilter(field_name="member_id")
    state = django_filters.ChoiceFilter(choices=ClaimState.choices)
    year = django_filters.NumberFilter(method="filter_year", label=_lazy("Year the claim held a seat in"),
                                       min_value=1990, max_value=2100)

    class Meta:
        model = PostClaim
        fields: list[str] = []

    def filter_year(self, queryset: QuerySet[PostClaim], name: str, value: Any) -> QuerySet[PostClaim]:
        return selectors.held_in_period(queryset, *selectors.year_span(int(value)))


class KindViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Kinds of post of the organizations the user may read."""

    queryset = PostKind.objects.none()
    serializer_class = KindSerializer
    filterset_class = KindFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[PostKind]:
        return PostKind.objects.visible_to(self.scope).select_related("org").order_by("org__path", "name", "pk")

    @extend_schema(request=KindCreateSerializer, responses={201: KindSerializer})
    def create(self, request: Request) -> Response:
        form = KindCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        kind = services.kind_create(org=readable_org(request, d["org"]), name=d["name"], name_en=d["name_en"],
                                    description=d["description"])
        return Response(KindSerializer(self.get_queryset().get(pk=kind.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=KindUpdateSerializer, responses={200: KindSerializer, 409: ConflictSerializer})
    def partial_update(self, request: Request, pk: str) -> Response:
        kind = self.get_object()
        form = KindUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        version = d["version"]
        if any(k in d for k in ("name", "name_en", "description")):
            kind = services.kind_update(kind, version=version, name=d.get("name", kind.name),
                                        name_en=d.get("name_en", kind.name_en),
                                        description=d.get("description", kind.description))
            version = kind.version
        if "active" in d and d["active"] != kind.active:
            kind = services.kind_set_active(kind, active=d["active"], version=version)
        return Response(KindSerializer(self.get_queryset().get(pk=kind.pk)).data)

    @extend_schema(request=PresetSerializer, responses={201: KindSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def presets(self, request: Request) -> Response:
        form = PresetSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        added = services.kinds_load_presets(org=readable_org(request, form.validated_data["org"]),
                                            preset=form.validated_data["preset"])
        return Response(KindSerializer(added, many=True).data, status=status.HTTP_201_CREATED)


class PostViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Responsibility posts of the organizations the user may read, with seats filled and claims waiting."""

    queryset = Post.objects.none()
    serializer_class = PostSerializer
    filterset_class = PostFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Post]:
        return (selectors.with_seat_counts(Post.objects.visible_to(self.scope)).select_related("org", "kind")
                .order_by("-term_start", "pk"))

    def _refs(self, d: dict[str, Any]) -> dict[str, Any]:
        kind = PostKind.objects.filter(pk=d["kind"]).select_related("org").first()
        if kind is None:
            raise RuleError(_("unknown kind"), field="kind")
        territory = None
        if d.get("territory"):
            territory = Territory.objects.filter(pk=d["territory"]).first()
            if territory is None:
                raise RuleError(_("unknown place"), field="territory")
        return {"kind": kind, "title": d["title"], "duties": d["duties"], "seats": d["seats"],
                "term_start": d["term_start"], "term_end": d.get("term_end"), "territory": territory,
                "place": d["place"]}

    @extend_schema(request=PostCreateSerializer, responses={201: PostSerializer})
    def create(self, request: Request) -> Response:
        form = PostCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        post = services.post_create(org=readable_org(request, d["org"]), **self._refs(d))
        return Response(PostSerializer(self.get_queryset().get(pk=post.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PostUpdateSerializer, responses={200: PostSerializer, 409: ConflictSerializer})
    def partial_update(self, request: Request, pk: str) -> Response:
        post = self.get_object()
        form = PostUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        post = services.post_update(post, version=d["version"], **self._refs(d))
        return Response(PostSerializer(self.get_queryset().get(pk=post.pk)).data)


class ClaimViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Claims of posts of the organizations the user may read, and the user's own claims."""

    queryset = PostClaim.objects.none()
    serializer_class = ClaimSerializer
    filterset_class = ClaimFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[PostClaim]:
        own = Q(member_id__in=self.scope.own_member_ids) if self.scope.own_member_ids else Q(pk__in=[])
        readable = PostClaim.objects.visible_to(self.scope).values("pk")
        return (PostClaim.objects.filter(Q(pk__in=readable) | own).select_related("post", "member")
                .order_by("-claimed_on", "-pk"))

    @extend_schema(request=ClaimCreateSerializer, responses={201: ClaimSerializer})
    def create(self, request: Request) -> Response:
        form = ClaimCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        member = readable_member(self, d["member"])
        own = member.pk in self.scope.own_member_ids
        posts = Post.objects.visible_to(self.scope)
        if own and member.org is not None:
            posts = Post.objects.filter(Q(pk__in=posts.values("pk")) |
                                        Q(org__in=[*member.org.get_ancestors(), member.org]))
        post = get_object_or_404(posts, pk=d["post"])
        claim = services.claim_post(post=post, member=member, claimed_on=d.get("claimed_on"), note=d["note"])
        return Response(ClaimSerializer(self.get_queryset().get(pk=claim.pk)).data, status=status.HTTP_201_CREATED)

    def _decide(self, request: Request, fn: Any) -> Response:
        claim = self.get_object()
        form = ClaimDecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        done = fn(claim, d)
        return Response(ClaimSerializer(self.get_queryset().get(pk=done.pk)).data)

    @extend_schema(request=ClaimDecisionSerializer, responses={200: ClaimSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        return self._decide(request, lambda c, d: services.claim_approve(c, version=d["version"], on=d.get("on")))

    @extend_schema(request=ClaimDecisionSerializer, responses={200: ClaimSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        return self._decide(request, lambda c, d: services.claim_decline(c, version=d["version"], on=d.get("on"),
                                                                         reason=d["reason"]))

    @extend_schema(request=ClaimDecisionSerializer, responses={200: ClaimSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        return self._decide(request, lambda c, d: services.claim_withdraw(c, version=d["version"], on=d.get("on"),
                                                                          reason=d["reason"]))

    @extend_schema(request=ClaimDecisionSerializer, responses={200: ClaimSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        from django.utils import timezone

        return self._decide(request, lambda c, d: services.claim_end(
            c, version=d["version"], on=d.get("on") or timezone.localdate(), reason=d["reason"]))


ROUTES = [
    ("post-kinds", KindViewSet, "api-post-kind"),
    ("posts", PostViewSet, "api-post"),
    ("post-claims", ClaimViewSet, "api-post-claim"),
]
