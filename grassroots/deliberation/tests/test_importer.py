"""The seats import: all or nothing, a dry run writes nothing, errors name the row and the column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl

from grassroots.deliberation.importer import cli_run
from grassroots.deliberation.models import Seat


def _file(tmp_path: Path, rows: list[list[Any]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["机构名称", "姓名", "职务或工作单位", "起始日期", "终止日期"])
    for r in rows:
        ws.append(r)
    path = tmp_path / "seats.xlsx"
    wb.save(path)
    return path


def test_import_all_or_nothing(cast: Any, world: Any, tmp_path: Path, capsys: Any) -> None:
    before = Seat.objects.count()
    bad = _file(tmp_path, [["东风社区居民代表会议", "新代表甲", "第二网格", "2024-05-01", ""],
                           ["没有的会议", "新代表乙", "", "2024-05-01", ""],
                           ["东风社区居民代表会议", "新代表丙", "", "2023-05-01", ""]])
    assert cli_run(bad, org=cast.branch_a, dry_run=False, actor=cast.users["secretary"]) == 1
    err = capsys.readouterr().err
    assert "3" in err and "机构名称" in err and "起始日期" in err
    assert Seat.objects.count() == before
    good = _file(tmp_path, [["东风社区居民代表会议", "新代表甲", "第二网格", "2024-05-01", ""],
                            ["东风社区居民代表会议", "新代表乙", "", "2024年5月1日", "2024-09-01"]])
    assert cli_run(good, org=cast.branch_a, dry_run=True, actor=cast.users["secretary"]) == 0
    assert Seat.objects.count() == before
    assert cli_run(good, org=cast.branch_a, dry_run=False, actor=cast.users["secretary"]) == 0
    assert Seat.objects.count() == before + 2
    assert Seat.objects.get(name="新代表乙").to_on == dt.date(2024, 9, 1)
    assert cli_run(good, org=cast.branch_c, dry_run=False, actor=cast.users["secretary"]) == 1
