"""The demo town's public commitments from 2019 to today (registered as `demo_history`).

2019 follows seed 000: 173 members made commitments (a common commitment each, some a post or self-discipline
commitment too), and in the practical commitment 92 commitments around community building, culture, policing and
environment; each practical one has a progress entry, and the branches reviewed every commitment in December.
Each later year the demo builds (all of them, or the last `recent_years`), a smaller round: about forty members,
reviewed in December of past years; this year's are open, a few with an earlier deadline reviewed already, one
past its deadline awaiting review (a to-do) and one withdrawn.

Written through the services, as the system (the secretaries entering them on the members' behalf), from a fixed
random stream: the same town gives the same commitments. A year that already has commitments is left as it is,
so building again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TextIO

from django.utils.translation import gettext as _

from grassroots.members.models import Member, MemberPeriod
from grassroots.orgs.models import Organization

from . import services
from .models import Commitment, Level, Result, Theme

SEED = 20190301
START = 2019
SEED_MEMBERS = 173  # seed 000: "173 members made commitments"
SEED_PRACTICAL = 92  # "in the practical commitment 92 commitments around community building, culture, ..."
LATER_MEMBERS = 40
FOUR = (Theme.COMMUNITY, Theme.CULTURE, Theme.POLICING, Theme.ENVIRONMENT)

TEXTS = {
    Level.COMMON: ("带头学习党章党规和习近平新时代中国特色社会主义思想，按时参加组织生活，按时足额交纳党费",
                   "亮身份、作表率，带头遵守居民公约，带头参与社区志愿服务",
                   "坚定理想信念，按时参加“三会一课”和主题党日，发挥先锋模范作用"),
    Level.POST: ("立足本职岗位，做好窗口服务，做到办事热情、一次讲清", "当好楼栋长，每月走访本楼栋住户一次",
                 "做好网格员工作，及时上报网格内的矛盾和隐患"),
    Level.SELF_DISCIPLINE: ("不参与赌博和封建迷信活动，移风易俗、红白事简办", "遵纪守法，不信谣不传谣，自觉抵制不良风气"),
}
PRACTICAL_TEXTS = {
    Theme.COMMUNITY: ("帮助小区成立业主自治小组", "为困难家庭联系就业岗位", "协助社区做好老旧小区改造意见收集"),
    Theme.CULTURE: ("组织小区文艺队每月排练一次", "为辖区儿童开展暑期读书活动", "整理本村红色故事并向群众宣讲"),
    Theme.POLICING: ("参加义务巡逻，每月不少于两次", "协助调解邻里纠纷", "向居民宣传防电信诈骗知识"),
    Theme.ENVIRONMENT: ("认领一段河道，每月清理一次", "带头垃圾分类并劝导邻居分类投放", "清理楼道杂物，保持楼道整洁"),
    Theme.OTHER: ("为老年人代办缴费等事务",),
}
PROGRESS_TEXTS = ("已按计划开展，群众反映良好", "完成了上半年的工作，下半年继续", "联系了相关部门，事情有了进展")


def _years(today: dt.date, recent_years: int | None) -> list[int]:
    later = range(START + 1, today.year + 1)
    if recent_years is not None:
        later = range(max(START + 1, today.year - recent_years + 1), today.year + 1)
    return [START, *later]


def _roster(town: Organization, day: dt.date) -> list[Member]:
    ids = (MemberPeriod.objects.on(day).in_subtree(town, day).filter(suspended=False)
           .values_list("member_id", flat=True))
    return list(Member.objects.filter(pk__in=ids).order_by("pk"))


class _Year:
    def __init__(self, rng: random.Random, year: int, today: dt.date) -> None:
        self.rng = rng
        self.year = year
        self.today = today
        self.made = 0

    def day(self, start: dt.date, end: dt.date) -> dt.date:
        end = min(end, self.today)
        return start + dt.timedelta(days=self.rng.randrange(max(1, (end - start).days + 1)))

    def make(self, member: Member, level: str, theme: str = "", deadline: dt.date | None = None) -> Commitment:
        texts = PRACTICAL_TEXTS[Theme(theme)] if level == Level.PRACTICAL else TEXTS[Level(level)]
        made_on = self.day(dt.date(self.year, 3, 1), dt.date(self.year, 3, 31))
        c = services.commitment_make(member, year=self.year, level=level, theme=theme, text=self.rng.choice(texts),
                                     deadline=deadline or dt.date(self.year, 12, 31), made_on=made_on)
        self.made += 1
        return c

    def progress(self, c: Commitment) -> None:
        if dt.date(self.year, 6, 1) > self.today:
            return
        on = self.day(dt.date(self.year, 6, 1), dt.date(self.year, 9, 30))
        if on >= c.made_on:
            services.progress_add(c, date=on, text=self.rng.choice(PROGRESS_TEXTS))

    def review(self, c: Commitment, on: dt.date) -> None:
        roll = self.rng.random()
        if roll < 0.88:
            services.result_set(c, version=None, result=Result.KEPT, on=on)
        elif roll < 0.97:
            services.result_set(c, version=None, result=Result.PARTLY, on=on, note="因身体原因，完成了大部分")
        else:
            services.result_set(c, version=None, result=Result.NOT_KEPT, on=on, note="因外出务工，未能完成")


def _seed_year(town: Organization, rng: random.Random, today: dt.date) -> int:
    """2019: the seed's 173 members and 92 practical commitments, all reviewed in December."""
    y = _Year(rng, START, today)
    members = rng.sample(_roster(town, dt.date(START, 3, 1)), SEED_MEMBERS)
    made: list[Commitment] = []
    for i, member in enumerate(members):
        made.append(y.make(member, Level.COMMON))
        if i < SEED_PRACTICAL:
            c = y.make(member, Level.PRACTICAL, FOUR[i % len(FOUR)])
            y.progress(c)
            made.append(c)
        if rng.random() < 0.25:
            made.append(y.make(member, Level.POST))
        if rng.random() < 0.15:
            made.append(y.make(member, Level.SELF_DISCIPLINE))
    for c in made:
        y.review(c, y.day(dt.date(START, 12, 16), dt.date(START, 12, 30)))
    return y.made


