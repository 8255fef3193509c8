"""Grid findings (source "grids"): a grid with no worker on the day, a grid without a head, and a grid with more
households than the rules' limit (`grids.worker_required`, `grids.head_required`, `grids.households_per_grid` in
rules/data/grids.json; the limit is an unverified setting). Each names the organization holding the grid's place;
nobody is ranked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.rules.findings import OVERDUE, VIOLATED, Finding, source

from . import selectors


@source("grids")
def grid_findings(org: Any, as_of: dt.date) -> Iterator[Finding]:
    grids = list(selectors.existing_on(selectors.for_org(org), as_of).select_related("territory"))
    if not grids:
        return
    lim = selectors.limits(as_of)
    workers = selectors.workers_on(grids, as_of)
    counts = selectors.counts_on(grids, as_of)
    holders = selectors.holders_on(grids, as_of)
    for grid in grids:
        unit = holders.get(grid.territory_id) or org
        base = {"subject_type": "grid", "subject_id": grid.pk, "subject_label": grid.territory.code,
                "org_id": unit.pk, "org_name": unit.name, "due": None, "url": reverse("grid-detail", args=[grid.pk])}
        values = {"grid": f"{grid.territory.code} {grid.territory.name}"}
        if not workers.get(grid.pk):
            yield Finding(rule=lim.cites[0], state=OVERDUE,
                          message=_("Grid %(grid)s has no grid worker.") % values, **base)
        if not grid.head_name:
            yield Finding(rule=lim.cites[1], state=OVERDUE,
                          message=_("Grid %(grid)s has no grid head.") % values, **base)
        households = counts.get(grid.pk, (0, 0))[0]
        if households > lim.households:
            yield Finding(rule=lim.cites[2], state=VIOLATED,
                          message=_("Grid %(grid)s has %(n)d households, more than the %(limit)d the rules set "
                                    "for one grid.") % {**values, "n": households, "limit": lim.households},
                          **base)
