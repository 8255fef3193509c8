"""Posts findings (source "posts"): posts with free seats `posts.unfilled_after` days after their term started
(a reminder: a post may stay open), and claims awaiting the branch's approval for more than
`posts.decide_claim_within` days. Two queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.rules.findings import OVERDUE, Finding, source
from grassroots.rules.registry import in_force

from . import selectors
from .models import ClaimState


@source("posts")
def posts_findings(org: Any, as_of: dt.date) -> Iterator[Finding]:
    unfilled = in_force("posts.unfilled_after", as_of)
    days = int(unfilled["days"])
    posts = selectors.with_seat_counts(
        selectors.posts_of(org).filter(term_start__lte=as_of - dt.timedelta(days=days))
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=as_of))).select_related("org")
    for post in posts:
        free = post.seats - post.filled  # type: ignore[attr-defined]  # with_seat_counts
        if free <= 0:
            continue
        yield Finding(rule=unfilled.cite, state=OVERDUE, subject_type="post", subject_id=post.pk,
                      subject_label=post.title, org_id=post.org_id, org_name=post.org.name,
                      due=post.term_start + dt.timedelta(days=days),
                      message=_("%(title)s has %(free)d free seat(s) %(days)d days after its term started.")
                      % {"title": post.title, "free": free, "days": days},
                      url=reverse("post-detail", args=[post.pk]))
    waiting = in_force("posts.decide_claim_within", as_of)
    within = int(waiting["days"])
    claims = (selectors.claims_of(org).filter(state=ClaimState.PENDING,
                                              claimed_on__lt=as_of - dt.timedelta(days=within))
              .select_related("post__org", "member"))
    for c in claims:
        yield Finding(rule=waiting.cite, state=OVERDUE, subject_type="post_claim", subject_id=c.pk,
                      subject_label=f"{c.member.name} · {c.post.title}", org_id=c.post.org_id,
                      org_name=c.post.org.name, due=c.claimed_on + dt.timedelta(days=within),
                      message=_("%(name)s's claim of %(title)s has awaited approval since %(date)s.")
                      % {"name": c.member.name, "title": c.post.title, "date": c.claimed_on},
                      url=reverse("post-detail", args=[c.post_id]))
