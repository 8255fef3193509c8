"""Helpers for the points tests: a test-only module whose point source gives whatever evidence a test puts in
`FAKE` (to exercise the items other modules propose), and shortcuts to set a scheme and to act."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from grassroots.core import modules
from grassroots.core.context import acting
from grassroots.core.modules import Module, PointEvidence

D = dt.date
FAKE: list[PointEvidence] = []


def fake_evidence(org: Any, start: dt.date, end: dt.date) -> Iterator[PointEvidence]:
    yield from (e for e in FAKE if start <= e.day <= end)


@pytest.fixture
def fake_source() -> Iterator[list[PointEvidence]]:
    """A test-only module registered as a point source; what the test appends to the list is its evidence."""
    FAKE.clear()
    modules.register(Module(label="points_fake", title="fake",
                            point_sources=("grassroots.points.tests.conftest.fake_evidence",)))
    try:
        yield FAKE
    finally:
        modules._REGISTRY.pop("points_fake", None)
        FAKE.clear()


_n = [0]


def ev(member: Any, day: dt.date, item: str = "wishes.fulfilled", quantity: Any = 1) -> PointEvidence:
    _n[0] += 1
    return PointEvidence(key=f"fake:{_n[0]}", member_id=member.pk, day=day, item=item, quantity=quantity,
                         text=f"fake {_n[0]}")


def scheme_params(*, base: str = "60", floor: str = "0", items: dict[str, Any] | None = None,
                  exempt: tuple[str, ...] = ("retired", "mobile", "sick")) -> dict[str, Any]:
    return {"base": base, "floor": floor, "exempt": list(exempt),
            "items": items or {"wishes.fulfilled": {"points": "1", "cap": "3"},
                               "manual.deduction": {"points": "-1", "cap": None, "label_zh": "扣分"},
                               "manual.pioneer": {"points": "5", "cap": "10", "label_zh": "先锋模范"}}}


def set_scheme(org: Any, day: dt.date, **kw: Any) -> Any:
    from grassroots.points.services import set_scheme as svc

    with acting(None, "system"):
        return svc(org, effective_from=day, params=scheme_params(**kw))


def propose(org: Any, year: int, user: Any = None) -> list[Any]:
    from grassroots.points.services import propose_points

    with acting(user, "web"):
        return propose_points(org, year)


def approve_all(org: Any, user: Any = None) -> None:
    from grassroots.points.models import EntryStatus, PointEntry
    from grassroots.points.services import approve_entry

    with acting(user, "web"):
        for e in PointEntry.objects.filter(org__path__startswith=org.path, status=EntryStatus.PROPOSED):
            approve_entry(e, version=e.version)
