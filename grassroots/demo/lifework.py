"""The demo town's Party dues and organizational life in 2019, through the dues and meetings services:
`build_lifework()` (called by `build_demo`, after the recruitment).

Dues: every member who belonged to the town in 2019 is assessed for 2019 by category (in service on a base
that fits their workplace, retired on a pension, farmers 0.50 a month, students and the unemployed 0.20).
The village branches collect a quarter at a time in cash; the offices, the school and the health centre
a quarter ahead (a few month by month), by WeChat or bank transfer; relatives pay for some members who work away.
A few members pay a missed month or two back later; a few stopped paying in the summer and are in arrears on
2019-12-31. Each branch remits its quarter's collections to the town committee.

Meetings: every branch holds a general meeting each quarter, a committee meeting each month (its secretary
and two members hold the seats), a theme Party day on the first Thursday of each month, a study session every
other month (5 class hours), a Party lecture each quarter, a heart-to-heart talk, and in December the organizational life meeting
and the democratic appraisal, with a rating for every member appraised. The general branches hold their
general meetings, the party groups their monthly group meetings. Attendance: most present, some remote or on
leave with a reason, a few absent; members who work away are on leave. A few duties were missed on purpose
(a general meeting, a committee meeting, a theme day, a lecture, a life meeting, a branch silent since
November) and a few members stopped coming in the summer, so the to-do list on 2019-12-31 is not empty.

Everything is decided from the seed (no randomness from the clock). Running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TextIO

from django.db.models import Q
from django.utils.translation import gettext as _

from grassroots.core.dates import add_months
from grassroots.core.money import yuan

from . import data

SEED = 20191212
YEAR = 2019
AS_OF = data.AS_OF
YEAR_START = dt.date(YEAR, 1, 1)
MONTHS = [dt.date(YEAR, m, 1) for m in range(1, 13)]
SECTORS = {spec.code: spec.sector for spec in data.ORGS}

# In-service bases (monthly, after tax) by workplace, and pensions: (low, high) in yuan.
BASES = {"agency": (4200, 7800), "school": (4800, 8200), "health": (4500, 9500), "enterprise": (2800, 6000),
         "coop": (2400, 3600), "village": (2000, 3500), "": (2500, 5000)}
PENSIONS = {"village": (1200, 2600), "": (3500, 6500)}
STAFF = ("agency", "school", "health")  # workplaces that pay monthly by transfer

ARREARS = {"HS-SZL-2": 8, "HS-DZ-1": 7, "HS-SY-1": 9, "HS-QY": 8}  # branch -> the month its member stopped paying
BACK_PAYERS = 4  # members who missed two months in spring and paid them back in May
ABSENT = {"HS-SZL-1": 8, "HS-DZ-2": 8, "HS-SY-2": 7, "HS-XX": 9}  # branch -> a member absent from that month on

# Duties missed on purpose: (branch, meeting kind, month).
MISSED = {("HS-QY", "general_meeting", 8), ("HS-DZ-3", "committee_meeting", 10), ("HS-DZ-3", "theme_day", 11),
          ("HS-SZL-3", "party_lecture", 12), ("HS-GZ", "life_meeting", 12)}
SILENT_FROM = {"HS-SY-2": dt.date(2019, 11, 20)}  # branches that held nothing from this day on
# Stored as a secretary types them (in Chinese), like every other record of the demo town.
LEAVE_REASONS = ["生病", "照顾生病的父母", "在县医院", "出差", "农忙", "家里办喜事"]
AWAY_REASON = "外出务工"


@dataclass(frozen=True)
class Stay:
    """One period of a member in the town during 2019."""

    member_id: int
    org_id: int
    start: dt.date
    end: dt.date | None
    status: str
    mobile: bool
    suspended: bool
    occupation: str

    def on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or self.end > day)

    def in_month(self, month: dt.date) -> bool:
        following = add_months(month, 1)
        return self.start < following and (self.end is None or self.end > month)


def _month_end(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


def _first_weekday(month: dt.date, weekday: int) -> dt.date:
    return month + dt.timedelta(days=(weekday - month.weekday()) % 7)


class _Town:
    """The town's organizations and the members' 2019 periods, read once."""

    def __init__(self) -> None:
        from grassroots.members.models import Member, MemberPeriod
        from grassroots.orgs.models import Organization

        self.town = Organization.objects.get(code=data.TOWN_CODE)
        self.orgs = {o.code: o for o in Organization.objects.filter(path__startswith=self.town.path)}
        self.code_of = {o.pk: code for code, o in self.orgs.items()}
        stays = (MemberPeriod.objects.filter(org_id__in=self.code_of, start__lte=AS_OF)
                 .filter(Q(end__isnull=True) | Q(end__gt=YEAR_START)).order_by("member_id", "start")
                 .values_list("member_id", "org_id", "start", "end", "status", "mobile", "suspended", "occupation"))
        self.stays: dict[int, list[Stay]] = defaultdict(list)
        for row in stays:
            self.stays[row[0]].append(Stay(*row))
        self.members = {m.pk: m for m in Member.objects.filter(pk__in=self.stays).order_by("id_number")}

    def org(self, org_id: int) -> Any:
        return self.orgs[self.code_of[org_id]]

    def of_org(self, org_id: int, day: dt.date) -> list[Stay]:
        """The members of one organization (not its subtree) on a day, in a stable order."""
        found = [s for stays in self.stays.values() for s in stays if s.org_id == org_id and s.on(day)]
        return sorted(found, key=lambda s: self.members[s.member_id].id_number)

    def in_subtree(self, code: str, day: dt.date) -> list[Stay]:
        path = self.orgs[code].path
        ids = {o.pk for o in self.orgs.values() if o.path.startswith(path)}
        found = [s for stays in self.stays.values() for s in stays if s.org_id in ids and s.on(day)]
        return sorted(found, key=lambda s: self.members[s.member_id].id_number)


# --- dues ---------------------------------------------------------------------------------------------------

def _assessment(stay: Stay, sector: str, rng: random.Random) -> tuple[str, Decimal | None]:
    occupation = stay.occupation
    if occupation == "retired":
        low, high = PENSIONS.get(sector, PENSIONS[""])
        return "retired", Decimal(rng.randrange(low, high, 10))
    if occupation == "farmer":
        return "farmer", None
    if occupation in ("student", "unemployed_or_demobilized"):
        return "student_unemployed_relief", None
    low, high = BASES.get(sector, BASES[""]) if occupation == "in_service" else BASES[""]
    return "in_service", Decimal(rng.randrange(low, high, 10))


def _dues(town: _Town, rng: random.Random) -> None:
    from grassroots.dues import services

    owed_by: dict[int, list[tuple[dt.date, Stay]]] = {}
    for member_id, member in town.members.items():
        stays = town.stays[member_id]
        first = stays[0]
        sector = SECTORS.get(town.code_of[stays[-1].org_id], "")
        category, base = _assessment(stays[-1], sector, rng)
        services.assess(member, year=YEAR, category=category, base=base, on=max(YEAR_START, first.start))
        owed_by[member_id] = [(m, next(s for s in stays if s.in_month(m))) for m in MONTHS
                              if any(s.in_month(m) for s in stays)]

    # Who stops paying, who pays back: members present all year, chosen from the seed.
    whole_year = [mid for mid, owed in owed_by.items() if len(owed) == 12 and not owed[-1][1].mobile]
    stops: dict[int, int] = {}
    for code, month in sorted(ARREARS.items()):
        pool = [mid for mid in whole_year if town.code_of[owed_by[mid][-1][1].org_id] == code]
        if pool:
            stops[rng.choice(pool)] = month
    mobile = sorted(mid for mid, owed in owed_by.items() if owed and owed[-1][1].mobile)
    for mid in mobile[: len(mobile) // 2]:  # half of those working away: nobody paid for them since July
        stops[mid] = 7
    back = set(rng.sample(sorted(set(whole_year) - set(stops)), BACK_PAYERS))

    collected: dict[tuple[int, int], Decimal] = defaultdict(Decimal)  # (org, quarter) -> amount
    amounts = {a.member_id: a.monthly_amount for a in
               _assessments(list(owed_by))}
    for member_id, owed in owed_by.items():
        member = town.members[member_id]
        monthly = amounts[member_id]
        if monthly <= 0:
            continue
        paying = [(m, s) for m, s in owed if m.month < stops.get(member_id, 13)]
        sector = SECTORS.get(town.code_of[owed[-1][1].org_id], "")
        staff = sector in STAFF
        cadence = 1 if staff and rng.random() < 0.2 else 3
        gap = {dt.date(YEAR, 3, 1), dt.date(YEAR, 4, 1)} if member_id in back else set()
        chunks: list[list[tuple[dt.date, Stay]]] = []
        for m, s in paying:
            if m in gap:
                continue
            last = chunks[-1] if chunks else None
            if (last and last[0][1].org_id == s.org_id
                    and (m.month - 1) // cadence == (last[0][0].month - 1) // cadence):
                last.append((m, s))
            else:
                chunks.append([(m, s)])
        payments = [(chunk, None) for chunk in chunks]
        if gap:
            payments.append(([(m, s) for m, s in paying if m in gap], dt.date(YEAR, 5, rng.randint(6, 24))))
        away = owed[-1][1].mobile
        for chunk, paid_on in payments:
            month, stay = chunk[0]
            if paid_on is None:
                paid_on = max(stay.start, month + dt.timedelta(days=rng.randint(4, 20)))
                if stay.end is not None and paid_on >= stay.end:
                    paid_on = stay.end - dt.timedelta(days=1)
            channel = rng.choice(["wechat", "bank"]) if staff else ("wechat" if away else "cash")
            payment = services.record_payment(
                member, paid_on=paid_on, months=[m for m, _s in chunk], amount=monthly * len(chunk),
                kind="back" if chunk[0][0] < paid_on.replace(day=1) else "regular", channel=channel,
                paid_by=_("a relative") if away else "")
            collected[(payment.org_id, (paid_on.month - 1) // 3)] += payment.amount

    for (org_id, quarter), amount in sorted(collected.items()):
        org = town.org(org_id)
        start = dt.date(YEAR, quarter * 3 + 1, 1)
        end = _month_end(dt.date(YEAR, quarter * 3 + 3, 1))
        remitted_on = min(AS_OF - dt.timedelta(days=1), end + dt.timedelta(days=10))
        if org.revoked_on is not None and remitted_on >= org.revoked_on:
            remitted_on = org.revoked_on - dt.timedelta(days=1)
        services.record_remittance(org, remitted_on=remitted_on, period_start=start, period_end=end, amount=amount,
                                   to_org=town.town, note=_("Q%(q)s dues") % {"q": quarter + 1})


def _assessments(member_ids: list[int]) -> Any:
    from grassroots.dues.models import DuesAssessment

    return DuesAssessment.objects.filter(year=YEAR, member_id__in=member_ids)


# --- meetings -----------------------------------------------------------------------------------------------

def _presence(rng: random.Random, stay: Stay, day: dt.date, absent_from: dict[int, int]) -> tuple[str, str]:
    start = absent_from.get(stay.member_id)
    if start is not None and day.month >= start:
        return "absent", ""
    if stay.mobile:
        return ("leave", AWAY_REASON) if rng.random() < 0.8 else ("remote", "")
    x = rng.random()
    if x < 0.86:
        return "present", ""
    if x < 0.88:
        return "remote", ""
    if x < 0.96:
        return "leave", rng.choice(LEAVE_REASONS)
    return "absent", ""


def _branch_plan(rng: random.Random) -> list[tuple[str, dt.date, str, str]]:
    """A branch's year: (kind, day, topic, class hours)."""
    plan: list[tuple[str, dt.date, str, str]] = []
    for month in MONTHS:
        label = f"{month:%Y-%m}"
        if month.month % 3 == 2:
            plan.append(("general_meeting", month + dt.timedelta(days=rng.randint(8, 20)),
                         _("General meeting, %(q)s quarter") % {"q": (month.month + 1) // 3}, "0"))
        if month.month % 3 == 0:
            plan.append(("party_lecture", month + dt.timedelta(days=rng.randint(8, 18)),
                         _("Party lecture, %(q)s quarter") % {"q": month.month // 3}, "2.0"))
        plan.append(("committee_meeting", month + dt.timedelta(days=rng.randint(0, 6)),
                     _("Committee meeting %(month)s") % {"month": label}, "0"))
        plan.append(("theme_day", _first_weekday(month, 3), _("Theme Party day %(month)s") % {"month": label}, "0"))
        if month.month % 2 == 1:
            plan.append(("study", _first_weekday(month, 4) + dt.timedelta(days=14),
                         _("Friday study %(month)s") % {"month": label}, "5.0"))
        if month.month == 9:
            plan.append(("talk", month + dt.timedelta(days=rng.randint(2, 20)), _("Heart-to-heart talks"), "0"))
        if month.month == 12:
            plan.append(("life_meeting", dt.date(YEAR, 12, rng.randint(9, 16)),
                         _("Organizational life meeting %(year)s") % {"year": YEAR}, "0"))
            plan.append(("appraisal", dt.date(YEAR, 12, rng.randint(17, 24)),
                         _("Democratic appraisal of members %(year)s") % {"year": YEAR}, "0"))
    return plan


def _meetings(town: _Town, rng: random.Random) -> None:
    from grassroots.meetings import services

    branches = sorted(code for code, o in town.orgs.items() if o.kind == "branch")
    absent_from: dict[int, int] = {}
    for code, month in sorted(ABSENT.items()):
        pool = [s for s in town.of_org(town.orgs[code].pk, AS_OF) if not s.mobile and s.status == "full"]
        if pool:
            absent_from[rng.choice(pool).member_id] = month

    def record(org: Any, kind: str, day: dt.date, topic: str, hours: str, people: list[Stay]) -> Any:
        attendance = {s.member_id: _presence(rng, s, day, absent_from) for s in people}
        return services.record_meeting(org=org, kind=kind, date=day, topic=topic, study_hours=hours,
                                       place=_("the branch's activity room"), attendance=attendance)

    for code in branches:
        org = town.orgs[code]
        plan = _branch_plan(rng)
        seated = [s for s in town.of_org(org.pk, YEAR_START) if s.status == "full" and not s.mobile
                  and s.end is None and not s.suspended]
        seats = seated[:1] + rng.sample(seated[1:], min(2, len(seated) - 1)) if seated else []
        for i, stay in enumerate(seats):
            services.seat_add(org, town.members[stay.member_id], role="secretary" if i == 0 else "member",
                              since=max(YEAR_START, org.founded_on))
        for kind, day, topic, hours in plan:
            if (org.revoked_on is not None and day >= org.revoked_on) or (code, kind, day.month) in MISSED:
                continue
            if code in SILENT_FROM and day >= SILENT_FROM[code]:
                continue
            members = town.of_org(org.pk, day)
            if kind == "committee_meeting":
                on_day = {s.member_id for s in members}
                people = [s for s in seats if s.member_id in on_day]
            elif kind == "talk":
                people = rng.sample(members, min(3, len(members)))
            else:
                people = members
            if not people:
                continue
            meeting = record(org, kind, day, topic, hours, people)
            if kind == "appraisal":
                for stay in people:
                    if meeting.attendance.get(member_id=stay.member_id).presence not in ("present", "remote"):
                        continue
                    rating = rng.choices(["excellent", "qualified", "basically_qualified", "unqualified"],
                                         weights=[28, 68, 3, 1])[0]
                    services.record_appraisal(town.members[stay.member_id], year=YEAR, rating=rating,
                                              meeting=meeting)

    # The general branches' general meetings, the party groups' monthly meetings.
    for code in sorted(c for c, o in town.orgs.items() if o.kind == "general_branch"):
        for quarter in range(4):
            day = dt.date(YEAR, quarter * 3 + 3, 1) + dt.timedelta(days=rng.randint(2, 12))
            record(town.orgs[code], "general_meeting", day,
                   _("General meeting of the general branch, %(q)s quarter") % {"q": quarter + 1}, "0",
                   town.in_subtree(code, day))
    for code in sorted(c for c, o in town.orgs.items() if o.kind == "party_group"):
        group = town.orgs[code]
        branch = group.get_parent()
        for month in MONTHS:
            day = month + dt.timedelta(days=rng.randint(10, 22))
            people = [s for s in town.of_org(branch.pk, day) if town.members[s.member_id].party_group_id == group.pk]
            if people:
                record(group, "group_meeting", day, _("Group meeting %(month)s") % {"month": f"{month:%Y-%m}"},
                       "0", people)


# --- the entry point ----------------------------------------------------------------------------------------

def build_lifework(out: TextIO) -> None:
    """Write the town's 2019 dues and meetings if they are not there yet (running it again changes nothing)."""
    from grassroots.dues.models import DuesAssessment
    from grassroots.dues.selectors import totals
    from grassroots.meetings.models import NOT_LIFE_KINDS, Attendance, Meeting

    town = _Town()
    if not DuesAssessment.objects.filter(year=YEAR, member_id__in=list(town.members)).exists():
        _dues(town, random.Random(SEED))
    meetings = Meeting.objects.filter(org_id__in=list(town.code_of), date__year=YEAR).exclude(kind__in=NOT_LIFE_KINDS)
    if not meetings.exists():
        _meetings(town, random.Random(SEED + 1))
    figures = totals(town.town, YEAR_START, AS_OF)
    out.write(_("Dues in %(year)s: %(assessed)s yuan assessed, %(collected)s collected. Meetings in %(year)s: "
                "%(meetings)s, with %(attendance)s attendance records. View the dues and the duties as of %(day)s.")
              % {"year": YEAR, "assessed": yuan(figures["assessed"]), "collected": yuan(figures["collected"]),
                 "meetings": meetings.count(),
                 "attendance": Attendance.objects.filter(meeting__in=meetings).count(),
                 "day": AS_OF.isoformat()} + "\n")
