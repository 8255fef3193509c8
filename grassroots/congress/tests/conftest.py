"""The practical-project tests' world: branch A's congress of 2024 (a meeting of kind congress and a vote on it,
made directly: the deliberation services are another module's), a Party congress body with a seat held by a Party
member of A (whose phone and ID number must never reach a public page), and a project voted there with two
weighted sub-projects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from grassroots.core.context import acting

D = dt.date


@dataclass
class World:
    meeting: Any
    vote: Any
    body: Any
    seat: Any
    seat_member: Any
    project: Any
    road: Any
    lights: Any


def make_congress(org: Any, day: dt.date) -> tuple[Any, Any]:
    from grassroots.deliberation.models import Vote
    from grassroots.meetings import services as ms

    meeting = ms.record_meeting(org=org, kind="congress", date=day, topic="党代表大会", elsewhere=True)
    vote = Vote.objects.create(meeting=meeting, question="票决为民办实事项目")
    return meeting, vote


def make_world(cast: Any) -> World:
    from conftest import make_member
    from grassroots.congress import services as s
    from grassroots.deliberation.models import Body, Seat

    with acting(None, "system"):
        meeting, vote = make_congress(cast.branch_a, D(2024, 2, 20))
        body = Body.objects.create(org=cast.branch_a, kind="party_congress", name="东风党代表大会",
                                   set_up_on=D(2023, 1, 1))
        member = make_member(cast.branch_a, name="代表甲", phone="13912345678")
        seat = Seat.objects.create(body=body, member=member, name="代表甲", from_on=D(2023, 1, 1))
        project = s.project_create(org=cast.branch_a, title="社区道路和照明改造", code="2024-01", vote=vote,
                                   description="改造道路，安装路灯", lead_unit="社区居委会", handler_name="王主任",
                                   handler_phone="0871-12345678", planned_start=D(2024, 3, 1),
                                   due_on=D(2024, 12, 31), published=True)
        road = s.project_create(parent=project, title="道路硬化", weight=3, planned_start=D(2024, 3, 1),
                                due_on=D(2024, 10, 31))
        lights = s.project_create(parent=project, title="路灯安装", weight=1)
    return World(meeting, vote, body, seat, member, project, road, lights)


@pytest.fixture
def world(cast: Any) -> World:
    return make_world(cast)
