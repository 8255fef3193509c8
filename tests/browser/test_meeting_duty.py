"""A branch secretary, on a phone, records this month's theme Party day with its attendance and sees the
branch's duty turn from open to met on the duties grid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD, build_cast
from grassroots.meetings.models import Attendance, Meeting

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"
GREEN = "rgb(230, 244, 234)"  # --ok-soft, the background of a met period


def theme_day_cell(page: Any, month: str) -> Any:
    return page.locator(f"#duties tr[data-rule='meetings.theme_day'] td[data-period='{month}']")


def test_secretary_records_a_theme_day_and_sees_the_duty_met(phone_page: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    cast = build_cast()
    today = timezone.localdate()
    month = today.replace(day=1).isoformat()
    page = phone_page
    page.goto(page.base + "/login/")
    page.fill("#id_username", "secretary")
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url(f"**/orgs/{cast.branch_a.code}/")
    SCREENS.mkdir(parents=True, exist_ok=True)

    # This month's theme Party day is not met yet: not green, and its text says so.
    page.goto(page.base + f"/orgs/{cast.branch_a.code}/duties/?year={today.year}")
    met_label = page.locator("#legend [data-state=met]").inner_text().strip("✓ \n")
    cell = theme_day_cell(page, month)
    assert cell.get_attribute("data-state") in ("due_soon", "open")
    assert "ok" not in (cell.get_attribute("class") or "").split()
    assert met_label not in cell.inner_text()
    assert cell.evaluate("el => getComputedStyle(el).backgroundColor") != GREEN
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENS / "duties-before-phone.png"), full_page=True)

    # Record the theme Party day, dated today (the form's default), both members present.
    page.goto(page.base + f"/orgs/{cast.branch_a.code}/meetings/")
    page.click("#record-meeting summary")
    form = page.locator("#record-meeting form[method=post]")
    assert form.locator("[name=date]").input_value() == today.isoformat()
    form.locator("[name=kind]").select_option("theme_day")
    form.locator("[name=topic]").fill("重温入党誓词")
    form.locator("[name=place]").fill("党员活动室")
    for member in (cast.member, cast.member_a2):
        form.locator(f"tr[data-member='{member.pk}'] input[value=present]").check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENS / "meeting-record-phone.png"), full_page=True)
    form.locator("button[type=submit]").click()
    page.locator(".messages li.success").wait_for()

    meeting = Meeting.objects.get()
    assert page.url.endswith(f"/meetings/{meeting.pk}/")
    assert meeting.kind == "theme_day" and meeting.date == today and not meeting.entered_late
    assert set(Attendance.objects.filter(meeting=meeting).values_list("member_id", "presence")) == {
        (cast.member.pk, "present"), (cast.member_a2.pk, "present")}
    assert page.locator("#attendance tr[data-presence=present]").count() == 2
    assert page.locator("#entry").get_attribute("data-late") == "no"

    # Back on the duties grid: the month's theme Party day is met, in green and in words.
    page.goto(page.base + f"/orgs/{cast.branch_a.code}/duties/?year={today.year}")
    cell = theme_day_cell(page, month)
    assert cell.get_attribute("data-state") == "met"
    assert "ok" in (cell.get_attribute("class") or "").split()
    assert met_label in cell.inner_text()
    assert cell.evaluate("el => getComputedStyle(el).backgroundColor") == GREEN
    assert cell.locator(f"a[href='/meetings/{meeting.pk}/']").count() == 1
    page.screenshot(path=str(SCREENS / "duties-after-phone.png"), full_page=True)
