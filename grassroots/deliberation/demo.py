"""The demo town's deliberation, 2019 to today: the town Party committee's Party representatives' congress (55
seats, members of the town where there are enough) and its 2019 congress early in the year with the vote on the
year's practical projects (the congress demo, run after this one, finds this meeting by kind congress, the town's
organization and the year 2019); in the first few communities or villages a residents' representatives' meeting
and the two committees, with matters taken through "four discussions and two openings" about every eighteen
months, each decided and published (the last one still in progress), the members' meeting's review votes; a topic
a year with written opinions and a briefing or hearing answering it. Deterministic (a seeded rng); a second run
adds nothing. No town: nothing is made."""

from __future__ import annotations

import datetime as dt
import random
from typing import TextIO

from grassroots.core.context import acting
from grassroots.demo import data
from grassroots.meetings import services as meeting_services
from grassroots.meetings.models import MeetingKind
from grassroots.members.models import Member
from grassroots.orgs.models import Organization

from . import services
from .models import Body, BodyKind, PathCase, Topic, Vote

CONGRESS_SEATS = 55
CONGRESS_QUESTION = "表决通过2019年度为民办实事项目"
MATTERS = ("村内道路硬化", "文化广场改造", "集体林地流转", "自来水管网改造", "垃圾分类收集点建设",
           "集体经济合作社分红方案", "路灯亮化工程", "老年活动中心修缮")
TOPICS = ("小区停车秩序整治", "农贸市场搬迁选址", "养老服务站运营方式", "河道环境整治方案", "背街小巷改造",
          "便民服务点设置", "村规民约修订", "公共空间利用")
OPINIONS = ("建议先征求周边住户意见再定方案", "希望加快推进，注意施工安全", "建议公开资金使用情况",
            "同意方案，建议增加照明", "希望兼顾老年人出行需要", "建议分期实施，先易后难")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ("建国", "秀英", "志强", "桂兰", "海涛", "丽华", "永红", "文斌", "晓燕", "国富", "春梅", "明亮")


def demo_history(out: TextIO, *, today: dt.date, recent_years: int | None = None) -> None:
    town = Organization.objects.filter(code=data.TOWN_CODE).first()
    if town is None or Body.objects.filter(org=town, kind=BodyKind.PARTY_CONGRESS).exists():
        print("deliberation: nothing to add", file=out)
        return
    rng = random.Random(7618)
    with acting(None, "system"):
        _congress(town, rng, today)
        places = list(town.get_children().filter(revoked_on__isnull=True).exclude(kind="party_group")
                      .order_by("path")[:3])
        for i, org in enumerate(places):
            _village(org, rng, today, with_topics=i == 0)
    print(f"deliberation: {Body.objects.count()} bodies, {Vote.objects.count()} votes, "
          f"{PathCase.objects.count()} path cases, {Topic.objects.count()} topics", file=out)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _congress(town: Organization, rng: random.Random, today: dt.date) -> None:
    set_up = dt.date(2019, 1, 8)
    day = dt.date(2019, 2, 26)
    if day > today:
        return
    body = services.body_create(org=town, kind=BodyKind.PARTY_CONGRESS, name=f"{town.name}党代表大会",
                                set_up_on=set_up, note="党代表任期制，常任制试点")
    ids = sorted(meeting_services.voting_member_ids(town, set_up))[:CONGRESS_SEATS]
    for m in Member.objects.filter(pk__in=ids).order_by("pk"):
        services.seat_add(body=body, member=m, from_on=set_up, office="党代表")
    for i in range(CONGRESS_SEATS - len(ids)):
        services.seat_add(body=body, name=f"{_name(rng)}{i + 1}", from_on=set_up, office="党代表")
    seats = services.seats_on(body, day)
    attendance = {s.pk: ("present" if i < 52 else "excused") for i, s in enumerate(seats)}
    bm = services.meeting_record(org=town, kind=MeetingKind.CONGRESS, date=day, topic="2019年党代表大会年会",
                                 body=body, place="镇政府大会议室", host="镇党委书记", attendance=attendance,
                                 minutes="审议镇党委工作报告，票决2019年度为民办实事项目。")
    services.vote_record(meeting=bm.meeting, question=CONGRESS_QUESTION, yes=50, no=1, abstain=1)


def _seat_body(org: Organization, kind: str, name: str, n: int, rng: random.Random) -> Body:
    body = services.body_create(org=org, kind=kind, name=name, set_up_on=dt.date(2019, 1, 5))
    for i in range(n):
        services.seat_add(body=body, name=f"{_name(rng)}{i + 1}", from_on=dt.date(2019, 1, 5),
                          office=f"第{i % 6 + 1}村民小组" if kind == BodyKind.REPS else "村（社区）“两委”")
    return body


def _present(body: Body, day: dt.date, absent: int) -> dict[int, str]:
    seats = services.seats_on(body, day)
    return {s.pk: ("present" if i < len(seats) - absent else "excused") for i, s in enumerate(seats)}


