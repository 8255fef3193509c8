"""The organizations' API (`/api/orgs/`): the organizations in the user's read scope, looked up by code, with the
statistics, findings, tree and roster of a subtree as of a date. Read-only: the tree changes on the pages.

Registered on the API router through this module's `ROUTES` (see `grassroots.core.modules`).
"""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.members import selectors as member_selectors
from grassroots.reports.situation import situation_figures
from grassroots.rules import stored
from grassroots.rules.findings import STATES, counts_by_org, findings_for
from grassroots.ui.api import AS_OF, ScopedViewMixin, as_of, flag
from grassroots.ui.kept import kept

from .filters import OrgFilter
from .models import Organization
from .selectors import tree_as_of
from .serializers import OrgSerializer, RosterRowSerializer, TreeNodeSerializer


class OrgViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    """Organizations in the user's read scope, looked up by code."""

    queryset = Organization.objects.none()  # the real one is get_queryset's; this names the model
    serializer_class = OrgSerializer
    filterset_class = OrgFilter
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[Organization]:
        parent = Organization.objects.filter(
            path=Substr(OuterRef("path"), 1, (OuterRef("depth") - 1) * Organization.steplen)
        ).values("code")[:1]
        return self.scope.orgs().annotate(parent_code=Subquery(parent)).order_by("path")

    @extend_schema(parameters=[AS_OF], responses={200: OpenApiTypes.OBJECT})
    @action(detail=True)
    def stats(self, request: Request, code: str | None = None) -> Response:
        """Structure statistics of the subtree on a date, with the "basic situation" paragraph."""
        org, day = self.get_object(), as_of(request)
        return Response(kept(request, "org-stats", lambda: situation_figures(org, day).as_json(
            languages=("zh-hans", "en"))))

    @extend_schema(parameters=[AS_OF, OpenApiParameter("all", OpenApiTypes.BOOL,
                                                       description="Include steps done in time (computed live: "
                                                                   "a small subtree only)"),
                               OpenApiParameter("limit", OpenApiTypes.INT), OpenApiParameter("offset", OpenApiTypes.INT)],
                   responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT})
    @action(detail=True, filterset_class=None)
    def findings(self, request: Request, code: str | None = None) -> Response:
        """What is due soon, overdue or violated in the subtree, most urgent first, a page at a time (`limit`,
        `offset`), with counts per responsible organization. Today's are the kept findings (with when they were
        computed); another day's, or with `all`, are computed live for a small subtree only (else a 400 that
        says so)."""
        org = self.get_object()
        day = as_of(request)
        include_done = flag(request, "all")
        paginator = self.paginator
        assert isinstance(paginator, LimitOffsetPagination)
        if day == timezone.localdate() and not include_done:
            fresh = stored.freshness_or_queue(org)
            figures = stored.counts(self.scope, org)
            by_org = figures["by_org"]
            rows = paginator.paginate_queryset(stored.rows_for(self.scope, org), request, view=self) or []
            found = [f.as_json() for f in rows]
            meta = {"computed_at": fresh.computed_at.isoformat() if fresh.computed_at else None,
                    "computed_as_of": fresh.as_of.isoformat() if fresh.as_of else None, "pending": fresh.pending}
        elif stored.live_allowed(org):
            computed = findings_for(org, day, include_done=include_done)
            by_org = counts_by_org(computed)
            found = [f.as_json() for f in paginator.paginate_queryset(computed, request, view=self) or []]
            meta = {"computed_at": timezone.now().isoformat(), "computed_as_of": day.isoformat(), "pending": 0}
        else:
            raise ValidationError({"as_of": [_(
                "The to-dos of so large an organization are kept for today only; those of another day (or with "
                "the steps done in time) are computed for a branch and its groups, or on the server with "
                "`grassroots check --org %(code)s --as-of %(day)s`.") % {"code": org.code, "day": day.isoformat()}]})
        codes = dict(self.scope.orgs().filter(pk__in=list(by_org)).values_list("pk", "code"))
        counts = [{"org_id": pk, "code": codes.get(pk, ""), **{state: by_org[pk][state] for state in STATES}}
                  for pk in sorted(by_org, key=lambda pk: codes.get(pk, "")) if pk in codes]
        return Response({"org": org.code, "as_of": day.isoformat(), **meta, "count": paginator.count,
                         "next": paginator.get_next_link(), "previous": paginator.get_previous_link(),
                         "findings": found, "counts": counts})

    @extend_schema(parameters=[AS_OF], responses={200: TreeNodeSerializer})
    @action(detail=True)
    def tree(self, request: Request, code: str | None = None) -> Response:
        """The subtree as it stood on a date, nested (nodes now outside the user's scope left out)."""
        org = self.get_object()
        root = tree_as_of(org, as_of(request))
        if root is None:
            return Response({"detail": _("%(org)s did not exist on that date") % {"org": org.code}},
                            status=status.HTTP_404_NOT_FOUND)
        readable = set(self.scope.orgs().values_list("pk", flat=True))
        stack = [root]
        while stack:
            node = stack.pop()
            node.children = [c for c in node.children if c.org_id in readable]
            stack.extend(node.children)
        return Response(TreeNodeSerializer(root).data)

    @extend_schema(parameters=[AS_OF], responses={200: RosterRowSerializer(many=True)})
    @action(detail=True, filterset_class=None)
    def roster(self, request: Request, code: str | None = None) -> Response:
        """Who belonged to the subtree on a date, with the attributes in force then (ID numbers masked)."""
        org = self.get_object()
        periods = member_selectors.roster_on(org, as_of(request)).filter(
            member_id__in=self.scope.members().values("pk")
        )
        page = self.paginate_queryset(periods)
        if page is not None:
            return self.get_paginated_response(RosterRowSerializer(page, many=True).data)
        return Response(RosterRowSerializer(periods, many=True).data)  # pragma: no cover (always paginated)


ROUTES = [("orgs", OrgViewSet, "api-org")]
