"""The joint-meeting tests' world: branch A's resident units (made directly: cobuild's unit services land later)
and a body of branch A's set up in 2024 with two of them as members."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from grassroots.core.context import acting


@dataclass
class World:
    body: Any
    bank: Any
    school: Any
    hospital: Any
    m_bank: Any
    m_school: Any


def make_unit(org: Any, name: str, **kw: Any) -> Any:
    from grassroots.cobuild.models import ResidentUnit

    return ResidentUnit.objects.create(org=org, name=name, kind=kw.pop("kind", "state_enterprise"), **kw)


def make_world(cast: Any) -> World:
    from grassroots.joint import services as s

    bank = make_unit(cast.branch_a, "县农业银行", contact_name="钱行长")
    school = make_unit(cast.branch_a, "第一中学", kind="institution")
    hospital = make_unit(cast.branch_a, "县医院", kind="institution")
    with acting(None, "system"):
        body = s.body_create(org=cast.branch_a, name="东风社区党建联席会议", set_up_on=dt.date(2024, 1, 2))
        m_bank = s.membership_add(body=body, unit=bank, joined_on=dt.date(2024, 1, 2), representative="钱行长")
        m_school = s.membership_add(body=body, unit=school, joined_on=dt.date(2024, 3, 1))
    return World(body, bank, school, hospital, m_bank, m_school)


@pytest.fixture
def world(cast: Any) -> World:
    return make_world(cast)
