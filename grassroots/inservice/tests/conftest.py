"""The in-service tests' world: the cast's member (branch A, street S: the home branch) lives in 外街社区, the
community of branch C in the other street X (the residence community: the outsider, organizer at X, writes it).
The community has a grid profile and a post; a secretary of branch B (`sec_b`) has nothing to do with either."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from grassroots.core.context import acting

PHONE = "13966667777"


@dataclass
class World:
    community: Any  # branch C, holding 外街社区
    grid: Any  # 外街一网格's profile
    post: Any  # a post of branch C
    sec_b: Any  # a secretary of branch B: an outsider to the member and to the community


def make_world(cast: Any) -> World:
    from django.contrib.auth import get_user_model

    from conftest import PASSWORD, cast_places
    from grassroots.access.models import Role
    from grassroots.grids import services as grids
    from grassroots.posts import services as posts

    places = cast_places(cast)
    with acting(None, "system"):
        grid = grids.grid_setup(territory=places.grid_c, head_name="网格长", set_up_on=dt.date(2015, 1, 1))
        kind = posts.kind_create(org=cast.branch_c, name="楼栋长")
        post = posts.post_create(org=cast.branch_c, kind=kind, title="3号楼楼栋长", term_start=dt.date(2015, 1, 1))
    sec_b = get_user_model().objects.create_user(username="sec_b", password=PASSWORD)
    Role.objects.create(user=sec_b, kind="secretary", org=cast.branch_b)
    return World(cast.branch_c, grid, post, sec_b)


@pytest.fixture
def world(cast: Any) -> World:
    return make_world(cast)
