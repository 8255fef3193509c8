"""Benchmark: visit rates for 1,000,000 households, a street and a city, beside a hand-written SQL count.

    .venv/bin/python benchmarks/bench_visit_rates.py [--households 1000000] [--rebuild]

Uses its own PostgreSQL database (default postgres://root@127.0.0.1:5432/bench_visits, created when missing; it
refuses `test`), generated once and reused (a marker table records the size). The city: 10 streets x 10
communities x 10 grids (1,111 places), the households spread evenly over the 1,000 grids, 2.5 persons each on
average; 4% moved to another grid in the year, 3% left, 2% came during the year; 73% visited in the year (seed
003: "a visiting rate of 73%"), some twice.

Times (best and median of 3 after a warm-up) `visits.selectors.visit_rates` and `rate_table` for one street and
the city, as of 2025-06-30, for the period 2025-01-01..2025-12-31, beside a hand-written SQL count of the same
figures in the same run, checks that both agree, and prints a Markdown table with the machine's load (`uptime`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import bench_stats as base  # noqa: E402  (database setup, timing and machine facts)

DEFAULT_URL = "postgres://root@127.0.0.1:5432/bench_visits"
VERSION = 1
SEED = 73
START, END, AS_OF = dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2025, 6, 30)
SHAPE = (10, 10, 10)  # streets, communities per street, grids per community


def build_places() -> list[Any]:
    from grassroots.orgs.models import Territory

    Territory.objects.filter(code__startswith="BV").delete()
    city = Territory.add_root(code="BV", name="City", kind="county")
    grids = []
    for s in range(SHAPE[0]):
        street = city.add_child(code=f"BV-{s}", name=f"Street {s}", kind="street")
        for c in range(SHAPE[1]):
            community = street.add_child(code=f"BV-{s}-{c}", name=f"Community {s}-{c}", kind="community")
            for g in range(SHAPE[2]):
                grids.append(community.add_child(code=f"BV-{s}-{c}-{g}", name=f"Grid {s}-{c}-{g}", kind="grid"))
    return grids


def copy(cur: Any, table: str, columns: str, rows: Any) -> None:
    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)


def build(n: int) -> float:
    from django.db import connection

    started = time.perf_counter()
    rng = random.Random(SEED)
    with connection.cursor() as c:
        for table in ("visits_visit_visitor_users", "visits_visit_visitor_members", "visits_visit_links",
                      "visits_visitfinding", "visits_visit", "visits_householdlink", "visits_linktarget",
                      "households_person", "households_householdplace", "households_household"):
            c.execute(f"TRUNCATE {table} CASCADE")
    grids = build_places()
    now = dt.datetime(2025, 12, 31, 12, tzinfo=dt.UTC)
    households, places, persons, visits = [], [], [], []
    for i in range(1, n + 1):
        grid = grids[i % len(grids)]
        came = START + dt.timedelta(days=rng.randint(0, 364)) if rng.random() < 0.02 else None
        left = None
        roll = rng.random()
        if roll < 0.04:  # moved to another grid in the year
            moved = START + dt.timedelta(days=rng.randint(1, 364))
            if came is not None and moved <= came:
                moved = came + dt.timedelta(days=1)
            other = grids[rng.randrange(len(grids))]
            places.append((i, grid.pk, grid.path, came, moved))
            places.append((i, other.pk, other.path, moved, None))
            current = other
        else:
            current = grid
            if roll < 0.07:
                left = START + dt.timedelta(days=rng.randint(1, 364))
                if came is not None and left <= came:
                    left = came + dt.timedelta(days=1)
            places.append((i, grid.pk, grid.path, came, left))
        households.append((i, f"BV{i:08d}", current.pk, f"H{i}", "", left, now, 1, "", "", "", "", ""))
        for k in range(rng.choice((1, 2, 2, 3, 3, 4))):
            persons.append((i, f"P{i}-{k}", "02" if k == 0 else "99", came, None, now, 1, "", "", "", ""))
        if rng.random() < 0.73:
            first = came or START
            last = min(left - dt.timedelta(days=1), END) if left else END
            for _v in range(1 + (rng.random() < 0.2)):
                day = first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))
                visits.append((i, current.pk, day, "routine", "", uuid.UUID(int=rng.getrandbits(128)), False, now))
    with connection.cursor() as c:
        copy(c, "households_household", "id, code, territory_id, head_name, phone, left_on, recorded_at, version, building, unit, flat, "
             "address, note",
             households)
        copy(c, "households_householdplace", "household_id, territory_id, path, valid_from, valid_to", places)
        copy(c, "households_person", "household_id, name, relation, joined_on, left_on, recorded_at, version, sex, id_number, phone, "
             "left_reason",
             persons)
        copy(c, "visits_visit", "household_id, territory_id, day, purpose, notes, client_id, entered_late, "
             "recorded_at", visits)
        c.execute("SELECT setval(pg_get_serial_sequence('households_household', 'id'), %s)", [n])
        c.execute("CREATE TABLE IF NOT EXISTS bench_marker (households bigint, version int, seconds double precision)")
        c.execute("DELETE FROM bench_marker")
        seconds = time.perf_counter() - started
        c.execute("INSERT INTO bench_marker VALUES (%s, %s, %s)", [n, VERSION, seconds])
        for table in ("households_household", "households_householdplace", "households_person", "visits_visit"):
            c.execute(f"ANALYZE {table}")
    return seconds


HAND_SQL = """
WITH living AS (
    SELECT hp.household_id, substr(hp.path, 1, %(length)s) AS prefix,
           EXISTS (SELECT 1 FROM visits_visit v WHERE v.household_id = hp.household_id
                   AND v.day BETWEEN %(start)s AND %(end)s) AS seen
    FROM households_householdplace hp
    WHERE hp.path LIKE %(like)s
      AND (hp.valid_from IS NULL OR hp.valid_from <= %(day)s) AND (hp.valid_to IS NULL OR hp.valid_to > %(day)s)
), people AS (
    SELECT l.prefix, l.seen FROM households_person p JOIN living l ON l.household_id = p.household_id
    WHERE (p.joined_on IS NULL OR p.joined_on <= %(day)s) AND (p.left_on IS NULL OR p.left_on > %(day)s)
)
SELECT h.prefix, h.households, h.visited, coalesce(q.persons, 0), coalesce(q.persons_visited, 0)
FROM (SELECT prefix, count(*) AS households, count(*) FILTER (WHERE seen) AS visited FROM living GROUP BY prefix) h
LEFT JOIN (SELECT prefix, count(*) AS persons, count(*) FILTER (WHERE seen) AS persons_visited FROM people
           GROUP BY prefix) q ON q.prefix = h.prefix
