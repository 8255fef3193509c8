"""The organizations' API (`/api/orgs/`): the organizations in the user's read scope, looked up by code, with the
statistics, findings, tree and roster of a subtree as of a date. Read-only: the tree changes on the pages.

Registered on the API router through this module's `ROUTES` (see `grassroots.core.modules`).
"""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Substr
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.members import selectors as member_selectors
from grassroots.reports.situation import situation_figures
from grassroots.rules.findings import STATES, counts_by_org, findings_for
from grassroots.ui.api import AS_OF, ScopedViewMixin, as_of, flag

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
        return Response(situation_figures(self.get_object(), as_of(request)).as_json(languages=("zh-hans", "en")))

    @extend_schema(parameters=[AS_OF, OpenApiParameter("all", OpenApiTypes.BOOL,
                                                       description="Include steps done in time")],
                   responses={200: OpenApiTypes.OBJECT})
    @action(detail=True)
    def findings(self, request: Request, code: str | None = None) -> Response:
        """What is due soon, overdue or violated in the subtree on a date, most urgent first, with counts per
        responsible organization."""
        org = self.get_object()
        day = as_of(request)
        found = findings_for(org, day, include_done=flag(request, "all"))
        by_org = counts_by_org(found)
        codes = dict(self.scope.orgs().filter(pk__in=list(by_org)).values_list("pk", "code"))
        counts = [{"org_id": pk, "code": codes.get(pk, ""), **{state: by_org[pk][state] for state in STATES}}
                  for pk in sorted(by_org, key=lambda pk: codes.get(pk, ""))]
        return Response({"org": org.code, "as_of": day.isoformat(), "findings": [f.as_json() for f in found],
                         "counts": counts})

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
