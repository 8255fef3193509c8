"""The posts tests' fixtures: the cast's street S with seed 004's kinds, and a post of branch A with two seats."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from grassroots.core.context import acting

TERM_START = dt.date(2024, 1, 1)


@pytest.fixture
def kinds(cast: Any) -> dict[str, Any]:
    from grassroots.posts.services import kinds_load_presets

    with acting(None, "system"):
        return {k.name: k for k in kinds_load_presets(org=cast.street, preset="seed004")}


@pytest.fixture
def post(cast: Any, kinds: dict[str, Any]) -> Any:
    from grassroots.posts.services import post_create

    with acting(None, "system"):
        return post_create(org=cast.branch_a, kind=kinds["治安巡逻岗"], title="夜间巡逻", duties="每周巡逻一次",
                           seats=2, term_start=TERM_START, place="和顺路")


def as_user(user: Any, fn: Any) -> Any:
    with acting(user, "web"):
        return fn()
