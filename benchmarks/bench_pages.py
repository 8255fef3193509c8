"""Benchmark: the pages under load, on a PostgreSQL database of 1,000,000 members, served as `grassroots serve`
serves them.

    .venv/bin/python benchmarks/bench_pages.py [--seconds 60] [--clients 20] [--database-url postgres://...]
    .venv/bin/python benchmarks/bench_pages.py --seconds 10 --pages town,city-stats     # a short run, two pages
    .venv/bin/python benchmarks/bench_pages.py --profile                               # where each page's time goes

The database is bench_stats's synthetic city (1 city > 10 counties > 15 towns > 20 branches, N members with their
events and periods): its own copy, default postgres://root@127.0.0.1:5432/grassroots_bench_pages. When it has no
city of `--members` members yet, bench_stats's generator builds one there (about 10 minutes for 1,000,000; or copy
a built one: `createdb -T grassroots_bench grassroots_bench_pages`). The script migrates it and adds, through the
access services, an organizer of the city to log in as (`bench-organizer`, the scope checks run as for any
committee's organizer).

Then it starts gunicorn on a free loopback port exactly as `grassroots serve` does (`grassroots.serve`'s sizing
for this machine, `--workers`/`--threads` to override), logs `--clients` clients in, and for each page in turn has
them all request it back to back for `--seconds`: first the login page (its p95 is the baseline), then a
branch's, a town's, a county's and the city's organization page, a town's dashboard, a branch's members
fragment (the HTMX table the name filter and the pager fetch) and a town's members list turned to a later page,
and the city's statistics API. It prints, per page, the requests, errors, p50 and p95 and the p95 against the
login page's, with the load average before and after each page, and exits with status 1 if any request failed.

`--profile` runs each page once in this process instead (Django's test client, logged in), with cProfile and
the SQL queries counted, and prints the functions that took the most time.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import http.cookiejar
import io
import os
import pstats
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench_stats as base  # noqa: E402  (the generator and the database checks)

DEFAULT_URL = "postgres://root@127.0.0.1:5432/grassroots_bench_pages"
USERNAME = "bench-organizer"
PASSWORD = "bench-organizer-password-7f3a"  # a benchmark database's login on the loopback only


@dataclass(frozen=True)
class Page:
    key: str
    title: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    anonymous: bool = False


@dataclass
class Result:
    page: Page
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    load_before: float = 0.0
    load_after: float = 0.0

    def quantile(self, q: float) -> float:
        if not self.times:
            return float("nan")
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def load_average() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


# ---------------------------------------------------------------------------------------------------------------
# The database: the city, its user


def prepare(members: int, rebuild: bool) -> None:
    """Build the city if the database does not hold one of `members` members; add the organizer to log in as."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from grassroots.access.services import user_create
    from grassroots.core.context import acting
    from grassroots.orgs.models import Organization

    with connection.cursor() as cur:
        existing = base.marker(cur)
    fresh = existing is not None and (existing["members"], existing["seed"], existing["version"]) == (
        members, base.SEED, base.GENERATOR_VERSION)
    if rebuild or not fresh:
        print(f"generating {members:,} members ...", flush=True)
        print(f"generated in {base.build(members):.0f} s", flush=True)
    User = get_user_model()
    if not User.objects.filter(username=USERNAME).exists():
        city = Organization.objects.get_root_nodes().get()
        with transaction.atomic(), acting(None, "cli"):
            user_create(username=USERNAME, password=PASSWORD, full_name="Benchmark organizer", kind="organizer",
                        org=city)
        print(f"added {USERNAME}, an organizer of {city.code}", flush=True)


