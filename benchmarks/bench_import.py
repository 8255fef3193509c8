"""Benchmark: the member roster import, 100,000 rows, on SQLite or PostgreSQL.

    .venv/bin/python benchmarks/bench_import.py [--rows 100000] [--database-url URL] [--profile DIR]

It writes a roster as a secretary's office keeps one (a title row and a blank row above the headers, full-width
digits in some ID numbers and phones, dates as date cells and as typed text, the common labels: 男性, 大学本科,
自由职业者, 未就业高校毕业生, ...), then, in a fresh database holding one street with its branches and party groups,
as the street's organizer:

* baseline: openpyxl's read-only reading of the same file (`values_only`), then the same rows written as
  `Member` rows by COPY on PostgreSQL (`bulk_create` on SQLite): no checks, no events, no periods, no audit;
  rolled back;
* dry run, through the web page: the upload to `/import/members/` (the file kept, a job queued), the job's dry
  run as the worker runs it (`ui.jobs.run`: `members.importer.plan_import`, then the preview's lines stored),
  and the job's page; nothing is written;
* import, through the web page: the confirmation, the job's write (the dry run kept beside the file taken up,
  `importer.resume_plan`, then `apply_import`: checks again in bulk in the transaction what can have changed since
  the dry run, writes every member with its events, periods and audit entry), and the job's page.

and prints rows per second for each, each against the baseline's, with CPU seconds, peak memory and the
machine's load. It checks that every row was written and that the
audit chain holds (`verify_chain`). `run_import(path, org, actor)` is the one function that drives the import;
swap its body to drive another path (the web job) with the same file and the same checks.

Databases: `sqlite` (the default: a new file in a temporary directory) or a `postgres://` URL, whose database
(default `grassroots_bench_import`) is dropped and created again for every run; it refuses `test` and `test_*`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = "postgres://root@127.0.0.1:5432/grassroots_bench_import"
SEED = 20261202
BRANCHES = 40
GROUPS_PER_BRANCH = 2
FOUNDED = dt.date(1995, 1, 1)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文玉兰春海云飞鹏"
ETHNICITIES = ("汉族",) * 18 + ("回族", "彝族", "白族", "壮族", "满族", "苗族")
SEX_LABELS = {"M": ("男", "男", "男", "男性"), "F": ("女", "女", "女", "女性")}
EDUCATION_LABELS = ("大学本科", "本科", "学士", "大专", "大学专科", "硕士研究生", "硕士", "博士", "研究生", "中专",
                    "技校", "高中", "职高", "初中", "初中及以下", "小学")
OCCUPATION_LABELS = ("在岗职工", "在职", "公务员", "企业职工", "离退休人员", "退休", "农牧渔民", "农民", "学生",
                     "未就业高校毕业生", "退役军人", "自由职业者", "灵活就业", "个体户", "其他")
REGIONS = ("530102", "530103", "530111", "530112", "530113", "530114", "530115", "530124", "530125", "530127",
           "530128", "530129", "530181", "530302", "530322", "530402", "530421", "530521", "530522", "532301")
TITLE = "某街道党工委党员花名册（2026年）"
HEADERS = ("序号", "姓名", "性别", "民族", "出生日期", "身份证号码", "学历", "人员类别", "党员状态", "入党时间",
           "转正时间", "所在党支部", "联系电话", "党小组")
FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


# ---------------------------------------------------------------------------------------------------------
# Database selection and Django setup


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def fresh_postgres(url: str) -> None:
    """Drop and create the benchmark's own PostgreSQL database (never `test` or `test_*`)."""
    import psycopg
    from psycopg import sql

    name = database_name(url)
    if not name or name == "test" or name.startswith("test_"):
        sys.exit(f"refusing to use the database {name!r}: the test suite uses it")
    parts = urlsplit(url)
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, parts.fragment))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(url: str, workdir: Path) -> str:
    """Point Django at a fresh database and migrate it; the engine's name."""
    if url == "sqlite":
        url = f"sqlite:///{workdir / 'bench_import.sqlite3'}"
    elif urlsplit(url).scheme.startswith("postgres"):
        fresh_postgres(url)
    else:
        sys.exit("--database-url: 'sqlite' or a postgres:// URL")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("GRASSROOTS_DATA_DIR", str(workdir / "var"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection

    return connection.vendor


# ---------------------------------------------------------------------------------------------------------
# The street and the roster


@dataclass
class Street:
    street: Any
    branches: list[Any]
    groups: dict[str, list[Any]]  # branch code -> its party groups
    organizer: Any


def build_street() -> Street:
    """One street working committee, BRANCHES branches (one agency, the rest communities) with party groups,
    and its organizer (a user with the organizer role at the street), all through the services."""
    from django.contrib.auth import get_user_model

    from grassroots.access.models import Role
    from grassroots.core.context import acting
    from grassroots.orgs.services import org_create

    with acting(None, "system"):
        street = org_create(code="JD", name="某街道党工委", kind="working_committee", founded_on=FOUNDED)
        branches, groups = [], {}
        for i in range(1, BRANCHES + 1):
            name = "街道机关党支部" if i == 1 else f"第{i - 1}社区党支部"
            branch = org_create(code=f"JD{i:02d}", name=name, kind="branch", founded_on=FOUNDED, parent=street)
            branches.append(branch)
            groups[branch.code] = [
                org_create(code=f"{branch.code}G{g}", name=f"{name}第{g}党小组", kind="party_group",
                           founded_on=FOUNDED, parent=branch)
                for g in range(1, GROUPS_PER_BRANCH + 1)]
    organizer = get_user_model().objects.create_user(username="organizer", password="bench-only-password")
    Role.objects.create(user=organizer, kind="organizer", org=street)
    return Street(street, branches, groups, organizer)


def random_day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def roster_rows(n: int, street: Street, today: dt.date, rng: random.Random) -> list[list[Any]]:
    """n valid rows as a secretary types them (distinct ID numbers with their check digits)."""
    from grassroots.core import idnumber

    rows: list[list[Any]] = []
    seen: set[str] = set()
    last_birth = add_years(today, -19)
    while len(rows) < n:
        birth = random_day(rng, dt.date(1935, 1, 1), last_birth)
        sex = rng.choice("MF")
        seq = rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0)  # the sequence digit's parity is the sex
        number = idnumber.make(rng.choice(REGIONS), birth, seq)
        if number in seen:
            continue
        seen.add(number)
        joined = random_day(rng, max(add_years(birth, 18), dt.date(1950, 1, 1)), today - dt.timedelta(days=1))
        probationary = joined > today - dt.timedelta(days=365) or rng.random() < 0.03
        converted = None
        if not probationary:
            converted = min(add_years(joined, 1), today)
            if converted <= joined:
                converted, probationary = None, True
        branch = rng.choice(street.branches)
        group = rng.choice(street.groups[branch.code]) if rng.random() < 0.4 else None
        shown_id = number.translate(FULL_WIDTH_DIGITS) if rng.random() < 0.1 else number
        phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
        if rng.random() < 0.05:
            phone = phone.translate(FULL_WIDTH_DIGITS)
        elif rng.random() < 0.2:
            phone = ""
        birth_cell: Any = birth if rng.random() < 0.7 else rng.choice((f"{birth:%Y年%m月%d日}", f"{birth:%Y.%m.%d}"))
        if rng.random() < 0.2:
            birth_cell = None  # the ID number says it
        joined_cell: Any = joined if rng.random() < 0.8 else f"{joined:%Y/%m/%d}"
        status = "" if rng.random() < 0.5 else ("预备党员" if probationary else "正式党员")
        rows.append([
            len(rows) + 1,
            rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2)))),
            rng.choice(SEX_LABELS[sex]),
            rng.choice(ETHNICITIES),
            birth_cell,
            shown_id,
            rng.choice(EDUCATION_LABELS),
            rng.choice(OCCUPATION_LABELS),
            status,
            joined_cell,
            converted,
            branch.code if rng.random() < 0.6 else branch.name,
            phone,
            (group.code if rng.random() < 0.5 else group.name) if group is not None else "",
        ])
    return rows


