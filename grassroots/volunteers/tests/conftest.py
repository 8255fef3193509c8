"""The volunteer tests' world: a team of branch A, a member volunteer (the cast's member, who has an account), a
resident volunteer, and an activity in the past (2024), all made through the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from grassroots.core import idnumber
from grassroots.core.context import acting

TZ = timezone.get_fixed_timezone(8 * 60)
RESIDENT_ID = idnumber.make("530522", dt.date(1970, 5, 6), 21)
RESIDENT_PHONE = "13912345678"


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


@dataclass
class World:
    team: Any
    member_vol: Any
    resident: Any
    activity: Any


def make_world(cast: Any) -> World:
    from grassroots.volunteers import services as s

    with acting(None, "system"):
        team = s.team_create(cast.branch_a, code="RV", name="红马甲志愿服务队", captain="王队长",
                             tenet="修理、理发、家政，有困难找身边党员")
        member_vol = s.volunteer_register(cast.branch_a, member=cast.member, registered_on=dt.date(2024, 1, 2),
                                          skills="修理")
        resident = s.volunteer_register(cast.branch_a, name="李居民", id_number=RESIDENT_ID, phone=RESIDENT_PHONE,
                                        registered_on=dt.date(2024, 1, 2), skills="理发")
        activity = s.activity_create(team, title="义务理发", place="社区活动室", starts_at=at(2024, 3, 5, 9),
                                     ends_at=at(2024, 3, 5, 11, 30), organizer="王队长", capacity=2)
    return World(team, member_vol, resident, activity)


@pytest.fixture
def world(cast: Any) -> World:
    return make_world(cast)
