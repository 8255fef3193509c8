"""A micro-wish on phones, in Chinese: a resident sends it from the public form (no account), the secretary
publishes it, a member claims it from their phone, the secretary marks it fulfilled on the member's behalf
(an elderly member without a smartphone), and the resident sees it fulfilled by the tracking code and confirms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import PASSWORD, build_cast
from grassroots.core.context import acting
from grassroots.wishes import services
from grassroots.wishes.models import State, Wish
from tests.browser.conftest import PHONE
from tests.browser.pages import fits_the_width, log_in

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"


def _phone(browser: Any, base: str) -> tuple[Any, Any]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    context.set_default_timeout(15000)
    page = context.new_page()
    page.base = base
    return context, page


def test_wish_from_the_form_claimed_fulfilled_for_the_member_and_seen_by_code(phone_page: Any,
                                                                             browser: Any) -> None:
    cast = build_cast()
    with acting(None, "system"):
        services.set_intake(cast.branch_a, enabled=True)
    SCREENS.mkdir(parents=True, exist_ok=True)

    # 1. The resident, on a phone, with no account.
    page = phone_page
    page.goto(page.base + "/p/A/wishes/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    form = page.locator("#wish-form")
    form.locator("[name=text]").fill("家里老人想要一台收音机听新闻")
    form.locator("[name=category]").select_option("daily")
    form.locator("[name=place]").fill("东风社区3栋")
    form.locator("[name=name]").fill("王芳")
    form.locator("[name=phone]").fill("13912345678")
    box = page.locator("[name=website]").bounding_box()  # the honeypot is off screen
    assert box is None or box["x"] + box["width"] <= 0
    assert fits_the_width(page)
    page.screenshot(path=str(SCREENS / "wish-form-phone.png"), full_page=True)
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#tracking-code")
    number = page.locator("#wish-number").inner_text().strip()
    code = page.locator("#tracking-code").inner_text().strip()
    assert code not in page.url
    wish = Wish.objects.get(number=number)
    assert wish.tracking_code == code and wish.state == State.COLLECTED and wish.channel == "public"

    # 2. The secretary publishes it, on a phone too.
    secretary_context, secretary = _phone(browser, page.base)
    log_in(secretary, "secretary", PASSWORD)
    secretary.goto(page.base + f"/wishes/{wish.pk}/")
    assert "13912345678" not in secretary.content() and "王芳" not in secretary.content()  # masked
    secretary.click("#publish")
    secretary.wait_for_selector("#state[data-state='published']")

    # 3. The member claims it from their phone.
    member_context, member = _phone(browser, page.base)
    log_in(member, "member", PASSWORD)
    member.goto(page.base + "/wishes/open/")
    assert fits_the_width(member)
    member.screenshot(path=str(SCREENS / "wish-open-phone.png"), full_page=True)
    member.click(f"button[data-claim='{number}']")
    member.wait_for_selector(f"#claimed-{wish.pk}")
    assert member.url.endswith(f"/members/{cast.member.pk}/wishes/")
    wish.refresh_from_db()
    assert wish.state == State.CLAIMED and wish.claimant_member == cast.member
    member_context.close()

    # 4. The secretary marks it fulfilled on the member's behalf, from the member's page.
    secretary.goto(page.base + f"/members/{cast.member.pk}/wishes/")
    secretary.click(f"a[data-fulfil='{number}']")
    secretary.wait_for_selector("#on-behalf")
    secretary.fill("#fulfil-form [name=note]", "已代李明登记：收音机已送到老人家中")
    assert fits_the_width(secretary)
    secretary.click("#fulfil")
    secretary.wait_for_url(f"**/members/{cast.member.pk}/wishes/")
    secretary_context.close()
    wish.refresh_from_db()
    assert wish.state == State.FULFILLED
    event = wish.events.get(action="fulfilled")
    assert event.on_behalf and event.member == cast.member and event.by_name == "secretary"

    # 5. The resident follows it with the code: fulfilled, by whom, when; and confirms it.
    page.goto(page.base + "/p/A/wishes/track/")
    page.fill("#track-form [name=code]", code.lower())
    page.click("#track")
    page.wait_for_selector("#wish-state[data-state='fulfilled']")
    assert page.locator("#claimant").inner_text().strip() == "李明"
    assert page.locator("#fulfilled-on").inner_text().strip() == wish.fulfilled_on.isoformat()
    assert "13912345678" not in page.content() and "王芳" not in page.content()
    assert code not in page.url
    assert fits_the_width(page)
    page.screenshot(path=str(SCREENS / "wish-track-phone.png"), full_page=True)
    page.click("#confirm")
    page.wait_for_selector("#confirmed")
    wish.refresh_from_db()
    assert wish.state == State.CONFIRMED and wish.confirmed_by_resident