def _later_year(town: Organization, rng: random.Random, year: int, today: dt.date) -> int:
    y = _Year(rng, year, today)
    roster = _roster(town, dt.date(year, 3, 1))
    members = rng.sample(roster, min(LATER_MEMBERS, len(roster)))
    current = year == today.year
    made: list[Commitment] = []
    for i, member in enumerate(members):
        if current and dt.date(year, 3, 1) > today:
            break  # nothing is made before March
        made.append(y.make(member, Level.COMMON))
        if i % 2 == 0:
            theme = rng.choice((*FOUR, Theme.OTHER))
            early = dt.date(year, 6, 30) if i % 6 == 0 else None  # a few due mid-year
            c = y.make(member, Level.PRACTICAL, theme, deadline=early)
            y.progress(c)
            made.append(c)
        if i % 5 == 0:
            made.append(y.make(member, Level.POST))
    for i, c in enumerate(made):
        if not current:
            y.review(c, y.day(dt.date(year, 12, 16), dt.date(year, 12, 30)))
        elif c.deadline < today and i != 1:  # one past its deadline waits for the branch (a to-do)
            y.review(c, y.day(c.deadline, today))
    open_ = Commitment.objects.filter(pk__in=[c.pk for c in made], result="", deadline__gt=today).order_by("-pk")
    last = open_.first() if current else None
    if last is not None:
        services.commitment_withdraw(last, version=None, reason="调往外地工作", on=today)
    return y.made


def demo_history(out: TextIO, *, today: dt.date, recent_years: int | None) -> None:
    from grassroots.demo import data

    town = Organization.objects.filter(code=data.TOWN_CODE).first()
    if town is None:
        return
    done = set(Commitment.objects.filter(org__path__startswith=town.path).values_list("year", flat=True))
    made = 0
    for year in _years(today, recent_years):
        rng = random.Random(SEED + year)
        if year in done or dt.date(year, 3, 1) > today:
            continue
        made += _seed_year(town, rng, today) if year == START else _later_year(town, rng, year, today)
    if made:
        out.write(_("Public commitments: %(n)d made from %(start)d to %(end)d.") % {
            "n": made, "start": START, "end": today.year} + "\n")
