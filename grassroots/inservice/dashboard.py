"""The in-service members' panel of the dashboard: services logged in the organization's communities by month,
with the year's figures."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from grassroots.ui.dashboard import DashboardFrame, figure_url

from . import selectors


def inservice(frame: DashboardFrame) -> dict[str, Any] | None:
    counts = selectors.year_counts(frame.org, frame.year, frame.as_of)
    if not counts["reported"] and not counts["own_reported"]:
        return None
    rows = selectors.services_by_month(frame.org, frame.year, frame.as_of)
    url = figure_url("inservice-home", frame.org.code)
    chart = {"kind": "columns", "labels": [str(r["month"]) for r in rows],
             "series": [{"name": _("Services"), "data": [{"value": r["services"], "url": url} for r in rows]},
                        {"name": _("Hours"), "data": [{"value": float(r["hours"]), "url": url} for r in rows]}]}
    return {"rows": rows, "counts": counts, "url": url, "chart": chart}