def write_roster(path: Path, rows: list[list[Any]]) -> None:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("党员花名册")
    ws.append([TITLE])
    ws.append([])
    ws.append(list(HEADERS))
    id_col = HEADERS.index("身份证号码")
    for row in rows:
        cells: list[Any] = []
        for i, value in enumerate(row):
            if isinstance(value, dt.date):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            elif i == id_col:
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = "@"  # text, as the template asks
                cells.append(cell)
            else:
                cells.append(value)
        ws.append(cells)
    wb.save(path)


# ---------------------------------------------------------------------------------------------------------
# What is timed


@dataclass
class ImportTimes:
    dry_run: float
    dry_run_counts: dict[str, int]
    apply: float  # plan + apply, as `grassroots import members` without --dry-run
    counts: dict[str, int]
    dry_run_cpu: float = float("nan")  # this process's CPU seconds (not the database server's)
    apply_cpu: float = float("nan")
    dry_run_peak: float = float("nan")  # the process's peak resident memory after the step (MB)
    apply_peak: float = float("nan")


def run_import(path: Path, org: Any, actor: Any) -> ImportTimes:
    """The import as a user drives it through the web page: the upload (`/import/members/`, the file kept and a
    job queued), the job's dry run as the worker runs it (`ui.jobs.run`), the job's page; then the confirmation
    and the job's write (which checks every row again and writes), and the done page. Each step is timed from the
    request to the page that shows its result."""
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from grassroots.ui import jobs
    from grassroots.ui.models import ImportJob, JobStatus

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(actor)
    start, cpu = time.perf_counter(), time.process_time()
    with path.open("rb") as fileobj:
        response = client.post(reverse("member-import"), {"file": fileobj, "default_org": org.code})
    if response.status_code != 302:
        raise SystemExit(f"the upload was refused ({response.status_code})")
    job = ImportJob.objects.filter(user=actor).latest("created_at")
    status = jobs.run(job.pk)  # what the worker does with the queued job
    page = client.get(reverse("import-job", args=[job.pk]))
    dry, dry_cpu, dry_peak = time.perf_counter() - start, time.process_time() - cpu, peak_mb()
    job.refresh_from_db()
    if status != JobStatus.CHECKED or job.error_count or page.status_code != 200:
        raise SystemExit(f"the dry run found errors or failed: {status} {job.error_count} {job.message}")
    dry_counts = dict(job.counts)
    start, cpu = time.perf_counter(), time.process_time()
    client.post(reverse("import-job-confirm", args=[job.pk]))
    status = jobs.run(job.pk)
    page = client.get(reverse("import-job", args=[job.pk]))
    applied, applied_cpu = time.perf_counter() - start, time.process_time() - cpu
    job.refresh_from_db()
    if status != JobStatus.DONE or page.status_code != 200:
        raise SystemExit(f"the import wrote nothing: {status} {job.message}")
    return ImportTimes(dry, dry_counts, applied, dict(job.counts), dry_cpu, applied_cpu, dry_peak, peak_mb())


