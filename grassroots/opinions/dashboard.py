"""The opinions panel of the dashboard: residents' opinions of the year by month as they stood on the frame's day
(`opinions.selectors.year_statistics`), each figure linking to the list filtered by month (or year) and state."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from grassroots.ui.dashboard import DashboardFrame, figure_url

from . import selectors


def opinions(frame: DashboardFrame) -> dict[str, Any]:
    org, year = frame.org, frame.year
    stats = selectors.year_statistics(org, year, frame.as_of)

    def row(f: Any, scope: dict[str, Any]) -> dict[str, Any]:
        return {"label": f.label, "key": f.key, "received": f.received, "completed": f.completed,
                "rated": f.rated, "satisfaction": f.satisfaction_rate,
                "received_url": figure_url("opinion-list", org.code, **scope, state="counted"),
                "completed_url": figure_url("opinion-list", org.code, **scope, state="completed"),
                "rated_url": figure_url("opinion-list", org.code, **scope, rated="1")}

    months = [row(f, {"month": f.key}) for f in stats.months]
    total = row(stats.total, {"year": year})
    chart = {"kind": "opinions", "labels": [m["key"] for m in months],
             "series": [
                 {"name": _("Received"), "data": [{"value": m["received"], "url": m["received_url"]} for m in months]},
                 {"name": _("Completed"),
                  "data": [{"value": m["completed"], "url": m["completed_url"]} for m in months]},
                 {"name": _("Satisfaction rate (%)"),
                  "data": [{"value": None if m["satisfaction"] is None else float(m["satisfaction"]),
                            "url": m["rated_url"]} for m in months]}],
             "count": _("Opinions")}
    return {"months": months, "total": total, "chart": chart}