"""


def hand(place: Any, length: int) -> dict[str, tuple[int, int, int, int]]:
    from django.db import connection

    with connection.cursor() as c:
        c.execute(HAND_SQL, {"length": length, "start": START, "end": END, "day": AS_OF, "like": place.path + "%"})
        return {r[0]: (r[1], r[2], r[3], r[4]) for r in c.fetchall()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    base.setup_django(args.database_url)
    from django.db import connection

    from grassroots.orgs.models import Territory
    from grassroots.visits import selectors

    with connection.cursor() as c:
        c.execute("CREATE TABLE IF NOT EXISTS bench_marker (households bigint, version int, seconds double precision)")
        c.execute("SELECT households, version, seconds FROM bench_marker")
        row = c.fetchone()
    if args.rebuild or row is None or row[0] != args.households or row[1] != VERSION:
        print(f"building {args.households:,} households ...", flush=True)
        print(f"built in {build(args.households):.1f} s", flush=True)
    else:
        print(f"reusing {row[0]:,} households (built in {row[2]:.1f} s)")
    city = Territory.objects.get(code="BV")
    street = Territory.objects.get(code="BV-0")
    lines = ["| scope | what | selector best / median (s) | hand SQL best / median (s) | households | visited | "
             "persons | persons visited |", "|---|---|---|---|---|---|---|---|"]
    for label, place in (("street", street), ("city", city)):
        rate, best, median = base.timed(lambda p=place: selectors.visit_rates(p, START, END, AS_OF), args.repeat)
        sql, hbest, hmedian = base.timed(lambda p=place: hand(p, len(p.path)), args.repeat)
        figures = sql[place.path]
        assert figures == (rate.households, rate.visited, rate.persons, rate.persons_visited), (figures, rate)
        lines.append(f"| {label} | rate of the place | {best:.3f} / {median:.3f} | {hbest:.3f} / {hmedian:.3f} | "
                     f"{rate.households:,} | {rate.visited:,} ({rate.percent}%) | {rate.persons:,} | "
                     f"{rate.persons_visited:,} |")
        rows, tbest, tmedian = base.timed(lambda p=place: selectors.rate_table(p, START, END, AS_OF), args.repeat)

        def hand_table(p: Any = place) -> dict[str, tuple[int, int, int, int]]:
            lengths = sorted({len(t.path) for t in Territory.objects.filter(path__startswith=p.path)
                              .exclude(kind__in=("street", "county")).exclude(pk=p.pk)})
            found = hand(p, len(p.path))
            for length in lengths:
                found.update(hand(p, length))
            return found

        sql_rows, sbest, smedian = base.timed(hand_table, args.repeat)
        for r in rows:
            got = sql_rows.get(r.place.path, (0, 0, 0, 0))
            assert got == (r.households, r.visited, r.persons, r.persons_visited), (r.place.code, got, r)
        lines.append(f"| {label} | table: {len(rows):,} places (communities, grids) | {tbest:.3f} / {tmedian:.3f} | "
                     f"{sbest:.3f} / {smedian:.3f} | | | | |")
    load = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    facts = base.machine_facts()
    print()
    print(f"Visit rates, {args.households:,} households, period {START}..{END} as of {AS_OF}:")
    print()
    print("\n".join(lines))
    print()
    print(f"Machine: {facts['cpu_model']}, {facts['nproc']} cores, {facts['memory']}; {facts['postgresql']}; "
          f"work_mem {facts['work_mem']}, parallel workers per gather {facts['max_parallel_workers_per_gather']}.")
    print(f"Load (uptime): {load}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
