"""The demo town, built once for the whole package of demo tests (a minute or more: its history runs to today), inside a
transaction rolled back when the package is done, so that no other test sees it; then built a second time, to
show that building again adds nothing. Each module takes what it reads from `built_demo`; a module that writes
more (a user, say) does so in its own savepoint."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from grassroots.core.context import acting
from grassroots.demo import build, data

HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups (its own hook, in each worker)
def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Under pytest-xdist (`make test`: `--dist loadgroup`), every test of this package on one worker, so that the
    demo (`built_demo`, package-scoped) is built there only, not once on each worker that would get a demo test."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.xdist_group("demo"))


def row_counts() -> dict[str, int]:
    """Rows of every project table (the audit log aside: reading the demo's figures writes no entries, but a
    second build that adds nothing must not be judged by it)."""
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()
            if m.__module__.startswith("grassroots.") and m._meta.label != "core.AuditEntry"}


# Meetings and dues of this year and last only (what the pages and the to-do list read): every year since 2020, as
# `grassroots demo` builds it, would add some seconds a year to every run of the suite.
TEST_YEARS = 2


@pytest.fixture(scope="package")
def built_demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    from grassroots.orgs.models import Organization

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        out = io.StringIO()
        with acting(None, "system"), translation.override("en"):
            started = time.perf_counter()
            assert build.build_demo(out=out, recent_years=TEST_YEARS) == 0
            seconds = time.perf_counter() - started
            rows = row_counts()
            again = io.StringIO()
            assert build.build_demo(out=again, recent_years=TEST_YEARS) == 0
            rows_again = row_counts()
        print(f"demo built in {seconds:.1f} s")
        yield {"town": Organization.objects.get(code=data.TOWN_CODE), "output": out.getvalue(),
               "again": again.getvalue(), "rows": rows, "rows_again": rows_again, "seconds": seconds}
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def demo(built_demo: dict[str, Any], django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The shared demo, for a module that only reads it (the fast hasher kept on, so logins can be checked)."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast:
        yield built_demo
