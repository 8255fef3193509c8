"""On a phone: an in-service member of branch A reports to the community where they live (branch C's community, in
another street); the community accepts the report and logs two services; the home branch's secretary reads them
on the quarterly feedback sheet."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD, build_cast
from grassroots.inservice.models import Report, Service
from grassroots.inservice.tests.conftest import make_world

from .pages import fits_the_width, log_in

pytestmark = pytest.mark.browser


def test_report_accepted_services_on_the_feedback_sheet(phone_page: Any) -> None:
    cast = build_cast()
    make_world(cast)
    page = phone_page
    today = timezone.localdate()

    log_in(page, "member", PASSWORD)
    page.goto(page.base + f"/members/{cast.member.pk}/inservice/")
    form = page.locator("#report-form form")
    form.locator("input[name=community_org]").fill("C")
    form.locator("input[name=phone]").fill("13966667777")
    form.locator("input[name=skills]").fill("水电维修")
    form.locator("input[name=address]").fill("外街社区3号楼")
    form.locator("button[type=submit]").click()
    page.locator(".messages li.success").wait_for()
    report = Report.objects.get(member=cast.member)
    assert report.state == "pending" and report.date == today
    assert fits_the_width(page)

    page.context.clear_cookies()
    log_in(page, "outsider", PASSWORD)  # the organizer at street X writes the community's branch C
    page.goto(page.base + f"/inservice/{report.pk}/")
    assert "13966667777" not in page.content()
    page.locator("#decide button[value=accept]").click()
    page.locator(".messages li.success").wait_for()
    for activity, hours, level in (("楼道清扫", "2", "good"), ("义务维修", "1.5", "average")):
        service = page.locator("#log-service form")
        service.locator("input[name=service-activity]").fill(activity)
        service.locator("input[name=service-hours]").fill(hours)
        service.locator("select[name=service-evaluation]").select_option(level)
        service.locator("button[type=submit]").click()
        page.locator(".messages li.success").wait_for()
    assert Service.objects.filter(report=report).count() == 2
    assert fits_the_width(page)

    page.context.clear_cookies()
    log_in(page, "secretary", PASSWORD)
    page.goto(page.base + "/orgs/A/inservice/feedback/")
    sheet = page.locator(f"#member-{cast.member.pk}")
    sheet.wait_for()
    text = sheet.inner_text()
    assert "楼道清扫" in text and "义务维修" in text and "外街支部" in text
    assert sheet.locator(".total-hours").inner_text().strip() == "3.5"
    assert fits_the_width(page)
