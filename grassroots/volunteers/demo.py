"""The demo town's volunteer service from 2019 to today, written through the services.

The town committee's Red Vest team (红马甲: repairs, haircuts, housekeeping) holds a monthly service day, a recurring
activity expanded from an RRULE each year; each community's team holds a monthly activity and, each quarter, a
night patrol that crosses midnight. Members of the community branches and residents are registered in January
2019 (a few more each year); four to seven of them serve at each activity, most present, a few absent; the
organizer confirms the hours within days, except for the last week's (they await confirmation today, as the
findings say). Each year a few volunteers report service done outside an activity (approved), one asks for a
correction (approved), and in December the busiest receive a certificate.

Years: 2019 and the last `recent_years` (all of them when None), up to `today`. Deterministic (`random.Random`
streams seeded from SEED: per year for the registrations, per team and year for the days, per activity for who
serves) and idempotent: an activity already there (by team and start) is passed over, so
a second build adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TextIO

from django.utils import timezone

from grassroots.core import idnumber
from grassroots.demo import data
from grassroots.members.models import Member
from grassroots.orgs.models import Organization

from . import services as s
from .models import Activity, Attendance, Participation, Volunteer, VolunteerTeam

SEED = 20190305
FIRST_YEAR = 2019
COMMUNITY_TEAMS = [("HS-SZL", "SZL", "十字路社区志愿服务队", "邻里守望，互帮互助"),
                   ("HS-DZ", "DZ", "大庄社区志愿服务队", "服务群众，奉献社会"),
                   ("HS-SY", "SY", "水碓社区志愿服务队", "美化家园，关爱老人")]
RED_VEST = ("HMJ", "红马甲志愿服务队", "修理、理发、家政，有困难找身边党员")
ACTIVITIES = ["环境卫生大扫除", "关爱空巢老人走访", "政策宣传进农户", "文明交通劝导", "古镇文物保护巡查",
              "垃圾分类宣传", "义务植树", "防溺水安全宣传", "邻里矛盾调解", "爱心助学"]
RESIDENT_NAMES = ["李秀英", "张建华", "杨丽萍", "寸玉兰", "尹国强", "刘德明", "许翠花", "钏家福", "段海燕",
                  "赵永昌", "李春梅", "张志刚"]
MEMBERS_PER_COMMUNITY = 10
RESIDENTS_PER_COMMUNITY = 4
TZ = timezone.get_current_timezone()


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def _years(today: dt.date, recent_years: int | None) -> list[int]:
    if recent_years is None:
        return list(range(FIRST_YEAR, today.year + 1))
    return sorted({FIRST_YEAR, *range(max(FIRST_YEAR, today.year - recent_years + 1), today.year + 1)})


def _teams(town: Organization) -> tuple[VolunteerTeam, list[tuple[VolunteerTeam, Organization]]]:
    red = VolunteerTeam.objects.filter(org=town, code=RED_VEST[0]).first() or s.team_create(
        town, code=RED_VEST[0], name=RED_VEST[1], captain="寸志强", tenet=RED_VEST[2], founded_on=dt.date(2018, 3, 5))
    out = []
    for code, team_code, name, tenet in COMMUNITY_TEAMS:
        org = Organization.objects.get(code=code)
        team = VolunteerTeam.objects.filter(org=org, code=team_code).first() or s.team_create(
            org, code=team_code, name=name, tenet=tenet, founded_on=dt.date(2018, 6, 1))
        out.append((team, org))
    return red, out


def _register(org: Organization, team: VolunteerTeam, red: VolunteerTeam, year: int, rng: random.Random,
              seq: int) -> None:
    """The community's volunteers of the year: members and residents (in 2019 the first of them, a couple more
    each later year), each joining the community team, some the Red Vest team too."""
    on = dt.date(year, 1, 8)
    if Volunteer.objects.filter(org=org, registered_on=on).exists():
        return  # registered by an earlier build
    done = set(Volunteer.objects.filter(org=org).values_list("member_id", flat=True))
    wanted = MEMBERS_PER_COMMUNITY if year == FIRST_YEAR else 2
    members = [m for m in Member.objects.filter(org__path__startswith=org.path, joined_on__lt=on)
               .exclude(pk__in=[d for d in done if d]).order_by("pk")[:wanted * 3]]
    chosen = members[:wanted]
    residents_wanted = RESIDENTS_PER_COMMUNITY if year == FIRST_YEAR else 1
    new: list[Volunteer] = []
    for m in chosen:
        new.append(s.volunteer_register(org, member=m, registered_on=on, skills=rng.choice(
            ["家电维修", "理发", "家政", "宣传", "文艺", "医疗护理", ""]), availability="周末"))
    residents = Volunteer.objects.filter(org=org, member__isnull=True).count()
    for i in range(residents_wanted):
        n = residents + i
        number = idnumber.make("530522", dt.date(1960 + (seq * 7 + n) % 40, 1 + n % 12, 1 + n % 28),
                               (seq * 50 + n) % 1000)
        if Volunteer.objects.filter(org=org, id_number=number).exists():
            continue
        new.append(s.volunteer_register(org, name=RESIDENT_NAMES[(seq * 4 + n) % len(RESIDENT_NAMES)],
                                        id_number=number, phone=f"139{seq:02d}{year % 100:02d}{n:04d}",
                                        registered_on=on, skills=rng.choice(["理发", "缝补", "家政", "维修"]),
                                        availability="工作日上午"))
    for v in new:
        s.team_join(team, v, joined_on=on)
        if rng.random() < 0.3:
            s.team_join(red, v, joined_on=on)


def _serve(activity: Activity, pool: list[Volunteer], today: dt.date) -> None:
    """Sign up some of the pool; once it has taken place, mark the sheet and (a week on) confirm the hours. The
    choices come from a stream of the activity's own (team and start), whatever was built before."""
    if not pool:
        return
    rng = random.Random(f"{SEED}:{activity.team_id}:{timezone.localtime(activity.starts_at).isoformat()}")
    people = rng.sample(pool, min(len(pool), rng.randint(4, 7)))
    for v in people:
        if Participation.objects.filter(activity=activity, volunteer=v).exists():
            continue
        if v.registered_on > timezone.localtime(activity.starts_at).date():
            continue
        p = s.sign_up(activity, v, now=activity.starts_at - dt.timedelta(days=2))
        end_day = timezone.localtime(activity.ends_at).date()
        if end_day >= today:
            continue
        present = rng.random() < 0.88
        late = dt.timedelta(minutes=rng.choice([0, 0, 0, 20, 40])) if present else dt.timedelta(0)
        p = s.mark_attendance(p, present=present, actual_start=activity.starts_at + late if late else None,
                              actual_end=activity.ends_at if late else None, now=activity.ends_at)
        confirm_on = end_day + dt.timedelta(days=rng.randint(1, 4))
        if present and confirm_on < today - dt.timedelta(days=7):
            s.confirm_hours(p, on=confirm_on)


