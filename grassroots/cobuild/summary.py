"""The annual summary's co-construction section: the seeds' counters of the year as the records stood on the day
(`selectors.figures`, the same figures as the dashboard panel)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from grassroots.core.modules import SectionText
from grassroots.orgs.models import Organization

from . import selectors


@dataclass(frozen=True)
class Cobuild:
    units: int
    units_signed: int
    agreements: int
    money: Decimal
    goods: Decimal
    projects_done: int
    projects_open: int

    def as_json(self) -> dict[str, Any]:
        return {"cobuild": {k: str(v) if isinstance(v, Decimal) else v for k, v in asdict(self).items()}}


def cobuild_of(org: Organization, year: int, day: dt.date) -> Cobuild | None:
    f = selectors.figures(org, year, day)
    if not f["units"] and not f["agreements"] and not f["projects_done"]:
        return None
    return Cobuild(units=f["units"], units_signed=f["units_signed"], agreements=f["agreements"], money=f["money"],
                   goods=f["goods"], projects_done=f["projects_done"],
                   projects_open=f["projects"]["planned"] + f["projects"]["under_way"])


def cobuild_text(c: Cobuild, day: dt.date, language: str) -> SectionText:
    if language.startswith("zh"):
        return SectionText("共建共治", (
            f"截至{day.year}年{day.month}月{day.day}日，辖区驻区单位{c.units}家，其中{c.units_signed}家签订的"
            f"共建协议在有效期内，有效协议{c.agreements}份；全年驻区单位投入资金{c.money}元、物资折价{c.goods}元；"
            f"全年完成共建项目{c.projects_done}个，在办项目{c.projects_open}个。",))
    return SectionText("Co-construction", (
        f"As of {day.isoformat()}, {c.units} resident units were in the area, {c.units_signed} of them with a "
        f"co-construction agreement in force ({c.agreements} agreements in force); in the year the units gave "
        f"{c.money} yuan in money and goods worth {c.goods} yuan; {c.projects_done} projects were done and "
        f"{c.projects_open} are open.",))
