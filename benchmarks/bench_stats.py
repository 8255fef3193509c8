"""Benchmark: structure statistics over a synthetic city of 1,000,000 members in PostgreSQL.

    .venv/bin/python benchmarks/bench_stats.py [--members 1000000] [--database-url postgres://...] [--rebuild]

The script uses its own database (default postgres://root@127.0.0.1:5432/grassroots_bench, created when
missing; it refuses the `test` database the test suite uses), runs the migrations, and builds a city:
1 city committee > 10 county committees > 15 town committees each > 20 branches each (3,000 branches),
with their OrgState and OrgChange rows, and N members with MemberEvent rows (joined, converted for most,
some transfers, mobile spells, suspensions, attribute updates, endings) and the MemberPeriod rows that
`grassroots.members.lifecycle.replay` derives from those events, the same function the services use.
The rows are bulk-loaded with COPY (a shortcut for this generator only; the application writes through
its services), secondary indexes and foreign keys are dropped for the load and rebuilt after it.
A marker table records what was built, so a re-run with the same size and seed reuses the data.

The rollups of the statistics (`grassroots.members.rollups`) are backfilled by the migration that creates
them (its time is part of the `migrate` line printed first) and, unless --skip-backfill, rebuilt once more
with `rollups.rebuild()`, timed (the generator writes periods with COPY, past the services that keep the
rollups). It then times, for a town, a county and the city: the first read of `structure_counts(org, day)`
(which builds the node's mark of the month, deleted beforehand), the read from the rollups, the scan of the
periods (`structure_counts_scan`) and a hand-written SQL query computing the same counts in one scan; checks
that all three give the same counts, and prints a Markdown table with the rollups' time over the SQL scan's.
EXPLAIN (ANALYZE, BUFFERS) of both city scans is written to var/bench_stats_explain.txt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://root@127.0.0.1:5432/grassroots_bench"
GENERATOR_VERSION = 1
SEED = 20261123

COUNTIES, TOWNS_PER_COUNTY, BRANCHES_PER_TOWN = 10, 15, 20
FOUNDED = dt.date(1990, 1, 1)
MOVED_ON = dt.date(2022, 1, 1)  # a few branches changed town on this date (so the as-of tree matters)
AS_OF = dt.date(2025, 6, 30)  # the statistics date; events run on to LAST_EVENT, after it
LAST_EVENT = dt.date(2025, 12, 31)
CHUNK = 50_000

ETHNICITIES = ("回族", "彝族", "白族", "哈尼族", "傣族", "壮族", "苗族", "满族")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


# ---------------------------------------------------------------------------------------------------------
# Database selection and Django setup


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def ensure_database(url: str) -> None:
    """Create the benchmark database if it does not exist (connecting to the `postgres` maintenance db)."""
    import psycopg
    from psycopg import sql

    name = database_name(url)
    parts = urlsplit(url)
    admin_url = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, parts.fragment))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def setup_django(url: str) -> None:
    name = database_name(url)
    if not urlsplit(url).scheme.startswith("postgres"):
        sys.exit("the benchmark needs PostgreSQL (a postgres:// URL)")
    if name == "test" or name.startswith("test_"):
        sys.exit(f"refusing to use the database {name!r}: the test suite uses it")
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate: {time.perf_counter() - started:.1f} s (the first run after the rollups' migrations includes "
          f"their backfill)", flush=True)


# ---------------------------------------------------------------------------------------------------------
# Generation


def encode_step(n: int, alphabet: str, steplen: int) -> str:
    """n (1-based) in treebeard's base-len(alphabet) notation, zero padded to steplen."""
    base = len(alphabet)
    digits = ""
    while n:
        n, r = divmod(n, base)
        digits = alphabet[r] + digits
    if len(digits) > steplen:
        raise ValueError("too many siblings for the step length")
    return digits.rjust(steplen, alphabet[0])


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def check_digit(first17: str) -> str:
    from grassroots.core import idnumber

    return idnumber.check_digit(first17)


