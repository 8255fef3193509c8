"""The micro-wishes panel of the dashboard: wishes collected, claimed and fulfilled in the year up to the frame's
day, per readable organization that collected some and in total, each figure linking to the filtered list."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from grassroots.ui.dashboard import DashboardFrame, figure_url

from . import selectors
from .models import CLAIMED_OR_LATER, DONE


def wishes(frame: DashboardFrame) -> dict[str, Any] | None:
    org, year, day = frame.org, frame.year, frame.as_of
    end = selectors.year_end(year, day)
    start = end.replace(month=1, day=1)
    collected_q = Q(collected_on__gte=start, collected_on__lte=end)
    per_org = (selectors.for_org(org).values("org_id")
               .annotate(collected=Count("pk", filter=collected_q),
                         claimed=Count("pk", filter=collected_q & Q(state__in=CLAIMED_OR_LATER,
                                                                    claimed_on__lte=day)),
                         fulfilled=Count("pk", filter=Q(state__in=DONE, fulfilled_on__gte=start,
                                                        fulfilled_on__lte=end))))
    rows = []
    for row in per_org:
        unit = frame.readable.get(row["org_id"])
        if unit is None or not (row["collected"] or row["fulfilled"]):
            continue
        rows.append({"code": unit.code, "name": unit.name, **{k: row[k] for k in ("collected", "claimed",
                                                                                 "fulfilled")},
                     "url": figure_url("wish-list", unit.code, year=year),
                     "fulfilled_url": figure_url("wish-list", unit.code, fulfilled_year=year)})
    rows.sort(key=lambda r: r["code"])
    counts = selectors.year_counts(org, year, day)
    if not rows and not counts.collected and not counts.fulfilled:
        return None
    total = {"name": _("Total"), "collected": counts.collected, "claimed": counts.claimed,
             "fulfilled": counts.fulfilled, "url": figure_url("wish-list", org.code, year=year),
             "claimed_url": figure_url("wish-list", org.code, year=year, claimed=1),
             "fulfilled_url": figure_url("wish-list", org.code, fulfilled_year=year)}
    return {"rows": rows, "total": total}
