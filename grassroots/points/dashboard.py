"""The points panel of the dashboard: entries of the year approved in the subtree (by today: a past year's
entries are often approved after its end) by item, with their points, and how many members took part. No names,
no ranking."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from grassroots.ui.dashboard import DashboardFrame, figure_url

from . import selectors


def points(frame: DashboardFrame) -> dict[str, Any] | None:
    rows = selectors.approved_by_item(frame.org, frame.year, frame.today)
    if not rows:
        return None
    url = figure_url("points-entries", frame.org.code, year=frame.year, status="approved")
    chart = {"kind": "columns", "labels": [r["label"] for r in rows],
             "series": [{"name": _("Entries approved"), "data": [{"value": r["entries"], "url": url} for r in rows]}]}
    return {"rows": rows, "members": selectors.members_taking_part(frame.org, frame.year, frame.today), "url": url,
            "chart": chart}
