"""`grassroots backup FILE` and `grassroots restore FILE`: the whole database in one file and back.

SQLite: the online backup API (`sqlite3.Connection.backup`), a consistent copy even while the site runs.
PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --if-exists` (PostgreSQL's client programs).
A restore replaces every record, the audit log among them, by the backup's; stop `grassroots serve` first.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done, with what to do about it."""


def _database() -> dict[str, Any]:
    from django.conf import settings

    db: dict[str, Any] = settings.DATABASES["default"]
    return db


def _is_sqlite(db: dict[str, Any]) -> bool:
    return str(db["ENGINE"]).endswith("sqlite3")


def _kind_of(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    return "unknown"


def backup(file: str | Path, *, overwrite: bool = False) -> Path:
    """Write the database to `file` (refused if it exists, unless `overwrite`). Returns the file written."""
    from django.db import connections

    target = Path(file)
    if target.exists() and not overwrite:
        raise BackupError(f"{target} exists already; give another name, or --yes to replace it")
    if target.parent and not target.parent.is_dir():
        raise BackupError(f"no folder {target.parent}")
    db = _database()
    connections.close_all()
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if _is_sqlite(db):
            _sqlite_copy(Path(db["NAME"]), partial)
        else:
            _run(_pg_tool("pg_dump") + ["--format=custom", "--no-owner", "--no-privileges", "--file", str(partial),
                                        *_pg_args(db)], db)
        os.chmod(partial, 0o600)  # personal data: readable by its owner only
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def restore(file: str | Path, *, confirm: Callable[[str], bool]) -> None:
    """Replace the database by the backup in `file`, once `confirm(question)` says yes."""
    from django.db import connections

    source = Path(file)
    if not source.is_file():
        raise BackupError(f"no file {source}")
    db = _database()
    kind = _kind_of(source)
    want = "sqlite" if _is_sqlite(db) else "postgresql"
    if kind == "unknown":
        raise BackupError(f"{source} is not a Grassroots backup (neither an SQLite database nor a PostgreSQL "
                          "custom-format dump)")
    if kind != want:
        raise BackupError(f"{source} is a backup of a {kind} database, and this site uses {want}; move data "
                          "between the two with an export and import, not with restore")
    where = db["NAME"] if want == "sqlite" else f"PostgreSQL database {db['NAME']!r} on {db.get('HOST') or 'local'}"
    if not confirm(f"Replace every record of {where} with the backup {source}?"):
        raise BackupError("nothing restored")
    connections.close_all()
    if want == "sqlite":
        if _sqlite_check(source) != "ok":
            raise BackupError(f"{source} is damaged (SQLite's integrity check fails); nothing restored")
        _sqlite_copy(source, Path(db["NAME"]))
    else:
        _run(_pg_tool("pg_restore") + ["--clean", "--if-exists", "--no-owner", "--no-privileges",
                                       "--single-transaction", "--exit-on-error", *_pg_args(db), str(source)], db)


def _sqlite_copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _sqlite_check(path: Path) -> str:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return str(con.execute("PRAGMA integrity_check").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        con.close()


def _pg_tool(name: str) -> list[str]:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed; install PostgreSQL's client programs (Debian: "
                          "apt install postgresql-client, of the server's version or newer)")
    return [path]


def _pg_args(db: dict[str, Any]) -> list[str]:
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return args


def _run(command: list[str], db: dict[str, Any]) -> None:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])  # not on the command line, where `ps` would show it
    done = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if done.returncode != 0:
        name = Path(command[0]).name
        raise BackupError(f"{name} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")


def ask(question: str) -> bool:
    """Ask at the terminal; without one the answer is no (a script gives --yes)."""
    if not sys.stdin.isatty():
        print(f"{question}\ngrassroots: not asked without a terminal: give --yes to restore", file=sys.stderr)
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
