"""The demo town's co-construction (共建), from March 2019 to today, written through the services.

Seed 000's Heshun: the county Party committee's policy research office is linked to the Dazhuang and Shuiyu
communities and the Heshun Ancient Town Protection Administration (its Party branch is in the platform, HS-GZ) to
the Cross Road community; at the beginning of March 2019 they signed joint agreements with the three communities,
helping 21 households between them (8, 6 and 7). A handful more resident units (a government office, the power
supply station, the post office, the library, guesthouses and restaurants) sign agreements over the years. Each
agreement runs three years and is renewed a few weeks before it lapses, up to today (the newest may still be due
for renewal: a finding). Each spring every community lists its needs; the units claim most of them, which makes
projects done through the year (the current year's still under way or planned); units give money and goods. The
units' Party organizations report to their community, which accepts them.

Deterministic (its own `random.Random`) and idempotent: a town whose communities record units already is left as
it is. `recent_years` keeps the yearly needs, projects and contributions to 2019 and the last so many years.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any, TextIO

from django.db import transaction

from grassroots.core.context import acting
from grassroots.members.models import Member, Standing
from grassroots.orgs.models import Organization

from . import services as s
from .models import Agreement, Contribution, Project, ProjectState, ResidentUnit, UnitKind

SEED = 20190305
FIRST_YEAR = 2019
SIGNED = dt.date(2019, 3, 5)
TERM_YEARS = 3

# community code, unit name, type, industry, Party members (None: no Party organization), its Party
# organization's code in the platform, households helped, recorded from
LINKED = [
    ("HS-DZ", "中共腾冲县委政策研究室", UnitKind.AGENCY, "党政机关", 9, None, 8),
    ("HS-SY", "中共腾冲县委政策研究室", UnitKind.AGENCY, "党政机关", 9, None, 6),
    ("HS-SZL", "和顺古镇保护管理局", UnitKind.INSTITUTION, "文物保护", 0, "HS-GZ", 7),
]
MORE = [
    ("HS-SZL", "和顺镇供电所", UnitKind.STATE_ENTERPRISE, "电力", 6, None, dt.date(2019, 6, 12)),
    ("HS-SZL", "和顺图书馆", UnitKind.INSTITUTION, "文化", 4, None, dt.date(2019, 9, 20)),
    ("HS-SZL", "和顺小巷客栈", UnitKind.PRIVATE_ENTERPRISE, "住宿", None, None, dt.date(2020, 4, 8)),
    ("HS-DZ", "腾冲市自然资源局和顺所", UnitKind.AGENCY, "党政机关", 5, None, dt.date(2019, 5, 16)),
    ("HS-DZ", "大庄人家餐馆", UnitKind.PRIVATE_ENTERPRISE, "餐饮", None, None, dt.date(2021, 3, 18)),
    ("HS-SY", "和顺邮政支局", UnitKind.STATE_ENTERPRISE, "邮政", 3, None, dt.date(2020, 3, 12)),
    ("HS-SY", "水碓荷花客栈", UnitKind.PRIVATE_ENTERPRISE, "住宿", 2, None, dt.date(2022, 4, 6)),
]
CONTACTS = ["寸", "李", "尹", "刘", "张", "杨", "钏"]
NEEDS = [
    ("修缮社区活动室", "活动室屋顶漏雨，需修缮"),
    ("重点户慰问", "春节前慰问困难户、老党员"),
    ("河道清理", "和顺河、大盈江沿岸垃圾清理"),
    ("古镇消防演练", "组织商户、居民开展消防演练"),
    ("老年人健康体检", "为70岁以上老人开展体检"),
    ("学生助学", "资助困难家庭学生"),
    ("道路照明", "巷道路灯维修更换"),
    ("电商培训", "为居民开展农产品电商培训"),
    ("绿化植树", "荒山绿化植树"),
    ("图书角建设", "在社区设立图书角"),
]
RESOURCES: dict[str, list[str]] = {
    UnitKind.AGENCY: ["政策宣讲", "调研指导"],
    UnitKind.INSTITUTION: ["场地", "专业讲座"],
    UnitKind.STATE_ENTERPRISE: ["技术人员", "车辆"],
    UnitKind.PRIVATE_ENTERPRISE: ["就业岗位", "会议室"],
}
GOODS = ["大米20袋、食用油20桶", "棉被15床", "图书300册", "办公桌椅10套", "灭火器30具", "树苗500株"]


def _years(today: dt.date, recent_years: int | None) -> list[int]:
    if recent_years is None:
        return list(range(FIRST_YEAR, today.year + 1))
    return sorted({FIRST_YEAR, *range(max(FIRST_YEAR, today.year - recent_years + 1), today.year + 1)})


def _d(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, day)


def _on(day: dt.date, today: dt.date) -> dt.date:
    return min(day, today)


def _phone(rng: random.Random) -> str:
    return "139" + "".join(str(rng.randint(0, 9)) for _ in range(8))


def _units(rng: random.Random, orgs: dict[str, Organization], today: dt.date) -> list[tuple[ResidentUnit, int]]:
    """The units with the households each helps (0 for those not linked)."""
    made: list[tuple[ResidentUnit, int]] = []
    for code, name, kind, industry, members, party_code, households in LINKED:
        party = Organization.objects.filter(code=party_code).first() if party_code else None
        count = members if members else (Member.objects.filter(org=party, standing=Standing.ACTIVE).count() if party else 0)
        unit = s.unit_create(org=orgs[code], name=name, kind=kind, industry=industry, has_party_org=True,
                             party_members=count, party_org=party, joined_on=SIGNED,
                             contact_name=rng.choice(CONTACTS) + "主任", contact_phone=_phone(rng),
                             address="腾冲" if kind == UnitKind.AGENCY else "和顺古镇")
        made.append((unit, households))
    for code, name, kind, industry, party_count, _party, joined in MORE:
        if joined > today:
            continue
        unit = s.unit_create(org=orgs[code], name=name, kind=kind, industry=industry,
                             has_party_org=party_count is not None, party_members=party_count or 0,
                             joined_on=joined,
                             contact_name=rng.choice(CONTACTS) + "经理", contact_phone=_phone(rng),
                             address=f"和顺镇{orgs[code].name.removesuffix('党总支')}")
        made.append((unit, 0))
    return made


def _agreements(unit: ResidentUnit, households: int, today: dt.date) -> list[Agreement]:
    """The unit's agreement from its first March (or the day it was recorded) and its renewals up to today."""
    signed = SIGNED if households else _on((unit.joined_on or SIGNED) + dt.timedelta(days=20), today)
    terms = (f"结对帮扶社区{households}户重点户，每季度走访一次，听取工作汇报，帮助理清发展思路。" if households
             else "双方共享阵地资源，共同开展志愿服务和为民办实事项目。")
    agreement = s.agreement_create(org=unit.org, unit=unit, title=f"{unit.name}与{unit.org.name}共建协议",
                                   signed_on=signed, ends_on=_d(signed.year + TERM_YEARS - 1, 12, 31),
                                   terms=terms)
    chain = [agreement]
    while agreement.ends_on is not None:
        renew_on = agreement.ends_on - dt.timedelta(days=25)
        if renew_on > today:
            break
        agreement = s.agreement_renew(agreement, version=agreement.version, signed_on=renew_on,
                                      ends_on=_d(agreement.ends_on.year + TERM_YEARS, 12, 31))
        chain.append(agreement)
    return chain


