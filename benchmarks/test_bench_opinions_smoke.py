"""Keeps the opinions benchmark from rotting: runs its generator and timings at a tiny scale, and checks the
figures it prints against a hand count in SQL on the rows it generated.

Marked `benchmark` like the other smoke tests, so the default `pytest` run (and `make test`) leaves it out.
Run it by hand (needs the local PostgreSQL; skipped without it):

    .venv/bin/python -m pytest -q -m benchmark benchmarks/test_bench_opinions_smoke.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.benchmark

HERE = Path(__file__).resolve().parent
SMOKE_URL = os.environ.get("BENCH_OPINIONS_SMOKE_DATABASE_URL",
                           "postgres://root@127.0.0.1:5432/grassroots_bench_opinions_smoke")
ARGS = ["--members", "300", "--shape", "2x2x3", "--per-town", "40-80", "--database-url", SMOKE_URL, "--repeat", "1"]
COLUMNS = ("received", "completed", "on_time", "still_open", "overdue")

# The statistics' definitions, counted by hand on the generated rows: each opinion of the scope (its station or
# its handler in the subtree) received in 2025, with its last published change, its last reopening's deadline
# and its latest rating dated on or before 31 December 2025; duplicates on that day left out.
HAND_COUNT = """
WITH ops AS (
  SELECT o.id, o.received_on, o.first_deadline
  FROM opinions_opinion o
  JOIN orgs_organization s ON s.id = o.station_id
  JOIN orgs_organization h ON h.id = o.handler_org_id
  JOIN orgs_organization r ON r.code = %(code)s
  WHERE (s.path LIKE r.path || '%%' OR h.path LIKE r.path || '%%')
    AND o.received_on BETWEEN '2025-01-01' AND '2025-12-31'
), last AS (
  SELECT DISTINCT ON (c.opinion_id) c.opinion_id, c.to_state, c."on"
  FROM opinions_opinionchange c JOIN ops ON ops.id = c.opinion_id
  WHERE c.published_at IS NOT NULL AND c."on" <= '2025-12-31'
  ORDER BY c.opinion_id, c."on" DESC, c.id DESC
), reopened AS (
  SELECT DISTINCT ON (c.opinion_id) c.opinion_id, c.deadline
  FROM opinions_opinionchange c JOIN ops ON ops.id = c.opinion_id
  WHERE c.published_at IS NOT NULL AND c."on" <= '2025-12-31' AND c.to_state = 'reopened'
    AND c.deadline IS NOT NULL
  ORDER BY c.opinion_id, c."on" DESC, c.id DESC
), rating AS (
  SELECT DISTINCT ON (g.opinion_id) g.opinion_id, g.score
  FROM opinions_opinionrating g JOIN ops ON ops.id = g.opinion_id
  WHERE g."on" <= '2025-12-31'
  ORDER BY g.opinion_id, g."on" DESC, g.id DESC
), t AS (
  SELECT COALESCE(last.to_state, 'received') AS state, last."on" AS closed,
         COALESCE(reopened.deadline, ops.first_deadline) AS deadline, rating.score
  FROM ops LEFT JOIN last ON last.opinion_id = ops.id LEFT JOIN reopened ON reopened.opinion_id = ops.id
  LEFT JOIN rating ON rating.opinion_id = ops.id
)
SELECT
  (SELECT count(*) FROM ops) - count(*) FILTER (WHERE state = 'duplicate'),
  count(*) FILTER (WHERE state IN ('solved', 'explained', 'cannot_solve')),
  count(*) FILTER (WHERE state IN ('solved', 'explained', 'cannot_solve') AND closed <= deadline),
  count(*) FILTER (WHERE state IN ('received', 'assigned', 'in_progress', 'reopened')),
  count(*) FILTER (WHERE state IN ('received', 'assigned', 'in_progress', 'reopened') AND deadline < '2025-12-31'),
  count(score) FILTER (WHERE state <> 'duplicate')
FROM t
"""


def _postgres_reachable(url: str) -> bool:
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin, connect_timeout=3):
            return not url.rsplit("/", 1)[1].startswith("test")
    except psycopg.OperationalError:
        return False


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(HERE / "bench_opinions.py"), *args], capture_output=True, text=True,
                          timeout=900)


def _number(text: str) -> int:
    return int(text.strip().replace(",", ""))


def test_refuses_the_test_database() -> None:
    result = _run("--members", "10", "--database-url", "postgres://root@127.0.0.1:5432/test")
    assert result.returncode != 0
    assert "refusing to use the database 'test'" in result.stderr


def test_tiny_run_matches_a_hand_count() -> None:
    if not _postgres_reachable(SMOKE_URL):
        pytest.skip("no PostgreSQL at " + SMOKE_URL)
    import psycopg

    result = _run(*ARGS, "--rebuild")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "check: the published changes of" in out
    assert "equal the generator's plan" in out
    rows = [line.split("|") for line in out.splitlines() if line.startswith(("| town |", "| county |", "| city |"))]
    assert [r[1].strip() for r in rows] == ["town", "county", "city"]
    printed = {r[2].strip(): dict(zip(COLUMNS, (_number(v) for v in r[3:8]), strict=True)) for r in rows}
    findings_overdue = {r[2].strip(): _number(r[8].split("/")[0]) for r in rows}

    with psycopg.connect(SMOKE_URL) as conn:
        hand = {}
        for code in printed:
            row = conn.execute(HAND_COUNT, {"code": code}).fetchone()
            assert row is not None
            hand[code] = dict(zip(COLUMNS, row[:5], strict=True))
            assert row[5] > 0  # some of them rated
        # The shapes the generator promises are there, at this size too.
        shapes = conn.execute(
            "SELECT (SELECT count(*) FROM opinions_opinion WHERE state = 'duplicate'), "
            "(SELECT count(*) FROM opinions_opinionchange WHERE by_rating), "
            "(SELECT count(*) FROM opinions_opinionchange WHERE published_at IS NULL), "
            "(SELECT count(*) FROM opinions_opinionchange WHERE \"on\" > '2025-12-31'), "
            "(SELECT count(*) FROM opinions_assignment WHERE NOT by_category), "
            "(SELECT count(DISTINCT deadline_workdays) FROM opinions_category)").fetchone()
    assert shapes is not None
    duplicates, reopened_by_rating, drafts, after_the_year, by_hand, deadlines = shapes
    assert min(duplicates, reopened_by_rating, drafts, after_the_year, by_hand) > 0, shapes
    assert deadlines >= 4

    assert printed == hand
    for code, counts in hand.items():
        assert findings_overdue[code] == counts["overdue"]  # the findings name every overdue opinion
        assert counts["received"] == counts["completed"] + counts["still_open"]
    town, county, city = (hand[r[2].strip()] for r in rows)
    assert 0 < town["received"] <= county["received"] <= city["received"]
    assert 0.7 < city["completed"] / city["received"] < 0.97  # about 85% completed on 31 December

    again = _run(*ARGS)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "reusing 40-80 opinions per town" in again.stdout  # the marker makes re-runs skip generation
