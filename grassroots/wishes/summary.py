"""The annual summary's micro-wishes section: wishes collected in the year, how many of them were claimed, and
wishes fulfilled in the year (counted by the day of fulfilment), as the records stood on the day. Each figure is
the count of the wishes list with the matching filter (`?year=`, `?year=&claimed=1`, `?fulfilled_year=`)."""

from __future__ import annotations

import datetime as dt

from grassroots.core.modules import SectionText
from grassroots.orgs.models import Organization

from . import selectors
from .selectors import YearCounts


def wishes_of(org: Organization, year: int, day: dt.date) -> YearCounts | None:
    counts = selectors.year_counts(org, year, day)
    if not (counts.collected or counts.fulfilled):
        return None
    return counts


def wishes_paragraph(c: YearCounts, year: int, language: str) -> str:
    all_claimed = c.collected and c.claimed == c.collected
    if language.startswith("zh"):
        claimed = "全部认领" if all_claimed else f"认领{c.claimed}个"
        return (f"{year}年，收集群众微心愿{c.collected}个，{claimed}；"
                f"全年完成微心愿{c.fulfilled}个，其中{c.confirmed}个已经群众确认。")
    claimed = "all claimed" if all_claimed else f"{c.claimed} of them claimed"
    return (f"In {year}, {c.collected} micro-wishes were collected from residents, {claimed}; "
            f"{c.fulfilled} micro-wishes were fulfilled in the year, {c.confirmed} of them confirmed by the "
            f"residents.")


def wishes_text(c: YearCounts, day: dt.date, language: str) -> SectionText:
    heading = "微心愿" if language.startswith("zh") else "Micro-wishes"
    return SectionText(heading, (wishes_paragraph(c, day.year, language),))
