"""What the permission walk needs to know about the commitments pages (see access/tests/test_permission_walk.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

COLLECTIONS = {"commitments": "commitment", "commitment": "commitment", "progress": "commitment_progress",
               "commitment-progress": "commitment_progress"}
PUBLIC_URL_NAMES = {
    "public-commitments": "the public list of commitments (承诺公示): names, levels, texts, deadlines and results, "
                          "no contact (commitments/tests/test_public.py checks it)",
}


def objects(cast: Any) -> dict[str, dict[str, Any]]:
    """A commitment with a progress entry of a member of A (not the cast's member, who reads their own) and one
    of a member of C."""
    from grassroots.commitments import services

    made: dict[str, dict[str, Any]] = {}
    for key, member in (("a", cast.member_a2), ("c", cast.member_c)):
        c = services.commitment_make(member, year=2019, level="practical", theme="environment",
                                     text=f"承诺清理小区楼道{member.pk}", deadline=dt.date(2019, 12, 31),
                                     made_on=dt.date(2019, 3, 1))
        entry = services.progress_add(c, date=dt.date(2019, 5, 1), text="清理了三号楼楼道")
        made[key] = {"commitment": c, "commitment_progress": entry}
    return made
