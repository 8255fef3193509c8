"""The demo town from 1 January 2020 to today, through the services: `build_living()` (called by `build_demo`
after every module's 2019 builder), so that each page opens on a town that is still at work.

Month by month, in date order across the town: the members of 2019 grow older, a few die, a few move their
relation away or come back from working elsewhere, young members admitted at university transfer their relation
home, and the probationary members of 2019 are converted. The candidates of 2019 go on along the procedure
(the talk, the activist decision, an assessment every half year, the listing, the introducers, the review, the
training, the public notice, the pre-review, the branch's vote, the approval, the oath, and a year later the
conversion), a few withdraw, and about ten people apply each year. A few opinions a month reach the express
station and are handled as in 2019 (what was still open at the end of 2019 is finished in January 2020).

Every year (or only the last `recent_years`, as the test suite builds it: this year and last are what the
dashboard, the duties and dues pages and the to-do list read), every branch holds what the duty rules ask
("three meetings and one lesson": a general meeting and a Party lecture each quarter, a committee meeting and a
theme Party day each month, study sessions enough for the yearly class hours, the heart-to-heart talks, the
organizational life meeting and the appraisal in December), the party groups meet monthly, the general branches
quarterly; most members attend. Dues are assessed each January from the 2019 base (raised a little each year)
and collected each quarter for its three months, mostly on time; a few members are a month or two behind
today. A build limited to recent years keeps the roster, recruitment and opinions of the years before them but no
meetings or dues: the services write one meeting or payment at a time, which makes each year cost some seconds.

Nothing here draws from the random streams of the 2019 builders: every choice comes from `random.Random`
instances seeded from `SEED`, so the figures at 2019-12-31 stay exactly the seed's, and the same seed with the
same today gives the same database. The history stops at `today` (the real today unless given): a step that
would fall later is not taken, so today's to-do list holds what is really due (a talk not yet held, an
assessment coming up, a member two quarters behind with dues, a member who stopped coming).
Running it again changes nothing (it only prints the figures).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TextIO

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.core.dates import add_months, add_years
from grassroots.core.money import yuan
from grassroots.core.workdays import add_workdays

from . import data, lifework
from . import opinions as demo_opinions
from . import recruitment as demo_recruitment
from .lifework import AWAY_REASON, LEAVE_REASONS, Stay

SEED = 20200101
START = dt.date(2020, 1, 1)
SECTORS = lifework.SECTORS
STAFF = lifework.STAFF
RAISE = Decimal("1.03")  # bases and pensions grow about 3% a year

DEATHS_PER_YEAR = 3
TRANSFERS_OUT_PER_YEAR = 1
MOBILE_PER_YEAR = 1  # young members who go to work elsewhere (one a year comes back)
TRANSFERS_IN_PER_YEAR = 2  # young members admitted at university who bring their relation home
APPLICANTS_PER_YEAR = 10
LIFE_YEARS: int | None = None  # meetings and dues in every year since 2020 (a number: only in the last so many years)
OPINIONS_PER_MONTH = (3, 2, 3, 4, 3, 3, 4, 3, 3, 4, 3, 3)
BEHIND_ONE_QUARTER = 3  # members who missed the latest collection (a month or two behind today)
BEHIND_TWO_QUARTERS = 2  # members who missed the last two collections (a finding today)
STOPPED_COMING = 2  # members absent from organizational life these last three months (a finding today)
UNIVERSITIES = ["云南大学", "昆明理工大学", "云南师范大学", "大理大学", "保山学院"]

Step = tuple[dt.date, int, Callable[[], Any]]


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first days of the months from start's to end's, both included."""
    out, month = [], start.replace(day=1)
    while month <= end:
        out.append(month)
        month = add_months(month, 1)
    return out


class _Roster:
    """The town's member periods and members, read again after a change to them."""

    def __init__(self, town: Any) -> None:
        self.town = town
        self.dirty = True
        self.stays: list[Stay] = []
        self.members: dict[int, Any] = {}

    def refresh(self) -> None:
        from grassroots.members.models import Member, MemberPeriod

        if not self.dirty:
            return
        rows = (MemberPeriod.objects.filter(org__path__startswith=self.town.path)
                .filter(Q(end__isnull=True) | Q(end__gte=START)).order_by("member_id", "start")
                .values_list("member_id", "org_id", "start", "end", "status", "mobile", "suspended", "occupation"))
        self.stays = [Stay(*row) for row in rows]
        self.members = {m.pk: m for m in Member.objects.filter(pk__in={s.member_id for s in self.stays})}
        self.dirty = False

    def on(self, day: dt.date, org_id: int | None = None) -> list[Stay]:
        self.refresh()
        found = [s for s in self.stays if s.on(day) and (org_id is None or s.org_id == org_id)]
        return sorted(found, key=lambda s: self.members[s.member_id].id_number)

    def stay_of(self, member_id: int, day: dt.date) -> Stay | None:
        self.refresh()
        return next((s for s in self.stays if s.member_id == member_id and s.on(day)), None)


