"""The annual summary's points section: members taking part (with at least one approved entry of the year)
and the entries approved by item, as the records stood on the day. No ranking, no names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import translation

from grassroots.core.modules import SectionText
from grassroots.orgs.models import Organization

from . import selectors
from .schemes import item_label


@dataclass(frozen=True)
class Points:
    members: int  # members with an approved entry
    entries: int  # approved entries
    by_item: tuple[tuple[str, str, int], ...]  # (item code, label in the language of the gathering, entries)

    def as_json(self) -> dict[str, Any]:
        return {"points": {"members": self.members, "entries": self.entries,
                           "by_item": {code: n for code, _label, n in self.by_item}}}


def points_of(org: Organization, year: int, day: dt.date) -> Points | None:
    rows = selectors.approved_by_item(org, year, day)
    if not rows:
        return None
    return Points(selectors.members_taking_part(org, year, day), sum(r["entries"] for r in rows),
                  tuple((r["item"], str(r["label"]), r["entries"]) for r in rows))


def _labels(p: Points, language: str) -> list[tuple[str, int]]:
    with translation.override("zh-hans" if language.startswith("zh") else "en"):
        return [(item_label(code), n) for code, _label, n in p.by_item]


def points_text(p: Points, day: dt.date, language: str) -> SectionText:
    year = day.year
    items = _labels(p, language)
    if language.startswith("zh"):
        detail = "，".join(f"{label}{n}条" for label, n in items)
        return SectionText("党员积分", (f"{year}年，{p.members}名党员参与积分，支部审核通过积分记录{p.entries}条"
                                        f"（{detail}）。积分经支部审核后计入，不自动扣分，不公布排名。",))
    detail = ", ".join(f"{label}: {n}" for label, n in items)
    return SectionText("Member points", (
        f"In {year}, {p.members} members took part in the points scheme; the branches approved {p.entries} "
        f"entries ({detail}). Points count once the branch approves them; nothing is deducted automatically and "
        f"no ranking is published.",))
