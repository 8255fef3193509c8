"""The demo town's links and visits, 2019 to today (seed 000's Heshun: "each household managed by a town leader, a
town cadre, a village cadre"; the main leader linked to several households, the other leaders to 2, the station
heads and ordinary cadres to 1, among the four kinds of households; seed 004: a visit every half year).

- From 2019: the main leader of the town's offices branch (HS-JG) is linked to 4 households, six leaders to 2 each
  and ten cadres to 1 each (their kinds' targets, `visits.link_targets`); in each of the 21 villager groups one
  village cadre (a member of the community's branches) is linked to every household of the group, with their own
  target (a `LinkTarget` row: the group's households), and to each new household from the day it came.
- Every half year most links get their visit (some are missed: the findings and a rate under 100%); a tenth are
  entered a few days late (on paper first). A visit in seven finds something.
- In the last twelve months, findings become residents' opinions at the town's station (the opinions demo's
  categories) or micro-wishes of the community; some are handled on the spot, some wait (findings); older ones
  were handled on the spot.

`recent_years` (the test suite's build) limits the visits to the last so many years; the links are always from 2019.
Deterministic; a second build adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, TextIO

from grassroots.core import audit
from grassroots.core.context import acting
from grassroots.households.models import Household
from grassroots.households.selectors import households_on
from grassroots.members.models import Member
from grassroots.orgs.models import Territory

from . import services
from .models import HouseholdLink, LinkKind, Purpose, Visit

START = dt.date(2019, 1, 1)
KINDS_OF_HOUSEHOLDS = ("富裕户", "困难户", "产业大户", "“五种人”")  # seed 000's four kinds
FOUND = {
    "difficulty": ["老人独居，行动不便，需要定期照看", "孩子上学路远，接送困难", "家中有重病人，医药费负担重",
                   "房屋老旧，雨季漏水"],
    "suggestion": ["建议在村口增设路灯", "建议组里多办几次农技培训", "建议垃圾清运改为每天一次"],
    "dispute": ["与邻居因宅基地界线有争执", "兄弟之间因赡养老人有矛盾"],
    "hazard": ["厨房电线老化，有火灾隐患", "院墙开裂，有倒塌危险"],
    "wish": ["想要一台收音机", "希望有人教用智能手机", "想给孙子买一套课外书", "想要一副老花镜"],
}
TYPES = ["difficulty"] * 4 + ["suggestion"] * 3 + ["dispute", "hazard", "hazard"] + ["wish"] * 3
NOTES = ["了解家庭生产生活情况", "宣讲惠民政策", "征求对村务工作的意见", "询问身体状况和生活需要"]


def _years(today: dt.date, recent_years: int | None) -> list[int]:
    if recent_years is None:
        return list(range(START.year, today.year + 1))
    return list(range(max(START.year, today.year - recent_years + 1), today.year + 1))


def _cadres() -> list[Member]:
    return list(Member.objects.filter(org__code="HS-JG", standing="active", joined_on__lte=START).order_by("pk"))


def _village_cadres(community_code: str) -> list[Member]:
    return list(Member.objects.filter(org__code__startswith=f"HS-{community_code}-", standing="active",
                                      joined_on__lte=START, birth_date__gte=dt.date(1960, 1, 1)).order_by("pk"))


def _link(household: Household, kind: str, member: Member, note: str = "") -> HouseholdLink | None:
    start = max(START, household.registered_on or START)
    if household.left_on is not None and household.left_on <= start:
        return None
    return services.link_create(household=household, kind=kind, valid_from=start, member=member,
                                valid_to=household.left_on, note=note)


def _links(rng: random.Random, groups: list[Territory]) -> list[HouseholdLink]:
    made: list[HouseholdLink] = []
    everyone = list(Household.objects.filter(territory__in=groups).order_by("pk"))
    for group in groups:
        community = group.code.split("-")[2]
        cadres = _village_cadres(community)
        if not cadres:
            continue
        cadre = cadres[(int(group.code.rsplit("-", 1)[1]) - 1) % len(cadres)]  # one per group
        mine = [h for h in everyone if h.territory_id == group.pk]
        for h in mine:
            link = _link(h, LinkKind.VILLAGE_CADRE, cadre)
            if link is not None:
                made.append(link)
        services.target_set(territory=group, households=len(households_on(group, START)), member=cadre,
                            note="组干部联系本组全部农户")
    town = _cadres()
    chosen = rng.sample([h for h in everyone if h.registered_on is None], k=min(len(everyone), 4 + 6 * 2 + 10))
    plan = [(LinkKind.MAIN_LEADER, 4)] + [(LinkKind.TOWN_LEADER, 2)] * 6 + [(LinkKind.TOWN_CADRE, 1)] * 10
    for i, (kind, count) in enumerate(plan):
        if i >= len(town):
            break
        for _n in range(count):
            if not chosen:
                break
            h = chosen.pop()
            link = _link(h, kind, town[i], note=KINDS_OF_HOUSEHOLDS[len(made) % 4])
            if link is not None:
                made.append(link)
    return made


def _halves(year: int, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    halves = [(dt.date(year, 1, 1), dt.date(year, 6, 30)), (dt.date(year, 7, 1), dt.date(year, 12, 31))]
    return [(a, min(b, today)) for a, b in halves if a <= today]


def _visits(rng: random.Random, year: int, links: list[HouseholdLink], today: dt.date) -> list[Visit]:
    made = []
    for first, last in _halves(year, today):
        for link in links:
            start = max(first, link.valid_from)
            end = min(last, (link.valid_to - dt.timedelta(days=1)) if link.valid_to else last)
            # Missed this half year: a fifth in the past, few lately (the organizer opens on a handful of to-dos).
            if start > end or rng.random() < (0.01 if (today - last).days < 200 else 0.22):
                continue
            # Each link is visited at about the same time of each half year (a cadre's round), so that the gap
            # between two visits stays near six months; a half year whose round day has not come yet waits.
            day = first + dt.timedelta(days=(link.pk * 37) % 170 + rng.randint(0, 6))
            if day > end:
                continue
            day = max(day, start)
            entered = min(day + dt.timedelta(days=rng.randint(1, 5)), today) if rng.random() < 0.1 else day
            findings = []
            if rng.random() < 1 / 7:
                kind = rng.choice(TYPES)
                findings.append({"type": kind, "text": rng.choice(FOUND[kind])})
            purpose = Purpose.HOLIDAY if day.month in (1, 2) and rng.random() < 0.5 else (
                Purpose.DIFFICULTY if findings and findings[0]["type"] == "difficulty" else
                rng.choice((Purpose.ROUTINE, Purpose.ROUTINE, Purpose.ROUTINE, Purpose.POLICY)))
            visit, _c = services.visit_record(household=link.household, day=day, purpose=purpose,
                                              notes=rng.choice(NOTES), members=[link.member] if link.member else [],
                                              findings=findings, entered_on=entered)
            made.append(visit)
    return made


def _follow_up(rng: random.Random, visits: list[Visit], today: dt.date) -> tuple[int, int]:
    opinions = wishes = 0
    recent = today - dt.timedelta(days=365)
    for visit in visits:
        for finding in visit.findings.all():
            if visit.day < recent or visit.day.year < 2020:
                services.finding_handled(finding, note="当场协调解决",
                                         on=min(visit.day + dt.timedelta(days=rng.randint(0, 7)), today))
                continue
            roll = rng.random()
            if finding.type == "wish" and roll < 0.8:
                services.finding_to_wish(finding)
                wishes += 1
            elif finding.type != "wish" and roll < 0.5 and visit.day >= today - dt.timedelta(days=14):
                # Only the last fortnight's findings are still with the station (older ones were answered on the
                # spot): the organizer opens on a handful of opinions due, not a flood of overdue ones.
                services.finding_to_opinion(finding, on=visit.day)
                opinions += 1
            elif roll < 0.8 or visit.day < today - dt.timedelta(days=10):
                services.finding_handled(finding, note="当场讲解政策，群众表示理解",
                                         on=min(visit.day + dt.timedelta(days=rng.randint(0, 7)), today))
    return opinions, wishes


def demo_history(out: TextIO, *, today: dt.date, recent_years: int | None = None, **_: Any) -> None:
    groups = list(Territory.objects.filter(kind="villager_group", code__startswith="TC-HS-").order_by("path"))
    if not groups or HouseholdLink.objects.filter(household__territory__in=groups).exists():
        return  # no households yet, or built already
    rng = random.Random(20190066)
    visits: list[Visit] = []
    with acting(None, "system"):
        with audit.batch():
            links = _links(rng, groups)
        for year in _years(today, recent_years):
            with audit.batch():
                visits += _visits(rng, year, links, today)
        with audit.batch():
            opinions, wishes = _follow_up(rng, visits, today)
    out.write(f"Visits: {len(links)} household links, {len(visits)} visits; {opinions} findings became opinions, "
              f"{wishes} micro-wishes.\n")
