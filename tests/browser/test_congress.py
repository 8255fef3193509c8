"""On a phone, the secretary records progress on a sub-project and a status change of the parent project, then
opens the project's page (staff) and its public page: both show the timeline with those entries and the parent's
progress rolled up from its sub-projects by weight; the pages fit the width."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import PASSWORD, build_cast
from grassroots.congress import services
from grassroots.congress.models import PracticalProject
from grassroots.core.context import acting

from .pages import fits_the_width, log_in

pytestmark = pytest.mark.browser


def test_progress_and_status_on_a_phone(phone_page: Any) -> None:
    cast = build_cast()
    with acting(None, "system"):
        parent = services.project_create(org=cast.branch_a, title="社区道路和照明改造", year=2024, published=True,
                                         planned_start=dt.date(2024, 3, 1), due_on=dt.date(2024, 12, 31),
                                         handler_name="王主任", handler_phone="0871-12345678",
                                         on=dt.date(2024, 2, 20))
        road = services.project_create(parent=parent, title="道路硬化", weight=3)
        services.project_create(parent=parent, title="路灯安装", weight=1)
        road = services.status_change(project=road, version=road.version, to="under_way", on=dt.date(2024, 3, 1))
    page = phone_page
    log_in(page, "secretary", PASSWORD)
    page.goto(page.base + f"/practical-projects/{road.pk}/")
    page.locator("#congress-progress-new").click()
    page.fill("#write-form input[name=on]", "2024-05-10")
    page.fill("input[name=percent]", "60")
    page.fill("textarea[name=note]", "路基完成")
    assert fits_the_width(page)
    page.locator("#write-form button[type=submit]").click()
    page.locator(".messages li.success").wait_for()
    page.goto(page.base + f"/practical-projects/{parent.pk}/status/?to=under_way")
    page.fill("#write-form input[name=on]", "2024-03-02")
    page.fill("input[name=note]", "全面开工")
    page.locator("#write-form button[type=submit]").click()
    page.locator(".messages li.success").wait_for()
    assert PracticalProject.objects.get(pk=parent.pk).status == "under_way"
    # the staff page: (3 × 60 + 1 × 0) / 4 = 45 %
    assert page.locator("#project-progress").inner_text() == "45%"
    timeline = page.locator("#timeline-list").inner_text()
    assert "2024-05-10" in timeline and "路基完成" in timeline and "全面开工" in timeline and "道路硬化" in timeline
    assert fits_the_width(page)
    page.goto(page.base + f"/p/A/projects/{parent.pk}/")
    assert page.locator("#project-progress").inner_text() == "45%"
    public = page.locator("#timeline-list").inner_text()
    assert "路基完成" in public and "全面开工" in public and "2024-03-02" in public
    assert "0871-12345678" in page.locator("#handler").inner_text()
    assert fits_the_width(page)
