"""Keeps the findings benchmark from rotting: runs its generator and timings at a tiny scale.

Marked `benchmark`, so `make test` skips it. Run it by hand (needs the local PostgreSQL):

    .venv/bin/python -m pytest -q -m benchmark benchmarks/test_bench_findings_smoke.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.benchmark

HERE = Path(__file__).resolve().parent
SMOKE_URL = os.environ.get("BENCH_FINDINGS_SMOKE_DATABASE_URL",
                           "postgres://root@127.0.0.1:5432/grassroots_bench_findings_smoke")


def _postgres_reachable(url: str) -> bool:
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin, connect_timeout=3):
            return not url.rsplit("/", 1)[1].startswith("test")
    except psycopg.OperationalError:
        return False


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(HERE / "bench_findings.py"), *args], capture_output=True, text=True,
                          timeout=900)


def test_refuses_the_test_database() -> None:
    result = _run("--members", "10", "--database-url", "postgres://root@127.0.0.1:5432/test")
    assert result.returncode != 0
    assert "refusing to use the database 'test'" in result.stderr


def test_tiny_run_generates_checks_and_times() -> None:
    if not _postgres_reachable(SMOKE_URL):
        pytest.skip("no PostgreSQL at " + SMOKE_URL)
    args = ["--members", "1500", "--shape", "2x2x4", "--database-url", SMOKE_URL, "--repeat", "1"]
    result = _run(*args, "--rebuild")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "sanity check: monthly amounts and unpaid months" in out
    assert "Data: 1,500 members, 16 branches" in out
    rows = [line.split("|") for line in out.splitlines() if line.startswith(("| town |", "| county |", "| city |"))]
    timings = [r for r in rows if r[3].strip() in ("dues", "meetings", "all")]
    assert [(r[1].strip(), r[3].strip()) for r in timings] == [
        (scope, label) for scope in ("town", "county", "city") for label in ("dues", "meetings", "all")]
    found = {(r[1].strip(), r[3].strip()): int(r[4].strip().replace(",", "")) for r in timings}
    for scope in ("town", "county", "city"):  # all sources = the sum of the two (no candidates here)
        assert found[(scope, "all")] == found[(scope, "dues")] + found[(scope, "meetings")]
    assert 0 < found[("town", "dues")] <= found[("county", "dues")] <= found[("city", "dues")]
    assert 0 < found[("town", "meetings")] <= found[("county", "meetings")] <= found[("city", "meetings")]
    assert any(r[3].strip() == "dues.arrears" for r in rows)  # the arrears the generator planned are found

    again = _run(*args)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "reusing 1,500 members" in again.stdout  # the marker makes re-runs skip generation
