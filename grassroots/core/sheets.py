"""Reading spreadsheets people typed: the kit every importer shares (each importer keeps only its planner).

- `read_rows(file, filename)`: the rows of an .xlsx or .csv (UTF-8, UTF-16 or GB18030; comma or tab), or why not.
  A workbook is refused before it is parsed when it would unpack to more than MAX_UNPACKED bytes, and while it
  is read once it passes MAX_CELLS cells: a small crafted .xlsx (a zip bomb, a row reaching column XFD, a
  `dimension` claiming a million rows) costs neither memory nor minutes. `xlsx_sheets` reads every sheet under
  the same limits (the organization import's workbook).
- `read_sheet(rows, known, required)`: the header row matched against `Column`s (Chinese, English or an alias,
  whatever the spacing, case, a trailing "*" or a hint in brackets), the data rows numbered as the spreadsheet
  numbers them.
- `Row`: one data row being checked (`text`, `plain`, `date`, `label`), collecting its errors with their columns;
  `check_rows(sheet, check)` runs every non-blank row through an importer's check.
- `ImportPlan` / `PlannedRow` / `RowError`: the dry run; `apply_rows` the all-or-nothing write step, in one
  transaction on the import channel; `cli_report` what every `grassroots import` verb prints.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from grassroots.core import audit
from grassroots.core.context import acting, current_actor
from grassroots.core.dates import DateError, parse_date
from grassroots.core.errors import RuleError
from grassroots.core.idnumber import FULL_WIDTH

# Data rows below the header: a city's roster (issue 16: a county holds ~100,000 members, a city ~940,000). The web
# upload's cap (GRASSROOTS_IMPORT_MAX_MB, 20 MB) bounds a page's file first: ~200,000 rows of a roster as openpyxl
# writes it, more as Excel and WPS write it (shared strings).
MAX_ROWS = 1_000_000
HEADER_SEARCH = 20  # the header row is looked for among the first rows, below titles and blank rows
_READ_AT_MOST = MAX_ROWS + HEADER_SEARCH + 1  # rows read from a file: a full roster below titles and blank rows
# Bytes an .xlsx may unpack to (its zip members' sizes): 100,000 members are ~76 MB as openpyxl writes them.
MAX_UNPACKED = 1024 * 1024 * 1024
MAX_CELLS = 20_000_000  # cells read from a workbook, empty ones inside a row included: MAX_ROWS rows of 20 columns
# Runs of spaces (ASCII, no-break, ideographic after FULL_WIDTH) inside a cell count as one; line breaks are kept.
_SPACES = re.compile(r"[ \t\u00a0]+")
ACTIONS = ("create", "update", "unchanged")
# How far an import got: `progress(done, total)`, rows checked or written (the web import's progress bar).
Progress = Callable[[int, int], None]
PROGRESS_EVERY = 100  # rows between two reports


@dataclass(frozen=True)
class Column:
    field: str
    zh: str  # the header a secretary uses, written by the export and the template
    en: str  # the English header (also accepted)
    aliases: tuple[str, ...] = ()
    required: bool = False


_NOISE = re.compile(r"[\s_\-*＊:：]+|[(（][^)）]*[)）]")


def norm(text: object) -> str:
    """The form in which headers and labels are compared."""
    return _NOISE.sub("", str(text or "")).replace("\ufeff", "").casefold()


def is_english(header: object) -> bool:
    return str(header or "").isascii()




@dataclass(frozen=True)
class RowError:
    row: int  # as the user sees it: the header is row 1; 0 is the file as a whole
    column: str  # the header text as in the file
    message: str

    def __str__(self) -> str:
        if self.row <= 0:
            return self.message
        if not self.column:
            return _("row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return _("row %(row)s, %(column)s: %(message)s") % {"row": self.row, "column": self.column,
                                                            "message": self.message}


@dataclass
class PlannedRow:
    row: int
    action: str  # create, update or unchanged
    name: str
    id_number_masked: str
    org_code: str
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field -> (old, new), for updates
    member_id: int | None = None
    values: dict[str, Any] = field(default_factory=dict, repr=False)  # what the service is called with


@dataclass
class Sheet:
    """The file as read: which column holds which field, and the data rows with their row numbers."""

    columns: dict[str, int]
    header_text: dict[str, str]
    english: bool
    records: list[tuple[int, list[Any]]]
    by_field: dict[str, Column] = field(default_factory=dict, repr=False)  # the columns it may hold
    header_row: int = 1  # where the column headers were found, as the spreadsheet numbers rows

    def column_name(self, name: str) -> str:
        """The header of field `name` as the file wrote it, else as the template writes it (for errors)."""
        if name in self.header_text:
            return self.header_text[name]
        col = self.by_field.get(name)
        if col is None:
            return ""
        return col.en if self.english else col.zh


@dataclass
class ImportPlan:
    filename: str
    errors: list[RowError] = field(default_factory=list)
    rows: list[PlannedRow] = field(default_factory=list)
    default_org_code: str | None = None
    applied: bool = False
    sheet: Sheet | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(ACTIONS, 0)
        for r in self.rows:
            out[r.action] += 1
        return out


class Abort(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("import aborted")
        self.errors = errors


# --- reading the file ------------------------------------------------------------------------------


def read_bytes(src: Any) -> bytes:
    if isinstance(src, str | os.PathLike):
        return Path(src).read_bytes()
    if hasattr(src, "seek"):
        try:
            src.seek(0)
        except (OSError, ValueError):
            pass
    data = src.read()
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def csv_rows(data: bytes) -> list[list[Any]]:
    text = decode(data)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    rows: list[list[Any]] = []
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        rows.append(list(row))
        if len(rows) > _READ_AT_MOST:
            break
    return rows


class TooLarge(ValueError):
    """A workbook past MAX_UNPACKED or MAX_CELLS: its message says which, for the person who sent it."""


def _too_many_cells() -> TooLarge:
    return TooLarge(_("the file holds more than %(n)s cells (empty cells inside a row count too): delete the "
                      "unused rows and columns, or split it") % {"n": f"{MAX_CELLS:,}"})


def check_unpacked_size(data: bytes) -> None:
    """Refuse an .xlsx that would unpack to more than MAX_UNPACKED bytes, from its zip directory alone (a
    member is never read past the size the directory gives it, so the sum bounds what parsing could take)."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > MAX_UNPACKED:
        raise TooLarge(_("the file unpacks to %(size)d MB, more than %(max)d MB: split it, or save it again from "
                         "Excel or WPS") % {"size": unpacked // (1024 * 1024), "max": MAX_UNPACKED // (1024 * 1024)})


def xlsx_sheets(data: bytes, *, first_only: bool = False) -> list[tuple[str, list[list[Any]]]]:
    """The sheets of an .xlsx as (title, rows), each cut after _READ_AT_MOST rows; TooLarge past the limits.
    Rows are as long as their last cell: the sheet's `dimension` (which a file may fake) pads nothing."""
    import openpyxl

    check_unpacked_size(data)
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    cells = 0
    try:
        out: list[tuple[str, list[list[Any]]]] = []
        for ws in wb.worksheets[:1] if first_only else wb.worksheets:
            if hasattr(ws, "reset_dimensions"):  # a read-only sheet (not a chart sheet)
                ws.reset_dimensions()
            rows: list[list[Any]] = []
            for row in ws.iter_rows(values_only=True):
                cells += len(row) or 1
                if cells > MAX_CELLS:
                    raise _too_many_cells()
                rows.append(list(row))
                if len(rows) > _READ_AT_MOST:
                    break
            out.append((ws.title, rows))
        return out
    finally:
        wb.close()


def xlsx_rows(data: bytes) -> list[list[Any]]:
    """The first sheet of an .xlsx (see `xlsx_sheets`)."""
    return xlsx_sheets(data, first_only=True)[0][1]


def xls_rows(data: bytes, index: int = 0) -> list[list[Any]]:
    """A sheet of an old Excel 97-2003 workbook (the first unless told), read by xlrd; its date cells as dates."""
    import xlrd

    book = xlrd.open_workbook(file_contents=data, on_demand=True, ragged_rows=True)  # rows not padded
    try:
        sheet = book.sheet_by_index(index)
        rows: list[list[Any]] = []
        cells = 0
        for r in range(min(sheet.nrows, _READ_AT_MOST + 1)):
            cells += sheet.row_len(r) or 1
            if cells > MAX_CELLS:
                raise _too_many_cells()
            row: list[Any] = []
            for cell in sheet.row(r):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    moment = xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
                    row.append(moment.date() if moment.time() == dt.time() else moment)
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    row.append(None)
                else:
                    row.append(cell.value)
            rows.append(row)
        return rows
    finally:
        book.release_resources()


def read_rows(src: Any, filename: str) -> tuple[list[list[Any]] | None, str]:
    ext = Path(filename or "").suffix.lower()
    if ext not in (".xlsx", ".xlsm", ".xls", ".csv", ".txt"):
        return None, _("unsupported file type %(ext)s: use .xlsx, .xls or .csv") % {"ext": ext or _("(none)")}
    try:
        data = read_bytes(src)
    except OSError as exc:
        return None, _("cannot read the file: %(reason)s") % {"reason": exc.strerror or exc}
    try:
        rows = (xlsx_rows(data) if ext in (".xlsx", ".xlsm") else xls_rows(data) if ext == ".xls"
                else csv_rows(data))
    except UnicodeDecodeError:
        return None, _("cannot read the file: save it as UTF-8 or GB18030 text")
    except TooLarge as exc:
        return None, str(exc)
    except Exception:  # openpyxl and zipfile raise many kinds of errors on a damaged file
        return None, _("cannot read the file: it is damaged or not a %(ext)s file") % {"ext": ext}
    if len(rows) > _READ_AT_MOST:
        return None, _("the file has more than %(n)d rows: split it") % {"n": MAX_ROWS}
    return rows, ""


def _header_index(rows: list[list[Any]], index: dict[str, str]) -> int:
    """The row (0-based) holding the column headers: among the first HEADER_SEARCH rows, the one that names the
    most known columns (a title row above it names none or one, a blank row none); the first row if none does."""
    best, best_count = 0, 0
    for i, row in enumerate(rows[:HEADER_SEARCH]):
        count = len({index[key] for key in (norm(cell_text(c)) for c in row) if key in index})
        if count > best_count:
            best, best_count = i, count
    return best if best_count >= 2 else 0


def open_sheet(plan: ImportPlan, src: Any, filename: str, columns: Sequence[Column]) -> Sheet | None:
    """The file's header matched against `columns` (those marked required required), kept as `plan.sheet`; None
    when the file cannot be read or its header does not fit, with the reason in `plan.errors`."""
    rows, problem = read_rows(src, filename)
    if rows is None:
        plan.errors.append(RowError(0, "", problem))
        return None
    sheet, errors = read_sheet(rows, columns, [c for c in columns if c.required])
    if errors or sheet is None:
        plan.errors = errors
        return None
    plan.sheet = sheet
    return sheet


def read_sheet(rows: list[list[Any]], known: Sequence[Column], required: Iterable[Column]
               ) -> tuple[Sheet | None, list[RowError]]:
    """The header row matched against `known` columns (Chinese, English or an alias), found below any title and
    blank rows; the data rows numbered as the spreadsheet numbers them. Errors: an empty file, a column twice, a
    `required` column missing (on the header row found)."""
    if not any(cell_text(c) for row in rows[:HEADER_SEARCH] for c in row):
        return None, [RowError(1, "", _("the file is empty: the first row must hold the column headers"))]
    index = {norm(h): c.field for c in known for h in (c.zh, c.en, *c.aliases)}
    at = _header_index(rows, index)
    columns: dict[str, int] = {}
    header_text: dict[str, str] = {}
    errors: list[RowError] = []
    for idx, cell in enumerate(rows[at]):
        text = cell_text(cell)
        name = index.get(norm(text)) if text else None
        if name is None:
            continue
        if name in columns:
            errors.append(RowError(at + 1, text, _("this column appears twice (also %(other)s)")
                                   % {"other": header_text[name]}))
            continue
        columns[name] = idx
        header_text[name] = text
    english = sum(is_english(t) for t in header_text.values()) * 2 > len(header_text)
    for col in required:
        if col.field not in columns:
            errors.append(RowError(at + 1, col.en if english else col.zh, _("this required column is missing")))
    # the rows read are lists already: kept as they are, not copied (100,000 rows of cells held once, not twice)
    records = [(at + i + 2, r if type(r) is list else list(r)) for i, r in enumerate(rows[at + 1:])]
    if len(records) > MAX_ROWS:
        errors.append(RowError(0, "", _("the file has more than %(n)d rows: split it") % {"n": MAX_ROWS}))
    return Sheet(columns, header_text, english, records, {c.field: c for c in known}, header_row=at + 1), errors


def check_rows(sheet: Sheet, check: Callable[[Row], PlannedRow | None], progress: Progress | None = None
               ) -> tuple[list[PlannedRow], list[RowError]]:
    """Every non-blank data row through `check`: the planned rows, or every row's errors. `progress(done,
    total)` hears how far it got (data rows, blank ones included) every PROGRESS_EVERY rows and at the end."""
    planned: list[PlannedRow] = []
    errors: list[RowError] = []
    total = len(sheet.records)
    for done, (number, cells) in enumerate(sheet.records):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
        row = Row(number, cells, sheet)
        if row.is_blank():
            continue
        result = check(row)
        if row.errors:
            errors.extend(row.errors)
        elif result is not None:
            planned.append(result)
    if progress is not None:
        progress(total, total)
    return planned, errors


# --- cells -------------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    text = str(value).replace("\ufeff", "").replace("\u200b", "").translate(FULL_WIDTH)
    return _SPACES.sub(" ", text).strip()


def has_control(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in text)


def add_years(day: dt.date, years: int) -> dt.date | None:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        try:
            return day.replace(year=day.year + years, day=28)  # 29 February
        except ValueError:
            return None  # beyond year 9999


class Row:
    """One data row being checked: collects its errors with their columns."""

    def __init__(self, number: int, cells: list[Any], sheet: Sheet) -> None:
        self.number = number
        self.cells = cells
        self.sheet = sheet
        self.errors: list[RowError] = []

    def raw(self, name: str) -> Any:
        idx = self.sheet.columns.get(name)
        return self.cells[idx] if idx is not None and idx < len(self.cells) else None

    def text(self, name: str) -> str:
        return cell_text(self.raw(name))

    def column(self, name: str) -> str:
        return self.sheet.column_name(name)

    def error(self, name: str, message: str) -> None:
        self.errors.append(RowError(self.number, self.column(name), message))

    def is_blank(self) -> bool:
        return all(self.text(name) == "" for name in self.sheet.columns)

    def plain(self, name: str, *, required: bool = False, max_length: int = 50) -> str | None:
        value = self.text(name)
        if not value:
            if required:
                self.error(name, _("this cell is required"))
            return None
        if has_control(value):
            self.error(name, _("contains invisible control characters"))
            return None
        if len(value) > max_length:
            self.error(name, _("longer than %(n)d characters") % {"n": max_length})
            return None
        return value

    def label(self, name: str, kind: str, *, lookup: Callable[[str], str | None], accepted: Sequence[str],
              required: bool = True) -> str | None:
        """The code of a label typed in the cell (`lookup(text)`), else an error listing the `accepted` labels."""
        value = self.text(name)
        if not value:
            if required:
                self.error(name, _("this cell is required"))
            return None
        code = lookup(value)
        if code is None:
            self.error(name, _("unknown %(kind)s %(value)s (use one of %(accepted)s)")
                       % {"kind": kind, "value": value[:40], "accepted": "、".join(accepted)})
        return code

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        raw = self.raw(name)
        try:
            value = parse_date(cell_text(raw) if isinstance(raw, str) else raw)
        except DateError as exc:
            self.error(name, str(exc)[:200])
            return None
        except (ValueError, OverflowError):
            self.error(name, _("%(value)s is not a date") % {"value": self.text(name)[:40]})
            return None
        if value is None and required:
            self.error(name, _("this cell is required"))
        return value



def apply_rows[P: ImportPlan](fresh: P, *, evaluate: Callable[[], None], write: Callable[[PlannedRow], None],
                              column_for: Callable[[str | None], str], progress: Progress | None = None,
                              batch: Callable[[], AbstractContextManager[Any]] = contextlib.nullcontext,
                              row_of: Callable[[Exception], int | None] = lambda exc: None) -> P:
    """The write step every importer shares. In one transaction, acting on the import channel: `evaluate`
    checks the fresh plan again (the records may have changed since the dry run); if it found errors nothing is
    written, else each row goes through `write`. A RuleError or a database error undoes everything and is
    returned as the plan's one error, naming the row (and the column, by `column_for`, where the service names
    a field). `batch()` is entered around the rows, inside the audit's batch: an importer's way to write them
    in bulk; an error raised while a batch is written names the row `row_of(error)` gives (else the last row
    given to `write`). The audit's batch locks the head only at its end, to chain the rows' entries.
    Returns the plan, `applied` when every row was written. `progress(done, total)` hears how many rows were
    written (`evaluate` reports its own checking, from 0 again)."""
    current: PlannedRow | None = None
    try:
        with acting(current_actor(), "import"), transaction.atomic():
            evaluate()
            if fresh.errors:
                raise Abort(fresh.errors)
            total = len(fresh.rows)
            # the rows' audit entries appended together, in order, at the end; `batch` may keep writes too
            with audit.batch(), batch():
                for done, current in enumerate(fresh.rows):
                    if progress is not None and done % PROGRESS_EVERY == 0:
                        progress(done, total)
                    write(current)
            if progress is not None:
                progress(total, total)
    except Abort as exc:
        fresh.errors = exc.errors
        return fresh
    except RuleError as exc:
        number = row_of(exc) or (current.row if current is not None else 0)
        fresh.errors = [RowError(number, column_for(exc.field), exc.message)]
        return fresh
    except DatabaseError as exc:
        number = row_of(exc) or (current.row if current is not None else 0)
        fresh.errors = [RowError(number, "", _("the database refused the row: %(reason)s") % {"reason": exc})]
        return fresh
    fresh.applied = True
    return fresh


def cli_report(plan: ImportPlan, *, dry_run: bool, print_rows: Callable[[Any], None],
               summary: Callable[[dict[str, int]], str]) -> int:
    """What every `grassroots import` verb prints: the errors (exit 1), or the rows of a dry run and the summary
    (`summary(counts)`, counts by action: create, update, unchanged); exit 0."""
    if plan.errors:
        for error in plan.errors:
            print(str(error), file=sys.stderr)
        print(_("%(n)d errors: nothing was written") % {"n": len(plan.errors)}, file=sys.stderr)
        return 1
    if dry_run:
        print_rows(plan)
    if plan.sheet is not None and plan.sheet.header_row > 1:
        print(_("the column headers were found on row %(row)d") % {"row": plan.sheet.header_row})
    print(summary(plan.counts))
    return 0


