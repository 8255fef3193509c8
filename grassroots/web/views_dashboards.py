"""The dashboard of a committee or a branch for a year: the frame (the organization, the year chooser, the
layout) around the panels the modules register (`core.modules.panels()`: membership structure, recruitment
pipeline, dues collected against assessed, duties met per unit, residents' opinions per month, ...).

Each panel's figures come from its domain's selectors as of 31 December of the year (today for the year under
way) and link to the page holding the records behind them; the charts (static/js/dashboard.js, ECharts) carry
the same links in their data ("dashboard-data": each panel's chart under the panel's key), and the tables
below them work without JavaScript and print. The organization is read through `scope_for(request.user).orgs()`
(outside the scope: 404).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from grassroots.access.scope import scope_for
from grassroots.core.modules import panels
from grassroots.ui.dashboard import DashboardFrame
from grassroots.ui.forms import query_int


@login_required
@require_GET
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs(), code=code)
    today = timezone.localdate()
    frame = DashboardFrame(scope=scope, org=org, year=query_int(request, "year", today.year, 1990, 2100),
                           today=today)
    shown = []
    for panel in panels():
        context = panel.build(frame)
        if context is not None:
            shown.append({"key": panel.key, "title": context.get("title", panel.title),
                          "template": panel.template, "context": context})
    charts = {p["key"]: p["context"]["chart"] for p in shown if "chart" in p["context"]}
    return render(request, "web/dashboard.html", {
        "org": org, "year": frame.year, "as_of": frame.as_of, "today": today, "panels": shown, "charts": charts,
    })
