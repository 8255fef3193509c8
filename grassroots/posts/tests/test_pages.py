"""The posts pages: list (seats filled and free, bounded queries, .xlsx), set-up and edit, a post with its claims
(on behalf, self, approve, decline, withdraw, end; a stale form refused), the kinds page with the presets button
and the setting, the claims list, the notice board, a member's posts, and the public station page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError
from grassroots.posts import services
from grassroots.posts.models import ClaimState, Post, PostClaim, PostKind
from grassroots.ui.testing import client_as

from .conftest import TERM_START

DAY = dt.date(2024, 3, 1)


def _claimed(post: Any, member: Any, approve: bool = True) -> PostClaim:
    with acting(None, "system"):
        claim = services.claim_post(post=post, member=member, claimed_on=DAY)
        if approve:
            claim = services.claim_approve(claim, version=claim.version, on=DAY)
    return claim


def test_list_shows_seats_and_bounds_queries(cast: Any, post: Any, kinds: dict[str, Any],
                                             django_assert_max_num_queries: Any) -> None:
    with acting(None, "system"):
        for i in range(12):
            services.post_create(org=cast.branch_b, kind=kinds["便民服务岗"], title=f"代办{i}", seats=3,
                                 term_start=TERM_START)
    _claimed(post, cast.member)
    client = client_as(cast, "street_admin")
    with django_assert_max_num_queries(20):
        response = client.get(reverse("post-list", args=["S"]))
    assert response.status_code == 200
    assert response.context["count"] == 13
    row = next(r for r in response.context["rows"] if r[0].value == "夜间巡逻")
    cells = {c.key: c.value for c in row}
    assert (cells["seats"], cells["filled"], cells["free"]) == (2, 1, 1)


def test_list_year_and_kind_filters_and_xlsx(cast: Any, post: Any) -> None:
    client = client_as(cast, "secretary")
    assert client.get(reverse("post-list", args=["A"]), {"year": 2023}).context["count"] == 0
    assert client.get(reverse("post-list", args=["A"]), {"year": 2024, "kind": "治安巡逻岗"}).context["count"] == 1
    sheet = client.get(reverse("post-list", args=["A"]), {"format": "xlsx"})
    assert sheet.status_code == 200 and sheet["Content-Type"].startswith("application/vnd.openxmlformats")
    claims = client.get(reverse("post-claim-list", args=["A"]), {"format": "xlsx"})
    assert claims.status_code == 200


def test_set_up_a_post_from_the_page(cast: Any, kinds: dict[str, Any]) -> None:
    client = client_as(cast, "secretary")
    url = reverse("post-new", args=["A"])
    bad = client.post(url, {"kind": kinds["政策宣传岗"].pk, "title": "宣讲", "seats": 1, "term_start": "2024-02-01",
                            "term_end": "2024-01-01"})
    assert bad.status_code == 400 and bad.context["form"].errors["term_end"]
    done = client.post(url, {"kind": kinds["政策宣传岗"].pk, "title": "宣讲", "seats": 1, "term_start": "2024-02-01"})
    post = Post.objects.get(title="宣讲")
    assert done.status_code == 302 and post.org == cast.branch_a
    assert client_as(cast, "auditor").post(url, {"title": "x"}).status_code == 403
    edit = reverse("post-edit", args=[post.pk])
    assert client.post(edit, {"kind": post.kind_id, "title": "政策宣讲", "seats": 2, "term_start": "2024-02-01",
                              "version": post.version}).status_code == 302
    stale = client.post(edit, {"kind": post.kind_id, "title": "again", "seats": 2, "term_start": "2024-02-01",
                               "version": post.version})
    assert stale.status_code == 400 and "nothing was saved" in str(stale.content)
    assert Post.objects.get(pk=post.pk).title == "政策宣讲"


def test_claim_on_behalf_approve_and_end_from_the_page(cast: Any, post: Any) -> None:
    client = client_as(cast, "secretary")
    page = client.get(reverse("post-detail", args=[post.pk]))
    assert page.status_code == 200 and page.context["claim_form"] is not None
    response = client.post(reverse("post-claim", args=[post.pk]), {"claim-member": cast.member_a2.pk,
                                                                    "claim-claimed_on": "2024-03-01"})
    assert response.status_code == 302
    claim = PostClaim.objects.get(member=cast.member_a2)
    assert claim.on_behalf and claim.state == ClaimState.PENDING
    stale_version = claim.version
    assert client.post(reverse("post-claim-approve", args=[claim.pk]),
                       {"version": claim.version, "on": "2024-03-02"}).status_code == 302
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED
    again = client.post(reverse("post-claim-end", args=[claim.pk]), {"version": stale_version, "on": "2024-04-01"})
    assert again.status_code == 400
    assert client.post(reverse("post-claim-end", args=[claim.pk]),
                       {"version": claim.version, "on": "2024-04-01", "reason": "外出"}).status_code == 302
    claim.refresh_from_db()
    assert claim.state == ClaimState.ENDED and claim.ended_on == dt.date(2024, 4, 1)


def test_decline_needs_a_reason_on_the_page(cast: Any, post: Any) -> None:
    claim = _claimed(post, cast.member, approve=False)
    client = client_as(cast, "secretary")
    bad = client.post(reverse("post-claim-decline", args=[claim.pk]), {"version": claim.version})
    assert bad.status_code == 400
    assert client.post(reverse("post-claim-decline", args=[claim.pk]),
                       {"version": claim.version, "reason": "不符合条件"}).status_code == 302
    claim.refresh_from_db()
    assert claim.state == ClaimState.DECLINED


def test_member_claims_and_withdraws_from_their_own_page(cast: Any, post: Any) -> None:
    client = client_as(cast, "member")
    page = client.get(reverse("member-posts", args=[cast.member.pk]))
    assert page.status_code == 200 and [p.pk for p in page.context["open_posts"]] == [post.pk]
    assert client.post(reverse("post-claim", args=[post.pk]), {"self": "1"}).status_code == 302
    claim = PostClaim.objects.get(member=cast.member)
    assert not claim.on_behalf
    # the member cannot approve their own claim, nor read the post's page
    assert client.post(reverse("post-claim-approve", args=[claim.pk]), {"version": claim.version}).status_code == 403
    assert client.get(reverse("post-detail", args=[post.pk])).status_code == 404
    assert client.post(reverse("post-claim-withdraw", args=[claim.pk]),
                       {"version": claim.version, "next": "member"}).status_code == 302
    claim.refresh_from_db()
    assert claim.state == ClaimState.WITHDRAWN
    assert client.get(reverse("member-posts", args=[cast.member_b.pk])).status_code == 404


def test_kinds_page_presets_button_and_setting(cast: Any) -> None:
    client = client_as(cast, "street_admin")
    url = reverse("post-kinds", args=["S"])
    assert client.post(url, {"action": "preset", "preset-preset": "wulan"}).status_code == 302
    assert PostKind.objects.filter(org=cast.street, preset="wulan").count() == 10
    assert client.post(url, {"action": "kind", "kind-name": "扶贫帮困岗"}).status_code == 400
    assert client.post(url, {"action": "setting", "setting-max_active_claims": 3}).status_code == 302
    assert services.claims_limit(cast.branch_a, DAY) == 3
    stale = client.post(url, {"action": "setting", "setting-max_active_claims": 4, "setting-version": ""})
    assert stale.status_code == 400 and services.claims_limit(cast.branch_a, DAY) == 3
    page = client_as(cast, "secretary").get(url.replace("/S/", "/A/"))
    assert page.status_code == 200 and len(page.context["rows"]) == 10
    assert client_as(cast, "auditor").post(url, {"action": "preset", "preset-preset": "seed004"}).status_code == 403


def test_kind_edit_and_deactivate(cast: Any, kinds: dict[str, Any]) -> None:
    kind = kinds["居民监督岗"]
    client = client_as(cast, "street_admin")
    assert client.post(reverse("post-kind-edit", args=[kind.pk]),
                       {"name": "居民监督岗", "name_en": "Supervision", "version": kind.version}).status_code == 302
    kind.refresh_from_db()
    assert client.post(reverse("post-kind-active", args=[kind.pk]),
                       {"active": "0", "version": kind.version}).status_code == 302
    kind.refresh_from_db()
    assert not kind.active and kind.name_en == "Supervision"
    assert client_as(cast, "secretary").get(reverse("post-kind-edit", args=[kind.pk])).status_code == 404  # S above A
    assert client_as(cast, "auditor").get(reverse("post-kind-edit", args=[kind.pk])).status_code == 403


def test_board_and_public_page_show_names_but_no_phone_or_id(cast: Any, post: Any) -> None:
    from grassroots.posts.selectors import has_published_posts

    assert not has_published_posts(cast.street)
    _claimed(post, cast.member)
    assert has_published_posts(cast.street) and not has_published_posts(cast.other_street)
    board = client_as(cast, "secretary").get(reverse("post-board", args=["A"]))
    public = client_as(cast, "anonymous").get(reverse("public-posts", args=["S"]))
    for response in (board, public):
        text = response.content.decode()
        assert response.status_code == 200 and "李明" in text and "夜间巡逻" in text
        assert cast.member.phone not in text and cast.member.id_number not in text
        assert cast.member.id_number_masked not in text
    from grassroots.ui.templatetags.registry import station_links

    assert "posts" in [link["key"] for link in station_links(cast.street)]
    assert "posts" not in [link["key"] for link in station_links(cast.other_street)]
    assert client_as(cast, "anonymous").get("/p/NOPE/posts/").status_code == 404


def test_claims_list_counts_members_of_the_year(cast: Any, post: Any) -> None:
    _claimed(post, cast.member)
    _claimed(post, cast.member_a2, approve=False)
    client = client_as(cast, "auditor")
    page = client.get(reverse("post-claim-list", args=["S"]), {"year": 2024})
    assert page.context["count"] == 1 and page.context["members"] == 1
    assert client.get(reverse("post-claim-list", args=["S"])).context["count"] == 2


def test_secretary_claims_a_post_above_on_behalf_from_the_member_page(cast: Any, kinds: dict[str, Any]) -> None:
    with acting(None, "system"):
        above = services.post_create(org=cast.general, kind=kinds["环境卫士岗"], title="河道保洁", seats=1,
                                     term_start=TERM_START)
    client = client_as(cast, "secretary")
    page = client.get(reverse("member-posts", args=[cast.member_a2.pk]))
    assert above.pk in [p.pk for p in page.context["open_posts"]]
    assert client.get(reverse("post-detail", args=[above.pk])).status_code == 404  # G is above the secretary
    response = client.post(reverse("post-claim", args=[above.pk]), {"claim-member": cast.member_a2.pk})
    assert response.status_code == 302 and response["Location"] == reverse("member-posts", args=[cast.member_a2.pk])
    claim = PostClaim.objects.get(post=above)
    assert claim.member == cast.member_a2 and claim.on_behalf
    # a member of B is not the secretary's to claim for
    assert client.post(reverse("post-claim", args=[above.pk]), {"claim-member": cast.member_b.pk}).status_code == 302
    assert PostClaim.objects.filter(post=above).count() == 1
    # the post's branch (or above) approves
    with acting(cast.secretary, "web"), pytest.raises(PermissionDeniedError):
        services.claim_approve(claim, version=claim.version)
