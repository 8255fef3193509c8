"""The visits panel of the dashboard: visits by month in the year up to the frame's day, in the places the
organization's subtree holds, and the year's visit rate with its denominator (households living there on the
day). Three queries whatever the size of the tree."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.db.models.functions import ExtractMonth
from django.urls import reverse

from grassroots.ui.dashboard import DashboardFrame

from . import selectors
from .models import Visit


def visits(frame: DashboardFrame) -> dict[str, Any] | None:
    org, year, day = frame.org, frame.year, frame.as_of
    paths = selectors.held_paths(org)
    if not paths:
        return None
    end = min(day, dt.date(year, 12, 31))
    start = dt.date(year, 1, 1)
    by_month = dict(Visit.objects.filter(selectors.path_q(paths, "territory"), day__gte=start, day__lte=end)
                    .annotate(m=ExtractMonth("day")).values_list("m").annotate(n=Count("pk")).values_list("m", "n"))
    visited, households, persons_visited, persons = selectors.year_rate(org, year, day)
    if not households and not by_month:
        return None
    months = [{"month": m, "visits": by_month.get(m, 0)} for m in range(1, end.month + 1)]
    return {"months": months, "visited": visited, "households": households, "persons": persons,
            "persons_visited": persons_visited,
            "percent": round(100 * visited / households, 1) if households else None,
            "url": reverse("visit-org-list", args=[org.code]) + f"?start={start}&end={end}",
            "start": start, "end": end}
