"""Benchmark: the residents' opinions reads (statistics and findings) over one year of a city's stations.

    .venv/bin/python benchmarks/bench_opinions.py [--members 20000] [--per-town 300-1500] [--rebuild]

The script uses its own PostgreSQL database (default postgres://root@127.0.0.1:5432/grassroots_bench_opinions,
created when missing; it refuses `test`). The city comes from benchmarks/bench_stats.py (its `build`, tree
10 counties x 15 towns x 20 branches by default, with a small number of members: opinions do not need them).
On top of it the script writes, with COPY, what the opinions services would have written:

* one station per town (the town's committee or street working committee): 4 departments, 8 categories with
  reply deadlines of 3 to 15 working days (5 of them routed to a department), 3 outlets;
* one year (2025) of opinions, 300 to 1,500 per town (`--per-town`), each with its number (`C01T01-2025-0001`,
  in order of receipt), a tracking code, `first_deadline` = `deadline` as `services.deadline_for` computes it
  (`core.workdays.add_workdays`, cached per date), and a handler: the station and the category's department,
  routed at intake by the category, or a branch of the town (sometimes the station itself) chosen by the
  service centre on the day or a working day or two later. Each routing is an `Assignment` and a published
  `OpinionChange` to "assigned", as `services._route` writes them;
* the published replies: in progress (about half), then solved, explained or "cannot be solved for now" (closing
  replies on working days); about 4% duplicates of an earlier opinion of the station; a few reassigned or
  escalated to the station; some "cannot be solved" taken up again and solved; 2% replied a few working days
  late and 18% left for months (replied 30 to 420 days after the deadline, if by 2026-06-30), so that on
  31 December about 87% are completed, 88% of them on time; ratings (1-5) for 80% of the completing replies, a
  rating of 2 or less reopening the opinion with a new deadline, then solved again; a few drafts;
* handling goes on into 2026 (records to 2026-06-30), so the figures as of 2025-12-31 must be read from the
  changes dated on or before it, not from the opinions' current state.

A marker table records what was built, so a re-run with the same sizes reuses the data. A fresh build is
checked: every opinion's published changes follow the services' allowed moves and match its stored state,
closing date and deadline; sampled deadlines equal `services.deadline_for`; the next number a station would
give follows on; and the year's statistics of a town, a county and the city equal the figures the generator
planned. It then times `grassroots.opinions.selectors.year_statistics(org, 2025, as_of=2025-12-31)` and
`grassroots.rules.findings.findings_for(org, 2025-12-31, only=["opinions"])` for a town, a county and the city
(best and median of 3 after a warm-up) and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import bench_findings as findings_bench  # noqa: E402  (tree shape, dropping constraints for a load, profiling)
import bench_stats as base  # noqa: E402  (the city generator, its database and timing helpers)

DEFAULT_URL = "postgres://root@127.0.0.1:5432/grassroots_bench_opinions"
GENERATOR_VERSION = 1
SEED = 20250102
YEAR = 2025
YEAR_START = dt.date(YEAR, 1, 1)
AS_OF = dt.date(YEAR, 12, 31)
RECORDS_END = dt.date(YEAR + 1, 6, 30)  # replies, ratings and reopenings go on until then
DEFAULT_SHAPE = (base.COUNTIES, base.TOWNS_PER_COUNTY, base.BRANCHES_PER_TOWN)
CST = dt.timezone(dt.timedelta(hours=8))

# Shares (of the opinions, or of the step they qualify).
DUPLICATE = 0.04  # a duplicate of an earlier opinion of the same station
LATE = 0.02  # replied a few working days after the deadline
STUCK = 0.18  # left for months: replied 30-420 days after the deadline, or not at all by RECORDS_END
IN_PROGRESS_FIRST = 0.45  # an "in progress" reply before the closing one
OUTCOMES = (("solved", 72), ("explained", 18), ("cannot_solve", 10))
RESUMED = 0.25  # of "cannot be solved for now": taken up again (in progress), then solved
RATED = 0.8  # of the completing replies: rated by the submitter
SCORES = ((1, 3), (2, 4), (3, 10), (4, 28), (5, 55))  # 1 and 2 reopen it (opinions.rating@v1)
REOPEN_AT_OR_BELOW = 2
SATISFIED_AT_LEAST = 4
PUBLISHED = 0.3  # shown to the public
REASSIGNED = 0.03
ESCALATED = 0.01
DRAFT_ON_OPEN = 0.3  # of the opinions open at RECORDS_END: a reply drafted, not published
STALE_DRAFT = 0.02  # a draft left behind on an opinion closed by another reply
CHANNELS = (("web", 25), ("outlet", 33), ("phone", 20), ("visit", 17), ("open311", 5))

DEPARTMENTS = (("党政综合办", "General office"), ("城建环保办", "Urban construction and environment office"),
               ("社会事务办", "Social affairs office"), ("综治中心", "Comprehensive governance centre"))
# code, name, English name, department (index into DEPARTMENTS or None: routed to a branch), working days, weight
CATEGORIES = (
    ("roads", "道路交通", "Roads and traffic", 1, 10, 14),
    ("environment", "环境卫生", "Environment and sanitation", 1, 5, 18),
    ("utilities", "供水供电", "Water and power", 1, 7, 10),
    ("welfare", "社会保障", "Social security", 2, 15, 12),
    ("safety", "治安安全", "Public safety", 3, 3, 8),
    ("neighbours", "邻里纠纷", "Neighbour disputes", None, 3, 14),
    ("community", "村务居务", "Village and community affairs", None, 7, 16),
    ("other", "其他", "Other", None, 10, 8),
)
ISSUES = {
    "roads": ("路面坑洼积水", "路灯不亮", "公交站牌缺失", "占道停车严重"),
    "environment": ("垃圾清运不及时", "河道有异味", "小区绿化带杂草丛生", "夜间施工噪音扰民"),
    "utilities": ("自来水水压不足", "经常停电", "水表漏水", "燃气管道老化"),
    "welfare": ("老人高龄补贴未到账", "医保转移手续不清楚", "低保申请进度", "残疾人补贴咨询"),
    "safety": ("楼道堆放杂物有火灾隐患", "电动车违规充电", "路口缺少监控", "夜间有人聚集喧哗"),
    "neighbours": ("楼上漏水影响我家", "邻居违规搭建", "宅基地界线纠纷", "饲养犬只扰民"),
    "community": ("村务公开不及时", "活动室开放时间", "集体收益分配", "物业服务不到位"),
    "other": ("希望增加便民服务点", "建议开设老年食堂", "咨询政策", "对办事流程的建议"),
}

TABLES = {
    "opinions_department": "id, org_id, name, name_en, contact",
    "opinions_category": "id, org_id, code, name, name_en, description, department_id, deadline_workdays, active",
    "opinions_outlet": "id, org_id, code, name, territory_id, address, recipients",
    "opinions_opinion": "id, station_id, number, tracking_code, text, category_id, territory_id, address, lat, lon, "
                        "channel, outlet_id, submitter_name, submitter_phone, submitter_email, received_on, "
                        "recorded_at, recorded_by_id, state, handler_org_id, department_id, deadline, "
                        "first_deadline, closed_on, duplicate_of_id, published, state_changed_at",
    "opinions_assignment": 'id, opinion_id, kind, to_org_id, to_department_id, "on", note, by_category, by_id, at',
    "opinions_opinionchange": 'id, opinion_id, from_state, to_state, "on", background, solution, remaining, measures, '
                              "reason, duplicate_of_id, handler_name, handler_contact, written_by_id, written_at, "
                              "published_at, deadline, by_rating",
    "opinions_opinionrating": 'id, opinion_id, change_id, score, "on", comment, at',
}
ALL_TABLES = [*TABLES, "opinions_opinionattachment"]

COMPLETED = ("solved", "explained", "cannot_solve")
CLOSED = (*COMPLETED, "duplicate")
OPEN = ("received", "assigned", "in_progress", "reopened")
# services.MOVES, with "assigned" reached by routing from received or reopened.
MOVES = {
    "received": ("duplicate", "assigned"),
    "assigned": ("in_progress", "solved", "explained", "cannot_solve", "duplicate"),
    "in_progress": ("solved", "explained", "cannot_solve", "duplicate"),
    "solved": ("reopened",), "explained": ("reopened",),
    "cannot_solve": ("in_progress", "reopened"),
    "duplicate": ("reopened",),
    "reopened": ("in_progress", "solved", "explained", "cannot_solve", "duplicate", "assigned"),
}


# ---------------------------------------------------------------------------------------------------------
# Options and the marker


def parse_range(text: str) -> tuple[int, int]:
    parts = [int(p) for p in text.split("-")]
    if len(parts) != 2 or not 1 <= parts[0] <= parts[1] or parts[1] > 9999:
        raise argparse.ArgumentTypeError("opinions per town are LOW-HIGH, 1 <= LOW <= HIGH <= 9999, e.g. 300-1500")
    return parts[0], parts[1]


def marker(cur: Any) -> dict[str, Any] | None:
    """What was built: the city (`member_seconds`), then the opinions (`opinion_seconds`, None until)."""
    cur.execute("CREATE TABLE IF NOT EXISTS bench_opinions_marker (members bigint, shape text, per_town text, "
                "seed bigint, version int, built_at timestamptz, member_seconds double precision, "
                "opinion_seconds double precision)")
    cur.execute("SELECT members, shape, per_town, seed, version, built_at, member_seconds, opinion_seconds "
                "FROM bench_opinions_marker")
    row = cur.fetchone()
    keys = ("members", "shape", "per_town", "seed", "version", "built_at", "member_seconds", "opinion_seconds")
    return dict(zip(keys, row, strict=True)) if row else None


# ---------------------------------------------------------------------------------------------------------
# The plan: one year of opinions, as the services would have written it


class Workdays:
    """`add_workdays(day + 1, n)`: services.deadline_for's count (from the working day after `day`), cached."""

    def __init__(self) -> None:
        from grassroots.core.workdays import add_workdays, is_workday

        self.add = add_workdays
        self.is_workday = is_workday
        self.cache: dict[tuple[dt.date, int], dt.date] = {}

    def after(self, day: dt.date, n: int) -> dt.date:
        key = (day, n)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = self.add(day + dt.timedelta(days=1), n)
        return found


