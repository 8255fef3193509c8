"""The annual summary's proposals section: the year's proposals received, accepted, merged, turned into residents'
opinions, answered on time, and the proposers' satisfaction, counted from the records as they stood on the day
(`selectors.year_counts`, the dashboard panel's figures)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from grassroots.core.modules import SectionText
from grassroots.orgs.models import Organization

from . import selectors


@dataclass(frozen=True)
class Proposals:
    received: int
    accepted: int
    merged: int
    converted: int
    open_review: int
    answered: int
    on_time: int
    rated: int
    satisfied: int
    basic: int
    unsatisfied: int
    on_time_rate: int | None
    satisfaction_rate: int | None

    def as_json(self) -> dict[str, Any]:
        return {"proposals": asdict(self)}


def proposals_of(org: Organization, year: int, day: dt.date) -> Proposals | None:
    counts = selectors.year_counts(org, year, day)
    if not counts["received"]:
        return None
    return Proposals(**counts)


def _pct(value: int | None) -> str:
    return "—" if value is None else f"{value}%"


def proposals_text(p: Proposals, day: dt.date, language: str) -> SectionText:
    if language.startswith("zh"):
        return SectionText("代表提案", (
            f"截至{day.year}年{day.month}月{day.day}日，全年收到提案{p.received}件，立案{p.accepted}件，"
            f"合并办理{p.merged}件，转为群众意见{p.converted}件，待审查{p.open_review}件；已答复{p.answered}件，"
            f"按期答复{p.on_time}件（按期答复率{_pct(p.on_time_rate)}）；提案人已评价{p.rated}件，满意{p.satisfied}件、"
            f"基本满意{p.basic}件、不满意{p.unsatisfied}件（满意率{_pct(p.satisfaction_rate)}）。",))
    return SectionText("Proposals", (
        f"As of {day.isoformat()}, {p.received} proposals were received: {p.accepted} accepted, {p.merged} merged, "
        f"{p.converted} turned into residents' opinions, {p.open_review} awaiting review; {p.answered} answered, "
        f"{p.on_time} on time ({_pct(p.on_time_rate)}); of {p.rated} rated by their proposers, {p.satisfied} "
        f"satisfied, {p.basic} basically satisfied, {p.unsatisfied} unsatisfied (satisfaction "
        f"{_pct(p.satisfaction_rate)}).",))
