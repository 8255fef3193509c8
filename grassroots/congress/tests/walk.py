"""What the permission walk needs to know about practical projects: the words before their `<pk>`, the public
pages (no login), and a project with a sub-project, a milestone and a supervision activity inside branch A and
inside branch C (made once per cast, through the services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

COLLECTIONS = {"practical-projects": "practical_project", "practical-milestones": "practical_milestone",
               "practical-supervision": "practical_supervision"}
PUBLIC_URL_NAMES = {
    "public-congress-projects": "the station's published practical projects: titles, status, progress, no contact",
    "public-congress-project": "a published practical project: the responsible person's published name and office "
                               "phone only (congress/tests/test_pages.py checks no other contact shows)",
}


def objects(cast: Any) -> dict[str, dict[str, Any]]:
    from grassroots.congress import services as s
    from grassroots.core.context import acting

    made: dict[str, dict[str, Any]] = {}
    with acting(None, "system"):
        for side, org in (("a", cast.branch_a), ("c", cast.branch_c)):
            p = s.project_create(org=org, title=f"走访实事{side}", year=2024, due_on=dt.date(2024, 12, 31),
                                 on=dt.date(2024, 2, 1))
            s.project_create(parent=p, title=f"走访子项目{side}")
            m = s.milestone_add(project=p, title=f"走访节点{side}", due_on=dt.date(2024, 6, 1))
            sv = s.supervision_record(project=p, on=dt.date(2024, 5, 1), kind="inspection", names="走访代表",
                                      follow_up="整改")
            made[side] = {"practical_project": p, "practical_milestone": m, "practical_supervision": sv}
    return made
