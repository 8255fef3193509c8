"""The annual summary's assistance section: households and persons helped by kind, money and goods given,
donations received, distributions and the households they reached, in the year as the records stood on the day."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from grassroots.core.modules import SectionText
from grassroots.orgs.models import Organization

from . import selectors


@dataclass
class AssistanceYear:
    households: int
    persons: int
    amount: Decimal
    goods_entries: int
    by_kind: list[dict[str, Any]] = field(default_factory=list)
    donations: int = 0
    donated_value: Decimal = Decimal("0")
    rounds: int = 0
    reached: int = 0

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["amount"], out["donated_value"] = str(self.amount), str(self.donated_value)
        for k in out["by_kind"]:
            k["amount"] = str(k["amount"])
        return out


def assistance_of(org: Organization, year: int, day: dt.date) -> AssistanceYear | None:
    start, end = selectors.year_range(year, day)
    qs = selectors.ledger_of(org).filter(given_on__gte=start, given_on__lte=end)
    totals = selectors.totals(qs)
    gifts = selectors.donations_of(org).filter(received_on__gte=start, received_on__lte=end).aggregate(
        n=Count("pk"), value=Sum("value"))
    rounds = selectors.rounds_of(org).filter(held_on__gte=start, held_on__lte=end).aggregate(
        n=Count("pk", distinct=True), reached=Count("lines__household", distinct=True))
    if not totals.entries and not gifts["n"] and not rounds["n"]:
        return None
    return AssistanceYear(
        households=totals.households, persons=totals.persons, amount=totals.amount,
        goods_entries=selectors.goods_entries(qs),
        by_kind=[{"name": k.name, "households": k.households, "persons": k.persons, "amount": k.amount}
                 for k in totals.by_kind],
        donations=gifts["n"], donated_value=gifts["value"] or Decimal("0"), rounds=rounds["n"],
        reached=rounds["reached"])


def assistance_text(a: AssistanceYear, day: dt.date, language: str) -> SectionText:
    year = day.year
    if language.startswith("zh"):
        kinds = "，".join(f"{k['name']}{k['households']}户{k['persons']}人" for k in a.by_kind)
        paragraphs = [f"{year}年，共救助帮扶困难群众{a.households}户{a.persons}人（{kinds}），发放救助金"
                      f"{a.amount}元，发放物资{a.goods_entries}户次。"]
        if a.donations or a.rounds:
            paragraphs.append(f"接收社会各界捐赠{a.donations}笔，折合{a.donated_value}元；组织物资发放{a.rounds}次，"
                              f"惠及{a.reached}户。")
        return SectionText("救助帮扶", tuple(paragraphs))
    kinds = "; ".join(f"{k['name']}: {k['households']} households, {k['persons']} persons" for k in a.by_kind)
    paragraphs = [f"In {year}, {a.households} households ({a.persons} persons) were helped ({kinds}); "
                  f"{a.amount} yuan were paid and goods were given {a.goods_entries} times."]
    if a.donations or a.rounds:
        paragraphs.append(f"{a.donations} donations worth {a.donated_value} yuan were received; {a.rounds} "
                          f"distributions reached {a.reached} households.")
    return SectionText("Assistance", tuple(paragraphs))
