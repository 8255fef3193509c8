"""The proposal tests' world: a Party representatives' congress of the street (made directly: the deliberation
module's services land elsewhere) with two seats, the street's residents' opinion station with a category, and a
proposal of branch A entered for a representative."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from grassroots.core.context import acting

D = dt.date


@dataclass
class World:
    body: Any
    seat_wang: Any
    seat_li: Any
    category: Any
    proposal: Any


def make_body(org: Any, name: str = "街道党代表大会") -> tuple[Any, Any, Any]:
    from grassroots.deliberation.models import Body, Seat

    body = Body.objects.create(org=org, kind="party_congress", name=name, set_up_on=D(2018, 1, 1))
    wang = Seat.objects.create(body=body, name="王代表", from_on=D(2018, 1, 1))
    li = Seat.objects.create(body=body, name="李代表", from_on=D(2018, 1, 1), to_on=D(2025, 1, 1))
    return body, wang, li


def make_world(cast: Any) -> World:
    from grassroots.opinions import services as opinion_services
    from grassroots.proposals import services as s

    body, wang, li = make_body(cast.street)
    with acting(None, "system"):
        category = opinion_services.category_create(cast.street, code="roads", name="道路", deadline_workdays=5)
        p = s.proposal_create(org=cast.branch_a, title="修缮东风路路面", text="路面坑洼，雨天积水。",
                              category="construction", received_on=D(2024, 9, 20),
                              proposers=[{"seat": wang}, {"name": "张居民", "role": "residents_rep"}])
    return World(body, wang, li, category, p)


@pytest.fixture
def world(cast: Any) -> World:
    return make_world(cast)
