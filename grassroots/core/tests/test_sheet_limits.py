"""How much a spreadsheet may hold: MAX_ROWS data rows below the header, wherever the header is; and a crafted
workbook (one that unpacks to hundreds of MB, or whose rows reach the last column) is refused before it costs
memory."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grassroots.core import sheets
from grassroots.core.context import acting
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


# --- crafted workbooks: refused before they cost memory ------------------------------------------------------

def _workbook_with(sheet_xml: Callable[[zipfile.ZipFile], None]) -> bytes:
    """A real .xlsx whose first sheet's XML is written by `sheet_xml` (streamed: never whole in memory here)."""
    import openpyxl

    source = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "代码"])
    wb.save(source)
    out = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                                 compresslevel=9) as crafted:
        for info in original.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                sheet_xml(crafted)
            else:
                crafted.writestr(info, original.read(info.filename))
    return out.getvalue()


SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
              b'spreadsheetml/2006/main">')


def _huge_text(archive: zipfile.ZipFile) -> None:
    """One cell holding 300 MB of text: 300 KB once packed."""
    with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
        out.write(SHEET_HEAD + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>')
        chunk = b"A" * (1024 * 1024)
        for _ in range(300):
            out.write(chunk)
        out.write(b"</t></is></c></row></sheetData></worksheet>")


def _wide_rows(archive: zipfile.ZipFile) -> None:
    """A `dimension` claiming every row and column, and 2,000 rows whose one cell sits in the last column."""
    rows = b"".join(b'<row r="%d"><c r="XFD%d"><v>1</v></c></row>' % (i, i) for i in range(1, 2001))
    archive.writestr("xl/worksheets/sheet1.xml", SHEET_HEAD + b'<dimension ref="A1:XFD1048576"/><sheetData>'
                     + rows + b'<row r="1048576"><c r="A1048576"><v>1</v></c></row></sheetData></worksheet>')


def _peak_while(read: Callable[[], Any]) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        result = read()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture
def old_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """The workbook limits as they stood for 100,000 rows (200 MB unpacked, 5,000,000 cells): the crafted files
    below test the mechanism, which scales with the limits."""
    monkeypatch.setattr(sheets, "MAX_UNPACKED", 200 * 1024 * 1024)
    monkeypatch.setattr(sheets, "MAX_CELLS", 5_000_000)


@pytest.mark.usefixtures("old_limits")
def test_a_small_xlsx_that_unpacks_to_300_mb_is_refused_before_it_is_parsed() -> None:
    data = _workbook_with(_huge_text)
    assert len(data) < 400 * 1024
    (rows, problem), peak = _peak_while(lambda: read_rows(_Source(data), "bomb.xlsx"))
    assert rows is None and problem.startswith("the file unpacks to 300 MB, more than 200 MB")
    assert peak < 20 * 1024 * 1024, peak  # the file itself, not what it unpacks to


@pytest.mark.usefixtures("old_limits")
def test_a_sheet_of_rows_reaching_the_last_column_stops_at_the_cell_limit() -> None:
    data = _workbook_with(_wide_rows)
    assert len(data) < 300 * 1024
    (rows, problem), peak = _peak_while(lambda: read_rows(_Source(data), "wide.xlsx"))
    assert rows is None and problem.startswith("the file holds more than 5,000,000 cells")
    assert peak < 120 * 1024 * 1024, peak


@pytest.mark.usefixtures("old_limits")
def test_the_organization_import_reads_every_sheet_under_the_same_limits(cast: Any) -> None:
    from grassroots.orgs.importer import plan_import

    for crafted in (_workbook_with(_huge_text), _workbook_with(_wide_rows)):
        with acting(cast.admin, "web"):
            plan = plan_import(io.BytesIO(crafted), "orgs.xlsx")
        assert [e.row for e in plan.errors] == [0]
        assert "unpacks to 300 MB" in plan.errors[0].message or "more than 5,000,000 cells" in plan.errors[0].message


def test_a_claimed_dimension_pads_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def claimed(archive: zipfile.ZipFile) -> None:
        archive.writestr("xl/worksheets/sheet1.xml", SHEET_HEAD + b'<dimension ref="A1:XFD9"/><sheetData>'
                         b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
                         b'<row r="3"><c r="B3"><v>2</v></c></row></sheetData></worksheet>')

    rows, problem = read_rows(_Source(_workbook_with(claimed)), "d.xlsx")
    assert (rows, problem) == ([["x"], [], [None, 2]], "")


def test_an_xls_past_the_cell_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (Path(__file__).resolve().parents[2] / "members" / "tests" / "files" / "roster-title-row.xls").read_bytes()
    rows, problem = read_rows(_Source(data), "r.xls")
    assert rows is not None and problem == ""
    monkeypatch.setattr(sheets, "MAX_CELLS", sum(len(r) or 1 for r in rows) - 1)
    rows, problem = read_rows(_Source(data), "r.xls")
    assert rows is None and problem.startswith("the file holds more than")


def test_the_limits_hold_a_citys_roster() -> None:
    """A city's roster (~940,000 members) fits in one file, with the template's columns."""
    assert sheets.MAX_ROWS >= 1_000_000
    assert sheets.MAX_CELLS >= sheets.MAX_ROWS * 14
