"""Fixtures for every test of opinions, registered by the root conftest as a pytest plugin.

The opinions station of the cast's street S: a territory for S and for branch A, one department, three categories (one routed to the department, one routed by place, one sorted by hand) and an outlet in A's
community. Dates are fixed in 2024 (whose holidays the working-day calendar knows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from grassroots.core.context import acting
from grassroots.orgs.models import Organization


@dataclass
class Station:
    org: Any
    territory_s: Any
    territory_a: Any
    department: Any
    roads: Any  # routed to the department, 5 working days
    neighbours: Any  # routed by the place, 3 working days
    other: Any  # sorted by hand, 10 working days
    outlet_a: Any


def build_station(cast: Any) -> Station:
    from grassroots.opinions import services
    from grassroots.orgs.services import territory_create

    with acting(None, "system"):
        ts = territory_create(code="T-S", name="和平街道", kind="street")
        ta = territory_create(code="T-A", name="东风社区", kind="community", parent=ts)
        Organization.objects.filter(pk=cast.street.pk).update(territory=ts)
        Organization.objects.filter(pk=cast.branch_a.pk).update(territory=ta)
        cast.street.refresh_from_db()
        cast.branch_a.refresh_from_db()
        dept = services.department_create(cast.street, name="城管办", name_en="Urban management office")
        roads = services.category_create(cast.street, code="roads", name="道路", name_en="Roads",
                                         department=dept, deadline_workdays=5)
        neighbours = services.category_create(cast.street, code="neighbours", name="邻里纠纷",
                                              name_en="Neighbour disputes", deadline_workdays=3)
        other = services.category_create(cast.street, code="other", name="其他", name_en="Other",
                                         deadline_workdays=10)
        outlet = services.outlet_create(cast.street, code="OUT-A", name="东风社区民情快递站", territory=ta)
    return Station(cast.street, ts, ta, dept, roads, neighbours, other, outlet)


@pytest.fixture
def station(cast: Any) -> Station:
    return build_station(cast)


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    """Pin "today" for the services to a fixed date in 2024."""
    from grassroots.opinions import services

    day = dt.date(2024, 12, 20)
    monkeypatch.setattr(services, "_today", lambda: day)
    return day