@dataclass
class Station:
    org: int
    code: str
    path: str
    branches: list[tuple[int, str]]  # (id, path)
    departments: list[int] = field(default_factory=list)
    categories: list[tuple[int, str, str, int | None, int]] = field(default_factory=list)  # id, code, name, dept, days
    outlets: list[int] = field(default_factory=list)


@dataclass
class Expected:
    """One opinion as the generator planned it on AS_OF (for the check against the statistics)."""

    station_path: str
    handler_path: str
    counted: bool  # received in the year and not a duplicate on AS_OF
    completed: bool
    on_time: bool
    overdue: bool
    rating: int | None


class Change:
    __slots__ = ("to", "on", "fields", "published", "deadline", "by_rating", "duplicate_of")

    def __init__(self, to: str, on: dt.date, fields: dict[str, str] | None = None, *, published: bool = True,
                 deadline: dt.date | None = None, by_rating: bool = False, duplicate_of: int | None = None) -> None:
        self.to, self.on, self.fields, self.published = to, on, fields or {}, published
        self.deadline, self.by_rating, self.duplicate_of = deadline, by_rating, duplicate_of


class Plan:
    """The rows, built in memory, then COPied."""

    def __init__(self, rng: random.Random, stations: list[Station], path_of: dict[int, str],
                 per_town: tuple[int, int]) -> None:
        self.rng = rng
        self.stations = stations
        self.path_of = path_of
        self.per_town = per_town
        self.work = Workdays()
        self.rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in TABLES}
        self.next_id: Counter[str] = Counter()
        self.expected: list[Expected] = []
        self.codes: set[str] = set()
        days = [YEAR_START + dt.timedelta(days=i) for i in range((AS_OF - YEAR_START).days + 1)]
        weights = [1.0 if self.work.is_workday(d) else 0.55 for d in days]
        self.days = days
        self.cum: list[float] = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)
        self.category_weights = [c[5] for c in CATEGORIES]
        self.channel_names = [c[0] for c in CHANNELS]
        self.channel_weights = [c[1] for c in CHANNELS]

    def ident(self, table: str) -> int:
        self.next_id[table] += 1
        return self.next_id[table]

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        self.rows[table].append(row)

    # --- small helpers ------------------------------------------------------------------------------
    def person(self) -> str:
        r = self.rng.random
        return base.SURNAMES[int(r() * len(base.SURNAMES))] + base.GIVEN[int(r() * len(base.GIVEN))] + (
            base.GIVEN[int(r() * len(base.GIVEN))] if r() < 0.7 else "")

    def stamp(self, day: dt.date, late_days: int = 0) -> dt.datetime:
        minutes = self.rng.randint(8 * 60 + 30, 18 * 60)
        return dt.datetime.combine(day + dt.timedelta(days=late_days), dt.time(minutes // 60, minutes % 60), CST)

    def tracking_code(self) -> str:
        from grassroots.opinions.services import TRACKING_ALPHABET, TRACKING_LENGTH

        while True:
            code = "".join(self.rng.choices(TRACKING_ALPHABET, k=TRACKING_LENGTH))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def workday_on_or_after(self, day: dt.date) -> dt.date:
        return day if self.work.is_workday(day) else self.work.after(day, 1)

    # --- set-up of the stations ---------------------------------------------------------------------
    def setup(self) -> None:
        for st in self.stations:
            for name, name_en in DEPARTMENTS:
                did = self.ident("opinions_department")
                st.departments.append(did)
                contact = f"0871-6{st.org % 1000:03d}{did % 10000:04d}"
                self.add("opinions_department", (did, st.org, name, name_en, contact))
            for code, name, name_en, dept, days, _w in CATEGORIES:
                cid = self.ident("opinions_category")
                dept_id = st.departments[dept] if dept is not None else None
                st.categories.append((cid, code, name, dept_id, days))
                self.add("opinions_category", (cid, st.org, code, name, name_en, "", dept_id, days, True))
            for i in range(1, 4):
                oid = self.ident("opinions_outlet")
                st.outlets.append(oid)
                self.add("opinions_outlet", (oid, st.org, f"{st.code}-OUT{i}", f"{st.code}第{i}民情快递站", None,
                                             "", self.person()))

    # --- the opinions -------------------------------------------------------------------------------
    def build(self) -> None:
        self.setup()
        for st in self.stations:
            n = self.rng.randint(*self.per_town)
            received = sorted(self.rng.choices(self.days, cum_weights=self.cum, k=n))
            earlier: list[int] = []  # this station's latest opinions that are not duplicates
            for seq, day in enumerate(received, start=1):
                oid, duplicate = self.opinion(st, seq, day, earlier)
                if not duplicate:
                    earlier.append(oid)
                    if len(earlier) > 60:
                        earlier.pop(0)

    def reply_fields(self, to: str, category: str, handler: str) -> dict[str, str]:
        contact = f"139{self.rng.randint(0, 99_999_999):08d}"
        if to == "in_progress":
            return {"background": f"已受理，正在核实{category}方面的情况。", "measures": "安排专人上门了解，协调相关单位。",
                    "handler_name": handler, "handler_contact": contact}
        if to == "solved":
            return {"background": "经现场核实，反映情况属实。", "solution": "已协调相关单位处理完毕，并回访反映人。",
                    "handler_name": handler, "handler_contact": contact}
        if to == "explained":
            return {"background": "经核实，已向反映人说明相关政策。", "solution": "已电话答复并解释办理流程。",
                    "handler_name": handler, "handler_contact": contact}
        return {"background": "经核实，涉及上级部门职权。", "reason": "需纳入明年计划统筹解决。",
                "measures": "已上报并持续跟进，先采取临时措施。", "handler_name": handler, "handler_contact": contact}

    def opinion(self, st: Station, seq: int, day: dt.date, earlier: list[int]) -> tuple[int, bool]:
        """Plan one opinion and its history; returns (its id, whether it is a duplicate)."""
        rng, r, work = self.rng, self.rng.random, self.work
        oid = self.ident("opinions_opinion")
        cat_id, cat_code, cat_name, dept, days = rng.choices(st.categories, self.category_weights)[0]
        first_deadline = work.after(day, days)
        channel = rng.choices(self.channel_names, self.channel_weights)[0]
        outlet = rng.choice(st.outlets) if channel == "outlet" else None
        anonymous = r() < 0.15
        name = "" if anonymous else self.person()
        phone = "" if anonymous else f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}"
        email = f"user{oid}@example.cn" if channel in ("web", "open311") and r() < 0.2 else ""
        issue = rng.choice(ISSUES[cat_code])
        branch_id, branch_path = rng.choice(st.branches)
        text = f"{issue}，希望尽快处理。（第{branch_path[-2:]}片区）"
        received_at = self.stamp(day) if channel not in ("web", "open311") else dt.datetime.combine(
            day, dt.time(rng.randint(6, 22), rng.randint(0, 59)), CST)

        changes: list[Change] = []
        assignments: list[tuple[str, int, int | None, dt.date, str, bool]] = []
        handler, department = st.org, dept
        # Routing at intake: by the category to the station's department, else the service centre sorts it.
        duplicate = bool(earlier) and r() < DUPLICATE
        if dept is not None:
            assignments.append(("assign", st.org, dept, day, "", True))
            changes.append(Change("assigned", day))
            sorted_on = day
        else:
            sorted_on = day if r() < 0.7 else work.after(day, rng.randint(1, 2))
            if duplicate and r() < 0.5:  # marked a duplicate while sorting, never routed
                handler = st.org
            else:
                handler = branch_id if r() < 0.85 else st.org
                note = "请按职责办理" if handler == st.org else "请所在支部牵头办理"
                assignments.append(("assign", handler, None, sorted_on, note, False))
                changes.append(Change("assigned", sorted_on, {"background": note}))
        handler_name = self.person()
        last = changes[-1].on if changes else sorted_on
        if duplicate:
            original = rng.choice(earlier)
            on = work.after(last, rng.randint(1, 2)) if r() < 0.4 else last
            changes.append(Change("duplicate", on, duplicate_of=original))
        else:
            self.handle(st, changes, assignments, day, last, first_deadline, days, cat_name, handler_name)
        ratings = self.rate(changes, handler_name, days, cat_name)
        # Drafts: a reply written and not published, on an open opinion; rarely one left behind on a closed one.
        state = next((c.to for c in reversed(changes) if c.published), "received")
        if state in OPEN and changes and r() < DRAFT_ON_OPEN:
            on = min(RECORDS_END, work.after(changes[-1].on, 1))
            changes.append(Change("solved", on, self.reply_fields("solved", cat_name, handler_name), published=False))
        elif state in COMPLETED and r() < STALE_DRAFT and changes[0].to == "assigned":
            changes.insert(1, Change("explained", changes[0].on, self.reply_fields("explained", cat_name, handler_name),
                                     published=False))
            ratings = [(i + 1, score, on) for i, score, on in ratings]
        # The final routing (reassignments and escalations move the handler).
        for _kind, to_org, to_dept, _on, _note, _by_cat in assignments:
            handler, department = to_org, to_dept
        self.write(st, oid, seq, day, received_at, cat_id, first_deadline, channel, outlet, name, phone, email, text,
                   handler, department, changes, assignments, ratings, branch_path)
        return oid, duplicate

    def handle(self, st: Station, changes: list[Change], assignments: list[tuple[Any, ...]], day: dt.date,
               start: dt.date, deadline: dt.date, days: int, cat_name: str, handler_name: str) -> None:
        """Replies after routing: in progress, closed (on time, late or much later), resumed, or still open."""
        rng, r, work = self.rng, self.rng.random, self.work
        x = r()
        if x < STUCK:
            close: dt.date | None = deadline + dt.timedelta(days=rng.randint(30, 420))
            if close is not None and close > RECORDS_END:
                close = None
        elif x < STUCK + LATE:
            close = work.after(deadline, rng.randint(1, 12))
        else:
            close = work.after(day, rng.randint(1, days))
        if close is not None:
            close = max(self.workday_on_or_after(close), start)
        last = start
        if r() < REASSIGNED + ESCALATED and assignments and not assignments[-1][5] and (close or RECORDS_END) > start:
            # The branch hands it on (or up to the station) before replying.
            on = start + dt.timedelta(days=rng.randint(0, ((close or RECORDS_END) - start).days))
            if r() < ESCALATED / (REASSIGNED + ESCALATED) and assignments[-1][1] != st.org:
                assignments.append(("escalate", st.org, None, on, "涉及多个村（社区），请上级协调", False))
            else:
                to_org = rng.choice(st.branches)[0] if r() < 0.7 else st.org
                if to_org != assignments[-1][1]:
                    assignments.append(("reassign", to_org, None, on, "属地调整，改由该单位办理", False))
            last = on
        if r() < IN_PROGRESS_FIRST:
            end = close or min(RECORDS_END, deadline + dt.timedelta(days=30))
            on = last + dt.timedelta(days=rng.randint(0, max(0, (end - last).days)))
            changes.append(Change("in_progress", on, self.reply_fields("in_progress", cat_name, handler_name)))
            last = on
        if close is None:
            return
        close = max(close, last)
        outcome = rng.choices([o[0] for o in OUTCOMES], [o[1] for o in OUTCOMES])[0]
        changes.append(Change(outcome, close, self.reply_fields(outcome, cat_name, handler_name)))
        if outcome == "cannot_solve" and r() < RESUMED:
            back = close + dt.timedelta(days=rng.randint(20, 60))
            done = work.after(back, rng.randint(3, 20))
            if back <= RECORDS_END:
                changes.append(Change("in_progress", back, self.reply_fields("in_progress", cat_name, handler_name)))
            if done <= RECORDS_END:
                changes.append(Change("solved", done, self.reply_fields("solved", cat_name, handler_name)))

    def rate(self, changes: list[Change], handler_name: str, days: int, cat_name: str
             ) -> list[tuple[int, int, dt.date]]:
        """Ratings of completing replies: (index of the change, score, day). A low one reopens the opinion (a
        change by the rating with its new deadline) and the handler replies again."""
        rng, r, work = self.rng, self.rng.random, self.work
        ratings: list[tuple[int, int, dt.date]] = []
        rounds = 0
        while True:
            published = [i for i, c in enumerate(changes) if c.published]
            i = published[-1] if published else -1
            if i < 0 or changes[i].to not in COMPLETED or r() >= RATED:
                return ratings
            on = changes[i].on + dt.timedelta(days=rng.randint(0, 14))
            if on > RECORDS_END:
                return ratings
            scores = SCORES if rounds == 0 else SCORES[2:]  # a second rating after reopening does not reopen
            score = rng.choices([s for s, _w in scores], [w for _s, w in scores])[0]
            ratings.append((i, score, on))
            if score > REOPEN_AT_OR_BELOW:
                return ratings
            rounds += 1
            new_deadline = work.after(on, days)
            changes.append(Change("reopened", on, {"reason": f"{score}/5"}, deadline=new_deadline, by_rating=True))
            late = r() < 0.15
            close = work.after(new_deadline, rng.randint(1, 8)) if late else work.after(on, rng.randint(1, days))
            if r() < 0.4:
                mid = on + dt.timedelta(days=rng.randint(0, max(0, (close - on).days)))
                if mid <= RECORDS_END:
                    changes.append(Change("in_progress", mid, self.reply_fields("in_progress", cat_name, handler_name)))
            if close > RECORDS_END:
                return ratings
            changes.append(Change("solved", close, self.reply_fields("solved", cat_name, handler_name)))

    def write(self, st: Station, oid: int, seq: int, day: dt.date, received_at: dt.datetime, cat_id: int,
              first_deadline: dt.date, channel: str, outlet: int | None, name: str, phone: str, email: str, text: str,
              handler: int, department: int | None, changes: list[Change],
              assignments: list[tuple[Any, ...]], ratings: list[tuple[int, int, dt.date]], branch_path: str) -> None:
        rng = self.rng
        state, closed_on, duplicate_of, deadline = "received", None, None, first_deadline
        changed_at = received_at
        change_ids: list[int] = []
        # Routing rows first (services._route writes the Assignment, then the change to "assigned").
        for kind, to_org, to_dept, on, note, by_cat in assignments:
            self.add("opinions_assignment", (self.ident("opinions_assignment"), oid, kind, to_org, to_dept, on, note,
                                             by_cat, None, self.stamp(on)))
        for c in changes:
            cid = self.ident("opinions_opinionchange")
            change_ids.append(cid)
            f = c.fields
            published_at = None
            from_state = state
            if c.published:
                published_at = changed_at = self.stamp(c.on, rng.choice((0, 0, 0, 0, 1, 2)))
                state = c.to
                if c.to in CLOSED:
                    closed_on = c.on
                    duplicate_of = c.duplicate_of if c.to == "duplicate" else None
                else:
                    closed_on, duplicate_of = None, None
                    if c.to == "reopened":
                        deadline = c.deadline or deadline
            written_at = published_at or self.stamp(c.on)
            self.add("opinions_opinionchange", (
                cid, oid, from_state, c.to, c.on, f.get("background", ""), f.get("solution", ""), "",
                f.get("measures", ""), f.get("reason", ""), c.duplicate_of, f.get("handler_name", ""),
                f.get("handler_contact", ""), None, written_at, published_at, c.deadline, c.by_rating))
        for index, score, on in ratings:
            comment = "" if score >= 4 or rng.random() < 0.5 else "问题还没有彻底解决"
            self.add("opinions_opinionrating", (self.ident("opinions_opinionrating"), oid, change_ids[index], score,
                                                on, comment, self.stamp(on)))
        published = state in COMPLETED and rng.random() < PUBLISHED
        self.add("opinions_opinion", (
            oid, st.org, f"{st.code}-{YEAR}-{seq:04d}", self.tracking_code(), text, cat_id, None,
            f"第{branch_path[-2:]}片区", None, None, channel, outlet, name, phone, email, day, received_at, None,
            state, handler, department, deadline, first_deadline, closed_on, duplicate_of, published, changed_at))
        self.expected.append(self.on_as_of(st, handler, day, first_deadline, changes, ratings))

    def on_as_of(self, st: Station, handler: int, day: dt.date, first_deadline: dt.date, changes: list[Change],
                 ratings: list[tuple[int, int, dt.date]]) -> Expected:
        """The planned opinion as it stood on AS_OF (for the check of the statistics)."""
        state, closed, deadline = "received", None, first_deadline
        for c in changes:
            if c.published and c.on <= AS_OF:
                state = c.to
                closed = c.on if c.to in CLOSED else None
                if c.to == "reopened":
                    deadline = c.deadline or deadline
        rating = None
        for _i, score, on in ratings:
            if on <= AS_OF:
                rating = score
        completed = state in COMPLETED
        return Expected(st.path, self.path_of[handler], day <= AS_OF and state != "duplicate", completed,
                        completed and closed is not None and closed <= deadline,
                        not completed and state not in CLOSED and deadline < AS_OF, rating)



def load_tree() -> tuple[list[Station], dict[int, str]]:
    """The towns (stations) with their branches, and every organization's path, from the live tree."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT id, path, depth, code FROM orgs_organization WHERE revoked_on IS NULL ORDER BY path")
        orgs = cur.fetchall()
    towns = {path: Station(oid, code, path, []) for oid, path, depth, code in orgs if depth == 3}
    for oid, path, depth, _code in orgs:
        if depth == 4:
            towns[path[:-4]].branches.append((oid, path))
    return [t for t in towns.values() if t.branches], {oid: path for oid, path, _depth, _code in orgs}


def build_opinions(per_town: tuple[int, int]) -> tuple[float, Plan]:
    """Write the stations and the year's opinions over the city already there. Returns (seconds, the plan)."""
    from django.db import connection, transaction

    started = time.perf_counter()
    rng = random.Random(SEED)
    stations, path_of = load_tree()
    plan = Plan(rng, stations, path_of, per_town)
    plan.build()
    print(f"  planned in {time.perf_counter() - started:.0f} s: "
          + ", ".join(f"{len(rows):,} {table}" for table, rows in plan.rows.items()), flush=True)
    with transaction.atomic():
        connection.ensure_connection()
        with connection.connection.cursor() as cur:
            cur.execute(f"TRUNCATE {', '.join(ALL_TABLES)} CASCADE")
            rebuild = findings_bench.drop_constraints(cur, ALL_TABLES)
            for table, columns in TABLES.items():
                with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as cp:
                    for row in plan.rows[table]:
                        cp.write_row(row)
            t = time.perf_counter()
            cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for statement in rebuild:
                cur.execute(statement)
            print(f"  loaded, rebuilt {len(rebuild)} indexes and foreign keys in {time.perf_counter() - t:.0f} s")
            for table in ALL_TABLES:
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"GREATEST((SELECT max(id) FROM {table}), 1))")
    with connection.cursor() as c:
        c.execute(f"VACUUM ANALYZE {', '.join(ALL_TABLES)}")
    return time.perf_counter() - started, plan


