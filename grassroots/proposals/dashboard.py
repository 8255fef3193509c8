"""The proposals panel of the dashboard: the year's proposals received, accepted, turned into opinions, answered on
time, and the proposers' satisfaction (`selectors.year_counts`, as the records stood on the frame's day)."""

from __future__ import annotations

from typing import Any

from grassroots.ui.dashboard import DashboardFrame, figure_url

from . import selectors


def proposals(frame: DashboardFrame) -> dict[str, Any] | None:
    counts = selectors.year_counts(frame.org, frame.year, frame.as_of)
    if not counts["received"]:
        return None
    return {"counts": counts, "url": figure_url("proposals-home", frame.org.code, year=frame.year)}
