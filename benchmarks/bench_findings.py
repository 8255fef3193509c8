"""Benchmark: the dues and meetings findings for 10,000 branches and 200,000 members over one year.

    .venv/bin/python benchmarks/bench_findings.py [--members 200000] [--shape 10x20x50] [--rebuild]

The script uses its own PostgreSQL database (default postgres://root@127.0.0.1:5432/grassroots_bench_findings,
created when missing; it refuses `test`). The city and its members come from benchmarks/bench_stats.py
(its `build`, with the tree shaped counties x towns x branches: 10 x 20 x 50 = 10,000 branches by default).
On top of them it writes one year (2025) of organizational life, with COPY, as the services would have
written it:

* dues: an assessment for every member in a branch during the year (category from the occupation, a base
  for the in-service and the retired, the monthly amount from `grassroots.dues.services.monthly_amount`);
  payments monthly, quarterly or yearly, each a `DuesPayment` with one `DuesMonth` per month covered, for
  every month the member was in force and not suspended; 4% of the members stop paying 3 to 6 months
  before the end of the year, 2% skip a month or two and pay it back later; each branch remits its
  quarter's collections to its town;
* meetings: per branch, a general meeting each quarter, a committee meeting each month (three committee
  seats per branch), a theme Party day on the first Thursday of each month, a Party lecture each quarter,
  a study session (3 class hours) each month, an organizational life meeting and a democratic appraisal
  (with ratings) in December; 3-10% of each missing; 8% entered late; attendance for the members in force
  on the day (most present, some remote or on leave with a reason, a few absent, 2% absent from every
  meeting from some month of the summer on).

A marker table records what was built, so a re-run with the same size reuses the data. It then times
`grassroots.rules.findings.findings_for(org, 2025-12-31)` with only=["dues"], only=["meetings"] and all
sources, for a town, a county and the city (best and median of 3 after a warm-up), counts the findings by
source and state, and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import calendar
import cProfile
import datetime as dt
import io
import os
import pstats
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import bench_stats as base  # noqa: E402  (the city and member generator, its database and timing helpers)

DEFAULT_URL = "postgres://root@127.0.0.1:5432/grassroots_bench_findings"
GENERATOR_VERSION = 1
SEED = 20251231
YEAR = 2025
AS_OF = dt.date(YEAR, 12, 31)
YEAR_START = dt.date(YEAR, 1, 1)
MONTHS = [dt.date(YEAR, m, 1) for m in range(1, 13)]
# Meetings start with the last quarter of the year before: the findings on AS_OF look back at the periods
# that ended in the last 12 months (December and Q4 of last year included) and at last year's class hours.
LIFE_START = dt.date(YEAR - 1, 10, 1)
LIFE_MONTHS = [dt.date(YEAR - 1, m, 1) for m in (10, 11, 12)] + MONTHS
LEAVE_REASONS = ["working away", "ill", "caring for family", "on a business trip", "in hospital", "harvest"]
ENTERED_BY_TZ = dt.timezone(dt.timedelta(hours=8))

LIFE_TABLES = {
    "dues_duesassessment": "id, member_id, year, category, base, monthly_amount, rule, approval, assessed_on",
    "dues_duespayment": "id, member_id, org_id, paid_on, amount, kind, channel, paid_by, receipt, note, recorded_at",
    "dues_duesmonth": "id, payment_id, member_id, month, amount",
    "dues_remittance": "id, org_id, to_org_id, remitted_on, period_start, period_end, amount, note",
    "meetings_meeting": "id, org_id, kind, date, place, topic, host, minutes, study_hours, entered_late, "
                        "recorded_by_id, recorded_at, quorate",
    "meetings_attendance": "id, meeting_id, member_id, presence, reason",
    "meetings_committeeseat": "id, org_id, member_id, role, since, until",
    "meetings_appraisal": "id, member_id, org_id, year, rating, meeting_id",
}


# ---------------------------------------------------------------------------------------------------------
# The city and the members: bench_stats's generator, with the tree shaped for this benchmark


def parse_shape(text: str) -> tuple[int, int, int]:
    parts = [int(p) for p in text.lower().split("x")]
    if len(parts) != 3 or min(parts) < 1:
        raise argparse.ArgumentTypeError("shape is COUNTIESxTOWNSxBRANCHES, e.g. 10x20x50")
    return parts[0], parts[1], parts[2]


@contextmanager
def tree_shape(shape: tuple[int, int, int]) -> Iterator[None]:
    """bench_stats reads its tree shape from module constants when it builds: set them for the build."""
    saved = base.COUNTIES, base.TOWNS_PER_COUNTY, base.BRANCHES_PER_TOWN
    base.COUNTIES, base.TOWNS_PER_COUNTY, base.BRANCHES_PER_TOWN = shape
    try:
        yield
    finally:
        base.COUNTIES, base.TOWNS_PER_COUNTY, base.BRANCHES_PER_TOWN = saved


def marker(cur: Any) -> dict[str, Any] | None:
    """What was built: the members and tree (`member_seconds`), then the year (`life_seconds`, None until)."""
    cur.execute("CREATE TABLE IF NOT EXISTS bench_findings_marker (members bigint, shape text, seed bigint, "
                "version int, built_at timestamptz, member_seconds double precision, life_seconds double precision)")
    cur.execute("SELECT members, shape, seed, version, built_at, member_seconds, life_seconds "
                "FROM bench_findings_marker")
    row = cur.fetchone()
    keys = ("members", "shape", "seed", "version", "built_at", "member_seconds", "life_seconds")
    return dict(zip(keys, row, strict=True)) if row else None


# ---------------------------------------------------------------------------------------------------------
# One year of dues and meetings


class Span:
    """One period of a member overlapping the year."""

    __slots__ = ("member", "org", "start", "end", "status", "mobile", "suspended", "occupation")

    def __init__(self, row: tuple[Any, ...]) -> None:
        (self.member, self.org, self.start, self.end, self.status, self.mobile, self.suspended,
         self.occupation) = row

    def on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or self.end > day)


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def first_weekday(month: dt.date, weekday: int) -> dt.date:
    return month + dt.timedelta(days=(weekday - month.weekday()) % 7)


def load_spans() -> tuple[dict[int, list[Span]], dict[int, list[Span]]]:
    """The periods overlapping the year, by member and by branch."""
    from django.db import connection

    by_member: dict[int, list[Span]] = defaultdict(list)
    by_org: dict[int, list[Span]] = defaultdict(list)
    with connection.cursor() as cur:
        cur.execute('SELECT member_id, org_id, start, "end", status, mobile, suspended, occupation '
                    'FROM members_memberperiod WHERE start <= %s AND ("end" IS NULL OR "end" > %s) '
                    "ORDER BY member_id, start", [AS_OF, LIFE_START])
        for row in cur.fetchall():
            span = Span(row)
            by_member[span.member].append(span)
            by_org[span.org].append(span)
    return by_member, by_org


class Ids:
    def __init__(self) -> None:
        self.next: dict[str, int] = defaultdict(int)

    def __call__(self, table: str) -> int:
        self.next[table] += 1
        return self.next[table]


class Amounts:
    """The services' monthly amounts, computed once per (category, base)."""

    def __init__(self) -> None:
        from grassroots.dues.services import monthly_amount

        self.fn = monthly_amount
        self.cache: dict[tuple[str, Decimal | None], tuple[Decimal, str]] = {}

    def __call__(self, category: str, base_amount: Decimal | None) -> tuple[Decimal, str]:
        key = (category, base_amount)
        if key not in self.cache:
            self.cache[key] = self.fn(category=category, base=base_amount, on=YEAR_START)
        return self.cache[key]


