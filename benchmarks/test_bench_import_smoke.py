"""Keeps the import benchmark from rotting: generates a small roster and imports it on SQLite (and on PostgreSQL
when it is there), checking what the script checks: every row written, the audit chain whole.

Marked `benchmark`, so `make test` skips it. Run it by hand:

    .venv/bin/python -m pytest -q -m benchmark benchmarks/test_bench_import_smoke.py
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
SMOKE_URL = os.environ.get("BENCH_IMPORT_SMOKE_DATABASE_URL",
                           "postgres://root@127.0.0.1:5432/grassroots_bench_import_smoke")
STEPS = ("baseline: openpyxl read-only read", "baseline: read + ", "dry run through the web page",
         "import through the web page")  # the beginnings of the table's steps (the baseline's write is named)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(HERE / "bench_import.py"), *args], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "PYTHONPATH": str(HERE.parent)})


def _check(result: subprocess.CompletedProcess[str], rows: int) -> None:
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert f"Written: {rows:,} members" in out and "audit chain verified" in out
    table = {line.split("|")[1].strip(): line.split("|")[2:4] for line in out.splitlines() if line.startswith("| ")}
    for step in STEPS:
        found = [name for name in table if name.startswith(step)]
        assert len(found) == 1, (step, list(table))
        seconds, per_second = (float(cell.strip().replace(",", "")) for cell in table[found[0]])
        assert seconds >= 0 and per_second > 0  # seconds printed to 0.1: a tiny file reads in "0.0"


def test_the_roster_is_what_a_secretary_types() -> None:
    spec = importlib.util.spec_from_file_location("bench_import", HERE / "bench_import.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_import", bench)  # its dataclasses look their module up
    spec.loader.exec_module(bench)
    assert "0" not in "0123".translate(bench.FULL_WIDTH_DIGITS)
    assert {"自由职业者", "未就业高校毕业生"} <= set(bench.OCCUPATION_LABELS)


def test_small_import_on_sqlite() -> None:
    _check(_run("--rows", "200", "--database-url", "sqlite"), 200)


def test_refuses_the_test_database() -> None:
    result = _run("--rows", "10", "--database-url", "postgres://root@127.0.0.1:5432/test")
    assert result.returncode != 0 and "refusing to use the database 'test'" in result.stderr


def test_small_import_on_postgresql() -> None:
    import psycopg

    admin = SMOKE_URL.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin, connect_timeout=3):
            pass
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL at " + SMOKE_URL)
    _check(_run("--rows", "200", "--database-url", SMOKE_URL), 200)
