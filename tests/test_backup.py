"""`grassroots backup` and `grassroots restore`, end to end in their own processes on a data folder of their own:
build the test cast, back up, change the figures, restore: the figures are those of the backup and the audit
chain holds. On SQLite (the online backup API) and on PostgreSQL (pg_dump/pg_restore, a scratch database)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("GRASSROOTS_TEST_PG", "postgres://root@127.0.0.1:5432")
SCRATCH = "grassroots_backup_test"

BUILD = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from conftest import build_cast
build_cast()
"""
CHANGE = """
import django
django.setup()
from grassroots.core.context import acting
from grassroots.orgs.models import Organization
from conftest import make_member
import datetime as dt
with acting(None, "cli"):
    make_member(Organization.objects.get(code="B"), name="新来的", sex="F", birth=dt.date(1981, 5, 6))
"""


def run(env: dict[str, str], *args: str, code: str | None = None, ok: bool = True) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "grassroots.cli", *args]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=300)
    if ok:
        assert done.returncode == 0, done.stderr
    return done


def stats(env: dict[str, str]) -> dict[str, Any]:
    return dict(json.loads(run(env, "stats", "--org", "S", "--as-of", "2030-01-01", "--json").stdout))


def environment(tmp_path: Path, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRASSROOTS_", "DATABASE_URL", "DJANGO_"))}
    env.update(PYTHONPATH=str(ROOT), GRASSROOTS_DATA_DIR=str(tmp_path / "data"),
               DJANGO_SETTINGS_MODULE="grassroots.settings")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def round_trip(env: dict[str, str], backup_file: Path) -> None:
    run(env, code=BUILD)
    before = stats(env)
    assert before["total"]["count"] == 3  # the cast's members under S
    out = run(env, "backup", str(backup_file)).stdout
    assert "backup written" in out and backup_file.stat().st_mode & 0o077 == 0  # the owner's only
    assert "exists already" in run(env, "backup", str(backup_file), ok=False).stderr

    run(env, code=CHANGE)
    assert stats(env)["total"]["count"] == 4

    refused = run(env, "restore", str(backup_file), ok=False)  # no terminal, no --yes: nothing is replaced
    assert refused.returncode != 0 and "--yes" in refused.stderr
    assert stats(env)["total"]["count"] == 4

    assert "restored" in run(env, "restore", str(backup_file), "--yes").stdout
    assert stats(env) == before
    assert "intact" in run(env, "verify-audit").stdout


def test_sqlite_backup_and_restore_give_the_same_figures_and_a_valid_chain(tmp_path: Path) -> None:
    env = environment(tmp_path)
    round_trip(env, tmp_path / "site.backup")
    with (tmp_path / "site.backup").open("rb") as f:
        assert f.read(16) == b"SQLite format 3\x00"


def test_restore_refuses_what_is_not_a_backup_of_this_kind_of_database(tmp_path: Path) -> None:
    env = environment(tmp_path)
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")
    assert "not a Grassroots backup" in run(env, "restore", str(junk), "--yes", ok=False).stderr
    dump = tmp_path / "pg.dump"
    dump.write_bytes(b"PGDMP\x01\x0e\x00")
    assert "this site uses sqlite" in run(env, "restore", str(dump), "--yes", ok=False).stderr
    assert "no file" in run(env, "restore", str(tmp_path / "missing"), "--yes", ok=False).stderr


def test_without_pg_dump_the_message_says_what_to_install(monkeypatch: Any) -> None:
    from grassroots import backup

    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError, match="pg_dump is not installed.*postgresql-client"):
        backup._pg_tool("pg_dump")


def _psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG_SERVER}/postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], check=True,
                   capture_output=True, timeout=60)


@pytest.mark.skipif(shutil.which("pg_dump") is None or shutil.which("psql") is None,
                    reason="PostgreSQL's client programs are not installed")
def test_postgresql_backup_and_restore_give_the_same_figures_and_a_valid_chain(tmp_path: Path) -> None:
    try:
        _psql(f"DROP DATABASE IF EXISTS {SCRATCH}")
        _psql(f"CREATE DATABASE {SCRATCH}")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"no PostgreSQL server at {PG_SERVER}: {exc}")
    try:
        env = environment(tmp_path, f"{PG_SERVER}/{SCRATCH}")
        round_trip(env, tmp_path / "site.dump")
        with (tmp_path / "site.dump").open("rb") as f:
            assert f.read(5) == b"PGDMP"
    finally:
        _psql(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
