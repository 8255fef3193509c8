"""Shared pieces of the grids tests: the cast's places with grid profiles, and households living in them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from conftest import cast_places
from grassroots.core.context import acting

DAY = dt.date(2020, 1, 1)


def grids(cast: Any) -> tuple[Any, Any, Any]:
    """Grid profiles on the cast's grids T-A-G1, T-A-G2 and T-C-G1 (as the system)."""
    from grassroots.grids import services

    places = cast_places(cast)
    with acting(None, "system"):
        a = services.grid_setup(territory=places.grid_a, head_name="杨国华", head_phone="13712345601")
        a2 = services.grid_setup(territory=places.grid_a2)
        c = services.grid_setup(territory=places.grid_c, head_name="段家明", head_phone="13712345603")
    return a, a2, c


def household(place: Any, code: str, *, on: dt.date | None = None, persons: int = 0) -> Any:
    from grassroots.households import services

    with acting(None, "system"):
        h = services.household_create(territory=place, head_name=f"户主{code}", code=code, registered_on=on,
                                      phone="13800001111")
        for i in range(persons):
            services.person_add(household=h, name=f"家人{code}{i}", joined_on=on)
    return h
