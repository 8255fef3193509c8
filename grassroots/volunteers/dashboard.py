"""The volunteer-service panel of the dashboard: activities and confirmed hours of each month of the year, each
month linking to the activities list of the year."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from grassroots.ui.dashboard import DashboardFrame, figure_url

from . import selectors


def volunteers(frame: DashboardFrame) -> dict[str, Any] | None:
    rows = selectors.hours_by_month(frame.org, frame.year, frame.as_of)
    counts = selectors.year_counts(frame.org, frame.year, frame.as_of)
    if not counts["volunteers"] and not counts["activities"]:
        return None
    url = figure_url("volunteers-activities", frame.org.code, year=frame.year)
    for r in rows:
        r["url"] = figure_url("volunteers-activities", frame.org.code, year=frame.year, month=r["month"])
    chart = {"kind": "columns", "labels": [str(r["month"]) for r in rows],
             "series": [{"name": _("Activities"), "data": [{"value": r["activities"], "url": r["url"]} for r in rows]},
                        {"name": _("Confirmed hours"), "data": [{"value": float(r["hours"]), "url": r["url"]}
                                                                for r in rows]}]}
    return {"rows": rows, "counts": counts, "url": url,
            "volunteers_url": figure_url("volunteers-people", frame.org.code, year=frame.year), "chart": chart}
