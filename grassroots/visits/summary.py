"""The annual summary's visits section: households visited in the year and the rate, with its denominator (the
households living on the day in the places the organization's subtree holds), persons apart, what the visits found
by type, and how many findings became residents' opinions and micro-wishes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from grassroots.core.modules import SectionText
from grassroots.orgs.models import Organization

from . import selectors
from .models import FindingState, FindingType, Visit, VisitFinding


@dataclass(frozen=True)
class VisitYear:
    visits: int
    visited: int
    households: int
    persons_visited: int
    persons: int
    findings: dict[str, int] = field(default_factory=dict)
    opinions: int = 0
    wishes: int = 0

    @property
    def percent(self) -> float | None:
        return round(100 * self.visited / self.households, 1) if self.households else None

    def as_json(self) -> dict[str, Any]:
        return {"visits": {**self.__dict__, "percent": self.percent}}


def visits_of(org: Organization, year: int, day: dt.date) -> VisitYear | None:
    paths = selectors.held_paths(org)
    if not paths:
        return None
    start, end = dt.date(year, 1, 1), min(day, dt.date(year, 12, 31))
    visits = Visit.objects.filter(selectors.path_q(paths, "territory"), day__gte=start, day__lte=end)
    count = visits.count()
    if not count:
        return None
    visited, households, persons_visited, persons = selectors.year_rate(org, year, day)
    found = VisitFinding.objects.filter(visit__in=visits.values("pk"))
    by_type = {row["type"]: row["n"] for row in found.values("type").annotate(n=Count("pk"))}
    by_state = {row["state"]: row["n"] for row in found.values("state").annotate(n=Count("pk"))}
    return VisitYear(count, visited, households, persons_visited, persons,
                     {t: by_type.get(t, 0) for t in FindingType.values},
                     by_state.get(FindingState.OPINION, 0), by_state.get(FindingState.WISH, 0))


ZH_TYPES = {"difficulty": "困难", "dispute": "矛盾纠纷", "suggestion": "意见建议", "hazard": "安全隐患", "wish": "心愿"}


def visits_text(v: VisitYear, day: dt.date, language: str) -> SectionText:
    rate = f"{v.percent}%" if v.percent is not None else "—"
    if language.startswith("zh"):
        kinds = "、".join(f"{ZH_TYPES[t]}{n}件" for t, n in v.findings.items() if n) or "无"
        return SectionText("入户走访", (
            f"{day.year}年，走访群众{v.visits}次，走访农户（居民户）{v.visited}户，"
            f"占在册{v.households}户的{rate}，涉及群众{v.persons_visited}人（在册{v.persons}人）。"
            f"走访中发现：{kinds}；其中{v.opinions}件转为民情意见办理，{v.wishes}件转为微心愿。",))
    kinds = ", ".join(f"{n} {t}" for t, n in v.findings.items() if n) or "nothing to follow up"
    return SectionText("Home visits", (
        f"In {day.year}, {v.visits} visits reached {v.visited} of the {v.households} households living in the area "
        f"({rate}), {v.persons_visited} of {v.persons} persons. The visits found: {kinds}; {v.opinions} became "
        f"residents' opinions and {v.wishes} micro-wishes.",))
