"""The annual summary's practical-project section: the year's projects, how many were voted at a congress, done,
under way, behind schedule, dropped, their mean progress, and the representatives' supervision activities, as the
records stood on the day (`selectors.year_counts`, the dashboard panel's figures)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from grassroots.core.modules import SectionText
from grassroots.orgs.models import Organization

from . import selectors
from .progress import display


@dataclass(frozen=True)
class Congress:
    projects: int
    voted: int
    done: int
    under_way: int
    behind: int
    dropped: int
    mean: str  # per cent, rounded for display
    supervisions: int

    def as_json(self) -> dict[str, Any]:
        return {"congress": asdict(self)}


def congress_of(org: Organization, year: int, day: dt.date) -> Congress | None:
    counts = selectors.year_counts(org, year, day)
    if not counts["projects"]:
        return None
    return Congress(projects=counts["projects"], voted=counts["voted"], done=counts["done"],
                    under_way=counts["under_way"], behind=counts["behind"], dropped=counts["dropped"],
                    mean=display(counts["mean"]), supervisions=counts["supervisions"])


def congress_text(c: Congress, day: dt.date, language: str) -> SectionText:
    if language.startswith("zh"):
        return SectionText("为民办实事项目", (
            f"截至{day.year}年{day.month}月{day.day}日，全年为民办实事项目{c.projects}个，其中经党代表大会票决"
            f"{c.voted}个；已完成{c.done}个，在建{c.under_way}个，进度滞后{c.behind}个，终止{c.dropped}个，"
            f"平均进度{c.mean}%。党代表开展监督活动{c.supervisions}次。",))
    return SectionText("Practical projects", (
        f"As of {day.isoformat()}, the year had {c.projects} practical projects, {c.voted} of them voted at the "
        f"Party representatives' congress: {c.done} done, {c.under_way} under way, {c.behind} behind schedule, "
        f"{c.dropped} dropped; mean progress {c.mean}%. Representatives held {c.supervisions} supervision "
        f"activities.",))
