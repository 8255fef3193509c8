"""The demo town's in-service members reporting where they live, from 2019 to today, written through the services.

Members in service of the town's institutions (the town offices, the school, the health center, the ancient town's
administration, the tourism company) live in the three communities: in March 2019 a few of each report for the
first time to their community's general branch (on the home branch's behalf), which accepts them within days and
assigns each to one of its grids when the community has grid profiles. Every half year (January and July) they
report again; the community logs one or two services a month (activity, hours, an evaluation on the scale of the
rules data), entered a few days after the day. The latest half year's reports of a few members are not made yet,
so the reminder findings have something to say today.

Years: 2019 and the last `recent_years` (all of them when None), up to `today`. Deterministic (`random.Random`
seeded from SEED per member and half year) and idempotent: a report already there (member, community, day) is
passed over, so a second build adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from typing import TextIO

from grassroots.demo import data
from grassroots.grids.models import Grid
from grassroots.members.models import Member, MemberPeriod, Occupation
from grassroots.orgs.models import Organization

from . import services
from .models import Report, Service, State
from .selectors import evaluation_levels

SEED = 20190312
FIRST_YEAR = 2019
HOMES = ("HS-JG", "HS-XX", "HS-WSY", "HS-GZ", "HS-QY")
COMMUNITIES = ("HS-SZL", "HS-DZ", "HS-SY")
PER_HOME = 4
SKILLS = ["水电维修", "法律咨询", "医疗保健", "文艺宣传", "电脑维修", "家庭教育", "书法", "心理疏导"]
OFFERS = ["政策宣传", "义务巡逻", "关爱空巢老人", "环境整治", "四点半课堂", "义诊", "矛盾调解", "文明劝导"]
ACTIVITIES = ["楼道清扫", "政策宣传进院落", "夜间治安巡逻", "走访空巢老人", "四点半课堂辅导", "社区义诊",
              "垃圾分类宣传", "古镇防火巡查", "邻里纠纷调解", "文明交通劝导"]


def _years(today: dt.date, recent_years: int | None) -> list[int]:
    if recent_years is None:
        return list(range(FIRST_YEAR, today.year + 1))
    return sorted({FIRST_YEAR, *range(max(FIRST_YEAR, today.year - recent_years + 1), today.year + 1)})


def _in_service(member: Member, day: dt.date) -> bool:
    return MemberPeriod.objects.on(day).filter(member=member, occupation=Occupation.IN_SERVICE).exists()


def _reporters(first_day: dt.date) -> list[tuple[Member, Organization]]:
    """Who reports, and where they live: the first in-service members of each institution's branch, spread over
    the communities."""
    communities = [c for c in Organization.objects.filter(code__in=COMMUNITIES).order_by("code")]
    out: list[tuple[Member, Organization]] = []
    if not communities:
        return out
    for home in Organization.objects.filter(code__in=HOMES).order_by("code"):
        members = [m for m in Member.objects.filter(org=home, joined_on__lt=first_day).order_by("pk")[:PER_HOME * 3]
                   if _in_service(m, first_day)][:PER_HOME]
        for i, m in enumerate(members):
            out.append((m, communities[(m.pk + i) % len(communities)]))
    return out


def _days(year: int, today: dt.date) -> list[dt.date]:
    days = [dt.date(year, 3, 12)] if year == FIRST_YEAR else [dt.date(year, 1, 15)]
    days.append(dt.date(year, 7, 15))
    return [d for d in days if d < today]


def _report(member: Member, community: Organization, on: dt.date, first: bool, rng: random.Random,
            today: dt.date) -> Report | None:
    if Report.objects.filter(member=member, community_org=community, date=on).exists():
        return None
    if not _in_service(member, on):
        return None
    r = services.report(member, community_org=community, on=on, first=first, skills=rng.choice(SKILLS),
                        offers=rng.choice(OFFERS), address=f"{community.name.removesuffix('党总支')}{rng.randint(1, 60)}号",
                        workplace=member.org.name.removesuffix("党支部") if member.org else "",
                        phone=f"138{member.pk % 100:02d}{rng.randint(100000, 999999)}")
    decided = on + dt.timedelta(days=rng.randint(1, 6))
    if decided >= today:
        return r
    r = services.accept(r, on=decided)
    grids = list(Grid.objects.filter(territory__path__startswith=community.territory.path).order_by("pk")) \
        if community.territory else []
    if grids:
        r = services.assign(r, grid=grids[member.pk % len(grids)], post=None)
    return r


def _services(r: Report, until: dt.date, rng: random.Random, today: dt.date) -> None:
    codes = [lv["code"] for lv in evaluation_levels(r.date)]
    weights = [6, 3, 1, 0][:len(codes)] + [0] * max(0, len(codes) - 4)
    month = dt.date(r.date.year, r.date.month, 1)
    while month < until:
        for _n in range(rng.randint(1, 2)):
            day = month + dt.timedelta(days=rng.randint(0, 27))
            logged = day + dt.timedelta(days=rng.randint(0, 4))
            if day <= r.date or day >= until or logged >= today:
                continue
            services.log_service(r, day=day, activity=rng.choice(ACTIVITIES), hours=rng.choice(["1", "1.5", "2", "3"]),
                                 evaluation=rng.choices(codes, weights=weights)[0] if codes else "", logged_on=logged)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def demo_history(out: TextIO, *, today: dt.date, recent_years: int | None) -> None:
    if not Organization.objects.filter(code=data.TOWN_CODE).exists():
        return
    reporters = _reporters(dt.date(FIRST_YEAR, 3, 12))
    for year in _years(today, recent_years):
        for day in _days(year, today):
            for i, (member, community) in enumerate(reporters):
                rng = random.Random(f"{SEED}:{member.pk}:{day.isoformat()}")
                latest_half = day > today - dt.timedelta(days=183)
                if latest_half and i % 7 == 3:
                    continue  # not reported again yet: the reminder says so
                first = not Report.objects.filter(member=member, first=True).exists()
                r = _report(member, community, day, first, rng, today)
                if r is not None and r.state == State.ACCEPTED:
                    _services(r, min(day + dt.timedelta(days=182), today), rng, today)
    town = Organization.objects.get(code=data.TOWN_CODE)
    reports = Report.objects.filter(community_org__path__startswith=town.path)
    logged = Service.objects.filter(report__in=reports).count()
    print(f"in-service members: {reports.values('member').distinct().count()} reported, {reports.count()} reports, "
          f"{logged} services", file=out)
