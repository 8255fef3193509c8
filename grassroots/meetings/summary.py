"""The annual summary's section on organizational life held against duty: the duty periods of the year that
ended by the day, owed and met, from `meetings.selectors.duties`."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import translation

from grassroots.core.modules import SectionText
from grassroots.members.stats import pct
from grassroots.orgs.models import Organization

from . import selectors
from .models import MeetingKind


@dataclass(frozen=True)
class Duty:
    """One duty over the year across the subtree's units: periods owed, periods met."""

    rule_id: str
    kind: str
    owed: int
    met: int

    @property
    def rate(self) -> Decimal:
        return pct(self.met, self.owed)

    def label(self, language: str) -> str:
        with translation.override(language):
            return str(MeetingKind(self.kind).label)


@dataclass(frozen=True)
class OrganizationalLife:
    """Organizational life held against duty: `meetings.selectors.duties` for the year."""

    units: int  # units that owed at least one period
    duties: list[Duty]  # in the order of the rules (meetings.UNIT_DUTIES)

    @property
    def owed(self) -> int:
        return sum(d.owed for d in self.duties)

    @property
    def met(self) -> int:
        return sum(d.met for d in self.duties)

    @property
    def rate(self) -> Decimal:
        return pct(self.met, self.owed)

    def as_json(self) -> dict[str, Any]:
        return {"life": {d.rule_id: {"owed": d.owed, "met": d.met, "rate": str(d.rate)} for d in self.duties}}


def life_of(org: Organization, year: int, day: dt.date) -> OrganizationalLife:
    rows = [r for r in selectors.duties(org, dt.date(year, 1, 1), day) if r.period_end <= day]
    per: OrderedDict[str, list[int]] = OrderedDict()
    kinds: dict[str, str] = {}
    order = [rule for rules in selectors.UNIT_DUTIES.values() for rule in rules]
    for row in sorted(rows, key=lambda r: order.index(r.rule_id) if r.rule_id in order else len(order)):
        counts = per.setdefault(row.rule_id, [0, 0])
        counts[0] += 1
        counts[1] += selectors.duty_state(row, day) is selectors.DutyState.MET
        kinds[row.rule_id] = row.kind
    duties = [Duty(rule_id, kinds[rule_id], owed, met) for rule_id, (owed, met) in per.items()]
    return OrganizationalLife(units=len({r.org_id for r in rows}), duties=duties)


def life_paragraphs(life: OrganizationalLife, year: int, language: str) -> list[str]:
    zh = language.startswith("zh")
    if not life.duties:
        return ["本年度没有需开展组织生活的党组织。" if zh else "No organization owed organizational life this year."]
    if zh:
        head = (f"{year}年，{life.units}个党组织应落实组织生活{life.owed}次，已落实{life.met}次，"
                f"落实率{life.rate}%。")
        lines = "；".join(f"{d.label(language)}应落实{d.owed}次，已落实{d.met}次，落实率{d.rate}%"
                         for d in life.duties)
        return [head, f"分项情况：{lines}。"]
    head = (f"In {year}, {life.units} organizations owed {life.owed} periods of organizational life and "
            f"met {life.met} of them ({life.rate}%).")
    lines = "; ".join(f"{d.label(language)}: {d.met} of {d.owed} met ({d.rate}%)" for d in life.duties)
    return [head, f"By duty: {lines}."]


def life_text(life: OrganizationalLife, day: dt.date, language: str) -> SectionText:
    heading = "组织生活开展情况" if language.startswith("zh") else "Organizational life"
    return SectionText(heading, tuple(life_paragraphs(life, day.year, language)))
