"""Importing a register of micro-wishes with their history: the dry run writes nothing, errors name the row and
the column, everything or nothing is written, a second import of the same register changes nothing; the web
import (dry run, then confirmation) and the CLI verb."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from grassroots.core.context import acting
from grassroots.ui.testing import client_as, import_confirm, import_upload
from grassroots.wishes import importer
from grassroots.wishes.models import State, Wish

pytestmark = pytest.mark.django_db
HEADERS = ["编号", "收集日期", "心愿内容", "类别", "群众姓名", "联系电话", "渠道", "发布日期", "认领人", "认领日期",
           "完成日期", "完成情况", "确认日期", "不予发布日期", "不予发布原因"]
GOOD = [
    ["A-W2023-0001", "2023-03-01", "想要一个书包", "Study and books", "寸秀英", "13712340001", "走访", "2023-03-02",
     "李明", "2023-03-03", "2023-03-10", "送到了", "2023-03-12", "", ""],
    ["", "2023-04-01", "修门锁", "", "尹国华", "", "", "2023-04-02", "和顺物业", "2023-04-05", "", "", "", "", ""],
    ["", "2023-05-01", "想要手机", "daily", "钏德昌", "", "", "", "", "", "", "", "", "2023-05-03", "超出范围"],
    ["", "2023-06-01", "想学手机", "", "杨兰", "", "staff", "", "", "", "", "", "", "", ""],
]


def workbook(rows: list[list[str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def plan_and_apply(cast: Any, data: bytes, user: Any = None) -> Any:
    with acting(user or cast.secretary, "web"):
        plan = importer.plan_import(io.BytesIO(data), "register.xlsx", org=cast.branch_a)
        if plan.ok:
            plan = importer.apply_import(plan)
    return plan


def test_a_register_with_its_history(cast: Any) -> None:
    data = workbook(GOOD)
    with acting(cast.secretary, "web"):
        dry = importer.plan_import(io.BytesIO(data), "register.xlsx", org=cast.branch_a)
    assert dry.ok and dry.counts["create"] == 4 and not Wish.objects.exists()
    plan = plan_and_apply(cast, data)
    assert plan.applied, plan.errors
    wishes = {w.resident_name: w for w in Wish.objects.all()}
    first = wishes["寸秀英"]
    assert (first.number, first.state, first.channel, first.claimant_member) == (
        "A-W2023-0001", State.CONFIRMED, "visit", cast.member)
    assert [e.action for e in first.events.all()] == ["collected", "published", "claimed", "fulfilled", "confirmed"]
    assert first.fulfilled_on.isoformat() == "2023-03-10"
    assert (wishes["尹国华"].state, wishes["尹国华"].claimant_unit) == (State.CLAIMED, "和顺物业")
    assert wishes["钏德昌"].state == State.DECLINED and wishes["杨兰"].state == State.COLLECTED
    again = plan_and_apply(cast, workbook(GOOD[:1]))
    assert again.applied and again.counts["unchanged"] == 1 and Wish.objects.count() == 4


def test_errors_name_row_and_column_and_nothing_is_written(cast: Any) -> None:
    rows = [GOOD[1], ["", "2023-04-01", "", "", "张三", "", "", "2023-03-01", "", "", "", "", "", "", ""],
            ["", "2023-04-01", "想要书", "玩具", "张三", "", "", "2023-04-02", "", "", "2023-04-09", "好", "", "", ""]]
    plan = plan_and_apply(cast, workbook(rows))
    found = {(e.row, e.column) for e in plan.errors}
    assert {(3, "心愿内容"), (3, "发布日期"), (4, "类别"), (4, "认领日期")} <= found
    assert not Wish.objects.exists()


def test_a_number_of_another_organization_is_refused(cast: Any) -> None:
    with acting(None, "system"):
        from grassroots.wishes import services

        services.record_wish(cast.branch_b, text="x", resident_name="y", number="A-W2023-0001")
    plan = plan_and_apply(cast, workbook(GOOD[:1]))
    assert [(e.row, e.column) for e in plan.errors] == [(2, "编号")]


def test_the_import_is_refused_outside_the_scope(cast: Any) -> None:
    from grassroots.core.errors import PermissionDeniedError

    with acting(cast.auditor, "web"), pytest.raises(PermissionDeniedError):
        importer.plan_import(io.BytesIO(workbook(GOOD)), "register.xlsx", org=cast.branch_a)


def test_the_web_import_dry_run_then_confirm(cast: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.DATA_DIR = tmp_path
    client = client_as(cast, "secretary")
    url = reverse("wish-import", args=["A"])
    assert client.get(url).status_code == 200
    assert client.get(reverse("wish-import-template", args=["A"])).status_code == 200
    upload = SimpleUploadedFile("register.xlsx", workbook(GOOD))
    checked = import_upload(client, url, upload)
    assert checked.status_code == 200 and checked.content.decode().count('<tr data-action="create">') == 4
    assert not Wish.objects.exists()
    done = import_confirm(client, checked)
    assert done.status_code == 200 and Wish.objects.count() == 4
    assert client_as(cast, "auditor").get(url).status_code == 403


def test_the_cli_verb(cast: Any, tmp_path: Any, capsys: Any) -> None:
    path = tmp_path / "register.xlsx"
    path.write_bytes(workbook(GOOD))
    assert importer.cli_run(path, org=cast.branch_a, dry_run=True, actor=cast.secretary) == 0
    assert not Wish.objects.exists() and "would take in 4 wishes" in capsys.readouterr().out
    assert importer.cli_run(path, org=cast.branch_a, dry_run=False, actor=cast.secretary) == 0
    assert Wish.objects.count() == 4
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([["", "", "x", "", "", "", "", "", "", "", "", "", "", "", ""]]))
    assert importer.cli_run(bad, org=cast.branch_a, dry_run=False, actor=cast.secretary) == 1
    assert "收集日期" in capsys.readouterr().err
