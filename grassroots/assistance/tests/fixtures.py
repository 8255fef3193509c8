"""Households of the cast's places for the assistance tests, made through the households' services as the system."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from conftest import cast_places
from grassroots.core.context import acting

DAY = dt.date(2024, 3, 15)


def household(place: Any, head: str = "寸秀英", **kw: Any) -> Any:
    from grassroots.households.services import household_create, person_add

    with acting(None, "system"):
        h = household_create(territory=place, head_name=head, registered_on=dt.date(2020, 1, 1),
                             phone="13712345678", **kw)
        person_add(household=h, name=head + "妻", relation="10", joined_on=dt.date(2020, 1, 1))
    return h


def households(cast: Any) -> tuple[Any, Any]:
    """A household in grid A1 (branch A's) and one in grid C1 (branch C's)."""
    places = cast_places(cast)
    return household(places.grid_a, "寸秀英"), household(places.grid_c, "尹国华")


def entry(h: Any, **kw: Any) -> Any:
    from grassroots.assistance.services import assistance_record

    values: dict[str, Any] = {"kind": "dibao", "form": "cash", "amount": Decimal("500"), "given_on": DAY,
                              "source": "government", "source_name": "县民政局"}
    values.update(kw)
    with acting(None, "system"):
        return assistance_record(household=h, **values)


def stocked(org: Any, qty: int = 3) -> Any:
    from grassroots.assistance.services import donation_receive

    with acting(None, "system"):
        return donation_receive(org, donor="县供电所", donor_is_unit=True, received_on=DAY, item="大米", unit="袋",
                                quantity=Decimal(qty), value=Decimal(60 * qty)).item
