"""The annual summary's honours section: households honoured in the year (published), kind by kind."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from grassroots.core.modules import SectionText
from grassroots.orgs.models import Organization

from . import selectors
from .models import State


@dataclass
class HonoursYear:
    households: int
    by_kind: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def honours_of(org: Organization, year: int, day: dt.date) -> HonoursYear | None:
    qs = selectors.of_org(org).filter(year=year, state=State.PUBLISHED, published_on__lte=day)
    by_kind = selectors.counts_by_kind(qs)
    if not by_kind:
        return None
    return HonoursYear(households=qs.values("household_id").distinct().count(), by_kind=by_kind)


def honours_text(h: HonoursYear, day: dt.date, language: str) -> SectionText:
    if language.startswith("zh"):
        kinds = "、".join(f"{k['name']}{k['households']}户" for k in h.by_kind)
        return SectionText("模范户评选", (f"{day.year}年，评选表彰模范户（示范户）{h.households}户：{kinds}。",))
    kinds = "; ".join(f"{k['name']}: {k['households']}" for k in h.by_kind)
    return SectionText("Model households", (f"In {day.year}, {h.households} households were honoured ({kinds}).",))