def _village(org: Organization, rng: random.Random, today: dt.date, *, with_topics: bool) -> None:
    reps = _seat_body(org, BodyKind.REPS, f"{org.name}居（村）民代表会议", 21, rng)
    two = _seat_body(org, BodyKind.TWO_COMMITTEES, f"{org.name}“两委”联席会议", 7, rng)
    start = dt.date(2019, 3, 10) + dt.timedelta(days=rng.randint(0, 40))
    day = start
    matters = list(MATTERS)
    rng.shuffle(matters)
    k = 0
    while day + dt.timedelta(days=40) <= today and k < len(matters):
        committee = meeting_services.seats_on(org, day)
        if not committee:
            day += dt.timedelta(days=540)
            continue
        matter = matters[k]
        k += 1
        recent = day + dt.timedelta(days=540) > today
        _case(org, reps, two, matter, day, today, rng, committee, in_progress=recent)
        day += dt.timedelta(days=rng.randint(480, 560))
    if with_topics:
        _topics(org, rng, today)


def _case(org: Organization, reps: Body, two: Body, matter: str, day: dt.date, today: dt.date,
          rng: random.Random, committee: set[int], *, in_progress: bool) -> None:
    case = services.case_create(org=org, title=matter, opened_on=day)
    m1 = meeting_services.record_meeting(org=org, kind=MeetingKind.COMMITTEE_MEETING, date=day,
                                         topic=f"提议：{matter}", attendance={i: ("present", "") for i in committee})
    services.step_record(case=case, step=1, meeting=m1)
    d2 = day + dt.timedelta(days=5)
    m2 = services.meeting_record(org=org, kind=MeetingKind.TWO_COMMITTEES, date=d2, topic=f"商议：{matter}",
                                 body=two, attendance=_present(two, d2, 1))
    services.step_record(case=case, step=2, meeting=m2.meeting)
    d3 = day + dt.timedelta(days=12)
    voters = sorted(meeting_services.voting_member_ids(org, d3))
    if not voters:
        return
    attending = voters[: max(1, len(voters) * 4 // 5)]
    m3 = meeting_services.record_meeting(org=org, kind=MeetingKind.GENERAL_MEETING, date=d3,
                                         topic=f"审议：{matter}",
                                         attendance={i: ("present", "") for i in attending})
    services.vote_record(meeting=m3, question=f"审议{matter}方案", yes=len(attending), no=0, abstain=0)
    services.step_record(case=case, step=3, meeting=m3)
    if in_progress:
        return
    d4 = day + dt.timedelta(days=20)
    m4 = services.meeting_record(org=org, kind=MeetingKind.REPS_MEETING, date=d4, topic=f"决议：{matter}",
                                 body=reps, place="村（社区）议事厅", attendance=_present(reps, d4, rng.randint(1, 3)))
    present = sum(1 for a in m4.meeting.seat_attendance.all() if a.presence == "present")
    vote = services.vote_record(meeting=m4.meeting, question=f"{matter}实施方案", yes=present - 1, no=1, abstain=0)
    services.step_record(case=case, step=4, vote=vote)
    d5 = d4 + dt.timedelta(days=rng.randint(3, 10))
    services.step_record(case=case, step=5, on=d5, where="村（居）务公开栏",
                         text=f"{matter}实施方案经代表会议表决通过，现予公开。")
    d6 = d5 + dt.timedelta(days=rng.randint(60, 150))
    if d6 <= today:
        services.step_record(case=case, step=6, on=d6, where="村（居）务公开栏", text=f"{matter}已实施完毕，结果公开。")


def _topics(org: Organization, rng: random.Random, today: dt.date) -> None:
    for year in range(2019, today.year + 1):
        opens = dt.date(year, 4, 1) + dt.timedelta(days=rng.randint(0, 60))
        if opens > today:
            break
        closes = opens + dt.timedelta(days=20)
        topic = services.topic_create(org=org, title=TOPICS[(year - 2019) % len(TOPICS)], opens_on=opens,
                                      closes_on=closes, text="请居民群众围绕议题提出书面意见和建议。")
        for _j in range(rng.randint(3, 6)):
            received = opens + dt.timedelta(days=rng.randint(0, 20))
            if received <= today:
                services.opinion_enter(topic=topic, received_on=received, text=rng.choice(OPINIONS),
                                       author=_name(rng))
        briefing = closes + dt.timedelta(days=rng.randint(7, 25))
        if briefing > today:
            continue
        kind = MeetingKind.HEARING if year % 2 else MeetingKind.BRIEFING
        services.meeting_record(org=org, kind=kind, date=briefing, topic=f"{topic.title}情况通报",
                                topic_of=topic, place="党群服务中心",
                                parties=[("党员代表", "members_reps", "支持方案，建议加强宣传"),
                                         ("居民代表", "residents_reps", "希望尽快实施"),
                                         ("驻区单位", "units", "愿意提供场地支持")])
