"""The membership panel of the dashboard: `members.stats.structure_stats` on the frame's day, each figure linking
to the organization's statistics on that day."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from grassroots.ui.dashboard import DashboardFrame, figure_url

from .stats import structure_stats


def membership(frame: DashboardFrame) -> dict[str, Any]:
    org, as_of = frame.org, frame.as_of
    stats = structure_stats(org, as_of)
    rows = [("total", _("Members in total")), ("full", _("Full members")),
            ("probationary", _("Probationary members")), ("female", _("Women")),
            ("minority", _("Ethnic minorities")), ("age_35_or_under", _("Aged 35 or under")),
            ("college_or_above", _("College education or above")), ("mobile", _("Mobile members"))]
    figures = []
    for key, label in rows:
        figures.append({"key": key, "label": label, "count": stats[key]["count"], "pct": stats[key]["pct"],
                        "url": figure_url("org-detail", org.code, "stats-table", as_of=as_of.isoformat())})
    chart = {"kind": "bars", "labels": [f["label"] for f in figures[1:]],
             "series": [{"name": _("Members"), "data": [{"value": f["count"], "url": f["url"]} for f in figures[1:]]}]}
    return {"figures": figures, "exists": stats["exists"], "chart": chart}