def _in_force(chain: list[Agreement], day: dt.date) -> Agreement | None:
    return next((a for a in chain if a.in_force_on(day)), None)


def _finish(rng: random.Random, project: Project, year: int, today: dt.date, outcome: str) -> None:
    """Under way, then done within the year; the current year's are left under way or planned."""
    done_on = _d(year, rng.randint(6, 11), rng.randint(1, 28))
    if done_on >= today:
        if rng.random() < 0.6:
            s.project_start(project, version=project.version)
        return
    project = s.project_start(project, version=project.version)
    s.project_done(project, version=project.version, on=done_on, outcome=outcome)


def _report(unit: ResidentUnit, day: dt.date, today: dt.date) -> None:
    if not unit.has_party_org or day > today:
        return
    report = s.report_create(unit=unit, reported_on=day, offers="、".join(RESOURCES[unit.kind]))
    accept = day + dt.timedelta(days=3)
    if accept <= today:
        s.report_accept(report, version=report.version, on=accept)


def _helping(rng: random.Random, unit: ResidentUnit, households: int, chain: list[Agreement],
             years: list[int], today: dt.date) -> None:
    """The 21 households' project of the first agreement, and its visits' goods every year."""
    first = chain[0]
    project = s.project_create(org=unit.org, title=f"结对帮扶{households}户重点户", source="agreement",
                               agreement=first, unit=unit, owner=unit.contact_name, started_on=first.starts_on,
                               due_on=first.ends_on, detail="每季度走访，帮助解决实际困难")
    project = s.project_start(project, version=project.version)
    if first.ends_on is not None and first.ends_on < today:
        s.project_done(project, version=project.version, on=first.ends_on,
                       outcome=f"三年走访{households * 12}户次，帮助{households}户解决就业、就医、住房困难")
    for year in years:
        day = _d(year, 1, rng.randint(10, 25))
        if day > today or day < first.starts_on:
            continue
        agreement = _in_force(chain, day)
        s.contribution_create(unit=unit, kind="in_kind", given_on=day, agreement=agreement,
                              amount=Decimal(households * 300), goods=f"春节慰问{households}户：大米、食用油")


