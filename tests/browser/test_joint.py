"""On a phone, the community's secretary records a joint meeting after the day with the member units' attendance,
sets a task from its decision and marks it done; the pages fit the width."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import PASSWORD, build_cast
from grassroots.cobuild.models import ResidentUnit
from grassroots.core.context import acting
from grassroots.joint import services
from grassroots.joint.models import JointSession, Task, UnitAttendance

from .pages import fits_the_width, log_in

pytestmark = pytest.mark.browser


def test_joint_meeting_on_a_phone(phone_page: Any) -> None:
    cast = build_cast()
    bank = ResidentUnit.objects.create(org=cast.branch_a, name="县农业银行", kind="state_enterprise")
    school = ResidentUnit.objects.create(org=cast.branch_a, name="第一中学", kind="institution")
    with acting(None, "system"):
        body = services.body_create(org=cast.branch_a, name="东风社区党建联席会议", set_up_on=dt.date(2024, 1, 2))
        services.membership_add(body=body, unit=bank, joined_on=dt.date(2024, 1, 2), representative="钱行长")
        services.membership_add(body=body, unit=school, joined_on=dt.date(2024, 1, 2))
    page = phone_page
    log_in(page, "secretary", PASSWORD)
    page.goto(page.base + f"/joint-bodies/{body.pk}/meetings/new/?date=2024-04-10")
    page.fill("#write-form input[name=date]", "2024-04-10")
    page.fill("input[name=topic]", "二季度共建议事")
    page.fill("textarea[name=decisions]", "联合开展消防检查")
    page.locator(f"select[name=unit_{bank.pk}]").select_option("present")
    page.locator(f"select[name=unit_{school.pk}]").select_option("excused")
    assert fits_the_width(page)
    page.locator("#write-form button[type=submit]").click()
    page.locator(".messages li.success").wait_for()
    session = JointSession.objects.get()
    assert session.meeting.entered_late
    assert dict(UnitAttendance.objects.values_list("unit_id", "presence")) == {bank.pk: "present",
                                                                                school.pk: "excused"}
    assert fits_the_width(page)
    page.locator("#decisions a[data-action=task]").click()
    page.locator("select[name=unit]").select_option(str(bank.pk))
    page.fill("input[name=due_on]", "2024-05-10")
    page.locator("#write-form button[type=submit]").click()
    page.locator(".messages li.success").wait_for()
    task = Task.objects.get()
    page.goto(page.base + f"/joint-tasks/{task.pk}/done/")
    page.fill("input[name=done_on]", "2024-05-08")
    page.locator("#write-form button[type=submit]").click()
    page.locator(".messages li.success").wait_for()
    task.refresh_from_db()
    assert task.done_on == dt.date(2024, 5, 8)
    assert fits_the_width(page)