def pages(wanted: list[str] | None) -> list[Page]:
    """The login page and the pages measured against it, on the first branch, town and county of the city."""
    from django.urls import reverse

    from grassroots.members.selectors import current_members
    from grassroots.orgs.models import Organization, OrgKind
    from grassroots.ui.lists import PAGE_SIZE

    city = Organization.objects.get_root_nodes().get()
    county = Organization.objects.get_children(city).order_by("path").first()
    assert county is not None
    town = (Organization.objects.get_children(county).filter(kind=OrgKind.COMMITTEE).order_by("path").first())
    assert town is not None
    branch = Organization.objects.get_children(town).order_by("path").first()
    assert branch is not None
    later_page = max(2, current_members(town).count() // PAGE_SIZE // 2)  # half-way through the town's list
    htmx = {"HX-Request": "true", "HX-Target": "members"}
    found = [
        Page("login", "the login page (baseline)", reverse("login"), anonymous=True),
        Page("branch", f"a branch's page ({branch.code})", reverse("org-detail", args=[branch.code])),
        Page("town", f"a town's page ({town.code})", reverse("org-detail", args=[town.code])),
        Page("county", f"a county's page ({county.code})", reverse("org-detail", args=[county.code])),
        Page("city", f"the city's page ({city.code})", reverse("org-detail", args=[city.code])),
        Page("dashboard", f"a town's dashboard ({town.code})", reverse("dashboard", args=[town.code])),
        Page("members", f"a branch's members fragment ({branch.code})",
             reverse("org-detail", args=[branch.code]), headers=htmx),
        Page("members-list", f"a town's members list, page {later_page} ({town.code})",
             reverse("org-detail", args=[town.code]) + f"?page={later_page}", headers=htmx),
        Page("city-stats", f"the city's statistics API ({city.code})", f"/api/orgs/{city.code}/stats/"),
    ]
    if wanted:
        unknown = set(wanted) - {p.key for p in found}
        if unknown:
            raise SystemExit(f"--pages: unknown page {', '.join(sorted(unknown))}; "
                             f"known: {', '.join(p.key for p in found)}")
        found = [p for p in found if p.key == "login" or p.key in wanted]
    return found


# ---------------------------------------------------------------------------------------------------------------
# The server, as `grassroots serve` starts it


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, workers: int | None, threads: int | None, log: Path) -> tuple[subprocess.Popen[bytes], str,
                                                                                         str]:
    from grassroots.serve import gunicorn_command, sizing_for_this_machine

    sizing = sizing_for_this_machine(workers=workers, threads=threads)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "grassroots.settings",
           "PYTHONPATH": os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")])}
    out = log.open("ab")
    proc = subprocess.Popen(gunicorn_command("127.0.0.1", port, sizing), env=env, stdout=out, stderr=out,
                            cwd=HERE.parent)
    root = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn ended with status {proc.returncode}; see {log}")
        try:
            urllib.request.urlopen(root + "/login/", timeout=5).read()
            break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    else:
        proc.terminate()
        raise SystemExit(f"gunicorn did not answer within a minute; see {log}")
    return proc, root, f"{sizing.workers} workers × {sizing.threads} threads (gthread; {sizing.reason})"


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# ---------------------------------------------------------------------------------------------------------------
# The clients