def baseline(path: Path, street: Street) -> tuple[float, float, int, float]:
    """openpyxl's read-only reading of the file, then the same rows written as `Member` rows (labels looked up in a
    dict, nothing checked, no events, periods or audit): by COPY on PostgreSQL (psycopg's `cursor.copy`, ids from
    the column's default), by `bulk_create` on SQLite; rolled back. Seconds to read, seconds to write, rows, CPU
    seconds."""
    import openpyxl
    from django.db import connection, transaction
    from django.utils import timezone

    from grassroots.core import idnumber
    from grassroots.members.headers import code_for
    from grassroots.members.models import Member

    start, cpu = time.perf_counter(), time.process_time()
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    wb.close()
    read = time.perf_counter() - start

    by_key = {b.code: b.pk for b in street.branches} | {b.name: b.pk for b in street.branches}
    col = {h: i for i, h in enumerate(HEADERS)}
    start, now = time.perf_counter(), timezone.now()
    values = []
    for r in rows[3:]:
        number = idnumber.normalize(str(r[col["身份证号码"]]))
        converted = r[col["转正时间"]]
        joined = r[col["入党时间"]]
        values.append(dict(
            name=r[col["姓名"]], sex=code_for("sex", r[col["性别"]]), ethnicity=r[col["民族"]],
            birth_date=idnumber.birth_date(number), id_number=number, phone=r[col["联系电话"]] or "",
            education=code_for("education", r[col["学历"]]), occupation=code_for("occupation", r[col["人员类别"]]),
            status="full" if converted else "probationary", standing="active", org_id=by_key[r[col["所在党支部"]]],
            joined_on=joined if isinstance(joined, dt.date) else dt.datetime.strptime(joined, "%Y/%m/%d").date(),
            converted_on=converted, mobile=False, created_at=now, updated_at=now, version=1))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            names = list(values[0])
            with connection.cursor() as cur, cur.cursor.copy(
                    f"COPY {Member._meta.db_table} ({', '.join(names)}) FROM STDIN") as copy:
                for v in values:
                    copy.write_row([v[n] for n in names])
        else:
            Member.objects.bulk_create([Member(**v) for v in values], batch_size=2000)
        transaction.set_rollback(True)
    insert = time.perf_counter() - start
    return read, insert, len(values), time.process_time() - cpu