class _Living:
    def __init__(self, today: dt.date, recent_years: int | None = LIFE_YEARS) -> None:
        from grassroots.access.models import Role
        from grassroots.meetings.models import CommitteeSeat
        from grassroots.orgs.models import Organization

        self.today = today
        self.life_from = START if recent_years is None else max(START, dt.date(today.year - recent_years + 1, 1, 1))
        self.town = Organization.objects.get(code=data.TOWN_CODE)
        self.orgs = {o.code: o for o in Organization.objects.filter(path__startswith=self.town.path)}
        self.by_id = {o.pk: o for o in self.orgs.values()}
        self.live = {code: o for code, o in self.orgs.items() if o.revoked_on is None}
        self.branches = sorted(code for code, o in self.live.items() if o.kind == "branch")
        by_path = {o.path: o for o in self.orgs.values()}
        self.parent = {o.pk: by_path[o.path[:-Organization.steplen]] for o in self.orgs.values() if o != self.town}
        self.roster = _Roster(self.town)
        self.seats: dict[int, list[int]] = defaultdict(list)
        for org_id, member_id in CommitteeSeat.objects.filter(until__isnull=True).values_list("org_id", "member_id"):
            self.seats[org_id].append(member_id)
        # Who must stay on the roster: the committees' members and the demo's member login.
        self.keep = {m for ids in self.seats.values() for m in ids}
        self.keep |= set(Role.objects.filter(member__isnull=False).values_list("member_id", flat=True))
        self.rng = {name: random.Random(f"{SEED}:{name}") for name in
                    ("members", "recruitment", "people", "meetings", "dues", "opinions")}
        self.steps: list[Step] = []
        self.seq = 0

    # --- the calendar ---------------------------------------------------------------------------------------
    def at(self, on: dt.date, order: int, fn: Callable[[], Any]) -> None:
        """Do `fn` on `on` (order: members 0, candidates 1, meetings 2, dues 3), unless that is after today."""
        assert on >= START, (on, fn)
        if on <= self.today:
            self.seq += 1
            self.steps.append((on, order * 1_000_000 + self.seq, fn))

    def run(self) -> None:
        self.roster.refresh()
        self._plan_members()
        self._plan_candidates()
        for month in months_between(START, self.today):
            if month >= self.life_from:
                self._plan_meetings(month)
                self._plan_dues(month)
            due = sorted((s for s in self.steps if s[0] < add_months(month, 1)), key=lambda s: (s[0], s[1]))
            self.steps = [s for s in self.steps if s[0] >= add_months(month, 1)]
            for _on, _order, fn in due:
                fn()
        self._opinions()

    def member_changed(self) -> None:
        self.roster.dirty = True

    # --- members --------------------------------------------------------------------------------------------
    def _plan_members(self) -> None:
        """Conversions of 2019's probationary members; deaths, transfers out, returns from working away and
        transfers in, a few a year, chosen among those on the roster on the 1st of January."""
        from grassroots.members.models import MemberEvent

        rng = self.rng["members"]
        probationary = [s for s in self.roster.on(START) if s.status == "probationary"]
        for stay in probationary:
            member = self.roster.members[stay.member_id]
            on = add_years(member.joined_on, 1)
            self.at(on, 0, self._event(member, "converted", on, note="预备期满，转为正式党员"))
        mobile = [s.member_id for s in self.roster.on(START) if s.mobile]
        gone: set[int] = set()
        self._left: set[int] = set()
        used_ids = set(self.roster.members[m].id_number for m in self.roster.members)
        planner = demo_recruitment._Planner(rng.randrange(10 ** 9), used_ids)
        for year in range(START.year, self.today.year + 1):
            jan = dt.date(year, 1, 1)
            people = [s for s in self.roster.on(START) if s.member_id not in gone and s.member_id not in self.keep
                      and s.status == "full"]
            old = [s for s in people if self.roster.members[s.member_id].birth_date.year < 1946 and not s.mobile]
            for stay in rng.sample(old, min(DEATHS_PER_YEAR, len(old))):
                gone.add(stay.member_id)
                on = jan + dt.timedelta(days=rng.randint(10, 350))
                self.at(on, 0, self._event(self.roster.members[stay.member_id], "died", on,
                                           note=rng.choice(["因病去世", "年老去世"])))
            young = [s for s in people if s.member_id not in gone and not s.mobile
                     and self.roster.members[s.member_id].birth_date.year >= 1975]
            for stay in rng.sample(young, min(TRANSFERS_OUT_PER_YEAR, len(young))):
                gone.add(stay.member_id)
                on = jan + dt.timedelta(days=rng.randint(30, 330))
                self.at(on, 0, self._transfer_out(self.roster.members[stay.member_id], on,
                                                  rng.choice(data.TRANSFER_DESTINATIONS)))
            away = [s for s in young if s.member_id not in gone and s.member_id not in self._left
                    and SECTORS.get(self.by_id[s.org_id].code) in ("village", "enterprise")]
            for stay in rng.sample(away, min(MOBILE_PER_YEAR, len(away))):  # went to work elsewhere
                self._left.add(stay.member_id)
                on = jan + dt.timedelta(days=rng.randint(40, 300))
                self.at(on, 0, self._away(self.roster.members[stay.member_id], on,
                                          rng.choice(["昆明", "广东东莞", "上海", "浙江义乌"])))
            if mobile:
                member_id = mobile.pop(0)
                on = jan + dt.timedelta(days=rng.randint(20, 200))
                last = MemberEvent.objects.filter(member_id=member_id).order_by("-date").values_list("date", flat=True)
                if last and last[0] < on:
                    self.at(on, 0, self._back(self.roster.members[member_id], on))
            for _i in range(TRANSFERS_IN_PER_YEAR):  # admitted at university in the spring, home after graduating
                joined = jan + dt.timedelta(days=rng.randint(60, 140))
                on = jan + dt.timedelta(days=rng.randint(185, 250))
                holder: dict[str, Any] = {}
                self.at(on, 0, self._transfer_in(planner, rng, on, joined, holder))
                converted = add_years(joined, 1)
                self.at(converted, 0, self._convert_arrival(holder, converted))

    def _event(self, member: Any, kind: str, on: dt.date, note: str = "") -> Callable[[], Any]:
        from grassroots.members.services import member_record_event

        def step() -> None:
            member_record_event(member, kind=kind, on=on, note=note)
            self.member_changed()
        return step

    def _convert_arrival(self, holder: dict[str, Any], on: dt.date) -> Callable[[], Any]:
        return lambda: self._event(holder["member"], "converted", on, note="预备期满，转为正式党员")()

    def _away(self, member: Any, on: dt.date, destination: str) -> Callable[[], Any]:
        from grassroots.members.lifecycle_services import mobile_out

        def step() -> None:
            mobile_out(member, on=on, destination=destination)
            self.member_changed()
        return step

    def _back(self, member: Any, on: dt.date) -> Callable[[], Any]:
        from grassroots.members.lifecycle_services import mobile_back

        def step() -> None:
            mobile_back(member, on=on)
            self.member_changed()
        return step

    def _transfer_out(self, member: Any, on: dt.date, to: str) -> Callable[[], Any]:
        from grassroots.members.transfers import transfer_accept, transfer_request

        def step() -> None:
            transfer = transfer_request(member, to_outside=to, on=on - dt.timedelta(days=7),
                                        reason="工作调动", letter_number=f"HS-{on:%Y}-{member.pk:04d}")
            transfer_accept(transfer, on=on)
            self.member_changed()
        return step

    def _transfer_in(self, planner: Any, rng: random.Random, on: dt.date, joined: dt.date, holder: dict[str, Any]
                     ) -> Callable[[], Any]:
        from grassroots.members.transfers import transfer_in

        branch = rng.choice([code for code in self.branches if SECTORS.get(code) in ("agency", "school", "health")])
        person = planner.person(branch, joined)
        person.birth = min(person.birth, add_years(joined, -19))
        university = rng.choice(UNIVERSITIES)
        education = rng.choice(["bachelor", "bachelor", "postgraduate"])

        def step() -> None:
            holder["member"] = transfer_in(
                {"name": person.name, "sex": person.sex, "birth_date": person.birth, "id_number": person.id_number,
                 "education": education, "occupation": "in_service", "joined_on": joined, "status": "probationary",
                 "phone": person.phone},
                org=self.orgs[branch], on=on, from_outside=f"{university}党委")
            self.member_changed()
        return step

    # --- candidates -----------------------------------------------------------------------------------------
    def _plan_candidates(self) -> None:
        from grassroots.recruitment.models import Candidate

        rng = self.rng["recruitment"]
        existing = (Candidate.objects.filter(org__path__startswith=self.town.path, closed_on__isnull=True,
                                             member__isnull=True).prefetch_related("steps").order_by("applied_on", "pk"))
        for candidate in existing:
            kinds = {s.kind: s.date for s in sorted(candidate.steps.all(), key=lambda s: s.date)}
            assessed = [s.date for s in candidate.steps.all() if s.kind == "assessed"]
            self._timeline(rng, candidate, kinds, max(assessed, default=None))
        used = set(Candidate.objects.values_list("id_number", flat=True)) | {
            m.id_number for m in self.roster.members.values()}
        planner = demo_recruitment._Planner(self.rng["people"].randrange(10 ** 9), used)
        for year in range(START.year, self.today.year + 1):
            for _i in range(APPLICANTS_PER_YEAR):
                applied = planner.day(dt.date(year, 1, 6), dt.date(year, 12, 20))
                plan = planner.person(planner.branch(), applied)
                holder: dict[str, Any] = {}
                self.at(applied, 1, self._apply(plan, holder))
                self._timeline(rng, holder, {"applied": applied}, None)

    def _apply(self, plan: Any, holder: dict[str, Any]) -> Callable[[], Any]:
        from grassroots.recruitment.services import candidate_apply

        def step() -> None:
            holder["candidate"] = candidate_apply(
                name=plan.name, sex=plan.sex, birth_date=plan.birth, id_number=plan.id_number,
                education=plan.education, occupation=plan.occupation, org=self.orgs[plan.branch],
                applied_on=plan.applied_on, phone=plan.phone)
        return step

    def _timeline(self, rng: random.Random, who: Any, done: dict[str, dt.date], assessed: dt.date | None) -> None:
        """The candidate's steps from 2020 on, from where they stood (`done`: their steps' kinds and dates)."""
        def days(low: int, high: int) -> dt.timedelta:
            return dt.timedelta(days=rng.randint(low, high))

        cursor = max(list(done.values()) + [START - dt.timedelta(days=1)])
        fate = rng.random()
        if "activist_decided" not in done:
            talked = done.get("talked") or max(done["applied"] + days(5, 24), START + days(2, 12))
            if "talked" not in done:
                self.at(talked, 1, self._step(who, "talked", talked))
            if fate < 0.25:  # withdrew, or the branch did not go on with it
                on = max(talked, cursor) + days(60, 300)
                self.at(on, 1, self._withdraw(who, on, "本人申请暂不继续"))
                return
            recommended = max(talked, cursor) + days(20, 90)
            activist_on = recommended + days(30, 200)
            self.at(recommended, 1, self._step(who, "recommended", recommended))
            self.at(activist_on, 1, self._step(who, "activist_decided", activist_on))
            self.at(activist_on, 1, self._sponsors(who, "training_contact", activist_on, rng.choice([1, 2])))
            cursor = activist_on
        else:
            activist_on = done["activist_decided"]
        if "target_listed" not in done:
            listing = add_months(activist_on, rng.randint(13, 84)) + days(0, 20)  # as the yearly quota allows
            if listing < START:
                listing = START + days(20, 420)
            stop = None
            if fate > 0.92:
                stop = max(cursor, START + days(10, 200), add_months(activist_on, rng.randint(8, 30)))
            previous = assessed or activist_on
            while True:
                on = add_months(previous, 6) - days(0, 20)
                if on < START:
                    on = START + days(5, 40)
                if on >= listing or (stop is not None and on >= stop):
                    break
                self.at(on, 1, self._step(who, "assessed", on))
                previous = on
            if stop is not None and stop < listing:
                on = max(stop, previous)
                self.at(on, 1, self._withdraw(who, on, "外出务工，暂停培养"))
                return
            if listing >= dt.date(2026, 5, 1):  # the 2026 rules: the notice comes before the listing
                start = max(listing - days(16, 24), previous + dt.timedelta(days=1))
                self.at(start, 1, self._notice(who, start))
                listing = max(listing, add_workdays(start, 7) + days(2, 5))
            self.at(listing, 1, self._step(who, "target_listed", listing))
            introduced = listing  # the introducers are named when the target is listed
            self.at(introduced, 1, self._sponsors(who, "introducer", introduced, 2))
            cursor = introduced
        else:
            listing = done["target_listed"]
        on = max(cursor, listing)
        if "political_review" not in done:  # a development target for some months: the review takes time
            on += days(20, 90)
            self.at(on, 1, self._step(who, "political_review", on))
        if "training" not in done:
            on += days(15, 60)
            self.at(on, 1, self._step(who, "training", on, end_date=on + dt.timedelta(days=2), hours=24))
            on += dt.timedelta(days=2)
        on += days(5, 15)
        self.at(on, 1, self._step(who, "committee_review", on))
        if "notice" not in done and listing < dt.date(2026, 5, 1):
            on += days(3, 8)
            self.at(on, 1, self._notice(who, on))
            on = add_workdays(on, 7) + days(2, 6)
        else:
            on += days(3, 10)
        self.at(on, 1, self._step(who, "pre_review", on))
        vote = on + days(8, 25)
        self.at(vote, 1, self._vote(who, "admission", vote, rng))
        approved = vote + days(20, 70)
        self.at(approved, 1, self._approve(who, approved))
        oath = approved + days(1, 25)
        self.at(oath, 1, self._step(who, "oath", oath))
        conversion = add_years(vote, 1)  # the meeting on conversion is held the day probation ends
        self.at(conversion, 1, self._vote(who, "conversion", conversion, rng))
        converted = conversion + days(10, 40)
        self.at(converted, 1, self._convert(who, converted))

    @staticmethod
    def _candidate(who: Any) -> Any:
        return who["candidate"] if isinstance(who, dict) else who

    def _step(self, who: Any, kind: str, on: dt.date, *, end_date: dt.date | None = None,
              hours: int | None = None) -> Callable[[], Any]:
        from grassroots.recruitment.services import candidate_record_step

        def step() -> None:
            candidate_record_step(self._candidate(who), kind=kind, on=on, end_date=end_date,
                                  details={"hours": hours} if hours is not None else None)
        return step

    def _withdraw(self, who: Any, on: dt.date, reason: str) -> Callable[[], Any]:
        from grassroots.recruitment.services import candidate_withdraw

        return lambda: candidate_withdraw(self._candidate(who), on=on, reason=reason)

    def _notice(self, who: Any, start: dt.date) -> Callable[[], Any]:
        from grassroots.recruitment.services import candidate_publish_notice

        return lambda: candidate_publish_notice(self._candidate(who), start=start, end=add_workdays(start, 7))

    def _full(self, org_id: int, on: dt.date) -> list[Any]:
        return [self.roster.members[s.member_id] for s in self.roster.on(on, org_id)
                if s.status == "full" and not s.suspended]

    def _sponsors(self, who: Any, role: str, on: dt.date, count: int) -> Callable[[], Any]:
        from grassroots.recruitment.services import candidate_assign_sponsors

        rng = self.rng["recruitment"]

        def step() -> None:
            candidate = self._candidate(who)
            members = rng.sample(self._full(candidate.org_id, on), count)
            candidate_assign_sponsors(candidate, role=role, members=members, on=on)
        return step

    def _vote(self, who: Any, purpose: str, on: dt.date, rng: random.Random) -> Callable[[], Any]:
        from grassroots.recruitment.services import branch_vote_record

        def step() -> None:
            candidate = self._candidate(who)
            entitled = self._full(candidate.org_id, on)
            stays = {s.member_id: s for s in self.roster.on(on, candidate.org_id)}
            attended = [m for m in entitled if not stays[m.pk].mobile and rng.random() < 0.9]
            if 2 * len(attended) <= len(entitled):
                attended = [m for m in entitled if not stays[m.pk].mobile]
            abstain = 1 if len(attended) > 8 and rng.random() < 0.3 else 0
            branch_vote_record(candidate, purpose=purpose, on=on, attended=attended, yes=len(attended) - abstain,
                               no=0, abstain=abstain)
        return step

    def _approve(self, who: Any, on: dt.date) -> Callable[[], Any]:
        from grassroots.recruitment.services import candidate_approve

        def step() -> None:
            candidate_approve(self._candidate(who), on=on)
            self.member_changed()
        return step

    def _convert(self, who: Any, on: dt.date) -> Callable[[], Any]:
        from grassroots.recruitment.services import candidate_convert

        def step() -> None:
            candidate_convert(self._candidate(who), on=on)
            self.member_changed()
        return step

    # --- organizational life --------------------------------------------------------------------------------
    def _plan_meetings(self, month: dt.date) -> None:
        rng = self.rng["meetings"]
        if month == self.life_from:
            self._absent_from: dict[int, dt.date] = {}
            self._appraised: set[tuple[int, int]] = set()
        if month == add_months(self.today.replace(day=1), -3):  # a few stopped coming three months ago
            pool = [s for code in self.branches for s in self.roster.on(month, self.orgs[code].pk)
                    if not s.mobile and s.status == "full" and s.member_id not in self.keep]
            for stay in rng.sample(pool, min(STOPPED_COMING, len(pool))):
                self._absent_from[stay.member_id] = month
        label = f"{month:%Y-%m}"
        q = (month.month - 1) // 3 + 1
        for code in self.branches:
            org = self.orgs[code]
            plan: list[tuple[str, dt.date, str, str]] = [
                ("committee_meeting", month + dt.timedelta(days=rng.randint(0, 6)),
                 _("Committee meeting %(month)s") % {"month": label}, "0"),
                ("theme_day", lifework._first_weekday(month, 3), _("Theme Party day %(month)s") % {"month": label},
                 "0"),
            ]
            if month.month % 3 == 2:
                plan.append(("general_meeting", month + dt.timedelta(days=rng.randint(8, 20)),
                             _("General meeting, %(q)s quarter") % {"q": q}, "0"))
            if month.month % 3 == 0:
                plan.append(("party_lecture", month + dt.timedelta(days=rng.randint(8, 18)),
                             _("Party lecture, %(q)s quarter") % {"q": q}, "2.0"))
            plan.append(("study", lifework._first_weekday(month, 4) + dt.timedelta(days=14),
                         _("Friday study %(month)s") % {"month": label}, "4.0"))
            if month.month == 9:
                plan.append(("talk", month + dt.timedelta(days=rng.randint(2, 20)), _("Heart-to-heart talks"), "0"))
            if month.month == 12:
                plan.append(("life_meeting", month + dt.timedelta(days=rng.randint(8, 15)),
                             _("Organizational life meeting %(year)s") % {"year": month.year}, "0"))
                plan.append(("appraisal", month + dt.timedelta(days=rng.randint(16, 23)),
                             _("Democratic appraisal of members %(year)s") % {"year": month.year}, "0"))
            for kind, day, topic, hours in plan:
                self.at(day, 2, self._meeting(org, kind, day, topic, hours))
        for code in sorted(c for c, o in self.live.items() if o.kind == "party_group"):
            day = month + dt.timedelta(days=rng.randint(10, 22))
            self.at(day, 2, self._meeting(self.orgs[code], "group_meeting", day,
                                          _("Group meeting %(month)s") % {"month": label}, "0"))
        if month.month % 3 == 0:
            for code in sorted(c for c, o in self.live.items() if o.kind == "general_branch"):
                day = month + dt.timedelta(days=rng.randint(2, 12))
                self.at(day, 2, self._meeting(
                    self.orgs[code], "general_meeting", day,
                    _("General meeting of the general branch, %(q)s quarter") % {"q": q}, "0"))

    def _presence(self, stay: Stay, day: dt.date) -> tuple[str, str]:
        rng = self.rng["meetings"]
        since = self._absent_from.get(stay.member_id)
        if since is not None and day >= since:
            return "absent", ""
        if stay.mobile:
            return ("leave", AWAY_REASON) if rng.random() < 0.8 else ("remote", "")
        x = rng.random()
        if x < 0.87:
            return "present", ""
        if x < 0.89:
            return "remote", ""
        if x < 0.97:
            return "leave", rng.choice(LEAVE_REASONS)
        return "absent", ""

    def _meeting(self, org: Any, kind: str, day: dt.date, topic: str, hours: str) -> Callable[[], Any]:
        from grassroots.meetings import services

        def step() -> None:
            rng = self.rng["meetings"]
            if org.kind == "general_branch":
                ids = {o.pk for o in self.live.values() if o.path.startswith(org.path)}
                people = [s for s in self.roster.on(day) if s.org_id in ids]
            elif org.kind == "party_group":
                branch = self.parent[org.pk]
                people = [s for s in self.roster.on(day, branch.pk)
                          if self.roster.members[s.member_id].party_group_id == org.pk]
            else:
                people = self.roster.on(day, org.pk)
            if kind == "committee_meeting":
                seated = set(self.seats.get(org.pk, ()))
                people = [s for s in people if s.member_id in seated]
            elif kind == "talk":
                people = rng.sample(people, min(3, len(people)))
            if not people:
                return
            attendance: dict[int, tuple[str, str]] = {  # the committee's members rarely miss its meeting
                s.member_id: (("present", "") if rng.random() < 0.98 else ("leave", rng.choice(LEAVE_REASONS)))
                if kind == "committee_meeting" else self._presence(s, day) for s in people}
            meeting = services.record_meeting(org=org, kind=kind, date=day, topic=topic, study_hours=hours,
                                              place=_("the branch's activity room"), attendance=attendance)
            if kind == "appraisal":
                for stay in people:
                    if attendance[stay.member_id][0] not in ("present", "remote"):
                        continue
                    rating = rng.choices(["excellent", "qualified", "basically_qualified", "unqualified"],
                                         weights=[28, 70, 2, 0])[0]
                    services.record_appraisal(self.roster.members[stay.member_id], year=day.year, rating=rating,
                                              meeting=meeting)
        return step

    # --- dues -----------------------------------------------------------------------------------------------
    def _plan_dues(self, month: dt.date) -> None:
        """Each January the year's assessments; in the first month of each quarter, each branch collects the
        quarter (and whatever a member still owes); ten days after the quarter, it remits to the town."""
        rng = self.rng["dues"]
        if month == self.life_from:
            from grassroots.dues.models import DuesAssessment

            self._base = {a.member_id: (a.category, a.base) for a in DuesAssessment.objects.filter(year=START.year - 1)}
            self._paid_to: dict[int, dt.date] = {}
            self._assessed: set[tuple[int, int]] = set()
            self._collected: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)
            latest = add_months(self.today.replace(day=1), -((self.today.month - 1) % 3))  # this quarter's first
            self._skip: dict[int, set[dt.date]] = {}
            pool = sorted(s.member_id for s in self.roster.on(month) if not s.mobile and s.member_id not in self.keep
                          and s.status == "full")
            chosen = rng.sample(pool, BEHIND_ONE_QUARTER + BEHIND_TWO_QUARTERS)
            for i, member_id in enumerate(chosen):
                self._skip[member_id] = {latest} if i < BEHIND_ONE_QUARTER else {latest, add_months(latest, -3)}
        if month.month == 1:
            self.at(month, 3, self._assess_year(month.year))
        if month.month % 3 == 1:
            for code in self.branches:
                day = month + dt.timedelta(days=rng.randint(4, 14))
                self.at(day, 3, self._collect(self.orgs[code], day))
            if month > self.life_from:
                quarter_start = add_months(month, -3)
                self.at(month + dt.timedelta(days=9), 3, self._remit(quarter_start))

    def _assessment(self, stay: Stay, year: int) -> tuple[str, Decimal | None]:
        known = self._base.get(stay.member_id)
        rng = self.rng["dues"]
        if known is None:
            category, base = lifework._assessment(stay, SECTORS.get(self.by_id[stay.org_id].code, ""), rng)
            self._base[stay.member_id] = (category, base)
            return category, base
        category, base = known
        if base is None:
            return category, None
        grown = base * RAISE ** (year - START.year + 1)
        return category, grown.quantize(Decimal("10")) if grown >= 10 else grown.quantize(Decimal("0.01"))

    def _assess_year(self, year: int) -> Callable[[], Any]:
        def step() -> None:
            for stay in self.roster.on(dt.date(year, 1, 1)):
                self._assess(stay, year, dt.date(year, 1, 1))
        return step

    def _assess(self, stay: Stay, year: int, on: dt.date) -> None:
        from grassroots.dues import services

        category, base = self._assessment(stay, year)
        services.assess(self.roster.members[stay.member_id], year=year, category=category, base=base, on=on)
        self._assessed.add((stay.member_id, year))

    def _collect(self, org: Any, day: dt.date) -> Callable[[], Any]:
        from grassroots.dues import services
        from grassroots.dues.models import DuesAssessment

        def step() -> None:
            quarter = day.replace(day=1)
            stays = self.roster.on(day, org.pk)
            ids = [s.member_id for s in stays]
            for stay in stays:
                if (stay.member_id, day.year) not in self._assessed:
                    self._assess(stay, day.year, max(stay.start, dt.date(day.year, 1, 1)))
            amounts = {(a.member_id, a.year): a.monthly_amount
                       for a in DuesAssessment.objects.filter(member_id__in=ids, year__gte=day.year - 1)}
            sector = SECTORS.get(org.code, "")
            rng = self.rng["dues"]
            for stay in stays:
                if quarter in self._skip.get(stay.member_id, ()):
                    continue
                first = max(self._paid_to.get(stay.member_id, self.life_from), stay.start.replace(day=1))
                months = [m for m in months_between(first, add_months(quarter, 2))
                          if stay.in_month(m) and amounts.get((stay.member_id, m.year), Decimal(0)) > 0]
                if not months:
                    continue
                amount = sum((amounts[(stay.member_id, m.year)] for m in months), Decimal("0.00"))
                channel = rng.choice(["wechat", "bank"]) if sector in STAFF else ("wechat" if stay.mobile else "cash")
                payment = services.record_payment(
                    self.roster.members[stay.member_id], paid_on=day, months=months, amount=amount,
                    kind="back" if months[0] < quarter else "regular", channel=channel,
                    paid_by=_("a relative") if stay.mobile else "")
                self._paid_to[stay.member_id] = add_months(months[-1], 1)
                self._collected[(payment.org_id, quarter)] += payment.amount
        return step

    def _remit(self, quarter: dt.date) -> Callable[[], Any]:
        from grassroots.dues import services

        def step() -> None:
            end = add_months(quarter, 3) - dt.timedelta(days=1)
            for (org_id, q), amount in sorted(self._collected.items()):
                if q != quarter or amount <= 0:
                    continue
                services.record_remittance(self.by_id[org_id], remitted_on=end + dt.timedelta(days=10),
                                           period_start=quarter, period_end=end, amount=amount, to_org=self.town,
                                           note=_("Q%(q)s dues") % {"q": (quarter.month - 1) // 3 + 1})
        return step

    # --- opinions -------------------------------------------------------------------------------------------
    def _opinions(self) -> None:
        """Close what was still open at the end of 2019, then a few opinions a month, handled as in 2019."""
        from grassroots.core.context import acting
        from grassroots.opinions import services
        from grassroots.opinions.models import OPEN, Opinion

        with acting(None, "system"):
            station = demo_opinions._Station.load()
            planned = demo_opinions.plan()
            written = list(Opinion.objects.filter(station=self.town).order_by("pk"))
            by_pk = dict(zip([o.pk for o in written], planned, strict=False))
            for opinion in [o for o in written if o.state in OPEN]:
                op = by_pk[opinion.pk]
                on = demo_opinions._open_day(START + dt.timedelta(days=1))
                if opinion.handler_org_id is None or (opinion.department_id is None
                                                      and opinion.handler_org_id == self.town.pk):
                    to = station.orgs[demo_opinions.COMMUNITY_ORG[op.community]]
                    services.assign(opinion, to_org=to, on=on, note=f"电话回访核实后，转{to.name}办理")
                    opinion.refresh_from_db()
                name, contact = station.handler(opinion)
                issue = demo_opinions.CATEGORY[op.category].issues[op.issue]
                text = demo_opinions._reply_text(issue, op, "solved", op.fate == "reopen_open")
                services.reply(opinion, to_state="solved", on=add_workdays(on, 3), handler_name=name,
                               handler_contact=contact, **text)
            p = demo_opinions._Planner(self.rng["opinions"].randrange(10 ** 9))
            ops = []
            for month in months_between(START, self.today):
                last = min(add_months(month, 1) - dt.timedelta(days=1), self.today)
                count = OPINIONS_PER_MONTH[month.month - 1]
                for _i in range(count if month >= self.life_from else count // 2):
                    day = month + dt.timedelta(days=p.rng.randint(0, (last - month).days))
                    op = demo_opinions._intake(p, len(ops), day)
                    if op.received_on > self.today:
                        continue
                    if op.fate == "progress_open":  # long jobs are finished too, in time (see _lifecycle)
                        op.fate = "progress_solved"
                    ops.append(op)
            ops.sort(key=lambda op: (op.received_on, op.key))
            for op in ops:
                demo_opinions._lifecycle(p, op, as_of=self.today)
                op.steps = [step for step in op.steps if step.on <= self.today]
            demo_opinions._write(station, ops)


def _already_built(town: Any) -> bool:
    from grassroots.meetings.models import NOT_LIFE_KINDS, Meeting

    return Meeting.objects.filter(org__path__startswith=town.path, date__gte=START).exclude(kind__in=NOT_LIFE_KINDS).exists()


def build_living(out: TextIO, today: dt.date | None = None, recent_years: int | None = LIFE_YEARS) -> None:
    """Carry the town's history on from 2020 to `today` if it has not been (running it again changes nothing),
    then print this year's figures and today's to-dos. `recent_years` (None: every year) limits the meetings and
    dues to this year and the ones before it: the test suite's demo builds two, which is all its pages read."""
    from grassroots.dues.selectors import totals
    from grassroots.meetings.models import NOT_LIFE_KINDS, Meeting
    from grassroots.members.models import MemberPeriod
    from grassroots.orgs.models import Organization
    from grassroots.rules.findings import findings_for

    today = today or timezone.localdate()
    if today < START:
        return
    town = Organization.objects.get(code=data.TOWN_CODE)
    if not _already_built(town):
        _Living(today, recent_years).run()
    year_start = dt.date(today.year, 1, 1)
    figures = totals(town, year_start, today)
    meetings = (Meeting.objects.filter(org__path__startswith=town.path, date__gte=year_start, date__lte=today)
                .exclude(kind__in=NOT_LIFE_KINDS))
    members = MemberPeriod.objects.on(today).in_subtree(town, today).count()
    out.write(_("Today (%(day)s): %(members)s members; in %(year)s so far %(meetings)s meetings and %(collected)s yuan "
                "of dues collected; %(todos)s to-dos at the town.")
              % {"day": today.isoformat(), "members": members, "year": today.year, "meetings": meetings.count(),
                 "collected": yuan(figures["collected"]), "todos": len(findings_for(town, today))} + "\n")
