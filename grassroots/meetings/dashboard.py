"""The duties panel of the dashboard: per readable unit, the duty periods of the year met, missed (due before the
judging day and not met) and not yet due, from `meetings.selectors.duties`, each linking to the unit's duty grid.

For a past year every period of the year is judged; for the year under way, those due before today (as the grid
does). A period counts as met by the meetings the selector found for it, up to the frame's day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from grassroots.orgs.models import OrgKind
from grassroots.ui.dashboard import DashboardFrame, figure_url

from . import selectors

BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.PARTY_GROUP)


def duties(frame: DashboardFrame) -> dict[str, Any]:
    org, year, as_of, today = frame.org, frame.year, frame.as_of, frame.today
    readable = frame.readable
    units: dict[int, dict[str, Any]] = {}
    for row in selectors.duties(org, dt.date(year, 1, 1), dt.date(year, 12, 31)):
        unit = readable.get(row.org_id)
        if unit is None:
            continue
        entry = units.setdefault(row.org_id, {"code": unit.code, "name": row.org_name, "met": 0, "missed": 0,
                                              "pending": 0, "path": unit.path,
                                              "url": figure_url("duties", unit.code, "duties", year=year)})
        state = selectors.duty_state(row, as_of, today=today)
        if state is selectors.DutyState.MET:
            entry["met"] += 1
        elif state is selectors.DutyState.MISSED:
            entry["missed"] += 1
        else:
            entry["pending"] += 1
    rows = sorted(units.values(), key=lambda e: e["path"])
    total = {key: sum(r[key] for r in rows) for key in ("met", "missed", "pending")}
    total["url"] = figure_url("duties", org.code, "duties", year=year)
    chart = {"kind": "stacked", "labels": [r["name"] for r in rows],
             "series": [{"name": name, "key": key, "data": [{"value": r[key], "url": r["url"]} for r in rows]}
                        for key, name in (("met", _("Met")), ("missed", _("Missed")),
                                          ("pending", _("Not yet due")))]}
    title = _("Duties of organizational life") if org.kind in BRANCH_KINDS else _("Duties met per branch")
    return {"rows": rows, "total": total, "chart": chart, "title": title}