class Tree:
    """The synthetic organization tree, as rows ready for COPY."""

    def __init__(self, rng: random.Random) -> None:
        from grassroots.orgs.models import Organization

        alphabet, steplen = Organization.alphabet, Organization.steplen
        self.orgs: list[tuple[Any, ...]] = []
        self.states: list[tuple[Any, ...]] = []
        self.changes: list[tuple[Any, ...]] = []
        self.branch_ids: list[int] = []
        self.town_ids: list[int] = []
        self.county_ids: list[int] = []
        self.city_id = 0
        now = dt.datetime.now(dt.UTC)
        next_id = iter(range(1, 10**9))

        def node(path: str, code: str, name: str, kind: str, numchild: int, parent: tuple[int, str] | None) -> int:
            oid = next(next_id)
            depth = len(path) // steplen
            self.orgs.append((oid, path, depth, numchild, code, name, "", kind, FOUNDED, None, None))
            self.changes.append((len(self.changes) + 1, oid, "create", FOUNDED,
                                 json.dumps({"parent": parent[1] if parent else None}), "", now))
            return oid

        city_path = encode_step(1, alphabet, steplen)
        self.city_id = node(city_path, "CITY", "滇中市委", "committee", COUNTIES, None)
        town_paths: dict[int, str] = {}
        town_codes: dict[int, str] = {}
        plain_states: list[tuple[int, str, str, str, int | None]] = [(self.city_id, "滇中市委", "committee", city_path, None)]
        for c in range(1, COUNTIES + 1):
            cpath = city_path + encode_step(c, alphabet, steplen)
            ccode = f"C{c:02d}"
            cid = node(cpath, ccode, f"第{c}县委", "committee", TOWNS_PER_COUNTY, (self.city_id, "CITY"))
            self.county_ids.append(cid)
            plain_states.append((cid, f"第{c}县委", "committee", cpath, self.city_id))
            for t in range(1, TOWNS_PER_COUNTY + 1):
                tpath = cpath + encode_step(t, alphabet, steplen)
                tcode = f"{ccode}T{t:02d}"
                kind = "working_committee" if t % 3 == 0 else "committee"
                tname = f"第{c}县第{t}{'街道党工委' if kind == 'working_committee' else '镇党委'}"
                tid = node(tpath, tcode, tname, kind, BRANCHES_PER_TOWN, (cid, ccode))
                self.town_ids.append(tid)
                town_paths[tid], town_codes[tid] = tpath, tcode
                plain_states.append((tid, tname, kind, tpath, cid))
                for b in range(1, BRANCHES_PER_TOWN + 1):
                    bpath = tpath + encode_step(b, alphabet, steplen)
                    bcode = f"{tcode}B{b:02d}"
                    bname = f"{tname}第{b}支部"
                    bid = node(bpath, bcode, bname, "branch", 0, (tid, tcode))
                    self.branch_ids.append(bid)
                    plain_states.append((bid, bname, "branch", bpath, tid))
        # 2% of the branches stood under another town of their county until MOVED_ON (historical path with a
        # step number no live node uses, as treebeard leaves the old path behind when it moves a node).
        moved = set(rng.sample(self.branch_ids, len(self.branch_ids) // 50))
        parent_of = {s[0]: s[4] for s in plain_states}
        spare_step = BRANCHES_PER_TOWN + 1
        sid = iter(range(1, 10**9))
        for oid, name, kind, path, parent in plain_states:
            if oid in moved:
                town = parent_of[oid]
                county_towns = [t for t in self.town_ids if parent_of[t] == parent_of[town] and t != town]
                old_town = rng.choice(county_towns)
                old_path = town_paths[old_town] + encode_step(spare_step, alphabet, steplen)
                spare_step += 1
                self.states.append((next(sid), oid, FOUNDED, MOVED_ON, name, kind, old_town, old_path))
                self.states.append((next(sid), oid, MOVED_ON, None, name, kind, parent, path))
                self.changes.append((len(self.changes) + 1, oid, "move", MOVED_ON,
                                     json.dumps({"old_parent": town_codes[old_town], "new_parent": town_codes[town]}),
                                     "", now))
            else:
                self.states.append((next(sid), oid, FOUNDED, None, name, kind, parent, path))


def random_day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def member_rows(n: int, tree: Tree, rng: random.Random) -> Iterator[tuple[list[tuple[Any, ...]], ...]]:
    """Chunks of (members, events, periods) rows. Periods come from lifecycle.replay, as in the services."""
    from grassroots.members.lifecycle import Ev, replay

    educations = ["postgraduate", "bachelor", "college", "secondary_technical", "high_school", "junior_high_or_below"]
    edu_w = [4, 25, 22, 12, 17, 20]
    occupations = ["in_service", "retired", "farmer", "student", "unemployed_or_demobilized", "freelance", "other"]
    occ_w = [38, 30, 18, 2, 2, 6, 4]
    branches = tree.branch_ids
    now = dt.datetime.now(dt.UTC)
    birth_lo, birth_span = dt.date(1935, 1, 1), (dt.date(2005, 6, 30) - dt.date(1935, 1, 1)).days
    last_join = dt.date(2025, 11, 30)
    event_id = period_id = 0
    members: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    periods: list[tuple[Any, ...]] = []
    for mid in range(1, n + 1):
        r = rng.random
        birth = birth_lo + dt.timedelta(days=int(r() * birth_span))
        sex = "M" if r() < 0.7 else "F"
        ethnicity = "汉族" if r() < 0.9 else ETHNICITIES[int(r() * len(ETHNICITIES))]
        first17 = f"{530000 + mid // 1000:06d}{birth:%Y%m%d}{mid % 1000:03d}"
        id_number = first17 + check_digit(first17)
        name = SURNAMES[int(r() * len(SURNAMES))] + GIVEN[int(r() * len(GIVEN))] + GIVEN[int(r() * len(GIVEN))]
        education = rng.choices(educations, edu_w)[0]
        occupation = rng.choices(occupations, occ_w)[0]
        org = branches[int(r() * len(branches))]
        adult = add_years(birth, 18)
        joined = random_day(rng, adult, min(add_years(birth, 45), last_join))
        evs: list[tuple[str, dt.date, int | None, dict[str, Any]]] = [
            ("joined", joined, org, {"status": "probationary", "education": education, "occupation": occupation})]
        converted = joined + dt.timedelta(days=365 + int(r() * 60))
        if converted <= LAST_EVENT and r() < 0.97:
            evs.append(("converted", converted, None, {}))
        # Later events, in an order the state machine accepts, on increasing dates after the last one.
        later: list[tuple[str, int | None, dict[str, Any]]] = []
        if r() < 0.05:
            later.append(("updated", None, {"education": rng.choices(educations, edu_w)[0]}))
        if r() < 0.08:
            later.append(("transferred", rng.choice([b for b in rng.sample(branches, 2) if b != org]), {}))
        if r() < 0.06:
            later.append(("mobile_out", None, {}))
            if r() < 0.4:
                later.append(("mobile_back", None, {}))
        if r() < 0.012:
            later.append(("suspended", None, {}))
            if r() < 0.3:
                later.append(("restored", None, {}))
        x = r()
        if x < 0.03:
            later.append(("transferred_out", None, {}))
        elif x < 0.05:
            later.append(("died", None, {}))
        elif x < 0.055:
            later.append(("removed", None, {}))
        after = evs[-1][1]
        room = (LAST_EVENT - after).days
        if later and room >= len(later):
            offsets = sorted(rng.sample(range(1, room + 1), len(later)))
            for (kind, eorg, details), off in zip(later, offsets, strict=True):
                evs.append((kind, after + dt.timedelta(days=off), eorg, details))
        outcome = replay([Ev(k, d, o, det) for k, d, o, det in evs])
        for kind, day, eorg, details in evs:
            event_id += 1
            events.append((event_id, mid, kind, day, eorg, json.dumps(details, ensure_ascii=False), "", now))
        for s in outcome.spans:
            period_id += 1
            st = s.state
            periods.append((period_id, mid, st.org_id, s.start, s.end, st.status, st.mobile, st.suspended,
                            st.education, st.occupation))
        last = outcome.spans[-1].state  # the member's cached fields, as services.rebuild_periods sets them
        final = outcome.final
        members.append((mid, name, sex, ethnicity, birth, id_number, f"138{mid:08d}", last.education,
                        last.occupation, last.status, outcome.standing, outcome.joined_on, outcome.converted_on,
                        last.mobile if final is not None else False, now, now,
                        final.org_id if final is not None else None, None, 1))
        if len(members) >= CHUNK:
            yield members, events, periods
            members, events, periods = [], [], []
    if members:
        yield members, events, periods


TABLES = {
    "orgs_organization": "id, path, depth, numchild, code, name, name_en, kind, founded_on, revoked_on, territory_id",
    "orgs_orgstate": "id, org_id, valid_from, valid_to, name, kind, parent_id, path",
    "orgs_orgchange": "id, org_id, kind, date, details, note, recorded_at",
    "members_member": "id, name, sex, ethnicity, birth_date, id_number, phone, education, occupation, status, "
                      "standing, joined_on, converted_on, mobile, created_at, updated_at, org_id, party_group_id, version",
    "members_memberevent": "id, member_id, kind, date, org_id, details, note, recorded_at",
    "members_memberperiod": 'id, member_id, org_id, start, "end", status, mobile, suspended, education, occupation',
}


def copy_rows(cur: Any, table: str, rows: list[tuple[Any, ...]]) -> None:
    with cur.copy(f"COPY {table} ({TABLES[table]}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)


def marker(cur: Any) -> dict[str, Any] | None:
    cur.execute("CREATE TABLE IF NOT EXISTS bench_marker (members bigint, seed bigint, version int, "
                "built_at timestamptz, seconds double precision)")
    cur.execute("SELECT members, seed, version, built_at, seconds FROM bench_marker")
    row = cur.fetchone()
    return dict(zip(("members", "seed", "version", "built_at", "seconds"), row, strict=True)) if row else None


def build(n: int) -> float:
    """Wipe the tree and member tables and load a fresh synthetic city. Returns the seconds taken."""
    from django.db import connection, transaction

    started = time.perf_counter()
    rng = random.Random(SEED)
    tables = list(TABLES)
    with transaction.atomic():
        connection.ensure_connection()
        with connection.connection.cursor() as cur:
            cur.execute("DELETE FROM bench_marker")
            cur.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
            # Drop the secondary indexes and foreign keys of the loaded tables; rebuild them after the load.
            cur.execute(
                "SELECT format('DROP INDEX %%s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid) "
                "FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)", [tables])
            indexes = cur.fetchall()
            cur.execute(
                "SELECT format('ALTER TABLE %%s DROP CONSTRAINT %%I', conrelid::regclass, conname), "
                "format('ALTER TABLE %%s ADD CONSTRAINT %%I %%s', conrelid::regclass, conname, "
                "pg_get_constraintdef(oid)) FROM pg_constraint WHERE contype = 'f' "
                "AND (conrelid = ANY(%s::regclass[]) OR confrelid = ANY(%s::regclass[]))", [tables, tables])
            fks = cur.fetchall()
            for drop, _ in fks + indexes:
                cur.execute(drop)
            tree = Tree(rng)
            copy_rows(cur, "orgs_organization", tree.orgs)
            copy_rows(cur, "orgs_orgstate", tree.states)
            copy_rows(cur, "orgs_orgchange", tree.changes)
            loaded = 0
            for members, events, periods in member_rows(n, tree, rng):
                copy_rows(cur, "members_member", members)
                copy_rows(cur, "members_memberevent", events)
                copy_rows(cur, "members_memberperiod", periods)
                loaded += len(members)
                print(f"  loaded {loaded:,} members ({time.perf_counter() - started:.0f} s)", flush=True)
            t = time.perf_counter()
            cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for _, create in indexes:
                cur.execute(create)
            for _, add in fks:
                cur.execute(add)
            print(f"  rebuilt {len(indexes)} indexes and {len(fks)} foreign keys in {time.perf_counter() - t:.0f} s")
            for table in tables:
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"GREATEST((SELECT max(id) FROM {table}), 1))")
            seconds = time.perf_counter() - started
            cur.execute("INSERT INTO bench_marker VALUES (%s, %s, %s, now(), %s)", [n, SEED, GENERATOR_VERSION, seconds])
    with connection.cursor() as c:
        c.execute(f"VACUUM ANALYZE {', '.join(tables)}")
    return time.perf_counter() - started


def sanity_check(sample: int = 200) -> None:
    """The tree is a valid treebeard tree, and the services rebuild the same periods the generator wrote."""
    from django.db import transaction

    from grassroots.members.models import Member, MemberPeriod
    from grassroots.members.services import rebuild_periods
    from grassroots.orgs.models import Organization

    problems = Organization.objects.find_problems()
    if any(problems):
        sys.exit(f"treebeard finds problems in the generated tree: {problems}")
    city = Organization.objects.get_root_nodes().get()
    if Organization.objects.get_descendant_count(city) != Organization.objects.count() - 1:
        sys.exit("treebeard's descendant count does not match the generated tree")

    fields = ("org_id", "start", "end", "status", "mobile", "suspended", "education", "occupation")

    def periods(m: Member) -> list[tuple[Any, ...]]:
        return list(MemberPeriod.objects.filter(member=m).order_by("start").values_list(*fields))

    ids = list(Member.objects.order_by("?").values_list("id", flat=True)[:sample])
    with transaction.atomic():
        for member in Member.objects.filter(id__in=ids):
            before = periods(member)
            cached = (member.standing, member.status, member.org_id, member.mobile, member.converted_on)
            rebuild_periods(member)
            member.refresh_from_db()
            after = periods(member)
            if before != after or cached != (member.standing, member.status, member.org_id, member.mobile,
                                             member.converted_on):
                sys.exit(f"member {member.pk}: generated rows differ from what services.rebuild_periods writes")
        transaction.set_rollback(True)
    print(f"sanity check: treebeard tree valid; periods of {len(ids)} sampled members match rebuild_periods")


# ---------------------------------------------------------------------------------------------------------
# The hand-written query and the timings


def hand_sql(day: dt.date) -> tuple[str, list[str]]:
    """One scan of the periods in force on %(day)s under %(prefix)s (the root's path that day + '%'), joined
    to the states in force that day and to the members; every count a FILTER clause."""
    from grassroots.members.models import Education, Occupation
    from grassroots.members.stats import age_bands

    bands = age_bands(day)  # the rule in force on the day (members.age_bands), as structure_counts reads it
    keys = ["total", "probationary", "full", "male", "female", "han", "minority", "mobile", "suspended",
            "college_or_above", *(band.key for band in bands)]
    keys += [f"education_{v}" for v in Education.values] + [f"occupation_{v}" for v in Occupation.values]
    edu = ",\n  ".join(f"count(*) FILTER (WHERE p.education = '{v}')" for v in Education.values)
    occ = ",\n  ".join(f"count(*) FILTER (WHERE p.occupation = '{v}')" for v in Occupation.values)
    age_filters = []
    for band in bands:  # age <= oldest <=> born after day - (oldest + 1) years
        youngest, oldest = band.youngest, band.oldest
        cond = []
        if oldest is not None:
            cond.append(f"m.birth_date > (%(day)s::date - interval '{oldest + 1} years')::date")
        if youngest is not None:
            cond.append(f"m.birth_date <= (%(day)s::date - interval '{youngest} years')::date")
        age_filters.append(f"count(*) FILTER (WHERE {' AND '.join(cond) or 'true'})")
    ages_sql = ",\n  ".join(age_filters)
    sql = f"""
SELECT
  count(*),
  count(*) FILTER (WHERE p.status = 'probationary'),
  count(*) FILTER (WHERE p.status = 'full'),
  count(*) FILTER (WHERE m.sex = 'M'),
  count(*) FILTER (WHERE m.sex = 'F'),
  count(*) FILTER (WHERE m.ethnicity = '汉族'),
  count(*) FILTER (WHERE m.ethnicity <> '汉族'),
  count(*) FILTER (WHERE p.mobile),
  count(*) FILTER (WHERE p.suspended),
  count(*) FILTER (WHERE p.education IN ('postgraduate', 'bachelor', 'college')),
  {ages_sql},
  {edu},
  {occ}
FROM members_memberperiod p
JOIN orgs_orgstate s ON s.org_id = p.org_id
     AND s.valid_from <= %(day)s AND (s.valid_to IS NULL OR s.valid_to > %(day)s)
     AND s.path LIKE %(prefix)s
JOIN members_member m ON m.id = p.member_id
WHERE p.start <= %(day)s AND (p."end" IS NULL OR p."end" > %(day)s)
"""
    return sql, keys


ROOT_PATH_SQL = ("SELECT path FROM orgs_orgstate WHERE org_id = %(org)s AND valid_from <= %(day)s "
                 "AND (valid_to IS NULL OR valid_to > %(day)s)")


def run_sql(org_id: int, day: dt.date) -> dict[str, int]:
    from django.db import connection

    sql, keys = hand_sql(day)
    with connection.cursor() as cur:
        cur.execute(ROOT_PATH_SQL, {"org": org_id, "day": day})
        root = cur.fetchone()
        if root is None:
            return dict.fromkeys(keys, 0)
        cur.execute(sql, {"day": day, "prefix": root[0] + "%"})
        row = cur.fetchone()
    return dict(zip(keys, row, strict=True))


def timed(fn: Callable[[], Any], repeat: int) -> tuple[Any, float, float]:
    """Warm up once, then time `repeat` runs: (result, best seconds, median seconds)."""
    result = fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return result, min(times), statistics.median(times)


def machine_facts() -> dict[str, str]:
    from django.db import connection

    facts = {"cpus": str(os.cpu_count()), "python": platform.python_version(), "platform": platform.platform()}
    try:
        kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
        facts["memory"] = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        facts["memory"] = "unknown"
    try:
        facts["cpu_model"] = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text()
                                  .splitlines() if line.startswith("model name"))
    except (OSError, StopIteration):
        facts["cpu_model"] = platform.processor() or "unknown"
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        facts["postgresql"] = cur.fetchone()[0].split(" on ")[0]
        for setting in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit"):
            cur.execute(f"SHOW {setting}")
            facts[setting] = cur.fetchone()[0]
    try:
        facts["nproc"] = subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        facts["nproc"] = facts["cpus"]
    return facts


def explain_city(city: Any, day: dt.date, out: Path) -> dict[str, str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the ORM's aggregate and of the hand-written query, for the city."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grassroots.members.stats import structure_counts_scan

    with CaptureQueriesContext(connection) as ctx:
        structure_counts_scan(city, day)
    orm_sql = ctx.captured_queries[-1]["sql"]
    sql, _ = hand_sql(day)
    summary: dict[str, str] = {}
    lines = []
    with connection.cursor() as cur:
        for label, query, params in (("ORM (structure_counts_scan)", orm_sql, None),
                                     ("hand-written SQL", sql, {"day": day, "prefix": city.path + "%"})):
            if params is None:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + query)
            else:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + query, params)
            plan = [r[0] for r in cur.fetchall()]
            lines += [f"== {label} ==", query.strip() if params is None else sql.strip(), "", *plan, ""]
            summary[label] = "; ".join(p.strip() for p in plan if p.startswith(("Planning Time", "Execution Time")))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data even if it is there")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query, after one warm-up")
    parser.add_argument("--skip-explain", action="store_true")
    parser.add_argument("--skip-backfill", action="store_true",
                        help="do not time a rebuild of the rollups (they are there: the migration or a run built them)")
    args = parser.parse_args(argv)

    setup_django(args.database_url)
    from django.db import connection, transaction

    from grassroots.members.stats import structure_counts
    from grassroots.orgs.models import Organization, OrgKind

    with connection.cursor() as cur:
        existing = marker(cur)
    fresh = existing is not None and (existing["members"], existing["seed"], existing["version"]) == (
        args.members, SEED, GENERATOR_VERSION)
    generated = not (fresh and not args.rebuild)
    if not generated:
        assert existing is not None
        print(f"reusing {args.members:,} members built {existing['built_at']:%Y-%m-%d %H:%M} "
              f"(in {existing['seconds']:.0f} s); --rebuild to regenerate")
    else:
        print(f"generating {args.members:,} members in {database_name(args.database_url)} ...", flush=True)
        seconds = build(args.members)
        print(f"generated in {seconds:.0f} s")
        sanity_check()

    from grassroots.members import rollups
    from grassroots.members.stats import structure_counts_scan

    backfill = None
    if generated or not args.skip_backfill:
        t = time.perf_counter()
        written = rollups.rebuild()
        backfill = time.perf_counter() - t
        print(f"rollups backfilled in {backfill:.1f} s: {written}", flush=True)
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE members_rollupdelta, members_agedelta, members_orgspan")

    facts = machine_facts()
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    city = Organization.objects.get_root_nodes().get()
    county = Organization.objects.get_children(city).order_by("path").first()
    town = (Organization.objects.get_children(county).filter(kind=OrgKind.COMMITTEE).order_by("path").first()
            if county else None)
    assert county is not None and town is not None

    from grassroots.members.models import AgeMark, RollupMark

    rows = []
    for scope, org in (("town", town), ("county", county), ("city", city)):
        with transaction.atomic():  # so that the first read below builds the node's mark, timed
            RollupMark.objects.filter(node_id=org.pk).delete()
            AgeMark.objects.filter(node_id=org.pk).delete()
        t = time.perf_counter()
        structure_counts(org, AS_OF)  # the first read of the month builds the node's mark
        first = time.perf_counter() - t
        orm_counts, orm_best, orm_median = timed(lambda org=org: structure_counts(org, AS_OF), args.repeat)
        scan_counts, scan_best, scan_median = timed(lambda org=org: structure_counts_scan(org, AS_OF), args.repeat)
        sql_counts, sql_best, sql_median = timed(lambda org=org: run_sql(org.pk, AS_OF), args.repeat)
        for label, other in (("SQL", sql_counts), ("scan", scan_counts)):
            if orm_counts != other:
                diff = {k: (orm_counts.get(k), other.get(k)) for k in set(orm_counts) | set(other)
                        if orm_counts.get(k) != other.get(k)}
                print(f"MISMATCH for the {scope} {org.code}: (rollups, {label}) = {diff}")
                return 1
        rows.append((scope, org.code, orm_counts["total"], first, orm_best, orm_median, scan_best, sql_best,
                     sql_median))

    with connection.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM members_member), (SELECT count(*) FROM members_memberevent), "
                    "(SELECT count(*) FROM members_memberperiod), (SELECT count(*) FROM orgs_organization), "
                    "pg_size_pretty(pg_database_size(current_database()))")
        n_members, n_events, n_periods, n_orgs, size = cur.fetchone()

    print()
    print(f"Run {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, statistics as of {AS_OF}")
    print(f"Machine: {facts['nproc']} CPUs ({facts['cpu_model']}), {facts['memory']} RAM, {facts['platform']}")
    print(f"Database: {facts['postgresql']}; shared_buffers {facts['shared_buffers']}, work_mem "
          f"{facts['work_mem']}, max_parallel_workers_per_gather {facts['max_parallel_workers_per_gather']}, "
          f"jit {facts['jit']}; Python {facts['python']}")
    print(f"Data: {n_members:,} members, {n_events:,} events, {n_periods:,} periods, {n_orgs:,} organizations, "
          f"database {size}")
    print()
    if backfill is not None:
        print(f"Rollups backfilled (rebuild-rollups) in {backfill:.1f} s")
    print()
    print("| scope | org | members in scope | rollups: first read (builds the mark) | rollups best / median | "
          "ORM scan best | SQL scan best / median | rollups / SQL (best) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for scope, code, total, first, ob, om, scb, sb, sm in rows:
        print(f"| {scope} | {code} | {total:,} | {first * 1000:,.1f} ms | {ob * 1000:,.1f} / {om * 1000:,.1f} ms | "
              f"{scb * 1000:,.1f} ms | {sb * 1000:,.1f} / {sm * 1000:,.1f} ms | {ob / sb:.3f} |")
    print()
    print("Rollups (structure_counts), ORM scan (structure_counts_scan) and SQL counts identical for every scope.")
    load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"1-minute load average: {load_before:.2f} before the timings, {load_after:.2f} after "
          f"(other work on the machine inflates the figures)")
    if not args.skip_explain:
        out = Path(os.environ.get("GRASSROOTS_DATA_DIR", ROOT / "var")) / "bench_stats_explain.txt"
        for label, line in explain_city(city, AS_OF, out).items():
            print(f"EXPLAIN city, {label}: {line}")
        print(f"plans: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
