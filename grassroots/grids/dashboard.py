"""The grids panel of the dashboard: per readable organization holding grids, its grids, grid workers and the
households and persons living in its grids on the frame's day, and the total; each figure links to the grids list."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from grassroots.ui.dashboard import DashboardFrame, figure_url

from . import selectors


def grids(frame: DashboardFrame) -> dict[str, Any] | None:
    org, day = frame.org, frame.as_of
    grid_list = list(selectors.existing_on(selectors.for_org(org), day).select_related("territory"))
    if not grid_list:
        return None
    workers = selectors.workers_on(grid_list, day)
    counts = selectors.counts_on(grid_list, day)
    holders = selectors.holders_on(grid_list, day)
    per: dict[int, dict[str, Any]] = {}
    for g in grid_list:
        unit = holders.get(g.territory_id)
        if unit is None or frame.readable.get(unit.pk) is None:
            continue
        row = per.setdefault(unit.pk, {"code": unit.code, "name": unit.name, "grids": 0, "workers": set(),
                                       "households": 0, "persons": 0,
                                       "url": figure_url("grid-list", unit.code)})
        row["grids"] += 1
        row["workers"] |= {w.user_id for w in workers.get(g.pk, [])}
        row["households"] += counts[g.pk][0]
        row["persons"] += counts[g.pk][1]
    rows = sorted(({**r, "workers": len(r["workers"]),
                    "per_grid": round(r["households"] / r["grids"]) if r["grids"] else 0} for r in per.values()),
                  key=lambda r: r["code"])
    figures = selectors.figures_on(org, day)
    total = {"name": _("Total"), "grids": figures.grids, "workers": figures.workers,
             "households": figures.households, "persons": figures.persons,
             "per_grid": round(figures.households / figures.grids) if figures.grids else 0,
             "url": figure_url("grid-list", org.code)}
    return {"rows": rows, "total": total}