def peak_mb() -> float:
    """This process's peak resident memory so far (ru_maxrss, KB on Linux)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def engine_facts() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT version()")
            return str(cur.fetchone()[0]).split(" on ")[0]
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_IMPORT_DATABASE_URL", "sqlite"),
                        help=f"'sqlite' (a new file) or a postgres:// URL, e.g. {DEFAULT_PG_URL}")
    parser.add_argument("--profile", metavar="DIR", help="write cProfile stats of the dry run and the import here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench_import_") as tmp:
        workdir = Path(tmp)
        vendor = setup_django(args.database_url, workdir)
        from django.utils import timezone

        from grassroots.core.audit import verify_chain
        from grassroots.core.models import AuditEntry
        from grassroots.members.models import Member, MemberEvent, MemberPeriod

        street = build_street()
        start = time.perf_counter()
        rows = roster_rows(args.rows, street, timezone.localdate(), random.Random(SEED))
        path = workdir / "党员花名册.xlsx"
        write_roster(path, rows)
        generated = time.perf_counter() - start
        print(f"roster: {args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB, written in {generated:.1f} s")

        load_before = load()
        read, insert, n, base_cpu = baseline(path, street)
        base_peak = peak_mb()
        assert n == args.rows
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            times = profiler.runcall(run_import, path, street.street, street.organizer)
            Path(args.profile).mkdir(parents=True, exist_ok=True)
            out = Path(args.profile) / f"bench_import_{vendor}.pstats"
            profiler.dump_stats(out)
            print(f"profile: {out}")
        else:
            times = run_import(path, street.street, street.organizer)
        load_after = load()

        members = Member.objects.count()
        events, periods, entries = MemberEvent.objects.count(), MemberPeriod.objects.count(), AuditEntry.objects.count()
        broken = verify_chain()
        if times.dry_run_counts["create"] != args.rows or times.counts["create"] != args.rows or members != args.rows:
            print(f"MISMATCH: {args.rows} rows, dry run {times.dry_run_counts}, import {times.counts}, "
                  f"{members} members")
            return 1
        if broken is not None:
            print(f"the audit chain breaks at entry {broken}")
            return 1

        def rate(seconds: float) -> str:
            return f"{args.rows / seconds:,.0f}"

        print()
        print(f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {engine_facts()} ({vendor}), Python "
              f"{platform.python_version()}, {os.cpu_count()} CPUs")
        print(f"Load average (1 / 5 / 15 min): {load_before} before, {load_after} after")
        print(f"Written: {members:,} members, {events:,} events, {periods:,} periods, {entries:,} audit entries; "
              "audit chain verified")
        print()
        written = "COPY" if vendor == "postgresql" else "bulk_create"
        base = read + insert
        print("| step | seconds | rows/s | against the baseline's rows/s | CPU seconds (this process) "
              "| peak memory (MB, this process) |")
        print("|---|---:|---:|---:|---:|---:|")
        print(f"| baseline: openpyxl read-only read | {read:,.1f} | {rate(read)} | | | |")
        print(f"| baseline: {written} of the same rows as Member rows | {insert:,.1f} | {rate(insert)} | | | |")
        print(f"| baseline: read + {written} | {base:,.1f} | {rate(base)} | 1.00 | {base_cpu:,.1f} | "
              f"{base_peak:,.0f} |")
        print(f"| dry run through the web page: upload, the job's check, its page | {times.dry_run:,.1f} | "
              f"{rate(times.dry_run)} | {base / times.dry_run:.2f} | {times.dry_run_cpu:,.1f} | "
              f"{times.dry_run_peak:,.0f} |")
        print(f"| import through the web page: confirm, the job's check and write, its page | {times.apply:,.1f} | "
              f"{rate(times.apply)} | {base / times.apply:.2f} | {times.apply_cpu:,.1f} | {times.apply_peak:,.0f} |")
        print()
        print(f"import: {base / times.apply:.0%} of the baseline's rows/s (goal: 50% or more); peak memory is the "
              "process's high-water mark so far (baseline, then dry run, then import)")
        return 0


if __name__ == "__main__":
    sys.exit(main())
