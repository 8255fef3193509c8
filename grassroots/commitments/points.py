"""Point evidence: each kept commitment of a subtree, dated by its result (the points module proposes an entry
from it, which the branch approves before it counts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse

from grassroots.core.modules import PointEvidence

from .models import Commitment, Result

ITEM = "commitments.kept"


def evidence(org: Any, start: dt.date, end: dt.date) -> Iterator[PointEvidence]:
    """The kept commitments of org's subtree whose result is dated from `start` to `end` (inclusive)."""
    qs = (Commitment.objects.standing().filter(org__path__startswith=org.path, result=Result.KEPT,
                                               result_on__gte=start, result_on__lte=end)
          .order_by("result_on", "id").only("id", "member_id", "result_on", "year", "text"))
    for c in qs:
        yield PointEvidence(key=f"commitments.commitment:{c.pk}", member_id=c.member_id, day=c.result_on, item=ITEM,
                            quantity=1, text=f"{c.year} {c.text[:60]}",
                            url=reverse("commitment-detail", args=[c.pk]))
