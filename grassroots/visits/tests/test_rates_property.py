"""The visit rate as of a past date uses the households living in the place on that date (issue 15's quality bar):
for random histories of households created, moved and leaving, and visits, all through the services, the rate
of every place as of every day equals a brute-force count from the periods in force that day (kept here, apart
from the database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import cast_places
from grassroots.core.context import acting
from grassroots.households import services as households
from grassroots.visits import selectors, services

pytestmark = pytest.mark.django_db

START = dt.date(2020, 1, 1)

# One step: (days later, action, household index, place index)
steps = st.lists(st.tuples(st.integers(1, 40), st.sampled_from(["create", "move", "leave", "visit", "visit"]),
                           st.integers(0, 5), st.integers(0, 2)), min_size=1, max_size=25)


def brute(periods: dict[int, list[list[Any]]], persons: dict[int, int], visits: list[tuple[int, dt.date]],
          path: str, start: dt.date, end: dt.date, day: dt.date) -> tuple[int, int, int, int]:
    living = {h for h, ps in periods.items()
              for p, a, b in ps if p.startswith(path) and a <= day and (b is None or day < b)}
    seen = {h for h, d in visits if start <= d <= end} & living
    return len(seen), len(living), sum(persons[h] for h in seen), sum(persons[h] for h in living)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(history=steps, probe=st.tuples(st.integers(0, 600), st.integers(0, 300), st.integers(0, 600)))
def test_the_rate_as_of_a_past_date_is_a_count_of_that_day(cast: Any, history: Any, probe: Any) -> None:
    places = cast_places(cast)
    grids = [places.grid_a, places.grid_a2, places.grid_c]
    with transaction.atomic(), acting(None, "system"):
        made: list[Any] = []
        periods: dict[int, list[list[Any]]] = {}
        persons: dict[int, int] = {}
        visits: list[tuple[int, dt.date]] = []
        day = START
        for gap, action, index, where in history:
            day += dt.timedelta(days=gap)
            live = [h for h in made if h.left_on is None]
            if action == "create" or not live:
                h = households.household_create(territory=grids[where], head_name=f"户{len(made)}",
                                                registered_on=day)
                if index % 2:
                    households.person_add(household=h, name="家人", joined_on=day)
                made.append(h)
                periods[h.pk] = [[grids[where].path, day, None]]
                persons[h.pk] = 1 + index % 2
                continue
            h = live[index % len(live)]
            current = periods[h.pk][-1]
            if action == "move" and grids[where].path != current[0] and day > current[1]:
                h = households.household_move(h, territory=grids[where], on=day)
                current[2] = day
                periods[h.pk].append([grids[where].path, day, None])
            elif action == "leave" and day > current[1]:
                h = households.household_leave(h, on=day)
                current[2] = day
            elif action == "visit":
                services.visit_record(household=h, day=day, users=[cast.secretary])
                visits.append((h.pk, day))
            made = [h if m.pk == h.pk else m for m in made]
        a, length, b = probe
        start = START + dt.timedelta(days=a)
        end = start + dt.timedelta(days=length)
        as_of = START + dt.timedelta(days=b)
        for place in (places.street, places.community_a, places.grid_a, places.grid_a2, places.grid_c):
            rate = selectors.visit_rates(place, start, end, as_of)
            got = (rate.visited, rate.households, rate.persons_visited, rate.persons)
            assert got == brute(periods, persons, visits, place.path, start, end, as_of), place.code
        table = {r.place.code: r for r in selectors.rate_table(places.street, start, end, as_of)}
        for place in (places.community_a, places.grid_a, places.grid_a2):
            r = table[place.code]
            assert (r.visited, r.households) == brute(periods, persons, visits, place.path, start, end, as_of)[:2]
        transaction.set_rollback(True)


def test_the_table_costs_a_query_per_level(cast: Any, django_assert_max_num_queries: Any) -> None:
    places = cast_places(cast)
    from .fixtures import household

    for g in (places.grid_a, places.grid_a2):
        for i in range(4):
            h = household(g, f"户{i}", persons=2)
            if i % 2:
                with acting(None, "system"):
                    services.visit_record(household=h, day=dt.date(2024, 2, 1), users=[cast.secretary])
    with django_assert_max_num_queries(7):  # the places; households and persons of the street, communities, grids
        rows = selectors.rate_table(places.street, dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    by = {r.place.code: r for r in rows}
    assert (by["T-S"].visited, by["T-S"].households, by["T-S"].persons_visited, by["T-S"].persons) == (4, 8, 8, 16)
    assert (by["T-A-G1"].visited, by["T-A-G1"].households) == (2, 4)
    assert by["T-A"].percent == 50.0
