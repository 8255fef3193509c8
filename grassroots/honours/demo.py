"""The demo town's model households, 2019 to today (seed 000's "eight kinds of model households"): every autumn
the communities propose about one household of each kind from their villager groups; the town approves them in
December and publishes them before the year ends; now and then a proposal is declined. The year under way keeps
what its dates have reached. Written through the services, deterministic, built once."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, TextIO

from grassroots.core import audit
from grassroots.core.context import acting
from grassroots.households.models import Household

from . import selectors, services
from .models import Honour

REASONS = {"patriotic": "积极参加党员活动日，带头宣传党的政策", "diligent": "发展特色种植，带动邻里增收",
           "lawful": "家庭成员遵纪守法，积极参与调解", "harmonious": "孝老爱亲，邻里和睦",
           "honest": "诚信经营农家乐，无投诉", "beautiful": "房前屋后干净整洁，种花种树",
           "public_spirited": "热心古镇公益，常年参加志愿服务", "new_customs": "婚事新办，移风易俗"}


def _years(today: dt.date, recent_years: int | None) -> list[int]:
    if recent_years is None:
        return list(range(2019, today.year + 1))
    return sorted({2019, *range(max(2020, today.year - recent_years + 1), today.year + 1)})


def build(out: TextIO, *, today: dt.date, recent_years: int | None = None) -> None:
    if Honour.objects.filter(household__territory__code__startswith="TC-HS-").exists():
        return
    rng = random.Random(69)
    with acting(None, "system"), audit.batch():
        for year in _years(today, recent_years):
            proposed_on = dt.date(year, 11, rng.randint(1, 20))
            if proposed_on > today:
                continue
            living = [h for h in Household.objects.filter(territory__code__startswith="TC-HS-").order_by("pk")
                      if (h.registered_on is None or h.registered_on <= proposed_on)
                      and (h.left_on is None or h.left_on > proposed_on)]
            codes = [c for c, _n in selectors.model_kinds(proposed_on)]
            for code, household in zip(codes, rng.sample(living, k=min(len(codes), len(living))), strict=False):
                honour = services.propose(household=household, year=year, kind=code, reason=REASONS.get(code, ""),
                                          on=proposed_on)
                decided = dt.date(year, 12, rng.randint(1, 10))
                if decided > today:
                    continue
                if rng.random() < 0.1:
                    services.decline(honour, reason="群众评议意见不一，明年再议", on=decided)
                    continue
                honour = services.approve(honour, on=decided)
                published = dt.date(year, 12, rng.randint(15, 28))
                if published <= today:
                    services.publish(honour, on=published)
    out.write(f"honours: {Honour.objects.count()} proposed, "
              f"{Honour.objects.filter(state='published').count()} published\n")


def demo_history(out: TextIO, *, today: dt.date, recent_years: int | None = None, **_: Any) -> None:
    build(out, today=today, recent_years=recent_years)
