"""The co-construction panel of the dashboard: units in the area, agreements in force, money and goods raised in
the year and projects by state (`selectors.figures`), each figure linking to its list."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from grassroots.ui.dashboard import DashboardFrame, figure_url

from . import selectors
from .models import ProjectState


def cobuild(frame: DashboardFrame) -> dict[str, Any] | None:
    f = selectors.figures(frame.org, frame.year, frame.as_of)
    if not f["units"] and not f["agreements"] and not any(f["projects"].values()):
        return None
    code = frame.org.code
    rows = [{"state": s, "label": label, "count": f["projects"][s],
             "url": figure_url("cobuild-projects", code, state=s)} for s, label in ProjectState.choices]
    chart = {"kind": "columns", "labels": [str(r["label"]) for r in rows],
             "series": [{"name": _("Projects"), "data": [{"value": r["count"], "url": r["url"]} for r in rows]}]}
    return {"figures": f, "rows": rows, "chart": chart,
            "units_url": figure_url("cobuild-units", code),
            "agreements_url": figure_url("cobuild-agreements", code, in_force="1"),
            "contributions_url": figure_url("cobuild-contributions", code, year=frame.year)}
