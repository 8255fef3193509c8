"""The demo town's member points: two branches (十字路社区第一党支部 and 和顺镇卫生院党支部) turned points on in 2019 with a scheme
of their own (base 60, the default items and caps), and from then to today the branch proposes the points its
meetings and dues give each year (`services.propose_points`), the secretary approves them (a few are declined as
duplicates) and gives a few 先锋模范 awards by hand. 十字路一支部 turned its ranking page on in 2021; a few of its
members chose to be listed. Proposals of the last month stay in the queue, waiting for the secretary.

Years: 2019 and the last `recent_years` (every year when None), as the meetings and dues of those years exist. A
past year's proposals are dated (recorded, decided) within their year, as the branch made them then, so that the
annual summary as of the year's end counts what the pages show. Deterministic (`random.Random(SEED)`), and
idempotent: the proposals are unique by their record, the manual awards are looked up before they are given.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.core import audit
from grassroots.core.context import acting
from grassroots.members.models import MemberPeriod
from grassroots.orgs.models import Organization

from . import services
from .models import EntryStatus, PointEntry, PointOptIn, PointScheme, PointSetting
from .schemes import default_scheme

BRANCHES = ("HS-SZL-1", "HS-WSY")
RANKING_BRANCH, RANKING_FROM = "HS-SZL-1", dt.date(2021, 3, 1)
START = dt.date(2019, 1, 1)
SEED = 14_05
DECLINE_EVERY = 40  # about one proposal in this many is declined as a duplicate of another record
AWARDS = ("参加抗洪抢险，表现突出", "带头化解邻里纠纷", "义务照料孤寡老人", "疫情防控志愿值守")


def _params() -> dict[str, Any]:
    scheme = default_scheme(START)
    items = {code: {"points": str(i.points), "cap": None if i.cap is None else str(i.cap),
                    **({"label_zh": i.label_zh, "label_en": i.label_en} if i.manual else {})}
             for code, i in scheme.items.items()}
    return {"base": "60", "floor": "0", "exempt": ["retired", "mobile", "sick"], "items": items}


def _years(today: dt.date, recent_years: int | None) -> list[int]:
    later = range(2020, today.year + 1) if recent_years is None else range(
        max(2020, today.year - recent_years + 1), today.year + 1)
    return [2019, *later]


def _secretary() -> Any:
    return get_user_model().objects.filter(username="secretary", roles__kind="secretary").first()


def _decide(org: Organization, year: int, today: dt.date, rng: random.Random) -> int:
    """Approve the year's proposals older than a month (decline about one in DECLINE_EVERY), then date them
    within the year they belong to."""
    cutoff = today - dt.timedelta(days=30)
    waiting = list(PointEntry.objects.filter(org__path__startswith=org.path, year=year,
                                             status=EntryStatus.PROPOSED, day__lt=cutoff).order_by("day", "id"))
    with audit.batch():
        for entry in waiting:
            if rng.randrange(DECLINE_EVERY) == 0:
                services.decline_entry(entry, reason="与其他记录重复", version=entry.version)
    services.approve_all_proposals(org, year=year, until=cutoff - dt.timedelta(days=1))
    awards = PointEntry.objects.filter(org__path__startswith=org.path, year=year, manual=True)
    if year < today.year:
        for entry in awards:  # given by hand on their day
            when = timezone.make_aware(dt.datetime.combine(entry.day, dt.time(10, 0)))
            PointEntry.objects.filter(pk=entry.pk).update(recorded_at=when, decided_at=when)
    if waiting and year < today.year:
        end = timezone.make_aware(dt.datetime(year, 12, 31, 18, 0))
        ids = [e.pk for e in waiting]
        for entry in PointEntry.objects.filter(pk__in=ids):
            made = timezone.make_aware(dt.datetime.combine(entry.day + dt.timedelta(days=3), dt.time(9, 0)))
            decided = timezone.make_aware(dt.datetime.combine(entry.day + dt.timedelta(days=10), dt.time(16, 0)))
            PointEntry.objects.filter(pk=entry.pk).update(recorded_at=min(made, end), decided_at=min(decided, end))
    return len(waiting)


def _awards(org: Organization, year: int, today: dt.date) -> int:
    """Two 先锋模范 awards a year, by hand with their reason (given once: looked up first; each drawn from a
    stream of its own, so a second build draws the same member)."""
    given = 0
    for n in range(2):
        rng = random.Random(f"{SEED}-{org.code}-{year}-{n}")
        day = dt.date(year, 6 + n * 4, 15)
        if day > today:
            continue
        members = list(MemberPeriod.objects.on(day).filter(org=org, mobile=False, suspended=False)
                       .exclude(occupation="retired").order_by("member_id").values_list("member_id", flat=True))
        if not members:
            continue
        member_id = members[rng.randrange(len(members))]
        reason = AWARDS[(year + n) % len(AWARDS)]
        if PointEntry.objects.filter(member_id=member_id, item="manual.pioneer", day=day, manual=True).exists():
            continue
        member = MemberPeriod.objects.filter(member_id=member_id).select_related("member").first()
        assert member is not None
        services.give_points(member.member, item="manual.pioneer", day=day, reason=reason)
        given += 1
    return given


def _ranking(org: Organization, today: dt.date, rng: random.Random) -> None:
    if today < RANKING_FROM or PointSetting.objects.filter(org=org).exists():
        return
    services.set_ranking(org, enabled=True)
    members = list(MemberPeriod.objects.on(today).filter(org=org).order_by("member_id")
                   .values_list("member_id", flat=True))
    for member_id in sorted(rng.sample(members, min(4, len(members)))):
        if not PointOptIn.objects.filter(member_id=member_id).exists():
            member = MemberPeriod.objects.filter(member_id=member_id).select_related("member").first()
            assert member is not None
            services.set_opt_in(member.member, opted_in=True)


def build_history(out: TextIO, *, today: dt.date, recent_years: int | None) -> None:
    secretary = _secretary()
    proposed = approved = awarded = 0
    for code in BRANCHES:
        org = Organization.objects.filter(code=code).first()
        if org is None:
            continue
        rng = random.Random(f"{SEED}-{code}")
        who = secretary if code == RANKING_BRANCH else None  # the demo's secretary login is 十字路一支部's
        with acting(who, "web" if who is not None else "system"):
            if not PointScheme.objects.filter(org=org).exists():
                services.set_scheme(org, effective_from=START, params=_params(),
                                    note="支部党员大会通过，2019年起实行党员积分管理")
            for year in _years(today, recent_years):
                proposed += len(services.propose_points(org, year, until=today))
                awarded += _awards(org, year, today)
                approved += _decide(org, year, today, rng)
            if code == RANKING_BRANCH:
                _ranking(org, today, rng)
    out.write(_("Member points: %(proposed)d proposals made, %(approved)d decided, %(awarded)d awards given by "
                "hand.") % {"proposed": proposed, "approved": approved, "awarded": awarded} + "\n")