class _Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Client:
    """One browser: its cookies, logged in (or not, for the login page)."""

    def __init__(self, root: str, timeout: float) -> None:
        self.root = root
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        request = urllib.request.Request(self.root + path, headers=headers or {})
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def log_in(self) -> None:
        status, body = self.get("/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or token is None:
            raise SystemExit(f"the login page answered {status} without a form")
        data = urllib.parse.urlencode({"username": USERNAME, "password": PASSWORD,
                                       "csrfmiddlewaretoken": token.group(1).decode()}).encode()
        request = urllib.request.Request(self.root + "/login/", data=data,
                                         headers={"Referer": self.root + "/login/"})
        no_redirect = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _Stay())
        try:  # the redirect after logging in is not followed: it leads to the user's (heavy) home page
            with no_redirect.open(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            if exc.code != 302:
                raise SystemExit(f"logging in answered {exc.code}") from None
        if not any(c.name == "sessionid" for c in self.jar):
            raise SystemExit(f"could not log in as {USERNAME}")


def hammer(clients: list[Client], page: Page, seconds: float) -> Result:
    """Every client requests `page` back to back until `seconds` have passed (a request under way finishes)."""
    result = Result(page, load_before=load_average())
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def run(client: Client) -> None:
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                status, _body = client.get(page.path, page.headers)
                problem = None if status == 200 else f"HTTP {status}"
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
                problem = f"{type(exc).__name__}: {exc}"
            elapsed = time.perf_counter() - start
            with lock:
                if problem is None:
                    result.times.append(elapsed)
                else:
                    result.errors.append(problem)

    threads = [threading.Thread(target=run, args=(c,), daemon=True) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.load_after = load_average()
    return result


def report(results: list[Result], server: str, seconds: float, clients: int) -> None:
    login = next(r for r in results if r.page.key == "login")
    base_p95 = login.quantile(0.95)
    print()
    print(f"Run {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}: {clients} clients, about {seconds:.0f} s a page")
    print(f"Server: gunicorn, {server}")
    print()
    print("| page | requests | errors | p50 | p95 | p95 / login p95 | load before → after |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for r in results:
        ratio = r.quantile(0.95) / base_p95 if base_p95 == base_p95 and base_p95 > 0 else float("nan")
        print(f"| {r.page.title} | {len(r.times):,} | {len(r.errors):,} | {r.quantile(0.5):.3f} s | "
              f"{r.quantile(0.95):.3f} s | {ratio:.1f}× | {r.load_before:.2f} → {r.load_after:.2f} |")
    print()
    for r in results:
        if r.errors:
            print(f"errors on {r.page.key}: {sorted(set(r.errors))[:3]}")


# ---------------------------------------------------------------------------------------------------------------
# --profile: each page once in this process


def profile_pages(found: list[Page], top: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    client = DjangoClient()
    client.force_login(get_user_model().objects.get(username=USERNAME))
    for page in found:
        if page.anonymous:
            continue
        client.get(page.path, headers=page.headers)  # warm: the templates, the caches
        profiler = cProfile.Profile()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            profiler.enable()
            response = client.get(page.path, headers=page.headers)
            profiler.disable()
            elapsed = time.perf_counter() - start
        sql = sum(float(q.get("time") or 0) for q in queries.captured_queries)
        print(f"\n## {page.title}: HTTP {response.status_code}, {elapsed:.3f} s, {len(queries.captured_queries)} "
              f"queries ({sql:.3f} s in SQL)")
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(r"grassroots/(?!core/middleware|ui/errors)", top)
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])


# ---------------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=1_000_000, help="the city's size (built when missing)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_PAGES_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--rebuild", action="store_true", help="regenerate the city even if it is there")
    parser.add_argument("--seconds", type=float, default=60, help="how long each page is requested (default 60)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument("--timeout", type=float, default=300, help="a request's timeout in seconds (an error)")
    parser.add_argument("--pages", help="comma-separated keys of the pages to measure (the login page always)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: as `grassroots serve` sizes them)")
    parser.add_argument("--threads", type=int, help="threads per worker (default: as `grassroots serve`)")
    parser.add_argument("--profile", action="store_true", help="profile each page once in this process instead")
    parser.add_argument("--top", type=int, default=25, help="--profile: the functions listed per page")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0:
        parser.error("--clients and --seconds must be positive")

    base.setup_django(args.database_url)
    prepare(args.members, args.rebuild)
    found = pages([k.strip() for k in args.pages.split(",") if k.strip()] if args.pages else None)
    if args.profile:
        profile_pages(found, args.top)
        return 0

    from django.db import connections

    connections.close_all()  # the server's workers hold the connections from here on
    log = Path(tempfile.gettempdir()) / f"bench_pages_gunicorn_{os.getpid()}.log"
    proc, root, server = start_server(args.database_url, args.workers, args.threads, log)
    try:
        anonymous = [Client(root, args.timeout) for _ in range(args.clients)]
        logged_in = [Client(root, args.timeout) for _ in range(args.clients)]
        for client in logged_in:
            client.log_in()
        print(f"{args.clients} clients logged in as {USERNAME}; server log {log}", flush=True)
        results = []
        for page in found:
            result = hammer(anonymous if page.anonymous else logged_in, page, args.seconds)
            print(f"  {page.key}: {len(result.times)} requests, p95 {result.quantile(0.95):.3f} s, "
                  f"{len(result.errors)} errors", flush=True)
            results.append(result)
    finally:
        stop_server(proc)
    report(results, server, args.seconds, args.clients)
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
