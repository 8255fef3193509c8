"""Importing a branch's commitments sheet: all or nothing, dry run, re-import unchanged, errors naming row and
column, the web import flow and the CLI verb."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grassroots import cli
from grassroots.commitments.importer import apply_import, plan_import
from grassroots.commitments.models import Commitment
from grassroots.core.context import acting
from grassroots.ui.testing import client_as, import_confirm, import_upload

from .conftest import YEAR

pytestmark = pytest.mark.django_db
HEADER = ["姓名", "身份证号", "年度", "承诺类别", "承诺主题", "承诺内容", "完成时限", "承诺日期", "践诺结果", "评议说明",
          "评议日期"]


def csv_bytes(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    return ("\n".join([",".join(header)] + [",".join(str(c) for c in r) for r in rows]) + "\n").encode("utf-8")


def good_rows(cast: Any) -> list[list[Any]]:
    return [
        ["李明", cast.member.id_number, YEAR, "实事承诺", "环境", "清理小区绿地", f"{YEAR}-10-31", f"{YEAR}-03-01",
         "已践诺", "", f"{YEAR}-12-20"],
        ["王强", cast.member_a2.id_number, f"{YEAR}年", "共性", "", "带头学习党章", f"{YEAR}年12月31日", "", "", "", ""],
    ]


def plan_as(user: Any, data: bytes, name: str = "c.csv", **kw: Any) -> Any:
    with acting(user, "web"):
        return plan_import(io.BytesIO(data), name, **kw)


def apply_as(user: Any, plan: Any) -> Any:
    with acting(user, "web"):
        return apply_import(plan)


def test_dry_run_then_write_then_reimport_unchanged(cast: Any) -> None:
    data = csv_bytes(good_rows(cast))
    plan = plan_as(cast.secretary, data)
    assert plan.ok and plan.counts == {"create": 2, "update": 0, "unchanged": 0}
    assert not Commitment.objects.exists()
    done = apply_as(cast.secretary, plan)
    assert done.applied
    kept = Commitment.objects.get(member=cast.member)
    assert (kept.level, kept.theme, kept.result, kept.on_behalf) == ("practical", "environment", "kept", True)
    other = Commitment.objects.get(member=cast.member_a2)
    assert other.made_on.isoformat() == f"{YEAR}-01-01" and other.result == ""
    again = plan_as(cast.secretary, data)
    assert again.counts["unchanged"] == 2
    apply_as(cast.secretary, again)
    assert Commitment.objects.count() == 2


def test_an_xlsx_with_english_headers(cast: Any) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["name", "id_number", "year", "level", "theme", "commitment", "deadline"])
    sheet.append(["李明", cast.member.id_number, YEAR, "post", "", "做好楼栋长", f"{YEAR}-12-31"])
    out = io.BytesIO()
    book.save(out)
    plan = plan_as(cast.secretary, out.getvalue(), "c.xlsx")
    assert plan.ok, plan.errors
    assert apply_as(cast.secretary, plan).applied and Commitment.objects.get().level == "post"


@pytest.mark.parametrize(("row", "col", "value", "expected"), [
    (0, 1, "110101199003077777", "row 2, 身份证号:"),
    (0, 0, "别人", "row 2, 姓名: the member with this ID number is 李明"),
    (0, 2, "明年", "row 2, 年度:"),
    (0, 3, "大承诺", "row 2, 承诺类别: unknown level 大承诺"),
    (0, 4, "", "row 2, 承诺主题: a practical commitment names its theme"),
    (0, 5, "", "row 2, 承诺内容: this cell is required"),
    (0, 6, f"{YEAR - 3}-01-01", "row 2, 完成时限:"),
    (0, 8, "未践诺", "row 2, 评议说明: say in a note"),
    (1, 1, "", "row 3, 身份证号: this cell is required"),
])
def test_every_error_names_its_row_and_column(cast: Any, row: int, col: int, value: str, expected: str) -> None:
    rows = good_rows(cast)
    rows[row][col] = value
    plan = plan_as(cast.secretary, csv_bytes(rows))
    assert not plan.ok and any(str(e).startswith(expected) for e in plan.errors), [str(e) for e in plan.errors]
    assert not apply_as(cast.secretary, plan).applied
    assert not Commitment.objects.exists()


def test_outside_the_scope_and_twice_in_the_file(cast: Any) -> None:
    rows = good_rows(cast) + [good_rows(cast)[1]] + [
        ["孙丽", cast.member_c.id_number, YEAR, "共性", "", "x", f"{YEAR}-12-31", "", "", "", ""]]
    errors = [str(e) for e in plan_as(cast.secretary, csv_bytes(rows)).errors]
    assert "row 4, 承诺内容: the same commitment is on row 3" in errors
    assert any(e.startswith("row 5, 身份证号: no member") for e in errors)


def test_all_or_nothing_when_a_row_fails_at_apply_time(cast: Any) -> None:
    """The plan was clean, but meanwhile the secretary lost the role: the plan is checked again and nothing of
    the file is written."""
    rows = good_rows(cast)
    plan = plan_as(cast.secretary, csv_bytes(rows))
    assert plan.ok
    from grassroots.access.models import Role

    Role.objects.filter(user=cast.secretary).delete()  # the secretary lost the role meanwhile
    done = apply_as(cast.secretary, plan)
    assert not done.applied and done.errors
    assert not Commitment.objects.exists()


def test_the_web_import_flow(cast: Any, settings: Any, tmp_path: Any) -> None:
    settings.DATA_DIR = tmp_path
    client = client_as(cast, "secretary")
    url = reverse("commitments-import", args=["A"])
    assert client.get(url).status_code == 200
    response = import_upload(client, url, SimpleUploadedFile("c.csv", csv_bytes(good_rows(cast))))
    html = response.content.decode()
    assert response.status_code == 200 and html.count('<tr data-action="create">') == 2
    assert not Commitment.objects.exists()
    done = import_confirm(client, response)
    assert done.status_code == 200 and Commitment.objects.count() == 2
    assert client_as(cast, "auditor").get(url).status_code == 403


def test_the_cli_verb(cast: Any, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(csv_bytes(good_rows(cast)))
    assert cli.main(["import", "commitments", str(path), "--dry-run", "--as", "secretary"]) == 0
    assert "would record 2 commitments" in capsys.readouterr().out and not Commitment.objects.exists()
    assert cli.main(["import", "commitments", str(path), "--org", "B", "--as", "street_admin"]) == 1
    assert "no member" in capsys.readouterr().err
    assert cli.main(["import", "commitments", str(path), "--as", "secretary"]) == 0
    assert Commitment.objects.count() == 2
