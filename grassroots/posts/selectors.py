"""Reads of responsibility posts, with names that say what they answer.

A claim *held a seat* on a day when it was approved on or before it and neither it ended (`ended_on`, the last
day) nor the post's term ended before it. A post *counts in a year* when its term overlaps the year; a claim
counts in a year when it held its seat on some day of the year. The list pages, the annual summary, the
dashboard and the points evidence all ask these.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from grassroots.orgs.models import Organization

from .models import ClaimState, Post, PostClaim


def posts_of(org: Organization) -> QuerySet[Post]:
    """The posts of the organization's subtree."""
    return Post.objects.filter(org__path__startswith=org.path)


def with_seat_counts(posts: QuerySet[Post]) -> QuerySet[Post]:
    """Each post with `filled` (approved claims now) and `waiting` (claims awaiting approval)."""
    return posts.annotate(filled=Count("claims", filter=Q(claims__state=ClaimState.APPROVED), distinct=True),
                          waiting=Count("claims", filter=Q(claims__state=ClaimState.PENDING), distinct=True))


def year_span(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def posts_in_period(posts: QuerySet[Post], start: dt.date, end: dt.date) -> QuerySet[Post]:
    """Posts whose term overlaps start..end."""
    return posts.filter(Q(term_end__isnull=True) | Q(term_end__gte=start), term_start__lte=end)


def held_in_period(claims: QuerySet[PostClaim], start: dt.date, end: dt.date) -> QuerySet[PostClaim]:
    """Claims that held a seat on some day of start..end."""
    return claims.filter(approved_on__isnull=False, approved_on__lte=end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start)).filter(
        Q(post__term_end__isnull=True) | Q(post__term_end__gte=start))


def held_on(claims: QuerySet[PostClaim], day: dt.date) -> QuerySet[PostClaim]:
    return held_in_period(claims, day, day)


def claims_of(org: Organization) -> QuerySet[PostClaim]:
    """The claims of the posts of the organization's subtree."""
    return PostClaim.objects.filter(post__org__path__startswith=org.path)


def published_claims(org: Organization, day: dt.date) -> QuerySet[PostClaim]:
    """What the notice board and the public page show: the claims holding a seat on `day`."""
    return (held_on(claims_of(org), day).select_related("post__kind", "post__org", "post__territory", "member")
            .order_by("post__org__path", "post__kind__name", "post__title", "member__name", "pk"))


def has_published_posts(org: Organization) -> bool:
    """Whether the station's organization has posts with members holding them today (the public link)."""
    from django.utils import timezone

    return held_on(claims_of(org), timezone.localdate()).exists()


@dataclass(frozen=True)
class KindSeats:
    kind: str
    posts: int
    seats: int
    claimed: int

    @property
    def free(self) -> int:
        return max(self.seats - self.claimed, 0)


def seats_by_kind(org: Organization, day: dt.date, readable: Any = None) -> list[KindSeats]:
    """Per kind: the posts whose term covers `day` in the subtree (of the readable organizations, when given),
    their seats and the seats held on `day`. Two queries."""
    posts = posts_in_period(posts_of(org), day, day)
    if readable is not None:
        posts = posts.filter(org_id__in=readable)
    seats: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for _post_id, kind_name, n in posts.values_list("pk", "kind__name", "seats"):
        seats[kind_name][0] += 1
        seats[kind_name][1] += n
    held = held_on(PostClaim.objects.filter(post__in=posts), day).values("post__kind__name").annotate(n=Count("pk"))
    for row in held:
        seats[row["post__kind__name"]][2] += row["n"]
    return [KindSeats(kind, *values) for kind, values in sorted(seats.items())]


def member_claims(member_id: int) -> QuerySet[PostClaim]:
    return (PostClaim.objects.filter(member_id=member_id).select_related("post__org", "post__kind")
            .order_by("-claimed_on", "-pk"))


def claimable_posts(member: Any, day: dt.date) -> QuerySet[Post]:
    """Posts the member might claim on `day`: of an organization above or at the member's, term open."""
    if member.org is None:
        return Post.objects.none()
    chain = [*member.org.get_ancestors(), member.org]
    return (with_seat_counts(posts_in_period(Post.objects.filter(org__in=chain), day, day))
            .select_related("org", "kind").order_by("org__path", "title"))
