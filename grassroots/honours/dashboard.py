"""The honours panel: this year's households honoured (published) by kind, and proposals waiting."""

from __future__ import annotations

from typing import Any

from grassroots.ui.dashboard import DashboardFrame, figure_url

from . import selectors
from .models import State


def honours(frame: DashboardFrame) -> dict[str, Any] | None:
    org, year = frame.org, frame.year
    qs = selectors.of_org(org).filter(year=year)
    published = qs.filter(state=State.PUBLISHED, published_on__lte=frame.as_of)
    by_kind = selectors.counts_by_kind(published)
    waiting = qs.filter(state=State.PROPOSED).count()
    if not by_kind and not waiting:
        return None
    return {"by_kind": by_kind, "households": published.values("household_id").distinct().count(),
            "waiting": waiting, "url": figure_url("honours-list", org.code, year=year, state=State.PUBLISHED),
            "waiting_url": figure_url("honours-list", org.code, year=year, state=State.PROPOSED)}
