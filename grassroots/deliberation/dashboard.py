"""The deliberation panel of the dashboard: the year's deliberation meetings and votes held, passed (decided) and
without quorum, topics and opinions (`selectors.year_counts`, as the records stood on the frame's day)."""

from __future__ import annotations

from typing import Any

from grassroots.ui.dashboard import DashboardFrame, figure_url

from . import selectors


def deliberation(frame: DashboardFrame) -> dict[str, Any] | None:
    counts = selectors.year_counts(frame.org, frame.year, frame.as_of)
    if not counts["meetings"] and not counts["votes"] and not counts["topics"]:
        return None
    return {"counts": counts, "url": figure_url("deliberation-home", frame.org.code),
            "votes_url": figure_url("deliberation-votes", frame.org.code),
            "topics_url": figure_url("deliberation-topics", frame.org.code)}