# ---------------------------------------------------------------------------------------------------------
# Checks of a fresh build


def check_rows(sample: int = 500) -> None:
    """The rows are what the services would have written: published changes follow the allowed moves and agree
    with the opinion's stored state, closing date, deadline and duplicate; ratings rate a completing reply;
    sampled deadlines equal services.deadline_for; the next number of a station follows on."""
    from django.db import connection

    from grassroots.opinions import services
    from grassroots.opinions.models import Opinion, OpinionChange
    from grassroots.orgs.models import Organization

    problems: list[str] = []
    with connection.cursor() as cur:
        cur.execute("SELECT id, state, closed_on, deadline, first_deadline, duplicate_of_id, received_on "
                    "FROM opinions_opinion")
        opinions = {row[0]: row[1:] for row in cur.fetchall()}
        cur.execute('SELECT opinion_id, from_state, to_state, "on", deadline, duplicate_of_id '
                    'FROM opinions_opinionchange WHERE published_at IS NOT NULL ORDER BY opinion_id, "on", id')
        chains: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for row in cur.fetchall():
            chains[row[0]].append(row[1:])
        cur.execute('SELECT c.to_state, c.published_at IS NOT NULL, r."on" >= c."on", r.opinion_id = c.opinion_id '
                    "FROM opinions_opinionrating r JOIN opinions_opinionchange c ON c.id = r.change_id")
        for to_state, published, after, same in cur.fetchall():
            if to_state not in COMPLETED or not published or not after or not same:
                problems.append(f"a rating of a {to_state} change (published {published}, after it {after})")
                break
    for oid, (state, closed_on, deadline, first_deadline, duplicate_of, received_on) in opinions.items():
        current, closed, due, dup, last = "received", None, first_deadline, None, received_on
        for from_state, to_state, on, change_deadline, change_dup in chains.get(oid, ()):
            if from_state != current or to_state not in MOVES[current] or on < last:
                problems.append(f"opinion {oid}: {from_state} -> {to_state} on {on} after {current} on {last}")
                break
            current, last = to_state, on
            closed = on if to_state in CLOSED else None
            dup = change_dup if to_state == "duplicate" else None
            if to_state == "reopened":
                due = change_deadline
        if (state, closed_on, deadline, duplicate_of) != (current, closed, due, dup):
            problems.append(f"opinion {oid}: stored {(state, closed_on, deadline, duplicate_of)}, "
                            f"its changes give {(current, closed, due, dup)}")
        if len(problems) > 5:
            break
    rng = random.Random(SEED + 1)
    for o in Opinion.objects.filter(pk__in=rng.sample(list(opinions), min(sample, len(opinions)))).select_related(
            "category"):
        if services.deadline_for(o.category, o.received_on) != o.first_deadline:
            problems.append(f"opinion {o.number}: first deadline {o.first_deadline}, deadline_for gives "
                            f"{services.deadline_for(o.category, o.received_on)}")
            break
    for c in OpinionChange.objects.filter(to_state="reopened").select_related("opinion__category")[:sample]:
        if services.deadline_for(c.opinion.category, c.on) != c.deadline:
            problems.append(f"reopening {c.pk}: deadline {c.deadline}, deadline_for gives another")
            break
    for station in Organization.objects.filter(opinions__isnull=False).distinct().order_by("path")[:3]:
        count = Opinion.objects.filter(station=station).count()
        if services._next_number(station, YEAR) != f"{station.code}-{YEAR}-{count + 1:04d}":
            problems.append(f"station {station.code}: next number {services._next_number(station, YEAR)} after "
                            f"{count} opinions")
    if problems:
        sys.exit("the generated opinions are not what the services would have written:\n  " + "\n  ".join(problems))
    print(f"check: the published changes of {len(opinions):,} opinions follow the allowed moves and give their "
          f"stored state, closing date and deadline; ratings rate completing replies; sampled deadlines equal "
          f"deadline_for; numbers follow on")


