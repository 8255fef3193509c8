"""The deliberation tests' world: a representatives' meeting body of branch A with nine seats from 2024 (two of
them Party members of the platform), and a helper to record a meeting with n of the seats present."""

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
    seats: list[Any]


def make_world(cast: Any) -> World:
    from grassroots.deliberation import services as s

    with acting(None, "system"):
        body = s.body_create(org=cast.branch_a, kind="reps", name="东风社区居民代表会议", set_up_on=D(2024, 1, 2))
        seats = [s.seat_add(body=body, member=cast.member, from_on=D(2024, 1, 2), office="社区居委会"),
                 s.seat_add(body=body, member=cast.member_a2, from_on=D(2024, 1, 2))]
        seats += [s.seat_add(body=body, name=f"代表{i}", from_on=D(2024, 1, 2), office="第一网格") for i in range(7)]
    return World(body, seats)


def meeting_with(world: World, day: dt.date, present: int, **kw: Any) -> Any:
    """A representatives' meeting of the world's body on `day` with the first `present` seats present."""
    from grassroots.deliberation import services as s

    attendance = {seat.pk: ("present" if i < present else "absent") for i, seat in enumerate(world.seats)}
    with acting(None, "system"):
        return s.meeting_record(org=world.body.org, kind="reps_meeting", date=day, topic=kw.pop("topic", "议事"),
                                body=world.body, attendance=attendance, **kw)


@pytest.fixture
def world(cast: Any) -> World:
    return make_world(cast)
