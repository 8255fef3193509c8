"""Benchmark: the rollups' monthly marks built ahead (`rollups.build_marks`) against the first read that builds one.

    .venv/bin/python benchmarks/bench_marks.py --database-url postgres://root@127.0.0.1:5432/COPY_OF_BENCH

Run it on a copy of the database `bench_stats.py` builds (`createdb -T grassroots_bench COPY`): it deletes and
builds marks. For the current month it times, for the city: the first read when no mark of the month exists,
(a) with last month's marks there (the first read of a new month) and (b) with no mark at all (after a backfill
of the deltas alone); then the build of every node's mark (`build_marks`) in both cases, the read after it, and a
second build (nothing left to do: what the nightly task costs on the other nights of a month).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", required=True)
    args = ap.parse_args()
    if args.database_url.rstrip("/").rsplit("/", 1)[-1] in ("grassroots", "grassroots_bench", "test"):
        raise SystemExit("use a copy: this benchmark deletes marks")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils import timezone

    from grassroots.members import rollups
    from grassroots.members.models import AgeMark, Member, RollupMark
    from grassroots.orgs.models import Organization

    today = timezone.localdate()
    month = today.replace(day=1)
    last = (month - dt.timedelta(days=1)).replace(day=1)
    city = Organization.objects.get(depth=1)
    print(f"members {Member.objects.count():,}, organizations {Organization.objects.count():,}; "
          f"load {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")

    def drop(*months: dt.date) -> None:
        RollupMark.objects.filter(month__in=months).delete()
        AgeMark.objects.filter(month__in=months).delete()

    def timed(label: str, fn: Callable[[], T]) -> T:
        started = time.perf_counter()
        out = fn()
        print(f"{label}: {time.perf_counter() - started:.3f} s")
        return out

    def read() -> dict[str, int]:
        return rollups.figures(city.pk, today)

    for case, keep_last in (("last month marked", True), ("no mark before", False)):
        drop(month)
        if keep_last:
            print(f"  ({rollups.build_marks(last)} marks of {last:%Y-%m} built first)")
        else:
            RollupMark.objects.all().delete()
            AgeMark.objects.all().delete()
        print(f"[{case}]")
        first = timed("  city, first read of the month (builds its mark)", read)
        drop(month)
        if not keep_last:
            RollupMark.objects.all().delete()
            AgeMark.objects.all().delete()
        built = timed("  build_marks(), every node", rollups.build_marks)
        print(f"    {built} marks built")
        after = timed("  city, first read after build_marks", read)
        assert after == first == rollups.figures(city.pk, today, marks=False)
        again = timed("  build_marks() again (nothing to build)", rollups.build_marks)
        assert again == 0
    print(f"load {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
