"""The practical-project panel of the dashboard: the year's projects (top level) done, under way and behind
schedule, their mean progress, and the supervision activities (`selectors.year_counts`, as the records stood on
the frame's day)."""

from __future__ import annotations

from typing import Any

from grassroots.ui.dashboard import DashboardFrame, figure_url

from . import selectors
from .progress import display


def congress(frame: DashboardFrame) -> dict[str, Any] | None:
    counts = selectors.year_counts(frame.org, frame.year, frame.as_of)
    if not counts["projects"]:
        return None
    return {"counts": counts, "mean": display(counts["mean"]),
            "url": figure_url("congress-home", frame.org.code, year=frame.year)}
