"""How many rows a spreadsheet may hold: MAX_ROWS data rows below the header, wherever the header is."""

from __future__ import annotations

import pytest

from grassroots.core import sheets
from grassroots.core.sheets import Column, read_rows, read_sheet

COLUMNS = (Column("name", "姓名", "name", required=True), Column("code", "代码", "code"))


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sheets, "MAX_ROWS", 5)
    monkeypatch.setattr(sheets, "_READ_AT_MOST", 5 + sheets.HEADER_SEARCH + 1)
    return 5


def _csv(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(r) for r in rows).encode("utf-8")


def test_a_full_roster_below_a_title_and_a_blank_row_is_read(small_limit: int) -> None:
    data = _csv([["花名册"], [""], ["姓名", "代码"]] + [[f"人{i}", str(i)] for i in range(small_limit)])
    rows, problem = read_rows(_Source(data), "m.csv")
    assert rows is not None and problem == ""
    sheet, errors = read_sheet(rows, COLUMNS, [COLUMNS[0]])
    assert errors == [] and sheet is not None
    assert sheet.header_row == 3 and len(sheet.records) == small_limit


def test_one_row_too_many_is_refused_as_a_whole(small_limit: int) -> None:
    data = _csv([["花名册"], ["姓名", "代码"]] + [[f"人{i}", str(i)] for i in range(small_limit + 1)])
    rows, _problem = read_rows(_Source(data), "m.csv")
    assert rows is not None
    _sheet, errors = read_sheet(rows, COLUMNS, [COLUMNS[0]])
    assert [(e.row, e.message) for e in errors] == [(0, f"the file has more than {small_limit} rows: split it")]


def test_a_file_far_beyond_the_limit_is_not_read_to_its_end(small_limit: int) -> None:
    data = _csv([["姓名"]] + [[f"人{i}"] for i in range(sheets._READ_AT_MOST + 10)])
    rows, problem = read_rows(_Source(data), "m.csv")
    assert rows is None and problem == f"the file has more than {small_limit} rows: split it"


class _Source:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self) -> bytes:
        return self.data
