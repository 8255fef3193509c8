"""The dashboard of a committee or a branch for a year: the frame (the organization, the year chooser, the
layout) around the panels the modules register (`core.modules.panels()`: membership structure, recruitment
pipeline, dues collected against assessed, duties met per unit, residents' opinions per month, ...).

Each panel's figures come from its domain's selectors as of 31 December of the year (today for the year under
way) and link to the page holding the records behind them; the charts (static/js/dashboard.js, ECharts) carry
the same links in their data ("dashboard-data": each panel's chart under the panel's key), and the tables
below them work without JavaScript and print. The organization is read through `scope_for(request.user).orgs()`
(outside the scope: 404).

A large subtree's dashboard (over `GRASSROOTS_LAZY_PANELS_ABOVE_ORGS` organizations) shows its first panel at once and
fetches each other one (`?panel=KEY`, with its chart's data) when it is scrolled to, or before the page is printed,
so that a view costs what the reader looks at.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from grassroots.access.scope import scope_for
from grassroots.core.modules import Panel, panels
from grassroots.rules import stored
from grassroots.ui.dashboard import DashboardFrame
from grassroots.ui.forms import query_int
from grassroots.ui.kept import kept


def lazy_panels_above() -> int:
    """Above how many organizations in the subtree a dashboard shows its first panel at once and each other one
    when it is scrolled to (or the page printed); every panel's cost grows with the organizations it covers."""
    return int(getattr(settings, "GRASSROOTS_LAZY_PANELS_ABOVE_ORGS", 15))


def _built(panel: Panel, frame: DashboardFrame) -> dict[str, Any] | None:
    context = panel.build(frame)
    if context is None:
        return None
    return {"key": panel.key, "title": context.get("title", panel.title), "template": panel.template,
            "context": context, "chart": context.get("chart"), "chart_id": f"dashboard-data-{panel.key}"}


@login_required
@require_GET
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs(), code=code)
    today = timezone.localdate()
    frame = DashboardFrame(scope=scope, org=org, year=query_int(request, "year", today.year, 1990, 2100),
                           today=today)
    every = panels()
    wanted = request.GET.get("panel")
    if wanted:  # one panel, fetched when it is scrolled to (or the page printed)
        panel = next((p for p in every if p.key == wanted), None)
        if panel is None:
            raise Http404
        return HttpResponse(kept(request, "dashboard-panel", lambda: _panel_html(request, panel, frame),
                                 marks=stored.freshness_mark))
    body = kept(request, "dashboard", lambda: _body_html(request, every, frame), marks=stored.freshness_mark)
    return render(request, "web/dashboard.html", {"org": org, "year": frame.year,
                                                  "body": mark_safe(body)})  # noqa: S308 (rendered by _body_html)


def _panel_html(request: HttpRequest, panel: Panel, frame: DashboardFrame) -> str:
    built = _built(panel, frame)
    if built is None:
        return ""
    return render_to_string("web/_dashboard_panel.html", {"p": built, "org": frame.org, "year": frame.year,
                                                          "as_of": frame.as_of, "today": frame.today}, request=request)


def _body_html(request: HttpRequest, every: list[Panel], frame: DashboardFrame) -> str:
    shown: list[dict[str, Any]] = []
    for i, panel in enumerate(every):
        if i > 0 and len(frame.readable) > lazy_panels_above():  # read once for the panels (the first one's)
            shown.append({"key": panel.key, "title": panel.title, "lazy": True})
            continue
        built = _built(panel, frame)
        if built is not None:
            shown.append(built)
    charts = {p["key"]: p["chart"] for p in shown if p.get("chart")}
    return render_to_string("web/_dashboard_body.html", {
        "org": frame.org, "year": frame.year, "as_of": frame.as_of, "today": frame.today, "panels": shown,
        "charts": charts}, request=request)
