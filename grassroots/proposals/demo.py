"""The demo town's proposals, 2019 to today: each spring the representatives of the town's Party representatives'
congress (the seats of its `party_congress` body, made by the deliberation demo run before this one; with none,
Party members of the town) make proposals to the town's Party committee. Most are accepted within the pass-on days,
answered on time in the seed's parts and rated satisfied, then closed; some are linked to the practical projects
voted that year (the congress demo's, when there are any); one a year, not accepted, becomes a residents' opinion of
the station; one is merged into a duplicate; one (in 2021) is rated unsatisfied, reopened and answered again; the
last few, received within the last weeks, are still open within their deadlines. Deterministic (a seeded rng);
a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, TextIO

from django.db.models import Q

from grassroots.congress.models import PracticalProject
from grassroots.core.context import acting
from grassroots.core.workdays import add_workdays
from grassroots.members.models import Member
from grassroots.opinions.models import Category
from grassroots.orgs.models import Organization, Territory
from grassroots.orgs.selectors import ancestor_paths

from . import selectors, services
from .models import Proposal, ProposalCategory

TOWN = "HS"
MATTERS = (
    ("硬化十字路社区至大庄的通组道路", ProposalCategory.CONSTRUCTION, "和顺社区交通办"),
    ("增设水碓村老年活动中心健身器材", ProposalCategory.LIVELIHOOD, "镇文化和旅游服务中心"),
    ("整治古镇核心区河道垃圾", ProposalCategory.ENVIRONMENT, "镇生态环境办"),
    ("加强旅游旺季古镇交通疏导", ProposalCategory.GOVERNANCE, "镇派出所"),
    ("扶持火腿加工等特色产业", ProposalCategory.ECONOMY, "镇经济发展办"),
    ("修缮大庄社区党群服务中心", ProposalCategory.PARTY, "镇党政办"),
    ("为独居老人安装紧急呼叫设备", ProposalCategory.LIVELIHOOD, "镇社会事务办"),
    ("改造十字路社区老旧供水管网", ProposalCategory.CONSTRUCTION, "镇村镇规划建设服务中心"),
    ("规范古镇民宿经营秩序", ProposalCategory.GOVERNANCE, "镇综合执法队"),
    ("建设农村公厕并落实管护", ProposalCategory.ENVIRONMENT, "镇生态环境办"),
    ("开设村民电商技能培训班", ProposalCategory.ECONOMY, "镇农业农村服务中心"),
    ("增加小学课后托管服务", ProposalCategory.LIVELIHOOD, "镇中心学校"),
)
HANDLERS = (("杨建国", "0875-5151001"), ("李春华", "0875-5151002"), ("尹家和", "0875-5151003"),
            ("寸红梅", "0875-5151004"))
NOT_ACCEPTED = ("反映邻里噪音纠纷，请求调解", "楼道路灯不亮，请求维修", "小区垃圾清运不及时")


def demo_history(out: TextIO, *, today: dt.date, recent_years: int | None = None) -> None:
    town = Organization.objects.filter(code=TOWN).first()
    with acting(None, "system"):
        if town is not None and not Proposal.objects.filter(org=town).exists():
            _build(town, random.Random(7818), today)
    print(f"proposals: {Proposal.objects.count()} proposals", file=out)


def _proposers(town: Organization, day: dt.date, rng: random.Random) -> list[dict[str, Any]]:
    seats = list(selectors.seats_for(town, day).filter(body__kind="party_congress"))
    if seats:
        return [{"seat": s} for s in rng.sample(seats, min(len(seats), rng.randint(1, 3)))]
    members = list(Member.objects.filter(org__path__startswith=town.path, joined_on__lt=day)
                   .filter(Q(periods__end__isnull=True) | Q(periods__end__gt=day), periods__start__lte=day)
                   .distinct().order_by("pk")[:200])
    if not members:
        return []
    return [{"member": m, "role": "representative"} for m in rng.sample(members, min(len(members),
                                                                                     rng.randint(1, 3)))]


def _build(town: Organization, rng: random.Random, today: dt.date) -> None:
    places = list(Territory.objects.filter(kind__in=("community", "village"), path__startswith=Territory.objects
                                           .get(pk=town.territory_id).path).order_by("path")) \
        if town.territory_id else []
    station = services.station_of(town)
    category = (Category.objects.filter(org=station, active=True).order_by("code").first()
                if station is not None else None)
    projects = list(PracticalProject.objects.filter(Q(org__path__startswith=town.path)
                                                    | Q(org__path__in=ancestor_paths(town)))
                    .select_related("meeting").order_by("pk"))
    merged_done = unsatisfied_done = False
    for year in range(2019, today.year + 1):
        day = dt.date(year, 3, rng.randint(5, 20))  # the congress meets in spring
        if year == today.year and day > today - dt.timedelta(days=90):
            day = today - dt.timedelta(days=rng.randint(12, 20))  # this year's proposals came in lately
        if day > today or day < dt.date(2019, 1, 1):
            continue
        of_year = [pj for pj in projects if pj.meeting is None or pj.meeting.date.year == year]
        recent = (today - day).days < 60
        made: list[Proposal] = []
        for i, (title, cat, unit) in enumerate(rng.sample(MATTERS, 5)):
            people = _proposers(town, day, rng)
            if not people:
                return
            project = of_year[i % len(of_year)] if of_year and i < 2 else None
            waiting = recent and i == 4  # handed in yesterday: still within its review days
            p = services.proposal_create(org=town, title=f"关于{title}的提案", text=f"建议{title}，请予办理。",
                                         category=cat, received_on=today - dt.timedelta(days=1) if waiting else day,
                                         proposers=people,
                                         territory=rng.choice(places) if places else None, project=project)
            made.append(p)
            review = add_workdays(day + dt.timedelta(days=1), rng.randint(1, 4))
            if waiting:
                continue
            if i == 3 and not merged_done and len(made) > 1:
                services.merge(proposal=p, into=made[0], on=review, note="与同类提案合并办理", version=p.version)
                merged_done = True
                continue
            p = services.accept(proposal=p, on=review, lead_unit=unit, co_handlers="相关村（社区）",
                                version=p.version)
            if recent:
                continue  # being handled, within the deadline
            _answer_and_rate(p, rng, today, unsatisfied=(year == 2021 and not unsatisfied_done and i == 0))
            unsatisfied_done = unsatisfied_done or (year == 2021 and i == 0)
        # From 2020: the station's 2019 opinions are the seed's figures (numbered as received, counted by the opinions
        # demo's own tests); an opinion made from a proposal is numbered when it is made, after them.
        if category is not None and not recent and year > 2019:
            people = _proposers(town, day, rng)
            p = services.proposal_create(org=town, title=rng.choice(NOT_ACCEPTED), category=ProposalCategory.OTHER,
                                         received_on=day, proposers=people[:1])
            services.convert(proposal=p, on=add_workdays(day + dt.timedelta(days=1), 2), category=category,
                             note="属个人诉求，不作为提案立案，转民情快递站办理", version=p.version)


def _answer_and_rate(p: Proposal, rng: random.Random, today: dt.date, *, unsatisfied: bool) -> None:
    assert p.reviewed_on is not None and p.answer_due is not None
    name, phone = rng.choice(HANDLERS)
    answered = add_workdays(p.reviewed_on + dt.timedelta(days=1), rng.randint(10, 25))
    if answered > today:
        return
    services.answer(proposal=p, answered_on=answered, background="经实地调研，提案反映的问题属实。",
                    handling=f"已会同相关单位研究落实：{p.title.removeprefix('关于').removesuffix('的提案')}。",
                    problems="资金和用地仍有一定困难。", measures="列入年度计划，持续跟踪推进。",
                    handler_name=name, handler_phone=phone, version=p.version)
    p.refresh_from_db()
    rated = answered + dt.timedelta(days=rng.randint(3, 10))
    if rated > today:
        return
    if unsatisfied:
        p = services.rate(proposal=p, satisfaction="unsatisfied", on=rated, comment="进度偏慢，希望加快",
                          version=p.version)
        again = rated + dt.timedelta(days=3)
        p = services.reopen(proposal=p, on=again, reason="提案人对答复不满意，重新办理", version=p.version)
        answered = add_workdays(again + dt.timedelta(days=1), 15)
        services.answer(proposal=p, answered_on=answered, background="针对提案人意见再次核实。",
                        handling="已追加资金，工程已开工。", problems="", measures="年内完工并验收。",
                        handler_name=name, handler_phone=phone, version=p.version)
        p.refresh_from_db()
        rated = answered + dt.timedelta(days=5)
    p = services.rate(proposal=p, satisfaction="satisfied" if rng.random() < 0.8 else "basic", on=rated,
                      version=p.version)
    services.close(proposal=p, on=rated, version=p.version)
