"""Households, a station and links for the visits tests, made through the services as the system."""

from __future__ import annotations

import datetime as dt
from typing import Any

from grassroots.core.context import acting

DAY = dt.date(2024, 3, 1)


def household(place: Any, head: str = "李大爷", *, on: dt.date | None = dt.date(2018, 1, 1), phone: str = "",
              persons: int = 1) -> Any:
    from grassroots.households.services import household_create, person_add

    with acting(None, "system"):
        h = household_create(territory=place, head_name=head, registered_on=on, phone=phone)
        for i in range(persons - 1):
            person_add(household=h, name=f"{head}家{i}", joined_on=on)
    return h


def station(org: Any) -> Any:
    """An opinions station at `org` with one active category."""
    from grassroots.opinions.models import Category

    return Category.objects.create(org=org, code="visit", name="走访反映", deadline_workdays=5)


def as_user(user: Any) -> Any:
    return acting(user, "web")
