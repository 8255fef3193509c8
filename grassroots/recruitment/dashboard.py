"""The recruitment panel of the dashboard: the pipeline on the frame's day and the year's flow
(`recruitment.stats.stage_counts`), each figure linking to the pipeline on that day."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from grassroots.ui.dashboard import DashboardFrame, figure_url

from .stats import stage_counts


def recruitment(frame: DashboardFrame) -> dict[str, Any]:
    org, as_of = frame.org, frame.as_of
    counts = stage_counts(org, as_of)
    when = as_of.isoformat()
    stock = [("applicants", _("Applicants"), "col-applicant"), ("activists", _("Activists"), "col-activist"),
             ("development_targets", _("Development targets"), "col-development_target")]
    flow = [("applications", _("Applications received")), ("activists_decided", _("Activists decided")),
            ("development_targets_listed", _("Development targets listed")), ("admitted", _("Admitted")),
            ("converted", _("Converted to full members"))]
    stock_rows = [{"key": key, "label": label, "count": getattr(counts, key),
                   "url": figure_url("pipeline", org.code, anchor, as_of=when)} for key, label, anchor in stock]
    flow_rows = [{"key": key, "label": label, "count": getattr(counts, key),
                  "url": figure_url("pipeline", org.code, "board", as_of=when)} for key, label in flow]
    chart = {"kind": "bars", "labels": [r["label"] for r in stock_rows + flow_rows],
             "series": [{"name": _("Candidates"),
                         "data": [{"value": r["count"], "url": r["url"]} for r in stock_rows + flow_rows]}]}
    return {"stock": stock_rows, "flow": flow_rows, "period_start": counts.period_start, "chart": chart}
