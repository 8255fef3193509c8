"""The dues panel of the dashboard: collected against assessed from 1 January to the frame's day
(`dues.selectors.totals`), per readable unit and in total, each figure linking to the unit's ledger."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from grassroots.ui.dashboard import DashboardFrame, figure_url, rate

from . import selectors


def dues(frame: DashboardFrame) -> dict[str, Any]:
    org, year, as_of = frame.org, frame.year, frame.as_of
    readable = frame.readable
    totals = selectors.totals(org, dt.date(year, 1, 1), as_of)
    month = as_of.month
    rows = []
    for row in totals["by_org"]:
        if row["org_id"] not in readable or not (row["assessed"] or row["collected"]):
            continue
        rows.append({"code": row["code"], "name": row["name"], "assessed": row["assessed"],
                     "collected": row["collected"], "rate": rate(row["collected"], row["assessed"]),
                     "url": figure_url("dues-ledger", row["code"], "totals", year=year, month=month)})
    total = {"code": org.code, "name": _("Total"), "assessed": totals["assessed"], "collected": totals["collected"],
             "rate": rate(totals["collected"], totals["assessed"]),
             "url": figure_url("dues-ledger", org.code, "totals", year=year, month=month)}
    chart = {"kind": "columns", "labels": [r["name"] for r in rows],
             "series": [{"name": _("Assessed"), "data": [{"value": float(r["assessed"]), "url": r["url"]}
                                                         for r in rows]},
                        {"name": _("Collected"), "data": [{"value": float(r["collected"]), "url": r["url"]}
                                                          for r in rows]}]}
    return {"rows": rows, "total": total, "chart": chart}
