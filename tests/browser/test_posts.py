"""On a phone: a member claims a post on their own "My posts" page, the secretary approves it on the post's page,
and the public station page then shows the member's name, and no phone or ID number."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import PASSWORD, build_cast
from grassroots.core.context import acting
from grassroots.posts import services
from grassroots.posts.models import ClaimState, PostClaim
from tests.browser.pages import fits_the_width, log_in

pytestmark = pytest.mark.browser


def test_claim_approve_publish_on_a_phone(phone_page: Any, browser: Any) -> None:
    cast = build_cast()
    with acting(None, "system"):
        kinds = {k.name: k for k in services.kinds_load_presets(org=cast.street, preset="seed004")}
        post = services.post_create(org=cast.branch_a, kind=kinds["环境卫士岗"], title="河道保洁", seats=2,
                                    duties="每周清理河道一次", term_start=dt.date(2024, 1, 1))
    page = phone_page
    log_in(page, "member", PASSWORD)
    page.goto(page.base + f"/members/{cast.member.pk}/posts/")
    assert fits_the_width(page)
    page.locator(f"button[data-post='{post.pk}']").click()
    page.wait_for_selector("#member-claims tr[data-state='pending']")
    claim = PostClaim.objects.get(post=post, member=cast.member)
    assert not claim.on_behalf

    staff = phone_page.context.browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                                  is_mobile=True, has_touch=True).new_page()
    staff.base = page.base
    log_in(staff, "secretary", PASSWORD)
    staff.goto(page.base + f"/posts/{post.pk}/")
    assert fits_the_width(staff)
    staff.locator(f"#claim-{claim.pk} button[data-action='approve']").click()
    staff.wait_for_selector(f"#claim-{claim.pk}[data-state='approved']")
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED

    page.goto(page.base + "/p/A/posts/")
    text = page.locator("#public-posts").inner_text()
    assert "李明" in text and "河道保洁" in text
    assert cast.member.phone not in page.content() and cast.member.id_number not in page.content()
    assert fits_the_width(page)
