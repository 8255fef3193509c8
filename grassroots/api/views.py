"""The REST API. Every queryset comes from the requesting user's `Scope`; every write goes through a
service, which checks permission again and writes the audit entry.

DRF authenticates inside the view, after the middleware named the acting user (anonymous for a request
with HTTP basic credentials), so `ScopedViewMixin.initial` names the authenticated user as the actor:
the services and the audit log then see the real API user.
"""

from __future__ import annotations

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import StaticHTMLRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from grassroots.core.errors import RuleError
from grassroots.core.models import AuditEntry
from grassroots.members import selectors as member_selectors
from grassroots.members.models import Member
from grassroots.members.services import member_record_event, member_reveal, member_update
from grassroots.members.stats import structure_stats, to_json
from grassroots.orgs.models import Organization
from grassroots.orgs.selectors import tree_as_of
from grassroots.recruitment.stats import stage_counts
from grassroots.reports.situation import basic_situation
from grassroots.rules.findings import STATES, counts_by_org, findings_for
from grassroots.ui.api import AS_OF, ScopedViewMixin, as_of, rule_error_response

from . import filters
from .serializers import (
    AuditEntrySerializer,
    MemberEventCreateSerializer,
    MemberEventSerializer,
    MemberSerializer,
    MemberUpdateSerializer,
    OrgSerializer,
    RevealedSerializer,
    RevealSerializer,
    RosterRowSerializer,
    TreeNodeSerializer,
)


class OrgViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    """Organizations in the user's read scope, looked up by code."""

    queryset = Organization.objects.none()  # the real one is get_queryset's; this names the model
    serializer_class = OrgSerializer
    filterset_class = filters.OrgFilter
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
        org = self.get_object()
        day = as_of(request)
        stats = structure_stats(org, day)
        stages = stage_counts(org, day)
        data = to_json(stats)
        data["basic_situation"] = {lang: basic_situation(org, day, lang, stats=stats, stages=stages)
                                   for lang in ("zh-hans", "en")}
        data.update(stages.as_json())
        return Response(data)

    @extend_schema(parameters=[AS_OF, OpenApiParameter("all", OpenApiTypes.BOOL,
                                                       description="Include steps done in time")],
                   responses={200: OpenApiTypes.OBJECT})
    @action(detail=True)
    def findings(self, request: Request, code: str | None = None) -> Response:
        """What is due soon, overdue or violated in the subtree on a date, most urgent first, with counts per
        responsible organization."""
        org = self.get_object()
        day = as_of(request)
        found = findings_for(org, day, include_done=request.query_params.get("all") in ("1", "true"))
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
    @action(detail=True)
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


class MemberViewSet(ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Members the user may read. PATCH changes attributes through `member_update` (writers only)."""

    queryset = Member.objects.none()  # the real one is get_queryset's; this names the model
    serializer_class = MemberSerializer
    filterset_class = filters.MemberFilter
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Member]:
        return self.scope.members().select_related("org", "party_group").order_by("name", "pk")

    @extend_schema(request=MemberUpdateSerializer, responses={200: MemberSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        member = self.get_object()
        form = MemberUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        changes = dict(form.validated_data)
        on = changes.pop("on", None)
        if "party_group" in changes and changes["party_group"]:
            group = self.scope.orgs().filter(code=changes["party_group"]).first()
            if group is None:
                return Response({"field": "party_group", "detail": _("unknown organization")},
                                status=status.HTTP_400_BAD_REQUEST)
            changes["party_group"] = group
        try:
            member = member_update(member, on=on, **changes)
        except RuleError as exc:
            return rule_error_response(exc)
        member = self.get_queryset().get(pk=member.pk)
        return Response(MemberSerializer(member).data)

    @extend_schema(request=RevealSerializer, responses={200: RevealedSerializer})
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """The full ID number or phone; every reveal is written to the audit log."""
        member = self.get_object()
        form = RevealSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        field = form.validated_data["field"]
        try:
            value = member_reveal(member, field=field)
        except RuleError as exc:
            return rule_error_response(exc)
        return Response({"field": field, "value": value})

    @extend_schema(methods=["GET"], responses={200: MemberEventSerializer(many=True)})
    @extend_schema(methods=["POST"], request=MemberEventCreateSerializer, responses={201: MemberEventSerializer})
    @action(detail=True, methods=["get", "post"])
    def events(self, request: Request, pk: str | None = None) -> Response:
        """The member's dated events; POST records one through `member_record_event`."""
        member = self.get_object()
        if request.method == "GET":
            events = member.events.select_related("org").order_by("date", "id")
            return Response(MemberEventSerializer(events, many=True).data)
        form = MemberEventCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        org = None
        if data.get("org"):
            org = self.scope.orgs().filter(code=data["org"]).first()
            if org is None:
                return Response({"field": "org", "detail": _("unknown organization")},
                                status=status.HTTP_400_BAD_REQUEST)
        try:
            event = member_record_event(member, kind=data["kind"], on=data["date"], org=org,
                                        details=data.get("details") or None, note=data.get("note", ""))
        except RuleError as exc:
            return rule_error_response(exc)
        return Response(MemberEventSerializer(event).data, status=status.HTTP_201_CREATED)


class AuditViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    """The audit entries the user may read (read-only: the log is append-only)."""

    queryset = AuditEntry.objects.none()  # the real one is get_queryset's; this names the model
    serializer_class = AuditEntrySerializer
    filterset_class = filters.AuditFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[AuditEntry]:
        return self.scope.audit_entries().order_by(F("id").desc())


class DocsView(APIView):
    """A plain page that links to the OpenAPI schema (no assets from the network)."""

    renderer_classes = [StaticHTMLRenderer]
    permission_classes = [IsAuthenticated]

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        html = format_html(
            "<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{title}</title></head><body>"
            "<h1>{title}</h1><p>{intro}</p><ul><li><a href='{yaml}'>{yaml_label}</a></li>"
            "<li><a href='{json}'>{json_label}</a></li></ul></body></html>",
            lang=translation.get_language() or "zh-hans",
            title=_("Grassroots API"),
            intro=_("The API is described by an OpenAPI 3 schema; any OpenAPI viewer can read it."),
            yaml=reverse("api-schema"), yaml_label=_("Schema (YAML)"),
            json=reverse("api-schema") + "?format=json", json_label=_("Schema (JSON)"),
        )
        return Response(html)