def category_and_base(occupation: str, rng: random.Random) -> tuple[str, Decimal | None]:
    if occupation == "retired":
        return "retired", Decimal(rng.randrange(1800, 9000, 50))
    if occupation == "farmer":
        return "farmer", None
    if occupation in ("student", "unemployed_or_demobilized"):
        return "student_unemployed_relief", None
    if occupation in ("freelance", "other"):
        return "in_service", Decimal(rng.randrange(1500, 6000, 50))
    return "in_service", Decimal(rng.randrange(2200, 16000, 50))


class Life:
    """The rows of one year of dues and meetings, built in memory, then COPied."""

    def __init__(self, rng: random.Random, by_member: dict[int, list[Span]], by_org: dict[int, list[Span]],
                 parent_of: dict[int, int]) -> None:
        self.rng = rng
        self.by_member = by_member
        self.by_org = by_org
        self.parent_of = parent_of
        self.ids = Ids()
        self.rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in LIFE_TABLES}
        self.now = dt.datetime.now(dt.UTC)
        self.arrears: dict[int, int] = {}  # member -> planned unpaid months at the end of the year
        self.absent_from: dict[int, int] = {}  # member -> first month (1-12) of missing every meeting
        self.mobile_like: set[int] = set()

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        self.rows[table].append(row)

    # --- dues ---------------------------------------------------------------------------------------
    def owed_months(self, spans: list[Span]) -> list[tuple[dt.date, Span]]:
        """The months of the year the member belonged to a branch on some day (as the dues selectors count
        them), each with the period of its first such day."""
        out = []
        for month in MONTHS:
            end = month_end(month)
            for s in spans:
                if s.start > end or (s.end is not None and s.end <= month):
                    continue
                out.append((month, s))
                break
        return out

    def dues(self, amounts: Amounts) -> None:
        rng = self.rng
        received: dict[tuple[int, int], Decimal] = defaultdict(Decimal)  # (branch, quarter) -> collected
        for member, spans in self.by_member.items():
            owed = self.owed_months(spans)
            if not owed:
                continue
            category, base_amount = category_and_base(spans[-1].occupation, rng)
            monthly, rule = amounts(category, base_amount)
            assessed_on = max(YEAR_START, spans[0].start)
            self.add("dues_duesassessment", (self.ids("dues_duesassessment"), member, YEAR, category, base_amount,
                                             monthly, rule, "", assessed_on))
            unpaid = 0
            x = rng.random()
            if x < 0.04:
                unpaid = rng.randint(3, 6)
            paying = owed[:len(owed) - unpaid] if unpaid else owed
            if unpaid and len(owed) >= unpaid:
                self.arrears[member] = unpaid
            gap: set[int] = set()
            if 0.04 <= x < 0.06 and len(paying) > 4:  # missed a month or two, paid back later
                first = rng.randrange(0, len(paying) - 3)
                gap = set(range(first, first + rng.randint(1, 2)))
            cadence = rng.choices((1, 3), (55, 45))[0]  # monthly, or a quarter ahead (at most: the service)
            chunks: list[tuple[str, list[tuple[dt.date, Span]], dt.date | None]] = []
            current: list[tuple[dt.date, Span]] = []
            for i, item in enumerate(paying):
                if i in gap:
                    continue
                if current and (current[-1][1].org != item[1].org
                                or (item[0].month - 1) // cadence != (current[0][0].month - 1) // cadence):
                    chunks.append(("regular", current, None))
                    current = []
                current.append(item)
            if current:
                chunks.append(("regular", current, None))
            if gap:
                back = [paying[i] for i in sorted(gap)]
                paid_on = min(AS_OF, month_end(back[-1][0]) + dt.timedelta(days=rng.randint(20, 70)))
                later = next((s for s in spans if s.on(paid_on)), None)
                if later is not None and all(sp.org == later.org for _m, sp in back):
                    chunks.append(("back", back, paid_on))
                else:  # moved meanwhile: paid on time after all
                    chunks += [("regular", [item], None) for item in back]
            for kind, chunk, back_on in chunks:
                month, span = chunk[0]
                if back_on is not None:
                    paid_on = back_on
                    span = next(s for s in spans if s.on(paid_on))
                else:
                    paid_on = month + dt.timedelta(days=rng.randint(3, 24))
                    paid_on = min(max(paid_on, span.start), month_end(month))
                    if span.end is not None and paid_on >= span.end:
                        paid_on = span.end - dt.timedelta(days=1)
                pid = self.ids("dues_duespayment")
                amount = monthly * len(chunk)
                channel = rng.choices(("cash", "wechat", "bank", "alipay"), (50, 35, 10, 5))[0]
                self.add("dues_duespayment", (pid, member, span.org, paid_on, amount, kind, channel, "", "", "",
                                              self.now))
                for m, _s in chunk:
                    self.add("dues_duesmonth", (self.ids("dues_duesmonth"), pid, member, m, monthly))
                received[(span.org, (paid_on.month - 1) // 3)] += amount
        for (branch, quarter), amount in sorted(received.items()):
            start = dt.date(YEAR, quarter * 3 + 1, 1)
            end = month_end(dt.date(YEAR, quarter * 3 + 3, 1))
            remitted = min(AS_OF - dt.timedelta(days=2), end + dt.timedelta(days=rng.randint(5, 15)))
            self.add("dues_remittance", (self.ids("dues_remittance"), branch, self.parent_of.get(branch), remitted,
                                         start, end, amount, ""))

    # --- meetings -----------------------------------------------------------------------------------
    def presence(self, member: int, day: dt.date, mobile: bool) -> tuple[str, str]:
        rng = self.rng
        start = self.absent_from.get(member)
        if start is not None and day.month >= start:
            return "absent", ""
        x = rng.random()
        if mobile or member in self.mobile_like:
            if x < 0.3:
                return "present", ""
            if x < 0.6:
                return "remote", ""
            if x < 0.9:
                return "leave", rng.choice(LEAVE_REASONS)
            return "absent", ""
        if x < 0.88:
            return "present", ""
        if x < 0.91:
            return "remote", ""
        if x < 0.97:
            return "leave", rng.choice(LEAVE_REASONS)
        return "absent", ""

    def meeting(self, org: int, kind: str, day: dt.date, topic: str, hours: str,
                people: list[tuple[int, bool, bool]], quorum: str | None) -> int:
        """people: (member, mobile, votes) for each expected attendee."""
        rng = self.rng
        mid = self.ids("meetings_meeting")
        late = rng.random() < 0.08
        entered = dt.datetime.combine(day, dt.time(20, 0), ENTERED_BY_TZ)
        if late:
            entered += dt.timedelta(days=rng.randint(2, 40))
            entered = min(entered, dt.datetime.combine(AS_OF, dt.time(18, 0), ENTERED_BY_TZ))
        attended = voting = 0
        for member, mobile, votes in people:
            presence, reason = self.presence(member, day, mobile)
            self.add("meetings_attendance", (self.ids("meetings_attendance"), mid, member, presence, reason))
            if votes:
                voting += 1
                attended += presence in ("present", "remote")
        quorate = None if quorum is None else attended * 2 > voting
        self.add("meetings_meeting", (mid, org, kind, day, "", topic, "", "", Decimal(hours), late, None, entered,
                                      quorate))
        return mid

    def meetings(self) -> None:
        rng = self.rng
        for member in self.by_member:
            x = rng.random()
            if x < 0.02:
                self.absent_from[member] = rng.randint(5, 8)
            elif x < 0.07:
                self.mobile_like.add(member)
        appraised: set[tuple[int, int]] = set()
        for org in sorted(self.by_org):
            spans = self.by_org[org]
            seated = [s for s in spans if s.status == "full" and not s.suspended and s.on(LIFE_START)
                      and s.end is None]
            seats = rng.sample(seated, min(3, len(seated)))
            seat_ids = [s.member for s in seats]
            for i, s in enumerate(seats):
                self.add("meetings_committeeseat", (self.ids("meetings_committeeseat"), org, s.member,
                                                    "secretary" if i == 0 else "member",
                                                    max(s.start, dt.date(YEAR - 2, 3, 1)), None))

            def members_on(day: dt.date, spans: list[Span] = spans) -> list[tuple[int, bool, bool]]:
                return [(s.member, s.mobile, s.status == "full" and not s.suspended) for s in spans if s.on(day)]

            for kind, day, topic, hours, held in self.plan(org):
                if rng.random() >= held:
                    continue
                if kind == "committee_meeting":
                    if not seat_ids:
                        continue
                    on_day = {m for m, _mobile, _votes in members_on(day)}
                    self.meeting(org, kind, day, topic, hours, [(m, False, True) for m in seat_ids if m in on_day],
                                 "committee")
                    continue
                people = members_on(day)
                if not people:
                    continue
                if kind == "talk":  # a heart-to-heart talk: the secretary and one or two members
                    people = rng.sample(people, min(len(people), rng.randint(2, 3)))
                mid = self.meeting(org, kind, day, topic, hours, people,
                                   "general" if kind == "general_meeting" else None)
                if kind == "appraisal":
                    for member, _mobile, _votes in people:
                        if (member, day.year) in appraised:
                            continue
                        appraised.add((member, day.year))
                        rating = rng.choices(("excellent", "qualified", "basically_qualified", "unqualified"),
                                             (25, 70, 4, 1))[0]
                        self.add("meetings_appraisal", (self.ids("meetings_appraisal"), member, org, day.year,
                                                        rating, mid))

    def plan(self, org: int) -> list[tuple[str, dt.date, str, str, float]]:
        """A branch's meetings from LIFE_START to the end of the year: (kind, day, topic, class hours, the
        probability it was held)."""
        rng = self.rng
        out: list[tuple[str, dt.date, str, str, float]] = []
        for month in LIFE_MONTHS:
            this_year = month.year == YEAR
            if month.month % 3 == 2:
                out.append(("general_meeting", month + dt.timedelta(days=rng.randint(5, 25)),
                            f"{month.year} Q{month.month // 3 + 1} general meeting", "0", 0.97))
            if month.month % 3 == 0:
                out.append(("party_lecture", month + dt.timedelta(days=rng.randint(5, 20)),
                            f"{month.year} Q{month.month // 3} Party lecture", "2.0", 0.95))
            out.append(("committee_meeting", month + dt.timedelta(days=rng.randint(0, 9)),
                        f"{month:%Y-%m} committee meeting", "0", 0.95))
            out.append(("theme_day", first_weekday(month, 3), f"{month:%Y-%m} theme Party day", "0", 0.96))
            # Only study sessions and lectures carry class hours (the meetings service's rule).
            out.append(("study", first_weekday(month, 4) + dt.timedelta(days=14), f"{month:%Y-%m} study",
                        "3.0" if this_year else "5.0", 0.93))
            if month.month == 11 and not this_year:  # the previous year's concentrated training
                out.append(("study", month + dt.timedelta(days=rng.randint(3, 12)),
                            f"{month.year} concentrated training", "24.0", 0.97))
            if month.month == 12:
                out.append(("life_meeting", month + dt.timedelta(days=rng.randint(9, 19)),
                            f"{month.year} organizational life meeting", "0", 0.9))
                out.append(("appraisal", month + dt.timedelta(days=rng.randint(20, 27)),
                            f"{month.year} democratic appraisal", "0", 0.9))
            if month.month == 9:
                out.append(("talk", month + dt.timedelta(days=rng.randint(0, 25)), "Heart-to-heart talk", "0",
                            0.92))
        return out


def drop_constraints(cur: Any, tables: list[str]) -> list[str]:
    """Drop the secondary indexes and foreign keys of the tables; return the statements that rebuild them."""
    cur.execute(
        "SELECT format('DROP INDEX %%s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid) "
        "FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)", [tables])
    indexes = cur.fetchall()
    cur.execute(
        "SELECT format('ALTER TABLE %%s DROP CONSTRAINT %%I', conrelid::regclass, conname), "
        "format('ALTER TABLE %%s ADD CONSTRAINT %%I %%s', conrelid::regclass, conname, pg_get_constraintdef(oid)) "
        "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])", [tables])
    fks = cur.fetchall()
    for drop, _ in fks + indexes:
        cur.execute(drop)
    return [create for _, create in indexes] + [add for _, add in fks]


def build_life(members: int) -> tuple[float, Life]:
    """Write the year's dues and meetings over the members already there. Returns (seconds, the plan)."""
    from django.db import connection, transaction

    started = time.perf_counter()
    rng = random.Random(SEED)
    by_member, by_org = load_spans()
    with connection.cursor() as cur:
        cur.execute("SELECT org_id, parent_id FROM orgs_orgstate WHERE valid_to IS NULL")
        parent_of = dict(cur.fetchall())
    life = Life(rng, by_member, by_org, parent_of)
    life.dues(Amounts())
    life.meetings()
    print(f"  planned the year in {time.perf_counter() - started:.0f} s: "
          + ", ".join(f"{len(rows):,} {table}" for table, rows in life.rows.items()), flush=True)
    tables = list(LIFE_TABLES)
    with transaction.atomic():
        connection.ensure_connection()
        with connection.connection.cursor() as cur:
            cur.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
            rebuild = drop_constraints(cur, tables)
            for table in tables:
                with cur.copy(f"COPY {table} ({LIFE_TABLES[table]}) FROM STDIN") as cp:
                    for row in life.rows[table]:
                        cp.write_row(row)
            t = time.perf_counter()
            cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for statement in rebuild:
                cur.execute(statement)
            print(f"  loaded, rebuilt {len(rebuild)} indexes and foreign keys in {time.perf_counter() - t:.0f} s")
            for table in tables:
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"GREATEST((SELECT max(id) FROM {table}), 1))")
    with connection.cursor() as c:
        c.execute(f"VACUUM ANALYZE {', '.join(tables)}")
    return time.perf_counter() - started, life


def sanity_check(sample: int = 100) -> None:
    """The generated rows agree with the dues selectors and the services' amounts."""
    from grassroots.dues import selectors as dues_selectors
    from grassroots.dues.models import DuesAssessment, DuesMonth
    from grassroots.dues.services import monthly_amount

    rng = random.Random(SEED + 1)
    ids = list(DuesAssessment.objects.filter(year=YEAR).values_list("member_id", flat=True))
    for member_id in rng.sample(ids, min(sample, len(ids))):
        a = DuesAssessment.objects.select_related("member").get(member_id=member_id, year=YEAR)
        if (a.base is not None or a.category in ("farmer", "student_unemployed_relief")) \
                and monthly_amount(category=a.category, base=a.base, on=YEAR_START)[0] != a.monthly_amount:
            sys.exit(f"member {member_id}: the assessed monthly amount differs from monthly_amount()")
        paid = set(DuesMonth.objects.filter(member_id=member_id).values_list("month", flat=True))
        unpaid = [m for m in dues_selectors.unpaid_months(a.member, AS_OF) if m.year == YEAR]
        if set(unpaid) & paid:
            sys.exit(f"member {member_id}: unpaid_months lists a paid month")
    print(f"sanity check: monthly amounts and unpaid months of {min(sample, len(ids))} sampled members agree")


# ---------------------------------------------------------------------------------------------------------
# The timings


def profile(fn: Callable[[], Any], out: Path, top: int = 25) -> str:
    """cProfile of one call and the SQL it ran, written to `out`; returns the first lines of the summary."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    prof = cProfile.Profile()
    with CaptureQueriesContext(connection) as ctx:
        prof.enable()
        fn()
        prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(top)
    queries = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))
    sql_seconds = sum(float(q["time"]) for q in queries)
    lines = [f"{len(queries)} queries, {sql_seconds:.2f} s in SQL", ""]
    lines += [f"{float(q['time']):8.3f} s  {q['sql'][:400]}" for q in queries[:15]]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n\n" + buf.getvalue(), encoding="utf-8")
    return lines[0]


def versioned_defaults() -> None:
    """The COPY of the generators writes no `version` (core.models.Versioned, a default of 1 in Django only): give
    this database's `version` columns that default, so rows copied in start at version 1 as saved ones do."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() "
                    "AND column_name = 'version' AND column_default IS NULL AND table_name NOT LIKE 'bench%%'")
        for (table,) in cur.fetchall():
            cur.execute(f'ALTER TABLE "{table}" ALTER COLUMN version SET DEFAULT 1')


def stored_vs_computed(orgs: list[tuple[str, Any]], repeat: int) -> list[tuple[str, str, str, int, float, float]]:
    """The organization page's to-do summary as it is now (read from the kept findings: their counts, when they
    were computed, the first page of the list) against computing the findings live (what the page did before),
    for each org, in the same run; and the worker's computation that keeps them (`stored.compute`, every language
    of the site). Kept as of today's date (`stored.compute` judges on AS_OF here, as the live call)."""
    from grassroots.access.scope import Scope
    from grassroots.rules import stored
    from grassroots.rules.findings import counts_by_org, findings_for

    system = Scope(None)
    rows = []
    for scope_name, org in orgs:
        found, best, median = base.timed(lambda org=org: counts_by_org(findings_for(org, AS_OF)), repeat)
        rows.append((scope_name, org.code, "page computing live (before)", sum(sum(c.values()) for c in found.values()),
                     best, median))
        print(f"  {scope_name} live: best {best:.2f} s", flush=True)
        n, best, median = base.timed(lambda org=org: stored.compute(org, AS_OF), 1)
        rows.append((scope_name, org.code, "worker: compute and keep (zh-hans + en)", n, best, median))
        print(f"  {scope_name} compute and keep: {best:.2f} s", flush=True)

        def page(org: Any = org) -> int:
            stored.freshness(org)
            figures = stored.counts(system, org)
            list(stored.rows_for(system, org)[:50])
            return sum(figures["in_state"].values())

        n, best, median = base.timed(page, max(repeat, 5))
        rows.append((scope_name, org.code, "page reading the kept rows (after)", n, best, median))
        print(f"  {scope_name} stored summary: best {best * 1000:.1f} ms", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--shape", type=parse_shape, default=(10, 20, 50),
                        help="counties x towns per county x branches per town (default 10x20x50)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_FINDINGS_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data even if it is there")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per call, after one warm-up")
    parser.add_argument("--profile", action="store_true", help="profile the city's calls into var/")
    parser.add_argument("--members-only", action="store_true", help="build the city and members, then stop")
    parser.add_argument("--stored-only", action="store_true",
                        help="time only the page's summary from the kept findings against computing them")
    args = parser.parse_args(argv)
    shape_text = "x".join(str(n) for n in args.shape)

    base.setup_django(args.database_url)
    from django.db import connection

    from grassroots.orgs.models import Organization, OrgKind
    from grassroots.rules.findings import STATES, findings_for, sources

    with connection.cursor() as cur:
        existing = marker(cur)
    same = existing is not None and (existing["members"], existing["shape"], existing["seed"],
                                     existing["version"]) == (args.members, shape_text, SEED, GENERATOR_VERSION)
    if same and not args.rebuild and existing is not None and existing["life_seconds"] is not None:
        print(f"reusing {args.members:,} members in a {shape_text} city built {existing['built_at']:%Y-%m-%d %H:%M} "
              f"(in {existing['member_seconds'] + existing['life_seconds']:.0f} s); --rebuild to regenerate")
    else:
        if same and not args.rebuild:
            print(f"reusing the {args.members:,} members in a {shape_text} city", flush=True)
        else:
            print(f"generating {args.members:,} members in a {shape_text} city in "
                  f"{base.database_name(args.database_url)} ...", flush=True)
            with connection.cursor() as cur:
                cur.execute("DELETE FROM bench_findings_marker")
                base.marker(cur)  # bench_stats's own marker table, which its build clears
            versioned_defaults()
            with tree_shape(args.shape):
                member_seconds = base.build(args.members)
            with connection.cursor() as cur:
                cur.execute("INSERT INTO bench_findings_marker VALUES (%s, %s, %s, %s, now(), %s, NULL)",
                            [args.members, shape_text, SEED, GENERATOR_VERSION, member_seconds])
            print(f"members generated in {member_seconds:.0f} s", flush=True)
        if args.members_only:
            return 0
        life_seconds, life = build_life(args.members)
        print(f"the year's dues and meetings generated in {life_seconds:.0f} s "
              f"({len(life.arrears):,} members planned in arrears)")
        with connection.cursor() as cur:
            cur.execute("UPDATE bench_findings_marker SET life_seconds = %s, built_at = now()", [life_seconds])
        sanity_check()

    facts = base.machine_facts()
    load_before = os.getloadavg()[0]
    city = Organization.objects.get_root_nodes().get()
    county = Organization.objects.get_children(city).order_by("path").first()
    assert county is not None
    town = Organization.objects.get_children(county).filter(kind=OrgKind.COMMITTEE).order_by("path").first()
    assert town is not None
    names = sorted(sources())
    if args.stored_only:
        rows_stored = stored_vs_computed([("county", county), ("city", city)], args.repeat)
        load_after = os.getloadavg()[0]
        print()
        print(f"Run {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, findings as of {AS_OF}; "
              f"{args.members:,} members, {shape_text}")
        print(f"Machine: {facts['nproc']} CPUs ({facts['cpu_model']}), {facts['memory']} RAM; {facts['postgresql']}")
        print()
        print("| scope | org | what | findings | best / median |")
        print("|---|---|---|---:|---:|")
        for scope_name, code, what, n, best, median in rows_stored:
            print(f"| {scope_name} | {code} | {what} | {n:,} | {best * 1000:,.1f} / {median * 1000:,.1f} ms |")
        print()
        print(f"1-minute load average: {load_before:.2f} before the timings, {load_after:.2f} after")
        return 0
    variants: list[tuple[str, list[str] | None]] = [("dues", ["dues"]), ("meetings", ["meetings"]), ("all", None)]

    rows = []
    counts: dict[tuple[str, str], Counter[tuple[str, str]]] = {}
    for scope, org in (("town", town), ("county", county), ("city", city)):
        for label, only in variants:
            found, best, median = base.timed(lambda org=org, only=only: findings_for(org, AS_OF, only=only),
                                             args.repeat)
            counts[(scope, label)] = Counter((f.rule_id, f.state) for f in found)
            rows.append((scope, org.code, label, len(found), best, median))
            print(f"  {scope} {label}: {len(found):,} findings, best {best:.2f} s", flush=True)

    with connection.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM members_member), (SELECT count(*) FROM orgs_organization "
                    "WHERE kind = 'branch'), (SELECT count(*) FROM dues_duesassessment), "
                    "(SELECT count(*) FROM dues_duespayment), (SELECT count(*) FROM dues_duesmonth), "
                    "(SELECT count(*) FROM meetings_meeting), (SELECT count(*) FROM meetings_attendance), "
                    "pg_size_pretty(pg_database_size(current_database()))")
        n_members, n_branches, n_assess, n_pay, n_months, n_meet, n_att, size = cur.fetchone()

    print()
    print(f"Run {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, findings as of {AS_OF}; sources: {', '.join(names)}")
    print(f"Machine: {facts['nproc']} CPUs ({facts['cpu_model']}), {facts['memory']} RAM, {facts['platform']}")
    print(f"Database: {facts['postgresql']}; shared_buffers {facts['shared_buffers']}, work_mem {facts['work_mem']}, "
          f"jit {facts['jit']}; Python {facts['python']}")
    print(f"Data: {n_members:,} members, {n_branches:,} branches, {n_assess:,} assessments, {n_pay:,} payments, "
          f"{n_months:,} paid months, {n_meet:,} meetings, {n_att:,} attendance rows, database {size}")
    print()
    print("| scope | org | sources | findings | best / median |")
    print("|---|---|---|---:|---:|")
    for scope, code, label, n, best, median in rows:
        print(f"| {scope} | {code} | {label} | {n:,} | {best:,.2f} / {median:,.2f} s |")
    print()
    print("Findings by source, rule and state (all sources):")
    print()
    print("| scope | source | rule | " + " | ".join(STATES[:-1]) + " |")
    print("|---|---|---|" + "---:|" * (len(STATES) - 1))
    for scope in ("town", "county", "city"):
        c = counts[(scope, "all")]
        for rule in sorted({r for r, _ in c}):
            print(f"| {scope} | {rule.split('.', 1)[0]} | {rule} | "
                  + " | ".join(f"{c[(rule, st)]:,}" for st in STATES[:-1]) + " |")
    load_after = os.getloadavg()[0]
    print()
    print(f"1-minute load average: {load_before:.2f} before the timings, {load_after:.2f} after")
    if args.profile:
        var = Path(os.environ.get("GRASSROOTS_DATA_DIR", base.ROOT / "var"))
        for label, only in variants[:2]:
            out = var / f"bench_findings_profile_{label}.txt"
            head = profile(lambda only=only: findings_for(city, AS_OF, only=only), out)
            print(f"profile of the city, {label}: {head}; {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
