"""A resident sends an opinion from the public form on a phone (no account), the street's organizer replies
on the staff page, and the resident rates the reply with the tracking code: one click."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import PASSWORD, build_cast
from grassroots.opinions.models import Opinion, OpinionRating, State
from grassroots.opinions.tests.fixtures import build_station
from tests.browser.pages import fits_the_width

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"


def test_submit_on_a_phone_reply_as_staff_rate_by_code(phone_page: Any, browser: Any, settings: Any,
                                                       tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    cast = build_cast()
    station = build_station(cast)
    SCREENS.mkdir(parents=True, exist_ok=True)

    # 1. The resident, on a phone, with no account.
    page = phone_page
    page.goto(page.base + f"/p/{station.org.code}/?outlet={station.outlet_a.code}")
    assert page.locator("#outlet-note").is_visible()
    form = page.locator("#opinion-form")
    form.locator("[name=category]").select_option(str(station.roads.pk))
    form.locator("[name=text]").fill("东风路12号路灯坏了一个月，晚上出行不便")
    form.locator("[name=address]").fill("东风路12号")
    form.locator("[name=name]").fill("王芳")
    form.locator("[name=phone]").fill("13912345678")
    box = page.locator("[name=website]").bounding_box()  # the honeypot is off screen: people never see it
    assert box is None or box["x"] + box["width"] <= 0
    assert fits_the_width(page)
    page.screenshot(path=str(SCREENS / "opinion-form-phone.png"), full_page=True)
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#tracking-code")
    number = page.locator("#opinion-number").inner_text().strip()
    code = page.locator("#tracking-code").inner_text().strip()
    assert code not in page.url
    opinion = Opinion.objects.get(number=number)
    assert opinion.tracking_code == code and opinion.channel == "web"
    assert (opinion.state, opinion.department) == (State.ASSIGNED, station.department)
    assert fits_the_width(page)

    # 2. The street's organizer replies on the staff page (a separate browser session).
    staff_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    staff = staff_context.new_page()
    staff.goto(page.base + "/login/")
    staff.fill("#id_username", "street_admin")
    staff.fill("#id_password", PASSWORD)
    staff.click("form[action='/login/'] button[type=submit]")
    staff.wait_for_url("**/orgs/**")
    staff.goto(page.base + f"/opinions/{opinion.pk}/")
    assert staff.locator("#state").get_attribute("data-state") == State.ASSIGNED
    assert "13912345678" not in staff.content()  # masked until revealed
    staff.click("#reply summary")
    reply = staff.locator("#reply form")
    reply.locator("[name='reply-to_state']").select_option(State.SOLVED)
    reply.locator("[name='reply-background']").fill("东风路12号路灯线路老化")
    reply.locator("[name='reply-solution']").fill("已联系供电所更换线路，路灯恢复照明")
    reply.locator("[name='reply-handler_name']").fill("张伟")
    reply.locator("[name='reply-handler_contact']").fill("0871-1234567")
    reply.locator("#publish-reply").click()
    staff.wait_for_selector(f"#state[data-state='{State.SOLVED}']")
    staff_context.close()
    opinion.refresh_from_db()
    assert opinion.state == State.SOLVED

    # 3. The resident follows it with the code and rates it with one click.
    page.goto(page.base + "/p/track/")
    page.fill("#track-form [name=code]", code.lower())
    page.click("#track-form button[type=submit]")
    page.wait_for_selector("#rate")
    assert "已联系供电所更换线路" in page.locator("#replies").inner_text()
    assert "13912345678" not in page.content() and "王芳" not in page.content()
    assert fits_the_width(page)
    page.screenshot(path=str(SCREENS / "opinion-track-phone.png"), full_page=True)
    page.locator("#rate button[name=score][value='5']").click()
    page.wait_for_selector("#rated")
    assert code not in page.url
    rating = OpinionRating.objects.get(opinion=opinion)
    assert rating.score == 5
    opinion.refresh_from_db()
    assert opinion.state == State.SOLVED
