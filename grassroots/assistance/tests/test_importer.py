"""Importing an assistance ledger as people keep it: the dry run writes nothing, a dirty file's errors name the row
and the column and nothing is written, a second import changes nothing; the web import and the CLI verb."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from grassroots.assistance import importer
from grassroots.assistance.models import Assistance
from grassroots.core.context import acting
from grassroots.ui.testing import client_as, import_confirm, import_upload

from .fixtures import households

pytestmark = pytest.mark.django_db
HEADERS = ["户编号", "户主姓名", "救助类别", "形式", "金额（元）", "物资", "数量", "日期", "来源", "来源名称", "人数", "备注"]


def rows(a: Any) -> list[list[Any]]:
    return [
        [a.code, "", "最低生活保障", "现金", "１，２００", "", "", "2024年3月1日", "政府", "县民政局", "２", ""],
        ["", a.head_name, "临时救助", "物资", "", "大米", "2", "2024/04/02", "捐赠", "", "", "春节"],
        ["", a.head_name, "Medical assistance", "", "300.5", "", "", "2024-05-06", "", "", "", ""],
    ]


def workbook(data: list[list[Any]], headers: list[str] = HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["东风社区救助台账（2024年）"])  # a title row above the headers
    ws.append(headers)
    for row in data:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def plan(cast: Any, data: bytes, apply: bool = False, user: Any = None) -> Any:
    with acting(user or cast.secretary, "web"):
        p = importer.plan_import(io.BytesIO(data), "ledger.xlsx", org=cast.branch_a)
        if apply and p.ok:
            p = importer.apply_import(p)
    return p


def test_a_clean_ledger_dry_run_then_all_rows(cast: Any) -> None:
    a, _c = households(cast)
    dry = plan(cast, workbook(rows(a)))
    assert dry.ok and dry.counts["create"] == 3 and not Assistance.objects.exists()
    done = plan(cast, workbook(rows(a)), apply=True)
    assert done.applied and Assistance.objects.count() == 3
    cash = Assistance.objects.get(kind="dibao")
    assert str(cash.amount) == "1200.00" and cash.persons_count == 2 and cash.source_name == "县民政局"
    assert Assistance.objects.get(kind="temporary").source == "donations"
    again = plan(cast, workbook(rows(a)), apply=True)
    assert again.counts["unchanged"] == 3 and again.counts["create"] == 0 and Assistance.objects.count() == 3


def test_a_dirty_ledger_names_row_and_column_and_writes_nothing(cast: Any) -> None:
    a, c = households(cast)
    dirty = [
        ["", "无此人", "最低生活保障", "现金", "100", "", "", "2024-03-01", "", "", "", ""],
        [a.code, "", "发红包", "现金", "100", "", "", "2024-03-01", "", "", "", ""],
        [a.code, "", "医疗救助", "现金", "", "", "", "2024-03-01", "", "", "", ""],
        [a.code, "", "医疗救助", "现金", "abc", "", "", "2099-03-01", "", "", "", ""],
        [c.code, "", "医疗救助", "现金", "100", "", "", "2024-03-01", "单位", "", "", ""],
        [a.code, "", "医疗救助", "现金", "100", "", "", "2024-03-01", "政府", "", "99", ""],
    ]
    p = plan(cast, workbook(rows(a) + dirty), apply=True)
    assert not p.applied and not Assistance.objects.exists()
    found = {(e.row, e.column) for e in p.errors}
    assert {(6, "户主姓名"), (7, "救助类别"), (8, "金额（元）"), (9, "金额（元）"), (9, "日期"), (10, "户编号"),
            (11, "人数")} <= found, p.errors


def test_the_web_import_and_the_cli_verb(cast: Any, settings: Any, tmp_path: Any, capsys: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.DATA_DIR = tmp_path
    a, _c = households(cast)
    client = client_as(cast, "secretary")
    url = reverse("assistance-import", args=["A"])
    assert client.get(url).status_code == 200
    assert client.get(reverse("assistance-import-template", args=["A"])).status_code == 200
    checked = import_upload(client, url, SimpleUploadedFile("ledger.xlsx", workbook(rows(a))))
    assert checked.status_code == 200 and checked.content.decode().count('<tr data-action="create">') == 3
    assert not Assistance.objects.exists()
    assert import_confirm(client, checked).status_code == 200 and Assistance.objects.count() == 3
    assert client_as(cast, "auditor").get(url).status_code == 403
    path = tmp_path / "more.xlsx"
    path.write_bytes(workbook([[a.code, "", "教育救助", "现金", "800", "", "", "2024-09-01", "", "", "", ""]]))
    assert importer.cli_run(path, org=None, dry_run=True, actor=cast.secretary) == 0
    assert "would record 1 entries" in capsys.readouterr().out and Assistance.objects.count() == 3
    assert importer.cli_run(path, org=cast.branch_a, dry_run=False, actor=cast.secretary) == 0
    assert Assistance.objects.count() == 4
    assert importer.cli_run(path, org=cast.branch_a, dry_run=False, actor=cast.outsider) == 1
