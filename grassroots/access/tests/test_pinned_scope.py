"""`pinned_scope`: an import checks thousands of rows as one user; their roles are read once."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.access.scope import current_scope, pinned_scope
from grassroots.core.context import acting


def test_inside_the_same_actor_gets_the_same_scope_without_queries(cast: Any) -> None:
    with acting(cast.secretary, "import"):
        assert current_scope() is not current_scope()  # outside: read again each time
        with pinned_scope() as pinned:
            with CaptureQueriesContext(connection) as queries:
                scopes = [current_scope() for _ in range(3)]
            assert all(s is pinned for s in scopes) and len(queries) == 0
            assert pinned.can_write_org(cast.branch_a) and not pinned.can_write_org(cast.branch_b)
            with acting(cast.outsider, "web"):  # someone else acting inside gets their own scope
                other = current_scope()
                assert other is not pinned and other.can_write_org(cast.branch_c)
        assert current_scope() is not pinned
