"""The cast is built once per module (root conftest: `_ModuleCast`), yet every test starts from it as built.

The tests below run in this order on one worker (a module's tests stay in file order): the first changes the cast
in the database and in memory, the next must find it as built; a test without the cast must find the database
empty; a test that commits must get a cast of its own, committed, outside any transaction; and the cast shared
after those two must be the full cast again."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from conftest import Cast, _ModuleCast, cast_places, make_member
from grassroots.core.context import acting
from grassroots.members.models import Member
from grassroots.orgs.models import Organization

ORGS, MEMBERS, USERS = 7, 4, 6  # what build_cast makes
# One worker runs them all, in this order (pytest-xdist, `--dist loadgroup`).
pytestmark = pytest.mark.xdist_group("shared_cast")


def counts() -> tuple[int, int, int]:
    return Organization.objects.count(), Member.objects.count(), get_user_model().objects.count()


def test_a_test_changes_the_cast(cast: Cast) -> None:
    assert counts() == (ORGS, MEMBERS, USERS)
    Organization.objects.filter(pk=cast.branch_a.pk).update(name="改过的支部")
    cast.branch_a.name = "改过的支部"
    with acting(None, "system"):
        make_member(cast.branch_b, name="新来的")
    cast_places(cast)
    assert cast.places is not None
    assert counts() == (ORGS, MEMBERS + 1, USERS + 1)  # the grid worker too


def test_the_next_test_gets_the_cast_as_built(cast: Cast) -> None:
    assert counts() == (ORGS, MEMBERS, USERS)
    assert Organization.objects.get(pk=cast.branch_a.pk).name == "第一支部"
    assert cast.branch_a.name == "第一支部"
    assert cast.places is None
    # Its own copy of the objects, not the module's: a change here is not seen by the next test either.
    holder = _ModuleCast.current
    assert holder is not None and holder.pristine is not None
    assert cast.branch_a is not holder.pristine.branch_a
    assert cast.branch_a == holder.pristine.branch_a  # the same row


def test_the_cast_is_shared_inside_the_modules_transaction(cast: Cast) -> None:
    holder = _ModuleCast.current
    assert holder is not None and holder.atomic is not None
    # The module's transaction and the test's own savepoint.
    assert connection.in_atomic_block
    assert len(connection.savepoint_ids) >= 1


@pytest.mark.django_db
def test_a_test_without_the_cast_finds_the_database_empty() -> None:
    assert counts() == (0, 0, 0)
    holder = _ModuleCast.current
    assert holder is None or holder.atomic is None


@pytest.mark.django_db(transaction=True)
def test_a_test_that_commits_gets_a_cast_of_its_own(cast: Cast) -> None:
    assert not connection.in_atomic_block  # real commits: no transaction around the test
    holder = _ModuleCast.current
    assert holder is not None and holder.atomic is None
    assert counts() == (ORGS, MEMBERS, USERS)


def test_after_those_the_cast_is_built_again(cast: Cast) -> None:
    assert counts() == (ORGS, MEMBERS, USERS)
    assert Organization.objects.get(pk=cast.branch_a.pk).name == "第一支部"
    assert cast.member.org_id == cast.branch_a.pk


@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                    reason="PostgreSQL only (make test-pg)")
def test_postgresql_test_connections_do_not_wait_for_the_disk(db: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "off"
