"""Issue 12's first day, end to end on a phone, from an empty database:

1. the site administrator is led to the set-up page and creates the street working committee and its place;
2. imports the street's organization sheet (a title row, kinds by their Chinese names, a 地域 sheet of
   communities), sees the dry run and confirms it;
3. creates the secretary of one community branch an account;
4. the secretary logs in and imports the branch's roster as typed by hand: a title row and a blank row above the
   headers, ID numbers and phones in full-width digits, the labels people use (男性, 大学本科, 自由职业者,
   未就业高校毕业生, 退役军人, ...);
5. and reads the branch's statistics, which count exactly the roster's people.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.contrib.auth import get_user_model

from grassroots.core import idnumber
from grassroots.members.models import Member
from grassroots.orgs.models import Organization, Territory
from tests.browser.pages import fits_the_width, log_in

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def workbook(sheets: list[tuple[str, list[list[Any]]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def organization_sheet() -> bytes:
    orgs = [["和顺街道党组织一览表（2026年）"], [],
            ["组织代码", "组织名称", "组织类别", "上级组织代码", "成立日期", "所在地域代码"],
            ["HS-JG", "街道机关党支部", "党支部", "HS", "2003年7月1日", ""],
            ["HS-DQ", "东桥社区党支部", "党支部", "HS", "2005/3/1", "T-DQ"],
            ["HS-XY", "西园社区党委", "党委", "HS", "20060401", "T-XY"],
            ["HS-XY1", "西园社区第一党支部", "党支部", "HS-XY", "2006-04-01", ""]]
    places = [["地域代码", "地域名称", "地域类别", "上级地域代码", "设立日期"],
              ["T-DQ", "东桥社区", "社区", "T-HS", "2005-03-01"],
              ["T-XY", "西园社区", "社区", "T-HS", "2006-04-01"],
              ["T-DQ-G1", "东桥社区第一网格", "网格", "T-DQ", "2015-01-01"]]
    return workbook([("组织", orgs), ("地域", places)])


# (name, sex as typed, birth, education, occupation, joined, converted)
PEOPLE = [
    ("赵秀英", "女性", dt.date(1950, 3, 8), "初中", "退休", dt.date(1975, 7, 1), dt.date(1976, 7, 1)),
    ("钱建国", "男", dt.date(1968, 10, 1), "大学本科", "自由职业者", dt.date(1995, 6, 1), dt.date(1996, 6, 1)),
    ("孙丽", "女", dt.date(1999, 5, 4), "本科", "未就业高校毕业生", dt.date(2021, 6, 20), dt.date(2022, 6, 20)),
    ("李强", "男性", dt.date(1985, 8, 1), "大专", "退役军人", dt.date(2006, 7, 1), dt.date(2007, 7, 1)),
    ("周敏", "女", dt.date(1992, 12, 12), "硕士", "灵活就业", dt.date(2016, 5, 1), dt.date(2017, 5, 1)),
]


def roster() -> bytes:
    rows: list[list[Any]] = [["东桥社区党支部党员花名册"], [],
                             ["序号", "姓名", "性别", "出生日期", "身份证号码", "学历", "人员类别", "入党时间",
                              "转正时间", "所在党支部", "联系电话"]]
    for i, (name, sex, birth, education, occupation, joined, converted) in enumerate(PEOPLE, start=1):
        number = idnumber.make("530102", birth, 100 + i)
        phone = f"1390000000{i}"
        if i % 2:  # every other one typed with full-width digits
            number, phone = number.translate(FULL_WIDTH), phone.translate(FULL_WIDTH)
        rows.append([i, name, sex, birth.isoformat(), number, education, occupation, joined.isoformat(),
                     converted.isoformat(), "HS-DQ", phone])
    return workbook([("花名册", rows)])


def upload_and_confirm(page: Any, url: str, name: str, content: bytes) -> None:
    page.goto(page.base + url)
    page.set_input_files("#id_file", files=[{"name": name, "mimeType": XLSX, "buffer": content}])
    page.click("#dry-run")  # the upload queues the dry run; the job's page shows it once done
    page.locator("#import-preview").wait_for()
    assert page.locator("#import-errors").count() == 0
    assert fits_the_width(page)
    page.click("#confirm-import")
    page.locator("#import-summary").wait_for()


def test_a_street_from_an_empty_database_to_its_figures(phone_page: Any) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    get_user_model().objects.create_superuser(username="admin", password="Admin-Pass-2026")
    page = phone_page

    # 1. the set-up page
    log_in(page, "admin", "Admin-Pass-2026")
    assert page.url.endswith("/setup/")
    page.fill("#id_code", "HS")
    page.fill("#id_name", "和顺街道党工委")
    page.select_option("#id_kind", "working_committee")
    page.fill("#id_founded_on", "2003-07-01")
    page.fill("#id_territory_code", "T-HS")
    page.fill("#id_territory_name", "和顺街道")
    page.select_option("#id_territory_kind", "street")
    page.click("#write-form button[type=submit]")
    page.wait_for_url("**/orgs/HS/")

    # 2. the organization sheet, with its places
    upload_and_confirm(page, "/import/orgs/", "和顺街道组织.xlsx", organization_sheet())
    assert Organization.objects.get(code="HS-XY1").get_parent().code == "HS-XY"
    assert Organization.objects.get(code="HS-DQ").territory == Territory.objects.get(code="T-DQ")
    assert Territory.objects.get(code="T-DQ-G1").get_parent().code == "T-DQ"
    page.goto(page.base + "/orgs/HS/territory/")
    assert "东桥社区第一网格" in page.inner_text("main")

    # 3. the secretary's account
    page.goto(page.base + "/orgs/HS-DQ/accounts/")
    page.click("#account-create")
    page.fill("#id_username", "dongqiao")
    page.fill("#id_full_name", "王芳")
    page.select_option("#id_kind", "secretary")
    page.select_option("#id_org", "HS-DQ")
    page.click("#write-form button[type=submit]")
    password = page.locator("#new-password").inner_text().strip()
    page.click(".topbar form[action='/logout/'] button[type=submit]")
    page.wait_for_url("**/login/**")

    # 4. the secretary imports the roster as typed
    log_in(page, "dongqiao", password)
    assert page.url.endswith("/orgs/HS-DQ/")
    upload_and_confirm(page, "/import/members/", "东桥社区花名册.xlsx", roster())
    members = {m.name: m for m in Member.objects.all()}
    assert sorted(members) == sorted(p[0] for p in PEOPLE)
    assert all(m.org.code == "HS-DQ" and m.id_number.isascii() for m in members.values())
    assert members["钱建国"].occupation == "freelance" and members["孙丽"].occupation == "unemployed_or_demobilized"
    assert members["周敏"].education == "postgraduate" and members["赵秀英"].sex == "F"

    # 5. the branch's statistics
    page.goto(page.base + "/orgs/HS-DQ/")

    def figure(key: str) -> str:
        return (page.locator(f"#stats-table tr[data-key={key}] [data-count]").text_content() or "").strip()

    assert figure("total") == "5" and figure("female") == "3" and figure("male") == "2"
    assert figure("age_35_or_under") == "2"  # 孙丽 and 周敏 (born 1999 and 1992)
    assert figure("age_55_or_over") == "2"  # 赵秀英 and 钱建国
    assert figure("college_or_above") == "4"
    assert fits_the_width(page)
    page.screenshot(path=str(SCREENS / "street-first-day-statistics.png"), full_page=True)
    # the street counts them too, and the branches it imported
    page.click(".topbar form[action='/logout/'] button[type=submit]")
    page.wait_for_url("**/login/**")
    log_in(page, "admin", "Admin-Pass-2026")
    page.goto(page.base + "/orgs/HS/")
    assert figure("total") == "5"
