"""What the permission walk needs to know about grids: `grids/<pk>/` names a grid; grids are scoped by place (the
"a" grid is the grid worker's own grid `T-A-G1`, the "c" grid is `T-C-G1`); the heads' and workers' phones, which
no page shows in full."""

from __future__ import annotations

import datetime as dt
from typing import Any

COLLECTIONS = {"grids": "grid"}
PLACE_KINDS = {"grid"}
PHONES = ("13712345601", "13712345602", "13712345603", "13712345604")


def objects(cast: Any) -> dict[str, dict[str, Any]]:
    from conftest import cast_places
    from grassroots.grids import services

    places = cast_places(cast)
    a = services.grid_setup(territory=places.grid_a, head_name="杨国华", head_phone=PHONES[0])
    services.appoint_worker(a, started_on=dt.date(2020, 1, 1), user=places.grid_worker, name="许玉梅",
                            phone=PHONES[1])
    c = services.grid_setup(territory=places.grid_c, head_name="段家明", head_phone=PHONES[2])
    services.appoint_worker(c, started_on=dt.date(2020, 1, 1), username="walk-grid-c", name="赵永春",
                            phone=PHONES[3])
    return {"a": {"grid": a}, "c": {"grid": c}}


def forbidden(cast: Any) -> list[str]:
    return list(PHONES)
