"""The annual summary's posts section (设岗定责): the posts of the subtree whose term overlapped the year, the members
who held one (seed 000: "46 members claimed their posts, publicised and supervised by residents") and the claims by
kind, as the records stood on `day` (claims approved after `day` not counted). The same definitions as the posts
list (`?year=`) and the claims list (`?year=`): `selectors.posts_in_period`, `selectors.held_in_period`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from grassroots.core.modules import SectionText
from grassroots.orgs.models import Organization

from . import selectors


@dataclass(frozen=True)
class Posts:
    posts: int  # posts set up (term overlapping the year)
    seats: int
    members: int  # members who held a post in the year
    claims: int  # claims that held a seat in the year
    by_kind: list[tuple[str, int]] = field(default_factory=list)  # claims by kind

    def as_json(self) -> dict[str, Any]:
        return {"posts": {"posts": self.posts, "seats": self.seats, "members": self.members, "claims": self.claims,
                          "by_kind": dict(self.by_kind)}}


def posts_of(org: Organization, year: int, day: dt.date) -> Posts | None:
    start, end = selectors.year_span(year)
    end = min(end, day)
    if end < start:
        return None
    posts = selectors.posts_in_period(selectors.posts_of(org), start, end)
    seat_counts = list(posts.values_list("seats", flat=True))
    if not seat_counts:
        return None
    claims = selectors.held_in_period(selectors.claims_of(org), start, end)
    by_kind = [(row["post__kind__name"], row["n"])
               for row in claims.values("post__kind__name").annotate(n=Count("pk")).order_by("-n", "post__kind__name")]
    return Posts(posts=len(seat_counts), seats=sum(seat_counts), members=claims.values("member_id").distinct().count(),
                 claims=claims.count(), by_kind=by_kind)


def posts_text(p: Posts, day: dt.date, language: str) -> SectionText:
    year = day.year
    if language.startswith("zh"):
        kinds = "，".join(f"{name}{n}人次" for name, n in p.by_kind)
        text = (f"{year}年，开展设岗定责，设立党员责任岗{p.posts}个、岗位{p.seats}个，"
                f"{p.members}名党员认领岗位，接受群众公示监督" + (f"（{kinds}）" if kinds else "") + "。")
        return SectionText("党员责任岗", (text,))
    kinds = "; ".join(f"{name}: {n}" for name, n in p.by_kind)
    posts = f"{p.posts} responsibility post" + ("" if p.posts == 1 else "s")
    seats = f"{p.seats} seat" + ("" if p.seats == 1 else "s")
    members = f"{p.members} member" + ("" if p.members == 1 else "s")
    text = (f"In {year}, {posts} with {seats} were set up, and {members} "
            f"claimed their posts, publicised and supervised by residents" + (f" (claims by kind: {kinds})" if kinds
                                                                             else "") + ".")
    return SectionText("Responsibility posts", (text,))
