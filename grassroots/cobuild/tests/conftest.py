"""The co-construction tests' world: a resident unit of branch A (a hotel with a Party branch), an agreement
signed a year ago and in force for two years, a need listed in it and a project planned from it, all made
through the services with dates computed at run time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from grassroots.core.context import acting

UNIT_PHONE = "13987654321"


def today() -> dt.date:
    return timezone.localdate()


@dataclass
class World:
    unit: Any
    agreement: Any
    need: Any
    project: Any


def make_world(cast: Any) -> World:
    from grassroots.cobuild import services as s

    day = today()
    with acting(None, "system"):
        unit = s.unit_create(org=cast.branch_a, name="和顺宾馆", kind="private_enterprise", industry="住宿",
                             contact_name="李经理", contact_phone=UNIT_PHONE, has_party_org=True, party_members=5,
                             joined_on=day - dt.timedelta(days=800))
        agreement = s.agreement_create(org=cast.branch_a, unit=unit, title="共建协议", signed_on=day - dt.timedelta(
            days=365), ends_on=day + dt.timedelta(days=365))
        need = s.need_create(org=cast.branch_a, title="修缮活动室", listed_on=day - dt.timedelta(days=300),
                             agreement=agreement)
        project = s.project_create(org=cast.branch_a, title="助学", source="agreement", agreement=agreement,
                                   unit=unit, started_on=day - dt.timedelta(days=200),
                                   due_on=day + dt.timedelta(days=100))
    return World(unit, agreement, need, project)


@pytest.fixture
def world(cast: Any) -> World:
    return make_world(cast)
