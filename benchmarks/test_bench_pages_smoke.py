"""Keeps the pages benchmark from rotting: a tiny city, two clients, a second a page, every page answered.

Marked `benchmark`, so `make test` skips it. Run it by hand (needs the local PostgreSQL):

    .venv/bin/python -m pytest -q -m benchmark benchmarks/test_bench_pages_smoke.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.benchmark

HERE = Path(__file__).resolve().parent
SMOKE_URL = os.environ.get("BENCH_PAGES_SMOKE_DATABASE_URL",
                           "postgres://root@127.0.0.1:5432/grassroots_bench_pages_smoke")
PAGES = ("login", "branch", "town", "county", "city", "dashboard", "members", "members-list", "city-stats")


def _postgres_reachable(url: str) -> bool:
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(HERE / "bench_pages.py"), *args], capture_output=True, text=True,
                          timeout=900)


def test_refuses_the_test_database() -> None:
    result = _run("--members", "10", "--database-url", "postgres://root@127.0.0.1:5432/test")
    assert result.returncode != 0
    assert "refusing to use the database 'test'" in result.stderr


def test_tiny_run_serves_every_page_to_logged_in_clients() -> None:
    if not _postgres_reachable(SMOKE_URL):
        pytest.skip("no PostgreSQL at " + SMOKE_URL)
    result = _run("--members", "2000", "--database-url", SMOKE_URL, "--seconds", "1", "--clients", "2",
                  "--workers", "1", "--threads", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "2 clients logged in as bench-organizer" in out
    assert "Server: gunicorn, 1 workers × 2 threads" in out
    rows = [line.split("|") for line in out.splitlines() if line.startswith("| ") and " s |" in line]
    assert len(rows) == len(PAGES)
    for row in rows:
        requests, errors = int(row[2].strip().replace(",", "")), int(row[3].strip())
        assert requests >= 1 and errors == 0, row
    assert rows[0][6].strip() == "1.0×"  # the login page against itself
    # a re-run reuses the city and the user, and profiles in process
    again = _run("--members", "2000", "--database-url", SMOKE_URL, "--profile", "--pages", "town", "--top", "5")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "generating" not in again.stdout and "added bench-organizer" not in again.stdout
    assert "a town's page" in again.stdout and "queries" in again.stdout
