"""The annual summary's commitments section: the year's commitments of the subtree as they stood on the day
(`selectors.figures`): members who made commitments, commitments by level, the practical ones by theme, results."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from grassroots.core.modules import SectionText
from grassroots.orgs.models import Organization

from . import selectors
from .models import Level, Result, Theme

ZH_LEVEL = {Level.COMMON: "共性承诺", Level.POST: "岗位承诺", Level.PRACTICAL: "实事承诺",
            Level.SELF_DISCIPLINE: "自律承诺"}
ZH_THEME = {Theme.COMMUNITY: "社区建设", Theme.CULTURE: "文化", Theme.POLICING: "治安", Theme.ENVIRONMENT: "环境",
            Theme.OTHER: "其他"}
EN_LEVEL = {Level.COMMON: "common", Level.POST: "post", Level.PRACTICAL: "practical",
            Level.SELF_DISCIPLINE: "self-discipline"}
EN_THEME = {Theme.COMMUNITY: "community building", Theme.CULTURE: "culture", Theme.POLICING: "policing",
            Theme.ENVIRONMENT: "environment", Theme.OTHER: "other matters"}


@dataclass(frozen=True)
class Commitments:
    members: int
    total: int
    by_level: dict[str, int]
    by_theme: dict[str, int]
    practical_four: int  # practical ones around community building, culture, policing and environment
    kept: int
    partly: int
    not_kept: int
    pending: int

    def as_json(self) -> dict[str, Any]:
        return {"commitments": dict(self.__dict__)}


def commitments_of(org: Organization, year: int, day: dt.date) -> Commitments | None:
    f = selectors.figures(org, year, day)
    if not f.total:
        return None
    return Commitments(members=f.members, total=f.total, by_level=dict(f.by_level), by_theme=dict(f.by_theme),
                       practical_four=f.practical_four, kept=f.by_result[Result.KEPT],
                       partly=f.by_result[Result.PARTLY], not_kept=f.by_result[Result.NOT_KEPT], pending=f.pending)


def commitments_paragraph(c: Commitments, language: str) -> str:
    if language.startswith("zh"):
        levels = "，".join(f"{ZH_LEVEL[Level(k)]}{n}项" for k, n in c.by_level.items() if n)
        themes = "、".join(f"{ZH_THEME[Theme(k)]}{n}项" for k, n in c.by_theme.items() if n)
        text = f"开展承诺践诺活动，{c.members}名党员作出承诺，共{c.total}项（{levels}）"
        if c.by_level.get(Level.PRACTICAL):
            text += (f"；在实事承诺中，围绕社区建设、文化、治安、环境等方面作出承诺{c.practical_four}项"
                     f"（{themes}）")
        text += f"。经支部评议，已践诺{c.kept}项，部分践诺{c.partly}项，未践诺{c.not_kept}项"
        if c.pending:
            text += f"，尚待评议{c.pending}项"
        return text + "。"
    levels = ", ".join(f"{n} {EN_LEVEL[Level(k)]}" for k, n in c.by_level.items() if n)
    themes = ", ".join(f"{n} on {EN_THEME[Theme(k)]}" for k, n in c.by_theme.items() if n)
    text = f"{c.members} members made {c.total} public commitments ({levels})"
    if c.by_level.get(Level.PRACTICAL):
        text += (f"; in the practical commitment, {c.practical_four} commitments around community building, "
                 f"culture, policing and environment ({themes})")
    text += (f". On the branches' review, {c.kept} were kept, {c.partly} partly kept and {c.not_kept} not kept")
    if c.pending:
        text += f"; {c.pending} await their review"
    return text + "."


def commitments_text(c: Commitments, day: dt.date, language: str) -> SectionText:
    heading = "承诺践诺" if language.startswith("zh") else "Public commitments"
    return SectionText(heading, (commitments_paragraph(c, language),))