def planned_figures(plan: Plan, path: str) -> dict[str, int]:
    """The year's figures as of AS_OF for the subtree at `path`, from the generator's plan."""
    out = dict.fromkeys(("received", "completed", "on_time", "still_open", "overdue", "rated", "rating_sum",
                         "satisfied"), 0)
    for e in plan.expected:
        if not e.counted or not (e.station_path.startswith(path) or e.handler_path.startswith(path)):
            continue
        out["received"] += 1
        if e.completed:
            out["completed"] += 1
            out["on_time"] += e.on_time
        else:
            out["still_open"] += 1
            out["overdue"] += e.overdue
        if e.rating is not None:
            out["rated"] += 1
            out["rating_sum"] += e.rating
            out["satisfied"] += e.rating >= SATISFIED_AT_LEAST
    return out


def figures(stats: Any) -> dict[str, int]:
    t = stats.total
    return {"received": t.received, "completed": t.completed, "on_time": t.on_time, "still_open": t.still_open,
            "overdue": t.overdue, "rated": t.rated, "rating_sum": t.rating_sum, "satisfied": t.satisfied}


def check_statistics(plan: Plan, scopes: list[tuple[str, Any]]) -> None:
    from grassroots.opinions.selectors import year_statistics

    for scope, org in scopes:
        got, want = figures(year_statistics(org, YEAR, as_of=AS_OF)), planned_figures(plan, org.path)
        if got != want:
            sys.exit(f"the statistics of the {scope} {org.code} differ from the plan: "
                     + ", ".join(f"{k} {got[k]} (planned {want[k]})" for k in got if got[k] != want[k]))
    print("check: the year's statistics of " + ", ".join(f"{s} {o.code}" for s, o in scopes)
          + " equal the generator's plan")


