"""The demo town's practical projects (为民办实事), 2019 to today, written through the services.

Heshun's Party committee (HS) has its Party representatives' congress vote ten practical projects in 2019 (seed
003's Qijiashan: "55 delegates voted democratically 10 key practical projects"), and a new batch of six every
year after. Each year's projects are linked to that year's congress meeting and its vote when the deliberation
demo recorded them (a `meetings.Meeting` of kind congress of HS, and a `deliberation.Vote` on it); else they are
left unlinked (this demo never records a meeting). Some projects are split into weighted sub-projects; each leaf
reports its progress about every two months, milestones are done on time, representatives (their seats, when the
deliberation demo seated them; else named as the representatives' studio) inspect two projects a year and the
committee reports one project's progress to them. Every project is done by its due date, except two of the current
year, under way with progress in step with the time elapsed and due next year. All are published.

Deterministic (its own `random.Random`) and idempotent: a town that has practical projects already is left as it
is. `recent_years` keeps 2019 and the last so many years.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, TextIO

from grassroots.core.context import acting
from grassroots.deliberation.models import BodyKind, Seat, Vote
from grassroots.meetings.models import Meeting, MeetingKind
from grassroots.orgs.models import Organization

from . import services as s
from .models import PracticalProject, SupervisionKind

SEED = 20190315
TOWN = "HS"
# title, lead unit, description, sub-projects (title, weight) or ()
PROJECTS = [
    ("和顺古镇消防通道改造", "镇规划建设服务中心", "打通古镇巷道消防通道，增设消防栓", (("水碓片区消防栓", 2), ("十字路片区消防通道", 3))),
    ("大庄社区饮水管网改造", "镇水务站", "更换老旧供水管网，保障饮水安全", ()),
    ("农村公路提质改造", "镇交通运输所", "硬化通组道路，修补破损路面", (("大庄至水碓段", 3), ("李家巷段", 1), ("入户便道", 1))),
    ("老年人日间照料中心建设", "镇民政办", "建设日间照料中心，提供助餐助浴", ()),
    ("古镇公厕提升", "古镇保护管理局", "新建改建公厕，达到旅游公厕标准", ()),
    ("河道治理和护岸建设", "镇水务站", "治理和顺河段，建设护岸和步道", (("河道清淤", 1), ("护岸砌筑", 2))),
    ("农贸市场改造", "镇市场监管所", "改造农贸市场，规范摊位", ()),
    ("中心学校运动场建设", "镇中心学校", "建设塑胶跑道和篮球场", ()),
    ("路灯亮化工程", "镇规划建设服务中心", "在主要街巷安装太阳能路灯", ()),
    ("便民服务中心提质", "镇便民服务中心", "优化办事窗口，推行一窗通办", ()),
    ("垃圾分类收运体系建设", "镇环卫站", "配置分类垃圾桶和收运车辆", (("分类垃圾桶配置", 1), ("收运车辆配置", 1))),
    ("卫生院门诊楼改造", "镇卫生院", "改造门诊楼，增设无障碍设施", ()),
    ("农村电网升级", "和顺镇供电所", "更换老旧线路和变压器", ()),
    ("党群服务中心阵地建设", "镇党建办", "提升村（社区）党群服务中心功能", ()),
    ("特色产业基地建设", "镇农业服务中心", "建设高原特色农产品示范基地", (("基地土地平整", 1), ("灌溉设施", 1))),
    ("古镇污水管网建设", "镇规划建设服务中心", "完善古镇污水收集管网", ()),
]
HANDLERS = ["尹主任", "寸站长", "李所长", "张主任", "刘局长", "杨校长"]
FIRST_YEAR = 2019


def _town() -> Organization | None:
    return Organization.objects.filter(code=TOWN).first()


def _congress(org: Organization, year: int) -> tuple[Meeting | None, Vote | None]:
    meeting = (Meeting.objects.filter(kind=MeetingKind.CONGRESS, org=org, date__year=year)
               .order_by("date", "pk").first())
    vote = Vote.objects.filter(meeting=meeting).order_by("pk").first() if meeting else None
    return meeting, vote


def _seats(org: Organization, day: dt.date, rng: random.Random) -> list[Seat]:
    seats = [x for x in Seat.objects.filter(body__org__path__startswith=org.path, body__kind=BodyKind.PARTY_CONGRESS)
             .order_by("pk") if x.on(day)]
    return rng.sample(seats, min(3, len(seats)))


def demo_history(out: TextIO, *, today: dt.date, recent_years: int | None = None) -> None:
    town = _town()
    if town is None or PracticalProject.objects.filter(org=town).exists():
        return
    rng = random.Random(SEED)
    years = [y for y in range(FIRST_YEAR, today.year + 1)
             if y == FIRST_YEAR or recent_years is None or y > today.year - recent_years]
    with acting(None, "system"):
        for year in years:
            _year(town, year, today, rng)
    print(f"practical projects: {PracticalProject.objects.filter(org=town, parent__isnull=True).count()} projects, "
          f"{PracticalProject.objects.filter(org=town, parent__isnull=False).count()} sub-projects", file=out)


def _year(town: Organization, year: int, today: dt.date, rng: random.Random) -> None:
    meeting, vote = _congress(town, year)
    voted_on = meeting.date if meeting else dt.date(year, 2, 20)
    if voted_on > today:
        return
    n = 10 if year == FIRST_YEAR else 6
    specs = PROJECTS[:10] if year == FIRST_YEAR else rng.sample(PROJECTS, n)
    current = year == today.year
    for i, (title, lead, description, parts) in enumerate(specs, start=1):
        start = voted_on + dt.timedelta(days=rng.randint(10, 40))
        open_one = current and i > n - 2  # the last two of the current year: under way, due next year
        due = dt.date(year + 1, 6, 30) if open_one else dt.date(year, rng.choice((9, 10, 11)), 30)
        if start > today:
            start = today
        project = s.project_create(
            org=town, title=title, code=f"{year}-{i:02d}", year=year, description=description, lead_unit=lead,
            handler_name=rng.choice(HANDLERS), handler_phone=f"0875-58{rng.randint(10000, 99999)}",
            planned_start=start, due_on=due, meeting=meeting, vote=vote, published=True, on=voted_on)
        _run(project, parts, start, due, today, rng, open_one, i)


def _run(project: PracticalProject, parts: Any, start: dt.date, due: dt.date, today: dt.date,
         rng: random.Random, open_one: bool, index: int) -> None:
    finish = due - dt.timedelta(days=rng.randint(5, 30))
    ms_design = start + (finish - start) / 3
    ms_main = start + (finish - start) * 2 / 3
    milestones = [s.milestone_add(project=project, title="完成方案设计和招标", due_on=ms_design),
                  s.milestone_add(project=project, title="主体工程完工", due_on=ms_main, weight=2)]
    leaves = [project]
    if parts:
        leaves = [s.project_create(parent=project, title=t, weight=w, code=f"{project.code}-{k}", planned_start=start,
                                   due_on=due, on=start) for k, (t, w) in enumerate(parts, start=1)]
    for leaf in [*leaves, project] if parts else leaves:
        leaf = PracticalProject.objects.get(pk=leaf.pk)
        s.status_change(project=leaf, version=leaf.version, to="under_way", on=start, note="项目开工")
    end = min(finish, today)
    day = start + dt.timedelta(days=rng.randint(40, 60))
    while day <= end and (open_one or day < finish):
        share = (day - start).days / max(1, (finish - start).days)
        for leaf in leaves:
            s.progress_record(project=leaf, on=day, percent=min(95, max(5, round(share * 100) + rng.randint(-3, 5))),
                              note="按计划推进")
        day += dt.timedelta(days=rng.randint(45, 60))
    for m in milestones:
        if m.due_on <= today:
            s.milestone_done(milestone=m, done_on=m.due_on - dt.timedelta(days=rng.randint(0, 5)))
    if index <= 2:
        on = start + (finish - start) / 2
        if on <= today:
            seats = _seats(project.org, on, rng)
            s.supervision_record(project=project, on=on, kind=rng.choice((SupervisionKind.INSPECTION,
                                                                         SupervisionKind.SURVEY)),
                                 seats=seats, names="" if seats else "镇党代表工作室党代表",
                                 findings="现场查看施工进度，听取群众意见", follow_up="督促施工单位加强安全管理")
            later = on + dt.timedelta(days=14)
            if later <= today:
                sv = project.supervisions.order_by("-pk").first()
                assert sv is not None
                s.supervision_follow_up_done(supervision=sv, done_on=later)
    if index == 1:
        on = start + (finish - start) * 3 / 4
        if on <= today:
            s.congress_report_record(project=project, on=on, text="向党代表通报项目进展情况和下一步安排")
    if open_one or finish > today:
        return
    for leaf in leaves if parts else []:
        leaf = PracticalProject.objects.get(pk=leaf.pk)
        s.status_change(project=leaf, version=leaf.version, to="done", on=finish, note="完工验收")
    project = PracticalProject.objects.get(pk=project.pk)
    if not parts:
        s.progress_record(project=project, on=finish, percent=100, note="完工")
    s.status_change(project=project, version=project.version, to="done", on=finish, note="完工验收，群众满意")
