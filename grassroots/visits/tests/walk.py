"""What the permission walk needs to know about links and visits: `visits/<pk>/` names a visit,
`visit-findings/<pk>/` a finding, `visit-links/<pk>/` a link and `households/<pk>/` a household; all four are
scoped by place: the "a" objects lie in the grid worker's grid (T-A-G1), the "c" ones in T-C-G1. The households'
phones are never shown."""

from __future__ import annotations

import datetime as dt
from typing import Any

COLLECTIONS = {"visits": "visit", "visit-findings": "visit_finding", "visit-links": "household_link",
               "households": "household"}
PLACE_KINDS = {"visit", "visit_finding", "household_link", "household"}
PHONES = ("13755550001", "13755550002")


def objects(cast: Any) -> dict[str, dict[str, Any]]:
    from conftest import cast_places
    from grassroots.households.services import household_create
    from grassroots.visits import services

    places = cast_places(cast)
    made: dict[str, dict[str, Any]] = {}
    for side, place, phone, user in (("a", places.grid_a, PHONES[0], cast.secretary),
                                     ("c", places.grid_c, PHONES[1], cast.outsider)):
        h = household_create(territory=place, head_name="走访户" + side, registered_on=dt.date(2018, 1, 1),
                             phone=phone)
        link = services.link_create(household=h, kind="village_cadre", valid_from=dt.date(2019, 1, 1),
                                    person_name="村干部" + side)
        visit, _c = services.visit_record(household=h, day=dt.date(2024, 1, 2), users=[user],
                                          findings=[{"type": "difficulty", "text": "看病难" + side}])
        made[side] = {"household": h, "visit": visit, "visit_finding": visit.findings.get(),
                      "household_link": link}
    return made


def forbidden(cast: Any) -> list[str]:
    return list(PHONES)
