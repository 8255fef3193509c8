"""Point evidence of micro-wishes: each wish of the subtree fulfilled (or confirmed) in the period and claimed by a
member may earn that member points, dated by the day of fulfilment. The points module proposes; the branch
approves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse

from grassroots.core.modules import PointEvidence
from grassroots.orgs.models import Organization

from .models import DONE
from .selectors import for_org


def evidence(org: Organization, start: dt.date, end: dt.date) -> Iterator[PointEvidence]:
    done = (for_org(org).filter(state__in=DONE, claimant_member__isnull=False, fulfilled_on__gte=start,
                                fulfilled_on__lte=end).order_by("fulfilled_on", "pk")
            .values_list("pk", "claimant_member_id", "fulfilled_on", "number", "text"))
    for pk, member_id, day, number, text in done:
        yield PointEvidence(key=f"wishes.wish:{pk}", member_id=member_id, day=day, item="wishes.fulfilled",
                            text=f"{number} {text[:40]}", url=reverse("wish-detail", args=[pk]))
