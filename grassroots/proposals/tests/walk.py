"""What the permission walk needs to know about proposals: the words before their `<pk>`, and a proposal with an
attachment inside branch A and inside branch C (made once per cast, through the services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

COLLECTIONS = {"proposals": "proposal", "proposal-attachments": "proposal_attachment"}

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def objects(cast: Any) -> dict[str, dict[str, Any]]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from grassroots.core.context import acting
    from grassroots.proposals import services as s

    made: dict[str, dict[str, Any]] = {}
    with acting(None, "system"):
        for side, org in (("a", cast.branch_a), ("c", cast.branch_c)):
            p = s.proposal_create(org=org, title=f"走访提案{side}", received_on=dt.date(2024, 2, 1),
                                  proposers=[{"name": f"走访代表{side}", "role": "residents_rep"}])
            a = s.attachment_add(proposal=p, file=SimpleUploadedFile("paper.png", PNG))
            made[side] = {"proposal": p, "proposal_attachment": a}
    return made
