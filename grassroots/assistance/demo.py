"""The demo town's assistance, 2019 to today (seed 000's Wulan: "social assistance for 271 households, 455 persons",
a "Leifeng supermarket" that distributes donations every quarter).

- About one household in twenty-five gets the minimum living allowance, paid monthly by the county's civil
  affairs bureau and recorded once a year (the months paid so far in the year under way); a few persons in
  extreme poverty are supported the same way;
- at the Spring Festival the town Party committee visits those households and a few more (a local kind,
  节日慰问: cash or a gift of rice and oil);
- medical and temporary assistance for a few households a year;
- the town's store (和顺镇爱心超市, the town committee's) takes in donations every quarter and gives them out at
  the end of the quarter to about eight households, each round signed for (the last one may still wait).

Written through the services, deterministic (its own random stream), built once: a second build adds nothing.
`recent_years` (the test suite's) keeps 2019 and the last years only."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any, TextIO

from grassroots.core import audit
from grassroots.core.context import acting
from grassroots.households.models import Household
from grassroots.orgs.models import Organization

from . import selectors, services
from .models import Assistance, LocalKind, StockItem

TOWN = "HS"
DIBAO_SHARE = 25  # one household in so many
DIBAO_MONTHLY = {2019: 420, 2020: 450, 2021: 480, 2022: 500, 2023: 520, 2024: 540, 2025: 560, 2026: 580}
DONORS = [("和顺镇中心学校", True), ("县供电所", True), ("和顺古镇旅游公司", True), ("寸德昌", False),
          ("县农村信用社", True), ("李秀英", False)]
ITEMS = [("大米", "袋", 30, Decimal("60")), ("食用油", "桶", 25, Decimal("70")), ("棉被", "床", 10, Decimal("150"))]
PER_ROUND = 8


def _years(today: dt.date, recent_years: int | None) -> list[int]:
    if recent_years is None:
        return list(range(2019, today.year + 1))
    return sorted({2019, *range(max(2020, today.year - recent_years + 1), today.year + 1)})


def _living(day: dt.date) -> list[Household]:
    return [h for h in Household.objects.filter(territory__code__startswith="TC-HS-").order_by("pk")
            if (h.registered_on is None or h.registered_on <= day) and (h.left_on is None or h.left_on > day)]


def _persons(household: Household, day: dt.date) -> int:
    return max(1, sum(1 for p in household.persons.all()
                      if (p.joined_on is None or p.joined_on <= day) and (p.left_on is None or p.left_on > day)))


def _record(household: Household, day: dt.date, **kw: Any) -> None:
    services.assistance_record(household=household, given_on=day, persons_count=_persons(household, day), **kw)


def _year(rng: random.Random, town: Organization, year: int, today: dt.date, kinds: dict[str, str],
          chosen: dict[str, list[int]]) -> None:
    spring = dt.date(year, 1, 20)
    if spring <= today:
        visited = [h for h in _living(spring) if h.pk in chosen["dibao"] + chosen["tekun"] + chosen["visit"]]
        for h in visited:
            if rng.random() < 0.5:
                _record(h, spring, kind=kinds["visit"], form="cash", amount=Decimal("500"), source="party",
                        source_name=town.name, note="春节慰问金")
            else:
                _record(h, spring, kind=kinds["visit"], form="goods", goods="大米、食用油", quantity=Decimal("2"),
                        source="party", source_name=town.name, note="春节慰问品")
    for month, kind, low, high in ((4, "medical", 1000, 6000), (9, "temporary", 500, 2000)):
        day = dt.date(year, month, rng.randint(3, 27))
        if day > today:
            continue
        living = _living(day)
        for h in rng.sample(living, k=min(3, len(living))):
            _record(h, day, kind=kind, form="cash", amount=Decimal(rng.randrange(low, high, 100)), source="government",
                    source_name="县民政局", note="")
    paid_on = min(dt.date(year, 12, 20), today)
    months = paid_on.month if paid_on < dt.date(year, 12, 20) else 12
    if paid_on >= dt.date(year, 1, 31):
        living_ids = {h.pk: h for h in _living(paid_on)}
        monthly = Decimal(DIBAO_MONTHLY.get(year, DIBAO_MONTHLY[max(DIBAO_MONTHLY)]))
        for kind in ("dibao", "tekun"):
            for pk in chosen[kind]:
                found = living_ids.get(pk)
                if found is None:
                    continue
                rate = monthly if kind == "dibao" else monthly * Decimal("1.3")
                _record(found, paid_on, kind=kind, form="cash", amount=rate * months, source="government",
                        source_name="县民政局", note=f"按月发放，{months}个月")
    _store_year(rng, town, year, today, chosen)


def _store_year(rng: random.Random, town: Organization, year: int, today: dt.date, chosen: dict[str, list[int]]) -> None:
    sign_days = selectors.limits(today)[2]
    for quarter in range(4):
        first = dt.date(year, 3 * quarter + 1, 1)
        for _i in range(2):
            day = first + dt.timedelta(days=rng.randint(0, 60))
            if day > today:
                continue
            donor, is_unit = rng.choice(DONORS)
            if rng.random() < 0.25:
                services.donation_receive(town, donor=donor, donor_is_unit=is_unit, received_on=day,
                                          value=Decimal(rng.randrange(1000, 5000, 500)), note="现金捐赠")
                continue
            name, unit, qty, price = rng.choice(ITEMS)
            services.donation_receive(town, donor=donor, donor_is_unit=is_unit, received_on=day, item=name, unit=unit,
                                      quantity=Decimal(qty), value=price * qty)
        held = dt.date(year, 3 * quarter + 3, 25)
        if held > today:
            continue
        rnd = services.round_create(town, title=f"{year}年第{quarter + 1}季度爱心超市物资发放", held_on=held,
                                    kind=f"{selectors.LOCAL_PREFIX}{chosen['store_kind'][0]}")
        living = _living(held)
        first_in = [h for h in living if h.pk in chosen["dibao"] + chosen["tekun"]]
        others = [h for h in living if h not in first_in]
        households = (first_in + rng.sample(others, k=min(len(others), PER_ROUND)))[:PER_ROUND]
        for item in StockItem.objects.filter(org=town).order_by("name"):
            left = selectors.stock_of(item, held)
            for h in households:
                if left < 1:
                    break
                services.line_add(rnd, household=h, item=item, quantity=Decimal(1), persons_count=_persons(h, held))
                left -= 1
        if rnd.lines.exists() and held + dt.timedelta(days=sign_days) < today:
            services.round_sign(rnd, signed_on=held + dt.timedelta(days=rng.randint(0, 7)))


def build(out: TextIO, *, today: dt.date, recent_years: int | None = None) -> None:
    town = Organization.objects.filter(code=TOWN).first()
    if town is None or LocalKind.objects.filter(org=town).exists():
        return
    households = _living(dt.date(2019, 1, 1))
    if not households:
        return
    rng = random.Random(68)
    with acting(None, "system"), audit.batch():
        visit = services.kind_add(town, name="节日慰问")
        store = services.kind_add(town, name="爱心超市物资发放")
        services.kind_add(town, name="结对帮扶")
        picked = rng.sample(households, k=max(3, len(households) // DIBAO_SHARE) + 3)
        chosen = {"dibao": [h.pk for h in picked[3:]], "tekun": [h.pk for h in picked[:3]],
                  "visit": [h.pk for h in rng.sample(households, k=5)], "store_kind": [store.pk]}
        kinds = {"visit": f"{selectors.LOCAL_PREFIX}{visit.pk}"}
        for year in _years(today, recent_years):
            _year(rng, town, year, today, kinds, chosen)
    out.write(f"assistance: {Assistance.objects.count()} entries, "
              f"{Assistance.objects.values('household').distinct().count()} households helped\n")


def demo_history(out: TextIO, *, today: dt.date, recent_years: int | None = None, **_: Any) -> None:
    build(out, today=today, recent_years=recent_years)
