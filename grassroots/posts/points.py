"""What responsibility posts give the points module: each approved claim of a post of the subtree, on the day it was
approved (`posts.claimed`, quantity 1). The points module proposes entries from it; the branch approves them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse

from grassroots.core.modules import PointEvidence
from grassroots.orgs.models import Organization

from . import selectors


def evidence(org: Organization, start: dt.date, end: dt.date) -> Iterator[PointEvidence]:
    claims = (selectors.claims_of(org).filter(approved_on__isnull=False, approved_on__gte=start, approved_on__lte=end)
              .select_related("post").order_by("approved_on", "pk"))
    for c in claims:
        yield PointEvidence(key=f"posts.claim:{c.pk}", member_id=c.member_id, day=c.approved_on, item="posts.claimed",
                            quantity=1, text=c.post.title, url=reverse("post-detail", args=[c.post_id]))