def _year(rng: random.Random, year: int, today: dt.date, orgs: dict[str, Organization],
          units: list[tuple[ResidentUnit, list[Agreement]]]) -> None:
    for org in orgs.values():
        listed = _d(year, 3, rng.randint(8, 20))
        if listed > today:
            continue
        present = [(u, c) for u, c in units if u.org_id == org.pk and u.present_on(listed)]
        for title, detail in rng.sample(NEEDS, 3):
            chosen = rng.choice([c for _u, c in present]) if present else None
            in_force = _in_force(chosen, listed) if chosen else None
            need = s.need_create(org=org, title=f"{year}年{title}", detail=detail, listed_on=listed,
                                 agreement=in_force)
            claim_on = listed + dt.timedelta(days=rng.randint(3, 30))
            if not present or claim_on > today or rng.random() < 0.2:
                continue
            unit, chain = rng.choice(present)
            project = s.need_claim(need, version=need.version, unit=unit, on=claim_on,
                                   due_on=_d(year, 11, 30), owner=unit.contact_name)
            _finish(rng, project, year, today, f"{unit.name}完成{title}：{detail}")
            if rng.random() < 0.5 and claim_on + dt.timedelta(days=10) <= today:
                kind = rng.choice(["money", "in_kind"])
                s.contribution_create(unit=unit, kind=kind, given_on=claim_on + dt.timedelta(days=10),
                                      project=project, agreement=_in_force(chain, claim_on),
                                      amount=Decimal(rng.choice([2000, 5000, 8000, 10000, 20000])),
                                      goods=rng.choice(GOODS) if kind == "in_kind" else "")
        for unit, chain in present:  # each agreement's yearly money
            given = _d(year, rng.randint(4, 10), rng.randint(1, 28))
            agreement = _in_force(chain, given)
            if given <= today and agreement is not None and rng.random() < 0.7:
                s.contribution_create(unit=unit, kind="money", given_on=given, agreement=agreement,
                                      amount=Decimal(rng.choice([3000, 5000, 10000, 15000])))


def demo_history(out: TextIO, *, today: dt.date, recent_years: int | None = None) -> None:
    """Every year of co-construction from March 2019 to `today`."""
    from grassroots.demo import data

    orgs = {o.code: o for o in Organization.objects.filter(code__in=["HS-SZL", "HS-DZ", "HS-SY"])}
    town = Organization.objects.filter(code=data.TOWN_CODE).first()
    if town is None or len(orgs) < 3 or today < SIGNED or ResidentUnit.objects.filter(
            org__path__startswith=town.path).exists():
        return
    rng = random.Random(SEED)
    years = _years(today, recent_years)
    with acting(None, "system"), transaction.atomic():
        made = _units(rng, orgs, today)
        units: list[tuple[ResidentUnit, list[Agreement]]] = []
        for unit, households in made:
            chain = _agreements(unit, households, today)
            units.append((unit, chain))
            for agreement in chain:
                _report(unit, agreement.signed_on + dt.timedelta(days=5), today)
            for title in RESOURCES[unit.kind] if unit.kind in RESOURCES else ():
                s.resource_create(unit=unit, title=title, listed_on=chain[0].signed_on, agreement=chain[0])
            if households:
                _helping(rng, unit, households, chain, years, today)
        for year in years:
            _year(rng, year, today, orgs, units)
    _print(out, town)


def _print(out: TextIO, town: Organization) -> None:
    under = {"org__path__startswith": town.path}
    projects: dict[str, Any] = {st: Project.objects.filter(state=st, **under).count() for st in ProjectState.values}
    print(f"co-construction: {ResidentUnit.objects.filter(**under).count()} units, "
          f"{Agreement.objects.filter(**under).count()} agreements, projects {projects}, "
          f"{Contribution.objects.filter(unit__org__path__startswith=town.path).count()} contributions", file=out)
