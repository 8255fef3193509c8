"""Keeps the visit-rates benchmark from rotting: runs it at a tiny scale (it checks the selector against its
hand-written SQL itself). Marked `benchmark`, so `make test` skips it. Run it by hand (needs the local PostgreSQL):

    .venv/bin/python -m pytest -q -m benchmark benchmarks/test_bench_visit_rates_smoke.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.benchmark

HERE = Path(__file__).resolve().parent
SMOKE_URL = os.environ.get("BENCH_VISITS_SMOKE_DATABASE_URL",
                           "postgres://root@127.0.0.1:5432/bench_visits_smoke")


def test_the_benchmark_runs_and_agrees_with_the_hand_sql() -> None:
    result = subprocess.run([sys.executable, str(HERE / "bench_visit_rates.py"), "--households", "3000",
                             "--repeat", "1", "--database-url", SMOKE_URL],
                            capture_output=True, text=True, timeout=900, cwd=HERE.parent)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "| city | rate of the place |" in result.stdout and "Load (uptime):" in result.stdout


def test_it_refuses_the_test_database() -> None:
    result = subprocess.run([sys.executable, str(HERE / "bench_visit_rates.py"), "--households", "10",
                             "--database-url", "postgres://root@127.0.0.1:5432/test"],
                            capture_output=True, text=True, timeout=120, cwd=HERE.parent)
    assert result.returncode != 0
