"""The one way the pages write a spreadsheet: `?format=xlsx` on a list page returns the page's rows (all of them,
not one page, up to LIMIT) with the page's columns in the user's language.

A sheet has its headers in row 1 (bold, frozen) and a width per column; the workbook's last sheet, "Filters",
names the organization, the filters used, when it was exported and, when the rows were cut at LIMIT, says so.
The file is named after what it holds, the organization's code and the day: `meetings-A-20240301.xlsx`.

Callers pass what they show on the page: masked ID numbers and phones, never the full ones.

Every cell the platform writes to a spreadsheet goes through `put` (or `add_sheet`/`append`, which call it): a
text that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is written as a text cell (type `s`) with
Excel's quote prefix, the .xlsx form of typing a leading apostrophe (OWASP's advice against formula injection),
so that no spreadsheet program runs it as a formula, on opening or after an edit; the text itself is unchanged,
so an export re-imports as it was. Numbers and dates stay numbers and dates. Characters that XML forbids are
dropped. `new_workbook` is the only place a workbook is made (a test holds every module to it).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIMIT = 5000  # as many rows as "print all" shows (views.PRINT_LIMIT)
DEFAULT_WIDTH = 12
MAX_WIDTH = 60
PAGE_PARAMS = ("page", "all", "format")


def wanted(request: HttpRequest) -> bool:
    """Whether the request asks for the spreadsheet rather than the page."""
    return request.GET.get("format") == "xlsx"


def export_query(request: HttpRequest) -> str:
    """The current query string without paging, with format=xlsx: the export link keeps the page's filters."""
    params = request.GET.copy()
    for name in PAGE_PARAMS:
        params.pop(name, None)
    params["format"] = "xlsx"
    return params.urlencode()


def filename(what: str, code: str | None = None, day: dt.date | None = None, *, suffix: str = "") -> str:
    """`what-CODE-YYYYMMDD.xlsx` (without the code when the page is not one organization's)."""
    parts = [what, code or "", f"{day or timezone.localdate():%Y%m%d}", suffix]
    return "-".join(p for p in parts if p) + ".xlsx"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet program may read as a formula
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters an .xlsx cannot hold


def _cell(value: Any) -> Any:
    if isinstance(value, Promise):  # lazy labels (choices) as text
        return str(value)
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    return value


def is_formula_like(value: Any) -> bool:
    """Whether a spreadsheet program would take this text for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def put(ws: Any, row: int, column: int, value: Any) -> Any:
    """Write one cell: numbers and dates as they are, text as text, never a formula (see the module's text)."""
    value = _cell(value)
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if is_formula_like(value):
        cell.data_type = "s"  # openpyxl took "=..." for a formula: a plain text cell instead
        cell.quotePrefix = True  # and it stays text when someone edits it in Excel or WPS
    return cell


def append(ws: Any, values: Sequence[Any]) -> int:
    """Write `values` as the sheet's next row through `put`; return its number."""
    number = ws._current_row + 1  # as openpyxl's own append counts (0 on a new sheet)
    for idx, value in enumerate(values, start=1):
        put(ws, number, idx, value)
    ws._current_row = number  # an empty row counts too
    return number


def _width(header: str, values: Iterable[Any]) -> int:
    """A column as wide as its longest text (Chinese characters count twice), within bounds."""
    def size(value: Any) -> int:
        text = f"{value:%Y-%m-%d}" if isinstance(value, dt.date) else ("" if value is None else str(value))
        longest = max((sum(2 if ord(ch) > 0x2E80 else 1 for ch in line) for line in text.splitlines()), default=0)
        return longest

    return min(MAX_WIDTH, max(DEFAULT_WIDTH - 4, size(header), *(size(v) for v in values)) + 2)


def new_workbook() -> Any:
    from openpyxl import Workbook

    return Workbook()


def add_sheet(workbook: Any, title: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]], *,
              first: bool = False, widths: dict[int, int] | None = None) -> Any:
    """A sheet of `headers` (row 1, bold, frozen) and `rows`; a column's width is widths[n] (1-based) or fits
    its content. `first`: the workbook's first (already existing) sheet."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = workbook.active if first else workbook.create_sheet()
    ws.title = str(title)[:31]
    header_row = [_cell(h) for h in headers]
    for idx, header in enumerate(header_row, start=1):
        put(ws, 1, idx, header)
    data = [[_cell(v) for v in row] for row in rows]
    for number, row in enumerate(data, start=2):
        for idx, value in enumerate(row, start=1):
            put(ws, number, idx, value)
    for idx, header in enumerate(header_row, start=1):
        ws.cell(row=1, column=idx).font = Font(bold=True)
        width = (widths or {}).get(idx) or _width(str(header), (r[idx - 1] for r in data if len(r) >= idx))
        ws.column_dimensions[get_column_letter(idx)].width = width
    for row_cells in ws.iter_rows(min_row=2):
        for cell in row_cells:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(cell.value, str):
                cell.number_format = "@"  # numbers-as-text (codes, masked numbers) stay text
    ws.freeze_panes = "A2"
    return ws


def add_filters_sheet(workbook: Any, *, org: Any = None, filters: Iterable[tuple[Any, Any]] = (),
                      total: int | None = None, limit: int = LIMIT) -> Any:
    """The "Filters" sheet: the organization, each filter used as (label, value), the export's time, and a
    note when `total` rows matched but only `limit` were written."""
    rows: list[list[Any]] = []
    if org is not None:
        rows.append([_("Organization"), f"{org.name} ({org.code})"])
    used = [(label, value) for label, value in filters if value not in (None, "", False)]
    for label, value in used:
        rows.append([label, _("yes") if value is True else value])
    if not used:
        rows.append([_("Filters"), _("none")])
    rows.append([_("Exported on"), timezone.localtime().replace(tzinfo=None, microsecond=0)])
    if total is not None and total > limit:
        rows.append([_("Note"), _("Only the first %(limit)d of %(total)d rows are exported; narrow the filters "
                                  "to export the rest.") % {"limit": limit, "total": total}])
    else:
        rows.append([_("Rows"), total if total is not None else ""])
    return add_sheet(workbook, _("Filters"), [_("Filter"), _("Value")], rows, widths={1: 22, 2: 60})


def response(workbook: Any, name: str) -> HttpResponse:
    """The workbook as a download named `name`."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    out = HttpResponse(buffer.getvalue(), content_type=XLSX)
    out["Content-Disposition"] = content_disposition_header(True, name)
    return out


def export(title: str, headers: Sequence[Any], rows: Sequence[Sequence[Any]], *, name: str, org: Any = None,
           filters: Iterable[tuple[Any, Any]] = (), total: int | None = None, limit: int = LIMIT,
           widths: dict[int, int] | None = None) -> HttpResponse:
    """A workbook of one list (its rows already cut at `limit`; `total`: how many matched) and its filters."""
    workbook = new_workbook()
    add_sheet(workbook, title, headers, rows, first=True, widths=widths)
    add_filters_sheet(workbook, org=org, filters=filters, total=len(rows) if total is None else total, limit=limit)
    return response(workbook, name)


def form_filters(form: Any) -> list[tuple[str, Any]]:
    """A bound form's valid filters as (label, value shown), choices by their label."""
    if form is None or not form.is_bound or not form.is_valid():
        return []
    from django import forms

    out: list[tuple[str, Any]] = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, "", False):
            continue
        if isinstance(field, forms.ChoiceField):
            value = {str(k): str(v) for k, v in field.choices}.get(str(value), value)  # type: ignore[union-attr,misc]
        out.append((str(field.label), value))
    return out