def _activity(team: VolunteerTeam, title: str, starts: dt.datetime, ends: dt.datetime, place: str,
              existing: set[tuple[int, dt.datetime]]) -> Activity | None:
    if (team.pk, starts) in existing:
        return None
    existing.add((team.pk, starts))
    return s.activity_create(team, title=title, starts_at=starts, ends_at=ends, place=place, organizer=team.captain
                             or "社区书记", content=f"{team.name}：{title}")


def _year(year: int, today: dt.date, red: VolunteerTeam, teams: list[tuple[VolunteerTeam, Organization]]) -> None:
    rng = random.Random(SEED + year)
    for seq, (team, org) in enumerate(teams):
        _register(org, team, red, year, rng, seq)
    existing = {(t, timezone.localtime(st)) for t, st in Activity.objects.filter(
        team__in=[red, *(t for t, _o in teams)], starts_at__year__in=[year - 1, year, year + 1]).values_list(
        "team_id", "starts_at")}
    # The Red Vest's monthly service day: a recurring activity, expanded once a year (again: none).
    first = _at(dt.date(year, 1, 5), 9)
    if first.date() <= today:
        until = min(dt.date(year, 12, 31), today + dt.timedelta(days=30))
        series = red.series.filter(starts_at=first).first()
        rule = f"FREQ=MONTHLY;BYMONTHDAY=5;UNTIL={until:%Y%m%d}T235959"
        if series is None:
            s.series_create(red, title="红马甲便民服务日（义务理发、家电维修）", starts_at=first, minutes=180,
                            rrule=rule, place="和顺镇文化广场", organizer="寸志强", today=today)
        else:
            s.series_expand(series, rrule=rule, version=series.version, today=today)
    red_pool = list(Volunteer.objects.filter(memberships__team=red, left_on__isnull=True).distinct().order_by("pk"))
    for a in Activity.objects.filter(team=red, starts_at__year=year, participations__isnull=True).order_by(
            "starts_at"):
        _serve(a, red_pool, today)
    for team, _org in teams:
        plan = random.Random(f"{SEED}:{year}:{team.code}")  # the team's days: the same at every build
        pool = list(Volunteer.objects.filter(memberships__team=team, left_on__isnull=True).distinct().order_by("pk"))
        for month in range(1, 13):
            day = dt.date(year, month, 10 + plan.randint(0, 15))
            if day > today + dt.timedelta(days=20):
                break
            made = _activity(team, ACTIVITIES[(month + team.pk) % len(ACTIVITIES)], _at(day, 9), _at(day, 11, 30),
                          team.name.removesuffix("志愿服务队"), existing)
            if made is not None:
                _serve(made, pool, today)
            if month % 3 == 0 and day < today:  # the quarter's night patrol, past midnight
                night = _activity(team, "夜间安全巡逻", _at(day, 21), _at(day + dt.timedelta(days=1), 0, 30),
                                  "社区各村民小组", existing)
                if night is not None:
                    _serve(night, pool, today)
        _reports_and_more(team, pool, year, random.Random(f"{SEED}:{year}:{team.code}:reports"), today)


