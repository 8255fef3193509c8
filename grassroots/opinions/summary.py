"""The annual summary's opinions section: residents' opinions received in the year, as they stood on the day
(`opinions.selectors.year_statistics`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from grassroots.core.modules import SectionText
from grassroots.orgs.models import Organization

from . import selectors


@dataclass(frozen=True)
class Opinions:
    """Residents' opinions received in the year, as they stood on the day: `opinions.selectors.year_statistics`."""

    received: int
    completed: int
    completion_rate: Decimal | None
    on_time: int
    on_time_rate: Decimal | None
    still_open: int
    overdue: int
    rated: int
    average_rating: Decimal | None
    satisfaction_rate: Decimal | None

    def as_json(self) -> dict[str, Any]:
        return {"opinions": {k: (None if v is None else str(v) if isinstance(v, Decimal) else v)
                             for k, v in self.__dict__.items()}}


def opinions_of(org: Organization, year: int, day: dt.date) -> Opinions:
    total = selectors.year_statistics(org, year, day).total
    return Opinions(received=total.received, completed=total.completed, completion_rate=total.completion_rate,
                    on_time=total.on_time, on_time_rate=total.on_time_rate, still_open=total.still_open,
                    overdue=total.overdue, rated=total.rated, average_rating=total.average_rating,
                    satisfaction_rate=total.satisfaction_rate)


def _rate(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def opinions_paragraph(o: Opinions, year: int, language: str) -> str:
    zh = language.startswith("zh")
    if not o.received:
        return f"{year}年未受理群众意见。" if zh else f"No residents' opinions were received in {year}."
    if zh:
        text = (f"{year}年，共受理群众意见{o.received}件，已办结{o.completed}件，办结率{_rate(o.completion_rate)}；"
                f"按期办结{o.on_time}件，按期办结率{_rate(o.on_time_rate)}；尚未办结{o.still_open}件，其中超期{o.overdue}件。")
        if o.rated:
            text += f"群众评价{o.rated}件，平均评分{o.average_rating}分，满意率{_rate(o.satisfaction_rate)}。"
        return text
    text = (f"In {year}, {o.received} residents' opinions were received and {o.completed} completed "
            f"({_rate(o.completion_rate)}); {o.on_time} were completed on time ({_rate(o.on_time_rate)}); "
            f"{o.still_open} were still open, {o.overdue} of them overdue.")
    if o.rated:
        text += (f" {o.rated} were rated, with an average rating of {o.average_rating} and a satisfaction rate of "
                 f"{_rate(o.satisfaction_rate)}.")
    return text


def opinions_text(o: Opinions, day: dt.date, language: str) -> SectionText:
    heading = "群众意见办理情况" if language.startswith("zh") else "Residents' opinions"
    return SectionText(heading, (opinions_paragraph(o, day.year, language),))
