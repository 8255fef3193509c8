"""The annual summary's dues section: dues of the subtree from 1 January to the day (`dues.selectors.totals`,
money in yuan to the fen)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from grassroots.core.modules import SectionText
from grassroots.core.money import yuan
from grassroots.orgs.models import Organization

from . import selectors

FEN = Decimal("0.01")


@dataclass(frozen=True)
class Dues:
    """Dues of the subtree over the year: `dues.selectors.totals` (money in yuan, two decimals)."""

    assessed: Decimal
    collected: Decimal
    regular: Decimal
    back: Decimal
    voluntary: Decimal
    to_centre: Decimal
    remitted: Decimal

    def as_json(self) -> dict[str, Any]:
        return {"dues": {k: str(v) for k, v in self.__dict__.items()}}


def dues_of(org: Organization, year: int, day: dt.date) -> Dues:
    t = selectors.totals(org, dt.date(year, 1, 1), day)
    return Dues(**{name: Decimal(t[name]).quantize(FEN) for name in selectors.FIGURES})


def _money(value: Decimal) -> str:
    return yuan(value)  # 123,762.10


def dues_paragraph(u: Dues, year: int, language: str) -> str:
    if language.startswith("zh"):
        return (f"{year}年，应缴党费{_money(u.assessed)}元，实收党费{_money(u.collected)}元"
                f"（其中按月交纳{_money(u.regular)}元，补交{_money(u.back)}元）；"
                f"收到自愿多交党费{_money(u.voluntary)}元（其中全额上缴中央{_money(u.to_centre)}元）；"
                f"向上级党组织上缴党费{_money(u.remitted)}元。")
    return (f"In {year}, dues assessed came to {_money(u.assessed)} yuan and {_money(u.collected)} yuan "
            f"were collected ({_money(u.regular)} yuan paid for the month, {_money(u.back)} yuan paid back); "
            f"voluntary payments came to {_money(u.voluntary)} yuan ({_money(u.to_centre)} yuan of them go whole "
            f"to the Central Committee); {_money(u.remitted)} yuan were remitted to higher levels.")


def dues_text(u: Dues, day: dt.date, language: str) -> SectionText:
    heading = "党费收缴使用管理" if language.startswith("zh") else "Party dues"
    return SectionText(heading, (dues_paragraph(u, day.year, language),))
