"""A station set up on a phone, at 390px wide in Chinese: the set-up page's lists are cards, a category with a bad
code and a zero-day deadline comes back with the errors in view, and the corrected one is listed."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import PASSWORD, build_cast
from grassroots.opinions.models import Category
from grassroots.opinions.tests.fixtures import build_station

from .test_phone import SCREENS, fits_the_width, in_view, log_in

pytestmark = pytest.mark.browser


def test_the_street_sets_up_a_category_on_a_phone(phone_page: Any) -> None:
    cast = build_cast()
    build_station(cast)
    page = phone_page
    log_in(page, "street_admin", PASSWORD)
    page.goto(page.base + "/orgs/S/opinions/setup/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert fits_the_width(page)
    row = page.locator("#category-list tbody tr").first
    assert row.evaluate("el => getComputedStyle(el).display") == "flex"  # a card, its cells labelled
    assert row.locator("td[data-label]").count() >= 3
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "station-setup-phone.png"), full_page=True)

    page.locator("#category-new").click()
    page.wait_for_url("**/categories/new/")
    page.fill("[name=code]", "bad code 空格")
    page.fill("[name=name]", "路灯")
    page.fill("[name=deadline_workdays]", "0")
    page.locator("#write-form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert in_view(page, "[data-field=code] .errorlist")
    assert fits_the_width(page)
    assert not Category.objects.filter(name="路灯").exists()

    page.fill("[name=code]", "ｌａｍｐｓ")  # typed with a Chinese input method
    page.locator("#write-form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator("[data-field=deadline_workdays] .errorlist").count() == 1  # the zero days still refused
    page.fill("[name=deadline_workdays]", "３")
    page.locator("#write-form button[type=submit]").click()
    page.wait_for_url("**/opinions/setup/#category-*")
    assert page.locator("#category-list tr[data-category=lamps]").count() == 1
    assert Category.objects.get(org=cast.street, code="lamps").deadline_workdays == 3