# ---------------------------------------------------------------------------------------------------------
# Main


def scopes() -> list[tuple[str, Any]]:
    from grassroots.orgs.models import Organization, OrgKind

    city = Organization.objects.get_root_nodes().get()
    county = Organization.objects.get_children(city).order_by("path").first()
    assert county is not None
    town = Organization.objects.get_children(county).filter(kind=OrgKind.COMMITTEE).order_by("path").first()
    assert town is not None
    return [("town", town), ("county", county), ("city", city)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=20_000, help="members of the city (opinions need none)")
    parser.add_argument("--shape", type=findings_bench.parse_shape, default=DEFAULT_SHAPE,
                        help="counties x towns per county x branches per town (default bench_stats's 10x15x20)")
    parser.add_argument("--per-town", type=parse_range, default=(300, 1500),
                        help="opinions a town's station received in the year, LOW-HIGH (default 300-1500)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_OPINIONS_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data even if it is there")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per call, after one warm-up")
    parser.add_argument("--profile", action="store_true",
                        help="profile the county's and the city's calls into var/bench_opinions_profile_*.txt")
    args = parser.parse_args(argv)
    shape_text = "x".join(str(n) for n in args.shape)
    per_town_text = f"{args.per_town[0]}-{args.per_town[1]}"

    base.setup_django(args.database_url)
    from django.db import connection

    from grassroots.opinions.selectors import year_statistics
    from grassroots.rules.findings import DUE_SOON, OVERDUE, findings_for

    with connection.cursor() as cur:
        existing = marker(cur)
    same_city = existing is not None and (existing["members"], existing["shape"], existing["seed"],
                                          existing["version"]) == (args.members, shape_text, SEED, GENERATOR_VERSION)
    if same_city and not args.rebuild and existing is not None and existing["per_town"] == per_town_text \
            and existing["opinion_seconds"] is not None:
        print(f"reusing {args.per_town[0]}-{args.per_town[1]} opinions per town in a {shape_text} city of "
              f"{args.members:,} members built {existing['built_at']:%Y-%m-%d %H:%M} "
              f"(in {existing['member_seconds'] + existing['opinion_seconds']:.0f} s); --rebuild to regenerate")
    else:
        if same_city and not args.rebuild:
            print(f"reusing the {shape_text} city of {args.members:,} members", flush=True)
        else:
            print(f"generating a {shape_text} city of {args.members:,} members in "
                  f"{base.database_name(args.database_url)} ...", flush=True)
            with connection.cursor() as cur:
                cur.execute("DELETE FROM bench_opinions_marker")
                base.marker(cur)  # bench_stats's own marker table, which its build clears
            with findings_bench.tree_shape(args.shape):
                member_seconds = base.build(args.members)
            with connection.cursor() as cur:
                cur.execute("INSERT INTO bench_opinions_marker VALUES (%s, %s, NULL, %s, %s, now(), %s, NULL)",
                            [args.members, shape_text, SEED, GENERATOR_VERSION, member_seconds])
            print(f"city generated in {member_seconds:.0f} s", flush=True)
        with connection.cursor() as cur:
            cur.execute("UPDATE bench_opinions_marker SET opinion_seconds = NULL")
        opinion_seconds, plan = build_opinions(args.per_town)
        print(f"the year's opinions generated in {opinion_seconds:.0f} s", flush=True)
        check_rows()
        check_statistics(plan, scopes())
        with connection.cursor() as cur:
            cur.execute("UPDATE bench_opinions_marker SET per_town = %s, opinion_seconds = %s, built_at = now()",
                        [per_town_text, opinion_seconds])

    facts = base.machine_facts()
    load_before = os.getloadavg()[0]
    rows = []
    city_stats = None
    for scope, org in scopes():
        stats, s_best, s_median = base.timed(partial(year_statistics, org, YEAR, as_of=AS_OF), args.repeat)
        found, f_best, f_median = base.timed(partial(findings_for, org, AS_OF, only=["opinions"]), args.repeat)
        states = Counter(f.state for f in found)
        t = stats.total
        rows.append((scope, org.code, t.received, t.completed, t.on_time, t.still_open, t.overdue,
                     states[OVERDUE], states[DUE_SOON], s_best, s_median, f_best, f_median))
        print(f"  {scope}: {t.received:,} opinions, statistics best {s_best:.2f} s, {len(found):,} findings best "
              f"{f_best:.2f} s", flush=True)
        city_stats = stats

    with connection.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM orgs_organization), (SELECT count(DISTINCT station_id) FROM "
                    "opinions_opinion), (SELECT count(*) FROM opinions_opinion), (SELECT count(*) FROM "
                    "opinions_opinion WHERE state = 'duplicate'), (SELECT count(*) FROM opinions_assignment), "
                    "(SELECT count(*) FROM opinions_opinionchange), (SELECT count(*) FROM opinions_opinionchange "
                    "WHERE published_at IS NULL), (SELECT count(*) FROM opinions_opinionrating), "
                    "pg_size_pretty(pg_database_size(current_database()))")
        n_orgs, n_stations, n_opinions, n_dups, n_assign, n_changes, n_drafts, n_ratings, size = cur.fetchone()

    print()
    print(f"Run {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; year {YEAR}, as of {AS_OF}; "
          f"records to {RECORDS_END}")
    print(f"Machine: {facts['nproc']} CPUs ({facts['cpu_model']}), {facts['memory']} RAM, {facts['platform']}")
    print(f"Database: {facts['postgresql']}; shared_buffers {facts['shared_buffers']}, work_mem {facts['work_mem']}, "
          f"jit {facts['jit']}; Python {facts['python']}")
    print(f"Data: {n_orgs:,} organizations, {n_stations:,} stations, {n_opinions:,} opinions ({n_dups:,} duplicates "
          f"now), {n_assign:,} assignments, {n_changes:,} changes ({n_drafts:,} drafts), {n_ratings:,} ratings, "
          f"database {size}")
    print()
    print("| scope | org | opinions | completed | on time | still open | overdue | findings overdue / due soon "
          "| `year_statistics` best / median | `findings_for` best / median |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for scope, code, received, completed, on_time, still_open, overdue, f_over, f_soon, sb, sm, fb, fm in rows:
        print(f"| {scope} | {code} | {received:,} | {completed:,} | {on_time:,} | {still_open:,} | {overdue:,} | "
              f"{f_over:,} / {f_soon:,} | {sb:,.2f} / {sm:,.2f} s | {fb:,.2f} / {fm:,.2f} s |")
    if city_stats is not None:
        t = city_stats.total
        print()
        print(f"City on {AS_OF}: completion rate {t.completion_rate}%, on-time rate {t.on_time_rate}%, "
              f"average rating {t.average_rating}, satisfaction rate {t.satisfaction_rate}% ({t.rated:,} rated)")
    print()
    print(f"1-minute load average: {load_before:.2f} before the timings, {os.getloadavg()[0]:.2f} after")
    if args.profile:
        var = Path(os.environ.get("GRASSROOTS_DATA_DIR", base.ROOT / "var"))
        for scope, org in scopes()[1:]:
            for label, fn in (("statistics", partial(year_statistics, org, YEAR, as_of=AS_OF)),
                              ("findings", partial(findings_for, org, AS_OF, only=["opinions"]))):
                out = var / f"bench_opinions_profile_{scope}_{label}.txt"
                head = findings_bench.profile(fn, out)
                print(f"profile of the {scope}'s {label}: {head}; {out}")
    return 0




if __name__ == "__main__":
    sys.exit(main())
