"""The web import of seats: the dry run writes nothing and shows what each row would do; a bad file shows every
error with its row and column and writes nothing; confirming writes every seat; the empty sheet has the header
row; only those who may change the organization import (and see the button); the pages in Chinese."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grassroots.deliberation.importer import COLUMNS
from grassroots.deliberation.models import Seat
from grassroots.ui.testing import client_as, import_confirm, import_job_of, import_upload

HEADER = ["机构名称", "姓名", "职务或工作单位", "起始日期", "终止日期"]
GOOD = [HEADER, ["东风社区居民代表会议", "网页代表甲", "第三网格", "2024-05-01", ""],
        ["东风社区居民代表会议", "网页代表乙", "", "2024年5月1日", "2024-09-01"]]
BAD = [HEADER, ["东风社区居民代表会议", "网页代表甲", "第三网格", "2024-05-01", ""],
       ["没有的会议", "网页代表乙", "", "2024-05-01", ""],
       ["东风社区居民代表会议", "网页代表丙", "", "2023-05-01", ""]]


def _upload(rows: list[list[Any]], name: str = "seats.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def _url(code: str = "A") -> str:
    return reverse("deliberation-seats-import", args=[code])


def test_the_dry_run_writes_nothing_and_shows_the_plan_then_confirm_writes(cast: Any, world: Any) -> None:
    before = Seat.objects.count()
    client = client_as(cast, "secretary")
    page = import_upload(client, _url(), _upload(GOOD))
    html = page.content.decode()
    assert page.status_code == 200 and 'id="import-preview"' in html and 'id="confirm-import"' in html
    assert "网页代表甲" in html and "第三网格" in html and "2024-09-01" in html
    assert import_job_of(page).counts["create"] == 2
    assert Seat.objects.count() == before  # a dry run writes nothing
    done = import_confirm(client, page)
    assert done.status_code == 200 and import_job_of(done).applied
    assert Seat.objects.count() == before + 2
    seat = Seat.objects.get(body=world.body, name="网页代表乙")
    assert (seat.from_on, seat.to_on, seat.office) == (dt.date(2024, 5, 1), dt.date(2024, 9, 1), "")
    assert Seat.objects.get(body=world.body, name="网页代表甲").office == "第三网格"
    again = import_upload(client, _url(), _upload(GOOD))  # the same sheet again writes nothing more
    assert (import_job_of(again).counts["create"], import_job_of(again).counts["unchanged"]) == (0, 2)


def test_a_bad_file_shows_row_and_column_and_writes_nothing(cast: Any, world: Any) -> None:
    before = Seat.objects.count()
    client = client_as(cast, "secretary")
    page = import_upload(client, _url(), _upload(BAD))
    html = page.content.decode()
    job = import_job_of(page)
    assert page.status_code == 200 and 'id="import-errors"' in html and 'id="confirm-import"' not in html
    assert [(e.row, e.column) for e in job.lines.filter(kind="error").order_by("seq")] == [(3, "机构名称"),
                                                                                          (4, "起始日期")]
    assert "没有的会议" in html and "机构名称" in html and "起始日期" in html
    refused = client.post(reverse("import-job-confirm", args=[job.pk]), follow=True)  # all or nothing
    assert refused.status_code in (200, 400, 409) and not import_job_of(page).applied
    assert Seat.objects.count() == before and not Seat.objects.filter(name="网页代表甲").exists()


def test_the_empty_sheet_has_the_header_row(cast: Any, world: Any) -> None:
    response = client_as(cast, "secretary").get(reverse("deliberation-seats-import-template", args=["A"]))
    assert response.status_code == 200 and "deliberation-seats-A" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in next(sheet.iter_rows())] == [c.zh for c in COLUMNS] == HEADER
    assert sheet.max_row == 1


def test_only_writers_import_and_see_the_button(cast: Any, world: Any) -> None:
    template = reverse("deliberation-seats-import-template", args=["A"])
    before = Seat.objects.count()
    for role, status in (("outsider", 404), ("auditor", 403), ("member", 404)):
        client = client_as(cast, role)
        assert client.get(_url()).status_code == status, role
        assert client.get(template).status_code == status, role
        assert client.post(_url(), {"file": _upload(GOOD)}).status_code == status, role
    assert client_as(cast, "anonymous").get(_url()).status_code == 302
    assert client_as(cast, "secretary").get(_url("C")).status_code in (403, 404)  # another branch
    assert Seat.objects.count() == before
    auditor = client_as(cast, "auditor")
    for page in (reverse("deliberation-home", args=["A"]), reverse("deliberation-body", args=[world.body.pk])):
        assert auditor.get(page).status_code == 200
        assert 'id="deliberation-seats-import"' not in auditor.get(page).content.decode(), page
        assert 'id="deliberation-seats-import"' in client_as(cast, "secretary").get(page).content.decode(), page


def test_the_import_in_chinese(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    upload = client.get(_url())
    html = upload.content.decode()
    assert upload.status_code == 200 and 'lang="zh' in html and "上传文件" in html and "预览" in html
    bad = import_upload(client, _url(), _upload(BAD)).content.decode()
    assert "错误：请修改文件后重新上传" in bad and "没有名为没有的会议的机构" in bad
    good = import_upload(client, _url(), _upload(GOOD)).content.decode()
    assert "导入将执行的操作" in good and "登记" in good and "确认并导入" in good
