"""The demo town's joint meetings, 2019 to today: for each organization that keeps resident units (the cobuild
demo's, run before this one), a joint meeting body set up early in 2019 with those units as members, meetings about
quarterly through today with attendance by unit, decisions of which some became projects and some tasks, done by
their deadlines but for a few of the last months'. Deterministic (a seeded rng). No resident units: nothing is made."""

from __future__ import annotations

import datetime as dt
import random
from typing import TextIO

from grassroots.cobuild import services as cobuild
from grassroots.cobuild.models import ResidentUnit
from grassroots.core.context import acting
from grassroots.orgs.models import Organization

from . import services
from .models import JointMeeting, JointSession, UnitPresence

TOPICS = ("社区环境整治共商", "老旧小区改造推进", "困难群众帮扶", "共建项目年度计划", "文明创建和志愿服务",
          "社区安全隐患排查", "便民服务资源共享", "节日慰问活动安排")
DECISIONS = ("由驻区单位认领楼道照明改造", "组织党员志愿者开展环境清扫", "共享单位活动室用于社区学习",
             "开展困难群众走访慰问", "联合开展消防安全检查", "设立便民服务点", "共同组织文体活动")
PEOPLE = ("王书记", "李主任", "张委员", "赵干事", "刘主任")


def demo_history(out: TextIO, *, today: dt.date, recent_years: int | None = None) -> None:
    rng = random.Random(7517)
    orgs = (Organization.objects.filter(pk__in=ResidentUnit.objects.values("org")).order_by("path"))
    with acting(None, "system"):
        for org in orgs:
            if JointMeeting.objects.filter(org=org).exists():
                continue
            _build(org, rng, today)
    print(f"joint meetings: {JointMeeting.objects.count()} bodies, {JointSession.objects.count()} meetings", file=out)


def _build(org: Organization, rng: random.Random, today: dt.date) -> None:
    start = max(dt.date(2019, 1, 15), org.founded_on + dt.timedelta(days=1))
    if start > today or org.revoked_on is not None:
        return
    units = list(ResidentUnit.objects.filter(org=org).order_by("name", "pk"))
    body = services.body_create(org=org, name=f"{org.name}党建联席会议", set_up_on=start,
                                note="定期召开党建联席会议")
    for u in units:
        joined = max(start, u.joined_on or start)
        if u.left_on is not None and u.left_on <= joined:
            continue
        if joined > today:
            continue
        m = services.membership_add(body=body, unit=u, joined_on=joined, representative=u.contact_name)
        if u.left_on is not None and u.left_on <= today:
            services.membership_end(membership=m, left_on=u.left_on)
    day = start + dt.timedelta(days=rng.randint(10, 40))
    while day <= today:
        members = services.members_on(body, day)
        attendance = {uid: (UnitPresence.PRESENT if rng.random() < 0.8 else
                            rng.choice((UnitPresence.EXCUSED, UnitPresence.ABSENT)),
                            m.representative) for uid, m in members.items()}
        texts = rng.sample(DECISIONS, rng.randint(1, 3))
        session = services.session_record(body=body, date=day, topic=rng.choice(TOPICS), place="社区党群服务中心",
                                          host=rng.choice(PEOPLE), minutes="会议通报共建情况，协商议定事项。",
                                          attendance=attendance, decisions=texts)
        present = [uid for uid, (p, _w) in attendance.items() if p == UnitPresence.PRESENT]
        for d in session.decisions.order_by("order"):
            unit = ResidentUnit.objects.get(pk=rng.choice(present)) if present else None
            roll = rng.random()
            if roll < 0.3:
                project = services.decision_to_project(decision=d, unit=unit, owner=rng.choice(PEOPLE),
                                                       due_on=day + dt.timedelta(days=90))
                finished = day + dt.timedelta(days=rng.randint(40, 85))
                if finished <= today:  # done by the deadline, as the seeds' projects were
                    project = cobuild.project_start(project, version=project.version)
                    cobuild.project_done(project, version=project.version, on=finished,
                                         outcome=f"{d.text}：已完成")
            else:
                due = day + dt.timedelta(days=rng.choice((30, 45, 60)))
                task = services.task_create(decision=d, title=d.text, unit=unit, owner=rng.choice(PEOPLE),
                                            due_on=due)
                finished = due - dt.timedelta(days=rng.randint(0, 20))
                # most by the deadline; of the last few months' tasks, one in ten is still open
                if finished <= today and (due < today - dt.timedelta(days=120) or rng.random() < 0.9):
                    services.task_done(task=task, done_on=max(finished, day))
        day += dt.timedelta(days=rng.randint(80, 100))
