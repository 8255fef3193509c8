"""Importing practical projects from a sheet: sub-projects by their parent's code or title (a row above, or a
project already recorded), all or nothing, a dry run that writes nothing, errors naming row and column, and the
`grassroots import practical-projects` verb; importing the same sheet again writes nothing."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from grassroots.cli import main
from grassroots.congress import importer
from grassroots.congress.models import PracticalProject
from grassroots.core.context import acting

HEAD = ["编号", "项目名称", "所属项目", "年度", "权重", "牵头单位", "责任人", "办公电话", "计划开始", "完成时限"]
GOOD = [
    ["2025-01", "村内道路硬化", "", "2025", "", "镇交通所", "李所长", "0875-5150001", "2025-03-01", "2025年10月31日"],
    ["2025-01-1", "主路", "2025-01", "2025", "３", "", "", "", "", ""],
    ["2025-01-2", "支路", "村内道路硬化", "2025", "1", "", "", "", "", ""],
    ["2025-02", "饮水工程", "", "2025", "", "镇水务站", "", "", "2025/4/1", "2025/9/30"],
    ["", "入户管网", "社区道路和照明改造", "2024", "2", "", "", "", "", ""],  # a parent already recorded
]


def _file(tmp_path: Any, rows: list[list[str]]) -> Any:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    path = tmp_path / "projects.xlsx"
    wb.save(path)
    return path


def test_a_sheet_with_sub_projects_dry_run_then_written(cast: Any, world: Any, tmp_path: Any, capsys: Any) -> None:
    path = _file(tmp_path, GOOD)
    before = PracticalProject.objects.count()
    assert importer.cli_run(path, org=cast.branch_a, dry_run=True, actor=None) == 0
    assert PracticalProject.objects.count() == before and "would record 5" in capsys.readouterr().out
    assert main(["import", "practical-projects", str(path), "--org", "A", "--as", "secretary"]) == 0
    road = PracticalProject.objects.get(title="村内道路硬化")
    assert road.year == 2025 and str(road.due_on) == "2025-10-31" and road.handler_phone == "0875-5150001"
    assert {(c.title, c.weight) for c in road.children.all()} == {("主路", 3), ("支路", 1)}
    assert PracticalProject.objects.get(title="入户管网").parent == world.project
    again = PracticalProject.objects.count()
    with acting(None, "system"):
        assert importer.cli_run(path, org=cast.branch_a, dry_run=False, actor=None) == 0
    assert PracticalProject.objects.count() == again  # unchanged


def test_errors_name_row_and_column_and_nothing_is_written(cast: Any, world: Any, tmp_path: Any,
                                                           capsys: Any) -> None:
    bad = [GOOD[0],
           ["2025-09", "坏项目", "不存在的项目", "2025", "0", "", "", "", "2025-05-01", "2025-04-01"],
           ["2025-01", "重复编号", "", "2025", "", "", "", "", "", ""]]
    path = _file(tmp_path, bad)
    before = PracticalProject.objects.count()
    assert importer.cli_run(path, org=cast.branch_a, dry_run=False, actor=None) == 1
    err = capsys.readouterr().err
    assert PracticalProject.objects.count() == before
    assert "3" in err and "权重" in err and "完成时限" in err and "编号" in err
    with open(path, "rb") as f:
        with acting(cast.users["secretary"], "web"):
            plan = importer.plan_import(io.BytesIO(f.read()), "projects.xlsx", within=cast.branch_a)
    cells = {(e.row, e.column) for e in plan.errors}
    assert (3, "权重") in cells and (3, "完成时限") in cells and (4, "编号") in cells
