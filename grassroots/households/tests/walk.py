"""What the permission walk needs to know about households: `households/<pk>/` names a household,
`households/persons/<pk>/` a person, `households/situations/<pk>/` a situation, `household-places/<pk>/` a place
whose households are listed. All are scoped by place: the "a" objects lie in the grid worker's grid, the "c" ones
in branch C's grid. The persons' ID numbers and phones, the households' phones and the special fields' values are
shown by no GET (reveals are POSTs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from grassroots.core import idnumber

COLLECTIONS = {"households": "household", "persons": "person", "situations": "situation",
               "household-places": "household_place"}
PLACE_KINDS = {"household", "person", "situation", "household_place"}
PHONES = ("13655550101", "13655550303")
ID_NUMBERS = (idnumber.make("530522", dt.date(1961, 4, 5), 11), idnumber.make("530522", dt.date(1963, 8, 9), 13))
HEALTH = ("糖尿病十年", "高血压三级")


def objects(cast: Any) -> dict[str, dict[str, Any]]:
    from conftest import cast_places
    from grassroots.households import services

    places = cast_places(cast)
    made: dict[str, dict[str, Any]] = {}
    for key, place, org, name, i in (("a", places.grid_a, cast.branch_a, "户主甲", 0),
                                     ("c", places.grid_c, cast.branch_c, "户主丙", 1)):
        services.special_fields_set(org, enabled=True)
        household = services.household_create(territory=place, head_name=name, registered_on=dt.date(2019, 1, 2),
                                               phone=PHONES[i], head={"id_number": ID_NUMBERS[i], "phone": PHONES[i],
                                                                      "health": HEALTH[i]})
        person = household.persons.get()
        situation = services.situation_start(household, kind="difficult", started_on=dt.date(2019, 3, 1))
        made[key] = {"household": household, "person": person, "situation": situation, "household_place": place}
    return made


def forbidden(cast: Any) -> list[str]:
    return [*PHONES, *ID_NUMBERS, *HEALTH]
