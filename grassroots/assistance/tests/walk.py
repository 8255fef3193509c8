"""What the permission walk needs to know about assistance: a household's assistance page
(`assistance/household/<pk>/`), a ledger entry (`assistance/<pk>/`, `api/assistance/ledger/<pk>/`), scoped by
place (the "a" ones in grid T-A-G1, the "c" ones in T-C-G1), and a distribution round with a line (organization
A's store, organization C's), scoped by organization. No page shows a household's phone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

COLLECTIONS = {"household": "household_page", "assistance": "assistance_entry", "ledger": "assistance_entry",
               "rounds": "assistance_round", "lines": "assistance_line"}
PLACE_KINDS = {"household_page", "assistance_entry"}
PHONES = ("13755550101", "13755550102")
DAY = dt.date(2024, 3, 15)


def _side(cast: Any, place: Any, org: Any, head: str, phone: str) -> dict[str, Any]:
    from grassroots.assistance import services
    from grassroots.households.services import household_create

    h = household_create(territory=place, head_name=head, registered_on=dt.date(2020, 1, 1), phone=phone)
    e = services.assistance_record(household=h, kind="dibao", form="cash", amount=Decimal("500"), given_on=DAY,
                                   source="government", source_name="县民政局")
    rice = services.donation_receive(org, donor="县供电所", item="大米", unit="袋", quantity=Decimal(5),
                                     value=Decimal(300), received_on=DAY).item
    rnd = services.round_create(org, title="2024年第一季度", held_on=DAY, kind="temporary")
    line = services.line_add(rnd, household=h, item=rice, quantity=Decimal(1))
    return {"household_page": h, "assistance_entry": e, "assistance_round": rnd, "assistance_line": line}


def objects(cast: Any) -> dict[str, dict[str, Any]]:
    from conftest import cast_places

    places = cast_places(cast)
    return {"a": _side(cast, places.grid_a, cast.branch_a, "寸德昌", PHONES[0]),
            "c": _side(cast, places.grid_c, cast.branch_c, "尹福顺", PHONES[1])}


def forbidden(cast: Any) -> list[str]:
    return list(PHONES)
