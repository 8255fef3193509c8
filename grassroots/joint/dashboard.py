"""The joint-meeting panel of the dashboard: the year's meetings held, units attending, decisions, projects made
of them, tasks done and open (`selectors.year_counts`, as the records stood on the frame's day)."""

from __future__ import annotations

from typing import Any

from grassroots.ui.dashboard import DashboardFrame, figure_url

from . import selectors


def joint(frame: DashboardFrame) -> dict[str, Any] | None:
    counts = selectors.year_counts(frame.org, frame.year, frame.as_of)
    if not counts["meetings"] and not counts["tasks"]:
        return None
    return {"counts": counts, "url": figure_url("joint-home", frame.org.code),
            "tasks_url": figure_url("joint-tasks", frame.org.code, state="done"),
            "open_url": figure_url("joint-tasks", frame.org.code, state="open")}
