"""On a phone: a member makes their own practical commitment; the secretary records its progress on the member's
behalf (no photo) and, after review, its result; the station's public page shows it kept, with no phone or ID."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD, build_cast
from grassroots.commitments.models import Commitment

from .pages import fits_the_width, log_in

pytestmark = pytest.mark.browser


def test_a_member_commits_the_secretary_records_progress_and_result(phone_page: Any, browser: Any) -> None:
    cast = build_cast()
    today = timezone.localdate()
    page = phone_page
    log_in(page, "member", PASSWORD)
    page.goto(page.base + f"/members/{cast.member.pk}/commitments/")
    form = page.locator("#new-commitment form")
    form.locator("[name=level]").select_option("practical")
    form.locator("[name=theme]").select_option("environment")
    form.locator("[name=text]").fill("每月清理一次小区河道")
    assert fits_the_width(page)
    form.locator("button[type=submit]").click()
    page.locator(".messages li.success").wait_for()
    c = Commitment.objects.get()
    assert (c.member, c.level, c.theme, c.on_behalf, c.year) == (cast.member, "practical", "environment", False,
                                                                 today.year)
    assert page.locator("#result-card").count() == 0  # the member does not judge their own commitment

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    secretary = context.new_page()
    secretary.base = page.base
    log_in(secretary, "secretary", PASSWORD)
    secretary.goto(secretary.base + f"/commitments/{c.pk}/")
    progress = secretary.locator("#progress-form")
    progress.locator("[name=progress-text]").fill("清理了河道两侧垃圾")
    progress.locator("button[type=submit]").click()
    secretary.locator(".messages li.success").wait_for()
    assert secretary.locator("#progress li").count() == 1
    result = secretary.locator("#result-form")
    result.locator("[name=result-result]").select_option("kept")
    result.locator("button[type=submit]").click()
    secretary.locator(".messages li.success").wait_for()
    assert secretary.locator("#commitment").get_attribute("data-state") == "kept"
    assert fits_the_width(secretary)
    context.close()

    page.goto(page.base + f"/p/{cast.street.code}/commitments/")
    table = page.locator("#public-commitments")
    assert "每月清理一次小区河道" in table.inner_text() and cast.member.name in table.inner_text()
    html = page.content()
    assert cast.member.phone not in html and cast.member.id_number not in html
    assert fits_the_width(page)
