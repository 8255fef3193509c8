"""The annual summary's volunteer-service section: the seeds' counters of the year as the records stood on the
day (`selectors.year_counts`, the same counts as the list pages filtered by the year)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from grassroots.core.modules import SectionText
from grassroots.orgs.models import Organization

from . import selectors


@dataclass(frozen=True)
class Volunteers:
    volunteers: int
    members: int
    residents: int
    activities: int
    participants: int
    hours: Decimal

    def as_json(self) -> dict[str, Any]:
        return {"volunteers": {k: str(v) if isinstance(v, Decimal) else v for k, v in asdict(self).items()}}


def volunteers_of(org: Organization, year: int, day: dt.date) -> Volunteers | None:
    counts = selectors.year_counts(org, year, day)
    if not counts["volunteers"] and not counts["activities"]:
        return None
    return Volunteers(**counts)


def volunteers_text(v: Volunteers, day: dt.date, language: str) -> SectionText:
    if language.startswith("zh"):
        return SectionText("志愿服务", (
            f"截至{day.year}年{day.month}月{day.day}日，注册志愿者{v.volunteers}名，其中党员{v.members}名、"
            f"群众{v.residents}名；全年开展志愿服务活动{v.activities}场，参与志愿者{v.participants}名，"
            f"经确认的志愿服务时长{v.hours}小时。",))
    return SectionText("Volunteer service", (
        f"As of {day.isoformat()}, {v.volunteers} volunteers were registered ({v.members} Party members, "
        f"{v.residents} residents); {v.activities} volunteer activities were held with {v.participants} "
        f"volunteers taking part, and {v.hours} hours of service were confirmed.",))