def _reports_and_more(team: VolunteerTeam, pool: list[Volunteer], year: int, rng: random.Random,
                      today: dt.date) -> None:
    """A few self-reports (approved), one correction (approved) and December's certificates."""
    if not pool or Volunteer.objects.filter(reports__org=team.org, reports__day__year=year).exists():
        return
    for i in range(3):
        v = pool[(year + i) % len(pool)]
        day = dt.date(year, 3 + i * 3, 15)
        if day >= today or day < v.registered_on:
            continue
        report = s.report_hours(v, day=day, hours=rng.choice(["1", "1.5", "2"]), content="帮助行动不便的老人代购药品",
                                today=today)
        if day + dt.timedelta(days=3) < today - dt.timedelta(days=7):
            s.decide_report(report, approve=True, on=day + dt.timedelta(days=3))
    confirmed = list(Participation.objects.filter(activity__team=team, activity__starts_at__year=year,
                                                  confirmed_on__isnull=False).order_by("pk")[:1])
    for p in confirmed:
        if p.corrections.exists():
            continue
        assert p.confirmed_on is not None
        on: dt.date = p.confirmed_on + dt.timedelta(days=5)
        if on < today:
            c = s.request_correction(p.volunteer, participation=p, hours=str((p.hours or 0) + 1),
                                     reason="提前一小时到场布置场地", on=on)
            if on + dt.timedelta(days=2) < today:
                s.decide_correction(c, approve=True, on=on + dt.timedelta(days=2))
    issued = dt.date(year, 12, 20)
    if issued < today:
        for v in pool[:2]:
            if not v.certificates.filter(year=year).exists() and s.service_lines(v, dt.date(year, 1, 1), issued):
                s.issue_certificate(v, period_start=dt.date(year, 1, 1), period_end=issued,
                                    person_in_charge="社区党总支书记", handler="社区志愿服务站", contact="0875-5150000",
                                    on=issued)


def demo_history(out: TextIO, *, today: dt.date, recent_years: int | None) -> None:
    town = Organization.objects.get(code=data.TOWN_CODE)
    red, teams = _teams(town)
    for year in _years(today, recent_years):
        _year(year, today, red, teams)
    counts = Volunteer.objects.filter(org__path__startswith=town.path).count()
    activities = Activity.objects.filter(org__path__startswith=town.path).count()
    present = Participation.objects.filter(activity__org__path__startswith=town.path,
                                           state=Attendance.PRESENT).count()
    print(f"volunteer service: {counts} volunteers, {activities} activities, {present} attendances", file=out)

