"""What the permission walk needs to know about the points pages and endpoints: the words before `<pk>`, and
an entry, a scheme and an exemption inside branch A (of a member other than the member role's own, whose
records the member role may read) and inside branch C."""

from __future__ import annotations

import datetime as dt
from typing import Any

COLLECTIONS = {"point-entries": "point_entry", "schemes": "point_scheme", "exemptions": "point_exemption"}


def objects(cast: Any) -> dict[str, dict[str, Any]]:
    from grassroots.points.services import give_points, record_exemption, set_scheme
    from grassroots.points.tests.conftest import scheme_params

    made: dict[str, dict[str, Any]] = {}
    for key, org, member in (("a", cast.branch_a, cast.member_a2), ("c", cast.branch_c, cast.member_c)):
        made[key] = {
            "point_scheme": set_scheme(org, effective_from=dt.date(2019, 1, 1), params=scheme_params()),
            "point_entry": give_points(member, item="manual.pioneer", day=dt.date(2019, 6, 1), reason="走访慰问"),
            "point_exemption": record_exemption(member, reason="sick", start=dt.date(2020, 1, 1),
                                                end=dt.date(2020, 3, 1), note="住院"),
        }
    return made
