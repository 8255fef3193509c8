"""The honours panel: this year's households honoured (published) by kind, and proposals waiting."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from grassroots.ui.dashboard import DashboardFrame, figure_url

from . import selectors
from .models import State


def honours(frame: DashboardFrame) -> dict[str, Any] | None:
    org, year = frame.org, frame.year
    qs = selectors.of_org(org).filter(year=year)
    published = qs.filter(state=State.PUBLISHED, published_on__lte=frame.as_of)
    counts = qs.aggregate(published=Count("pk", filter=Q(state=State.PUBLISHED, published_on__lte=frame.as_of)),
                          households=Count("household", distinct=True,
                                           filter=Q(state=State.PUBLISHED, published_on__lte=frame.as_of)),
                          waiting=Count("pk", filter=Q(state=State.PROPOSED)))
    if not counts["published"] and not counts["waiting"]:  # two queries in all
        return None
    by_kind = selectors.counts_by_kind(published)
    waiting = counts["waiting"]
    return {"by_kind": by_kind, "households": counts["households"],
            "waiting": waiting, "url": figure_url("honours-list", org.code, year=year, state=State.PUBLISHED),
            "waiting_url": figure_url("honours-list", org.code, year=year, state=State.PROPOSED)}
