"""What the permission walk needs to know about responsibility posts: the words before their `<pk>`, the public
station page, and a kind, a post and a claim inside branch A and inside branch C."""

from __future__ import annotations

import datetime as dt
from typing import Any

COLLECTIONS = {"posts": "post", "post-claims": "post_claim", "post-kinds": "post_kind"}
PUBLIC_URL_NAMES = {
    "public-posts": "the public station page of responsibility posts: members' names and their posts only "
                    "(posts/tests/test_pages.py checks it shows no phone or ID number)",
}


def objects(cast: Any) -> dict[str, dict[str, Any]]:
    from grassroots.posts import services

    made: dict[str, dict[str, Any]] = {}
    start = dt.date(2024, 1, 1)
    for side, org, member in (("a", cast.branch_a, cast.member_a2), ("c", cast.branch_c, cast.member_c)):
        kind = services.kind_create(org=org, name=f"走访岗{side}")
        post = services.post_create(org=org, kind=kind, title=f"走访{side}", seats=2, term_start=start)
        claim = services.claim_post(post=post, member=member, claimed_on=start)
        made[side] = {"post_kind": kind, "post": post, "post_claim": claim}
    return made


def forbidden(cast: Any) -> list[str]:
    """No GET shows a claimant's full ID number."""
    return [cast.member_a2.id_number, cast.member_c.id_number]
