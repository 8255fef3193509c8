"""Keeps the statistics benchmark from rotting: runs its generator and timings at a tiny scale.

Marked `benchmark`, so `make test` skips it. Run it by hand (needs the local PostgreSQL):

    .venv/bin/python -m pytest -q -m benchmark benchmarks/test_bench_smoke.py
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.benchmark

HERE = Path(__file__).resolve().parent
SMOKE_URL = os.environ.get("BENCH_SMOKE_DATABASE_URL", "postgres://root@127.0.0.1:5432/grassroots_bench_smoke")


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_stats", HERE / "bench_stats.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _postgres_reachable(url: str) -> bool:
    import psycopg

    bench = _load_bench()
    admin = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin, connect_timeout=3):
            return bench.database_name(url) != "test"
    except psycopg.OperationalError:
        return False


def test_encode_step_matches_treebeard_paths() -> None:
    bench = _load_bench()
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    assert bench.encode_step(1, alphabet, 4) == "0001"
    assert bench.encode_step(10, alphabet, 4) == "000A"
    assert bench.encode_step(36, alphabet, 4) == "0010"
    with pytest.raises(ValueError):
        bench.encode_step(36**4, alphabet, 4)


def test_refuses_the_test_database() -> None:
    result = subprocess.run(
        [sys.executable, str(HERE / "bench_stats.py"), "--members", "10",
         "--database-url", "postgres://root@127.0.0.1:5432/test"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "refusing to use the database 'test'" in result.stderr


def test_tiny_run_generates_and_agrees() -> None:
    if not _postgres_reachable(SMOKE_URL):
        pytest.skip("no PostgreSQL at " + SMOKE_URL)
    cmd = [sys.executable, str(HERE / "bench_stats.py"), "--members", "3000", "--database-url", SMOKE_URL,
           "--repeat", "1", "--skip-explain"]
    result = subprocess.run(cmd + ["--rebuild"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "sanity check: treebeard tree valid" in out
    assert "ORM and SQL counts identical for every scope." in out
    assert "Data: 3,000 members" in out
    rows = [line for line in out.splitlines() if line.startswith(("| town", "| county", "| city"))]
    assert [r.split("|")[1].strip() for r in rows] == ["town", "county", "city"]
    in_scope = [int(r.split("|")[3].strip().replace(",", "")) for r in rows]
    assert 0 < in_scope[0] < in_scope[1] < in_scope[2] <= 3000

    again = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "reusing 3,000 members" in again.stdout  # the marker makes re-runs skip generation
