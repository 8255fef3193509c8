"""The API's own views: the audit log (read-only, through the user's `Scope`) and the page that links to the
schema. Every domain's endpoints live in its app's `api.py`, registered through the module registry."""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import StaticHTMLRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from grassroots.core.models import AuditEntry
from grassroots.ui.api import ScopedViewMixin

from . import filters
from .serializers import AuditEntrySerializer


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

