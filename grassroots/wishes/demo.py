"""The demo town's micro-wishes, 2019 to today: the three community general branches take wishes (their intake
switched on, with a QR poster), collect about fifty-five a year from residents (the public form, the poster, the
staff, home visits), publish them, and members of the community's branches claim and fulfil them; most residents
confirm, staff confirm for the others. Seed 003's year: every wish of 2019 is claimed within the year. The last
weeks before today stay open (collected, published, claimed). Written through the services, deterministic, and
built once: a second build adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, TextIO

from django.db.models import Q

from grassroots.core import audit
from grassroots.core.context import acting
from grassroots.members.models import Member
from grassroots.orgs.models import Organization

from . import services
from .models import Wish

COMMUNITIES = ("HS-SZL", "HS-DZ", "HS-SY")
PER_YEAR = 55  # seed 003: "55 micro-wishes collected, all claimed"
OPEN_DAYS = 30  # the wishes of the last weeks before today are still on their way
WISHES = [
    ("study", "给孙子买一个新书包"), ("study", "想要几本儿童绘本"), ("study", "孩子需要一盏护眼台灯"),
    ("daily", "冬天想要一床厚棉被"), ("daily", "想要一个电饭煲"), ("daily", "需要一台收音机听新闻"),
    ("home", "厨房水龙头漏水，想请人修一修"), ("home", "院子里的电灯坏了"), ("home", "想请人帮忙疏通下水道"),
    ("health", "想请人陪同去县医院复查"), ("health", "需要一副老花镜"), ("health", "想要一个血压计"),
    ("company", "希望有人周末来陪老人聊聊天"), ("company", "想学用智能手机和子女视频"),
    ("other", "想请人帮忙写一副春联"), ("other", "想为小组活动室添几把椅子"),
]
SURNAMES = "寸刘李尹贾张钏杨许"
GIVEN = "秀英兰芳国华福顺玉梅德昌永春"
PLACES = ["水碓村{}组", "大庄{}组", "十字路{}组"]
NOTES = ["已送到家中，老人很满意", "已上门修好", "已陪同前往，顺利完成", "已购置并送达", "已完成，群众表示感谢"]
CHANNELS = ("public", "qr", "staff", "visit")


def _years(today: dt.date, recent_years: int | None) -> list[int]:
    if recent_years is None:
        return list(range(2019, today.year + 1))
    return sorted({2019, *range(max(2020, today.year - recent_years + 1), today.year + 1)})


def _members(community: Organization, day: dt.date) -> list[Member]:
    return list(Member.objects.filter(org__path__startswith=community.path, standing="active", joined_on__lte=day)
                .filter(Q(org__revoked_on__isnull=True)).order_by("pk"))


def _wish(rng: random.Random, community: Organization, day: dt.date, channel: str) -> Wish:
    category, text = rng.choice(WISHES)
    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
    phone = f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"
    place = rng.choice(PLACES).format(rng.randint(1, 7))
    if channel in ("public", "qr"):
        return services.submit_wish(community, text=text, resident_name=name, resident_phone=phone,
                                    category=category, place=place, via_qr=channel == "qr", sent_on=day)
    if channel == "visit":
        return services.wish_from_visit(community, resident_name=name, resident_phone=phone, text=text,
                                        category=category, place=place, visited_on=day,
                                        visit_ref=f"走访 {day.isoformat()}")
    return services.record_wish(community, text=text, resident_name=name, resident_phone=phone,
                                category=category, place=place, collected_on=day)


def _days(rng: random.Random, year: int, today: dt.date) -> list[dt.date]:
    start = dt.date(year, 1, 3)
    # 2019's wishes are all collected early enough to be claimed within the year (seed 003: "all claimed")
    end = min(dt.date(year, 12, 10), today)
    if end < start:
        return []
    span = (end - start).days
    count = PER_YEAR if end.year < today.year or year == 2019 else max(1, PER_YEAR * span // 341)
    return sorted(start + dt.timedelta(days=rng.randint(0, span)) for _i in range(count))


def _carry(rng: random.Random, wish: Wish, members: list[Member], today: dt.date) -> None:
    """Publish, claim, fulfil and confirm, each a few days after the last, stopping at today."""
    day = wish.collected_on + dt.timedelta(days=rng.randint(0, 3))
    if day > today:
        return
    if wish.collected_on.year > 2019 and rng.random() < 0.03:
        services.decline(wish, reason="不属于微心愿范围，已转民政部门办理", on=day)
        return
    wish = services.publish(wish, on=day)
    day += dt.timedelta(days=rng.randint(0, 5))
    if day > today or not members:
        return
    claim: dict[str, Any] = {"member": rng.choice(members)}
    if rng.random() < 0.1:
        claim = {"unit": rng.choice(["和顺镇卫生院", "和顺古镇旅游文化公司", "和顺镇中心学校"])}
    wish = services.claim(wish, on=day, **claim)
    day += dt.timedelta(days=rng.randint(2, 20))
    if day > today:
        return
    wish = services.fulfil(wish, note=rng.choice(NOTES), on=day)
    day += dt.timedelta(days=rng.randint(1, 10))
    if day > today:
        return
    services.confirm_for_resident(wish, on=day, note="电话回访，群众确认" if rng.random() < 0.5 else "上门回访")


def demo_history(out: TextIO, *, today: dt.date, recent_years: int | None) -> None:
    communities = list(Organization.objects.filter(code__in=COMMUNITIES).order_by("code"))
    if not communities or Wish.objects.filter(org__in=communities).exists():
        return  # built already
    rng = random.Random(20190601)
    made = 0
    with acting(None, "system"):
        for community in communities:
            services.set_intake(community, enabled=True, intro="有困难、有心愿，请告诉我们，党员来认领。")
        for year in _years(today, recent_years):
            with audit.batch():  # a year's audit entries appended together
                made += _year(rng, year, communities, today)
    out.write(f"Micro-wishes: {made} collected in the communities since 2019.\n")


def _year(rng: random.Random, year: int, communities: list[Organization], today: dt.date) -> int:
    made = 0
    days = _days(rng, year, today)
    for i, day in enumerate(days):
        community = communities[i % len(communities)]
        wish = _wish(rng, community, day, CHANNELS[i % len(CHANNELS)])
        made += 1
        if (today - day).days < OPEN_DAYS and year > 2019 and i % 3:
            continue  # the latest: some still only collected
        _carry(rng, wish, _members(community, day), today)
    return made
