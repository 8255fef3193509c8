"""A branch secretary imports two members on a phone and sees the branch's statistics change."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import PASSWORD, build_cast
from grassroots.core import idnumber

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def two_new_members_of_a() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "性别", "出生日期", "身份证号", "学历", "人员类别", "党员状态", "入党时间", "转正时间",
                  "所在党组织", "联系电话"])
    for i, (name, sex, birth) in enumerate([("陈静", "女", dt.date(1992, 4, 5)), ("刘洋", "男", dt.date(1987, 9, 10))]):
        sheet.append([name, sex, birth.isoformat(), idnumber.make("110101", birth, 700 + i), "本科", "在岗职工",
                      "正式党员", "2015-07-01", "2016-07-01", "A", "13900139000"])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_secretary_imports_two_members_on_a_phone(phone_page: Any) -> None:
    cast = build_cast()
    page = phone_page
    page.goto(page.base + "/login/")
    page.fill("#id_username", "secretary")
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url(f"**/orgs/{cast.branch_a.code}/")

    page.goto(page.base + "/import/members/")
    page.set_input_files("#id_file", files=[{"name": "members.xlsx", "mimeType": XLSX,
                                             "buffer": two_new_members_of_a()}])
    page.click("#dry-run")  # the upload queues the dry run; the job's page shows it once done
    creates = page.locator("#import-preview tr[data-action=create]")
    creates.first.wait_for()
    assert creates.count() == 2
    assert "陈静" in creates.nth(0).inner_text() and "刘洋" in creates.nth(1).inner_text()
    assert page.locator("#import-errors").count() == 0

    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the job's page fits the phone

    page.click("#confirm-import")
    page.locator("#import-summary").wait_for()  # the job's page, once the worker has written the rows

    page.goto(page.base + f"/orgs/{cast.branch_a.code}/")
    SCREENS.mkdir(parents=True, exist_ok=True)
    total = page.locator("#stats-table tr[data-key=total] [data-count]")
    assert total.inner_text().strip() == "4"  # A had 2 members in the cast
    assert page.locator("#members-table tbody tr").count() == 4
    page.locator("[data-orgchart] svg").first.wait_for()  # orgchart.js drew the charts
    assert page.locator("[data-orgchart] .chart").count() == 4
    # nothing wider than the phone's screen but the scrolling tables
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.screenshot(path=str(SCREENS / "secretary-branch-a-top.png"))
    page.screenshot(path=str(SCREENS / "secretary-branch-a-phone.png"), full_page=True)
    page.locator("#stats-table").screenshot(path=str(SCREENS / "secretary-branch-a-statistics.png"))


def test_the_job_page_follows_the_worker(phone_page: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The job's page polls its status every second while the worker has not finished, and shows the dry run
    by itself once it has (here the test plays the worker)."""
    from grassroots.ui import imports, jobs
    from grassroots.ui.models import ImportJob

    queued: list[Any] = []
    monkeypatch.setattr(imports, "start", lambda job, new=False: queued.append(job))
    cast = build_cast()
    page = phone_page
    page.goto(page.base + "/login/")
    page.fill("#id_username", "secretary")
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url(f"**/orgs/{cast.branch_a.code}/")

    page.goto(page.base + "/import/members/")
    page.set_input_files("#id_file", files=[{"name": "members.xlsx", "mimeType": XLSX,
                                             "buffer": two_new_members_of_a()}])
    page.click("#dry-run")
    page.locator("#import-progress").wait_for()
    assert page.locator("#import-preview").count() == 0
    job = ImportJob.objects.get()
    with page.expect_response(lambda r: "/status/" in r.url):  # HTMX polls the status partial
        pass
    jobs.run(job.pk)  # the worker's dry run
    page.locator("#import-preview tr[data-action=create]").first.wait_for()  # the page reloaded by itself
    assert page.locator("#import-preview tr[data-action=create]").count() == 2
    assert page.locator("#confirm-import").count() == 1
