"""Phone first, at 390px wide in Chinese: the demo organizer's home and a branch page stay short (lists are
cards, to-dos are summarised), a 404 and a 403 show the site's frame in Chinese, and a meeting form sent with
an error opens at the error, in view and focused."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from conftest import PASSWORD, build_cast
from grassroots.core.context import acting
from tests.browser.pages import fits_the_width, log_in

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"
HOME_BOUND = 6000  # px: the organizer's home of the demo town (67,516 px before the summary and the cards)
BRANCH_BOUND = 6000


def height(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollHeight"))


def in_view(page: Any, selector: str) -> bool:
    return bool(page.locator(selector).first.evaluate(
        "el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }"))


def test_the_demo_organizers_home_and_a_branch_page_are_short_on_a_phone(phone_page: Any) -> None:
    from grassroots.demo import data
    from grassroots.demo.build import build_demo

    with acting(None, "cli"):
        build_demo(out=io.StringIO(), recent_years=2)  # what the pages read (grassroots demo builds every year)
    SCREENS.mkdir(parents=True, exist_ok=True)
    page = phone_page
    log_in(page, "organizer", data.PASSWORD)
    assert page.url.endswith(f"/orgs/{data.TOWN_CODE}/")
    page.locator("#findings-by-rule").wait_for()
    assert page.locator("#findings-table").count() == 0  # summarised, not listed
    assert height(page) < HOME_BOUND, height(page)
    assert fits_the_width(page)
    # Every row of the summary is a card: its cells labelled by their column, no blank tall row.
    row = page.locator("#findings-by-branch tbody tr").first
    assert row.evaluate("el => getComputedStyle(el).display") == "flex"
    assert row.locator("td[data-label]").count() >= 2
    assert row.bounding_box()["height"] < 120
    page.screenshot(path=str(SCREENS / "home-organizer-phone.png"), full_page=True)

    # A branch of the town, from the summary's link.
    page.locator("#findings-by-branch tbody tr a").nth(2).click()
    page.wait_for_url("**/orgs/**")
    page.locator("#findings").wait_for()
    assert height(page) < BRANCH_BOUND, height(page)
    assert fits_the_width(page)
    page.screenshot(path=str(SCREENS / "branch-organizer-phone.png"), full_page=True)

    # A kind of to-do opens its list, each finding named by its rule's title.
    page.locator("#findings-by-rule tbody tr a").first.click()
    page.wait_for_url("**/todo/?rule=**")
    assert page.locator("#findings-table tbody tr").count() >= 1
    assert fits_the_width(page)


def test_a_404_and_a_403_show_the_sites_frame_in_chinese(phone_page: Any) -> None:
    build_cast()
    with translation.override("zh-hans"):
        brand = translation.gettext("Grassroots")
        log_out = translation.gettext("Log out")
        home = translation.gettext("Home page")
    page = phone_page
    log_in(page, "member", PASSWORD)
    for url, status in (("/no/such/page/", 404), ("/import/members/", 403)):
        response = page.goto(page.base + url)
        assert response.status == status
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        assert page.locator(".topbar .brand").inner_text().strip() == brand != "Grassroots"
        assert log_out in page.locator(".topbar").inner_text()
        assert page.locator("#error h1").is_visible() and in_view(page, "#error h1")
        assert page.locator(f"#error a[href='/']:has-text('{home}')").count() == 1
        assert fits_the_width(page)
        page.screenshot(path=str(SCREENS / f"error-{status}-phone.png"), full_page=True)


def test_a_meeting_form_sent_with_an_error_opens_at_the_error(phone_page: Any) -> None:
    from grassroots.meetings import services as meeting_services

    cast = build_cast()
    with acting(None, "system"):
        for week in range(40):  # a long list above the form
            meeting_services.record_meeting(org=cast.branch_a, kind="group_meeting",
                                            date=dt.date(2025, 1, 1) + dt.timedelta(days=7 * week),
                                            topic=f"学习会 {week}", attendance={})
    page = phone_page
    log_in(page, "secretary", PASSWORD)
    page.goto(page.base + f"/orgs/{cast.branch_a.code}/meetings/")
    # The main action is a button near the top that opens the form.
    button = page.locator(".page-header .main-action")
    assert button.bounding_box()["y"] < 844
    button.click()
    form = page.locator("#record-meeting form[method=post]")
    form.locator("[name=topic]").wait_for(state="visible")
    form.locator("[name=study_hours]").fill("200")  # over the maximum; the topic is left empty
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    errors = page.locator("#record-meeting .errorlist")
    assert errors.count() >= 1
    assert page.evaluate("window.scrollY") > 800  # the page did not stay at its top
    assert in_view(page, "#record-meeting .errorlist")
    focused = page.evaluate("document.activeElement && document.activeElement.name")
    assert focused == "topic"
    assert page.evaluate("document.activeElement.getAttribute('aria-invalid')") == "true"
    page.screenshot(path=str(SCREENS / "meeting-error-phone.png"))
