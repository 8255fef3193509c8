"""The annual summary's joint-meeting section: the year's joint meetings held, the units taking part, the decisions,
the projects and tasks made of them and how many are done, as the records stood on the day
(`selectors.year_counts`, the dashboard panel's figures)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from grassroots.core.modules import SectionText
from grassroots.orgs.models import Organization

from . import selectors


@dataclass(frozen=True)
class Joint:
    meetings: int
    units: int
    attendances: int
    decisions: int
    projects: int
    projects_done: int
    tasks: int
    tasks_done: int
    tasks_open: int

    def as_json(self) -> dict[str, Any]:
        return {"joint": asdict(self)}


def joint_of(org: Organization, year: int, day: dt.date) -> Joint | None:
    counts = selectors.year_counts(org, year, day)
    if not counts["meetings"] and not counts["tasks"]:
        return None
    return Joint(**counts)


def joint_text(j: Joint, day: dt.date, language: str) -> SectionText:
    if language.startswith("zh"):
        return SectionText("党建联席会议", (
            f"截至{day.year}年{day.month}月{day.day}日，全年召开党建联席会议{j.meetings}次，{j.units}个驻区单位"
            f"参加（累计{j.attendances}家次）；议定事项{j.decisions}项，其中转为共建项目{j.projects}个"
            f"（已完成{j.projects_done}个），分解任务{j.tasks}项，已办结{j.tasks_done}项、未办结{j.tasks_open}项。",))
    return SectionText("Joint meetings", (
        f"As of {day.isoformat()}, {j.meetings} joint meetings were held with {j.units} resident units taking part "
        f"({j.attendances} attendances); {j.decisions} matters were decided, {j.projects} of them made "
        f"co-construction projects ({j.projects_done} done), and {j.tasks} tasks were set: {j.tasks_done} done, "
        f"{j.tasks_open} open.",))
