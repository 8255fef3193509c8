"""The annual summary's households section: the households and persons living in the places the organization
holds on 31 December (or the day, in the current year), by situation kind, and the households that came and left
in the year. Each figure is the count of the households list as of that day (`?as_of=`, `&situation=`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from grassroots.core.modules import SectionText
from grassroots.orgs.models import Organization

from . import selectors
from .models import Person


@dataclass(frozen=True)
class HouseholdYear:
    on: dt.date
    households: int
    persons: int
    came: int
    left: int
    situations: tuple[tuple[str, str, int, int], ...]  # (zh, en, households, persons)

    def as_json(self) -> dict[str, object]:
        d = asdict(self)
        d["on"] = self.on.isoformat()
        return d


def households_of(org: Organization, year: int, day: dt.date) -> HouseholdYear | None:
    paths = selectors.org_paths(org)
    if not paths:
        return None
    on = min(dt.date(year, 12, 31), day)
    living = selectors.places_under(paths, on).values("household_id")
    households = living.count()
    moves = selectors.year_moves(paths, year, day)
    if not households and not moves.came and not moves.left:
        return None
    persons = Person.objects.on(on).filter(household_id__in=living).count()
    kinds = selectors.situation_kinds(org)
    counts = tuple((c.kind.zh, c.kind.en, c.households, c.persons) for c in selectors.situation_counts(paths, on, kinds))
    return HouseholdYear(on, households, persons, moves.came, moves.left, counts)


def households_text(f: HouseholdYear, day: dt.date, language: str) -> SectionText:
    if language.startswith("zh"):
        parts = "；".join(f"{zh}{h}户{p}人" for zh, _en, h, p in f.situations)
        text = (f"截至{f.on.year}年{f.on.month}月{f.on.day}日，辖区在册{f.households}户、{f.persons}人；"
                f"全年迁入（新立）{f.came}户，迁出{f.left}户。")
        paragraphs = (text,) + ((f"其中：{parts}。",) if parts else ())
        return SectionText("住户", paragraphs)
    parts = "; ".join(f"{en}: {h} households, {p} persons" for _zh, en, h, p in f.situations)
    text = (f"On {f.on.isoformat()}, {f.households} households with {f.persons} persons lived in the places held; "
            f"{f.came} households came in the year and {f.left} left.")
    return SectionText("Households", (text,) + ((f"Among them: {parts}.",) if parts else ()))
