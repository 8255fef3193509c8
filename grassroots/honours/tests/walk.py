"""What the permission walk needs to know about honours: a household's honours page (`honours/household/<pk>/`)
and an honour (`honours/<pk>/`, `api/honours/<pk>/`), scoped by place: the "a" ones in grid T-A-G1, the "c" ones in
T-C-G1. The station's public page shows the head's name and the place only."""

from __future__ import annotations

import datetime as dt
from typing import Any

COLLECTIONS = {"household": "household_page", "honours": "honour"}
PLACE_KINDS = {"household_page", "honour"}
PUBLIC_URL_NAMES = {"public-honours": "published household honours: the head's name and the place's name only"}
PHONES = ("13755550201", "13755550202")


def _side(place: Any, head: str, phone: str) -> dict[str, Any]:
    from grassroots.honours import services
    from grassroots.households.services import household_create

    h = household_create(territory=place, head_name=head, registered_on=dt.date(2020, 1, 1), phone=phone)
    honour = services.propose(household=h, year=2024, kind="harmonious", reason="孝老爱亲", on=dt.date(2024, 11, 1))
    return {"household_page": h, "honour": honour}


def objects(cast: Any) -> dict[str, dict[str, Any]]:
    from conftest import cast_places

    places = cast_places(cast)
    return {"a": _side(places.grid_a, "段永春", PHONES[0]), "c": _side(places.grid_c, "许玉梅", PHONES[1])}


def forbidden(cast: Any) -> list[str]:
    return list(PHONES)
