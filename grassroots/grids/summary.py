"""The annual summary's grids section: grids, grid workers, grids with a Party group (and how many Party groups)
and the households and persons living in grids, all at 31 December (or the day, within the year)."""

from __future__ import annotations

import datetime as dt

from grassroots.core.modules import SectionText
from grassroots.orgs.models import Organization

from . import selectors
from .selectors import Figures


def grids_of(org: Organization, year: int, day: dt.date) -> Figures | None:
    end = min(dt.date(year, 12, 31), day)
    figures = selectors.figures_on(org, end)
    return figures if figures.grids else None


def grids_paragraph(f: Figures, language: str) -> str:
    day = f.day
    if language.startswith("zh"):
        return (f"截至{day.year}年{day.month}月{day.day}日，共划分网格{f.grids}个，配备网格员{f.workers}名；"
                f"{f.with_party_group}个网格建立网格党小组（{f.party_groups}个党小组）；"
                f"网格内住户{f.households}户、{f.persons}人。")
    return (f"On {day.isoformat()} there were {f.grids} grids with {f.workers} grid workers; "
            f"{f.with_party_group} grids had a grid Party group ({f.party_groups} Party groups); "
            f"{f.households} households and {f.persons} persons lived in the grids.")


def grids_text(f: Figures, day: dt.date, language: str) -> SectionText:
    heading = "网格化管理" if language.startswith("zh") else "Grids"
    return SectionText(heading, (grids_paragraph(f, language),))
