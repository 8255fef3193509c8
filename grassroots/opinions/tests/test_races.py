"""Races on PostgreSQL: two submissions at once get two numbers; two replies at once cannot both close it."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from conftest import build_cast, run_acting
from grassroots.core.errors import RuleError
from grassroots.opinions import services
from grassroots.opinions.models import Opinion, OpinionChange, State

from .fixtures import build_station
from .test_states import DAY, FULL

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent connections: PostgreSQL only (SQLite in memory has one)",
)


def run_together(cast: Any, *fns: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    start = threading.Barrier(len(fns))
    threads = [threading.Thread(target=run_acting, args=(cast.street_admin, fn, out, f"t{i}", start))
               for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(out) == len(fns), out
    return out


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_submissions_get_distinct_numbers() -> None:
    cast = build_cast()
    station = build_station(cast)

    def submit() -> Any:
        return services.submit_opinion(station.org, text="同时提交", category=station.roads, channel="phone",
                                       received_on=DAY)

    out = run_together(cast, *([submit] * 4))
    assert not [v for v in out.values() if isinstance(v, RuleError)], out
    numbers = sorted(Opinion.objects.values_list("number", flat=True))
    assert numbers == [f"S-{DAY.year}-000{i}" for i in range(1, 5)]


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_replies_at_once_cannot_both_close_it() -> None:
    cast = build_cast()
    station = build_station(cast)
    from grassroots.core.context import acting

    with acting(None, "system"):
        o = services.submit_opinion(station.org, text="t", category=station.roads, channel="phone",
                                    received_on=DAY)

    def solve() -> Any:
        return services.reply(o, to_state=State.SOLVED, on=DAY, **FULL)

    def explain() -> Any:
        return services.reply(o, to_state=State.EXPLAINED, on=DAY, **FULL)

    out = run_together(cast, solve, explain)
    errors = [v for v in out.values() if isinstance(v, RuleError)]
    assert len(errors) == 1 and "cannot become" in str(errors[0])
    o.refresh_from_db()
    assert o.state in (State.SOLVED, State.EXPLAINED)
    assert OpinionChange.objects.filter(opinion=o, to_state__in=(State.SOLVED, State.EXPLAINED)).count() == 1


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_edits_from_the_same_page_cannot_both_be_saved() -> None:
    cast = build_cast()
    station = build_station(cast)
    version = station.roads.version

    def edit(name: str, days: int) -> Any:
        return lambda: services.category_update(station.roads, version=version, code="roads", name=name,
                                                department=station.department, deadline_workdays=days)

    out = run_together(cast, edit("道路交通", 6), edit("道路养护", 8))
    refused = [v for v in out.values() if isinstance(v, RuleError)]
    assert len(refused) == 1 and refused[0].field == "version", out
    roads = station.roads.__class__.objects.get(pk=station.roads.pk)
    assert roads.version == version + 1 and (roads.name, roads.deadline_workdays) in (("道路交通", 6), ("道路养护", 8))


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_code_added_twice_at_once_is_added_once() -> None:
    cast = build_cast()
    build_station(cast)

    def add(code: str) -> Any:
        return lambda: services.category_create(cast.street, code=code, name="路灯")

    out = run_together(cast, add("lamps"), add("LAMPS"))
    refused = [v for v in out.values() if isinstance(v, RuleError)]
    assert len(refused) == 1 and refused[0].field == "code", out
    assert station_codes(cast) == ["lamps"] or station_codes(cast) == ["LAMPS"]


def station_codes(cast: Any) -> list[str]:
    return [c for c in cast.street.opinion_categories.values_list("code", flat=True) if c.lower() == "lamps"]
