"""Import members from .xlsx or .csv: check every row first (`plan_import`), then write all or nothing.

`plan_import` reads the file, validates each row and compares it with the roster; it never writes.
`apply_import` re-checks the same rows inside one transaction and writes through the member services,
on the audit channel "import". A row that would move a member, or change the dates of joining or
conversion, is refused: those are events (a transfer, a conversion) to record, not corrections.
Blank cells in optional columns mean "leave as is" for a member already on the roster.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import Scope, current_scope
from grassroots.core import idnumber
from grassroots.core.context import acting, current_actor
from grassroots.core.dates import DateError, parse_date
from grassroots.core.errors import RuleError
from grassroots.orgs.models import Organization, OrgKind

from . import headers
from .models import HAN, Member, Status
from .services import MEMBER_ORG_KINDS, member_create, member_update

MAX_ROWS = 20000
ACTIONS = ("create", "update", "unchanged")
# Fields a row may change on a member already on the roster (the rest are events).
UPDATABLE = ("name", "sex", "ethnicity", "phone", "party_group", "education", "occupation")
_PHONE = re.compile(r"^[0-9+\-() ]{1,20}$")
_SERVICE_FIELD_TO_COLUMN = {"org": "org_code", "party_group": "party_group_code", "date": "joined_on"}


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
class _Sheet:
    """The file as read: which column holds which field, and the data rows with their row numbers."""

    columns: dict[str, int]
    header_text: dict[str, str]
    english: bool
    records: list[tuple[int, list[Any]]]
    by_field: dict[str, headers.Column] = field(default_factory=dict, repr=False)  # the columns it may hold

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
    sheet: _Sheet | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(ACTIONS, 0)
        for r in self.rows:
            out[r.action] += 1
        return out


class _Abort(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("import aborted")
        self.errors = errors


# --- reading the file ------------------------------------------------------------------------------


def _read_bytes(src: Any) -> bytes:
    if isinstance(src, str | os.PathLike):
        return Path(src).read_bytes()
    if hasattr(src, "seek"):
        try:
            src.seek(0)
        except (OSError, ValueError):
            pass
    data = src.read()
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _csv_rows(data: bytes) -> list[list[Any]]:
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    rows: list[list[Any]] = []
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        rows.append(list(row))
        if len(rows) > MAX_ROWS + 1:
            break
    return rows


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        rows: list[list[Any]] = []
        for row in ws.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        wb.close()


def _read_rows(src: Any, filename: str) -> tuple[list[list[Any]] | None, str]:
    ext = Path(filename or "").suffix.lower()
    if ext == ".xls":
        return None, _("old .xls files cannot be read: save the sheet as .xlsx or .csv")
    if ext not in (".xlsx", ".xlsm", ".csv", ".txt"):
        return None, _("unsupported file type %(ext)s: use .xlsx or .csv") % {"ext": ext or _("(none)")}
    try:
        data = _read_bytes(src)
    except OSError as exc:
        return None, _("cannot read the file: %(reason)s") % {"reason": exc.strerror or exc}
    try:
        rows = _xlsx_rows(data) if ext in (".xlsx", ".xlsm") else _csv_rows(data)
    except UnicodeDecodeError:
        return None, _("cannot read the file: save it as UTF-8 or GB18030 text")
    except Exception:  # openpyxl and zipfile raise many kinds of errors on a damaged file
        return None, _("cannot read the file: it is damaged or not a %(ext)s file") % {"ext": ext}
    if len(rows) > MAX_ROWS + 1:
        return None, _("the file has more than %(n)d rows: split it") % {"n": MAX_ROWS}
    return rows, ""


def read_sheet(rows: list[list[Any]], known: Sequence[headers.Column], required: Iterable[headers.Column]
               ) -> tuple[_Sheet | None, list[RowError]]:
    """The header row matched against `known` columns (Chinese, English or an alias), the data rows numbered
    as the spreadsheet numbers them. Errors: an empty file, a column twice, a `required` column missing."""
    if not rows:
        return None, [RowError(1, "", _("the file is empty: the first row must hold the column headers"))]
    index = {headers.norm(h): c.field for c in known for h in (c.zh, c.en, *c.aliases)}
    columns: dict[str, int] = {}
    header_text: dict[str, str] = {}
    errors: list[RowError] = []
    for idx, cell in enumerate(rows[0]):
        text = _text(cell)
        name = index.get(headers.norm(text)) if text else None
        if name is None:
            continue
        if name in columns:
            errors.append(RowError(1, text, _("this column appears twice (also %(other)s)")
                                   % {"other": header_text[name]}))
            continue
        columns[name] = idx
        header_text[name] = text
    english = sum(headers.is_english(t) for t in header_text.values()) * 2 > len(header_text)
    for col in required:
        if col.field not in columns:
            errors.append(RowError(1, col.en if english else col.zh, _("this required column is missing")))
    records = [(i + 2, list(r)) for i, r in enumerate(rows[1:])]
    return _Sheet(columns, header_text, english, records, {c.field: c for c in known}), errors


def _sheet(rows: list[list[Any]], default_org_code: str | None) -> tuple[_Sheet | None, list[RowError]]:
    required = [c for c in headers.COLUMNS if c.required or (c.field == "org_code" and not default_org_code)]
    return read_sheet(rows, headers.COLUMNS, required)


def check_rows(sheet: _Sheet, check: Callable[[_Row], PlannedRow | None]) -> tuple[list[PlannedRow], list[RowError]]:
    """Every non-blank data row through `check`: the planned rows, or every row's errors."""
    planned: list[PlannedRow] = []
    errors: list[RowError] = []
    for number, cells in sheet.records:
        row = _Row(number, cells, sheet)
        if row.is_blank():
            continue
        result = check(row)
        if row.errors:
            errors.extend(row.errors)
        elif result is not None:
            planned.append(result)
    return planned, errors


# --- cells -------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
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
    return str(value).replace("\ufeff", "").replace("\u200b", "").strip()


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in text)


def _add_years(day: dt.date, years: int) -> dt.date | None:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        try:
            return day.replace(year=day.year + years, day=28)  # 29 February
        except ValueError:
            return None  # beyond year 9999


class _Row:
    """One data row being checked: collects its errors with their columns."""

    def __init__(self, number: int, cells: list[Any], sheet: _Sheet) -> None:
        self.number = number
        self.cells = cells
        self.sheet = sheet
        self.errors: list[RowError] = []

    def raw(self, name: str) -> Any:
        idx = self.sheet.columns.get(name)
        return self.cells[idx] if idx is not None and idx < len(self.cells) else None

    def text(self, name: str) -> str:
        return _text(self.raw(name))

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
        if _has_control(value):
            self.error(name, _("contains invisible control characters"))
            return None
        if len(value) > max_length:
            self.error(name, _("longer than %(n)d characters") % {"n": max_length})
            return None
        return value

    def label(self, name: str, kind: str, *, required: bool = True) -> str | None:
        value = self.text(name)
        if not value:
            if required:
                self.error(name, _("this cell is required"))
            return None
        code = headers.code_for(name, value)
        if code is None:
            accepted = "、".join(names[0] for names in headers.ZH_LABELS[name].values())
            self.error(name, _("unknown %(kind)s %(value)s (use one of %(accepted)s)")
                       % {"kind": kind, "value": value[:40], "accepted": accepted})
        return code

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        raw = self.raw(name)
        try:
            value = parse_date(raw.strip() if isinstance(raw, str) else raw)
        except DateError as exc:
            self.error(name, str(exc)[:200])
            return None
        except (ValueError, OverflowError):
            self.error(name, _("%(value)s is not a date") % {"value": self.text(name)[:40]})
            return None
        if value is None and required:
            self.error(name, _("this cell is required"))
        return value


# --- checking the rows ---------------------------------------------------------------------------------


class _Planner:
    def __init__(self, sheet: _Sheet, default_org_code: str | None, scope: Scope) -> None:
        self.sheet = sheet
        self.scope = scope
        self.today = timezone.localdate()
        self.default_org_code = (default_org_code or "").strip() or None
        self._orgs: dict[str, tuple[Organization | None, str]] = {}
        self.seen: dict[str, int] = {}

    def org(self, text: str) -> tuple[Organization | None, str]:
        if text not in self._orgs:
            self._orgs[text] = self._resolve_org(text)
        return self._orgs[text]

    def _resolve_org(self, text: str) -> tuple[Organization | None, str]:
        org = Organization.objects.filter(code=text).first()
        if org is None:
            # by exact current name, among the organizations the user may change (names repeat across streets)
            named = list(self.scope.orgs(write=True).filter(name=text).order_by("path")[:2])
            if len(named) > 1:
                return None, _("several organizations are named %(name)s: use the code") % {"name": text}
            if not named:
                return None, _("unknown organization %(org)s (give its code or exact name)") % {"org": text}
            org = named[0]
        if org.kind not in MEMBER_ORG_KINDS:
            return None, _("members belong to a branch or committee, not a %(kind)s") % {
                "kind": org.get_kind_display()}
        if org.revoked_on is not None:
            return None, _("%(org)s was revoked on %(date)s") % {"org": org, "date": org.revoked_on}
        if not self.scope.can_write_org(org):
            return None, _("%(org)s is outside the organizations you may change") % {"org": org}
        return org, ""

    def party_group(self, text: str, org: Organization) -> Organization | None:
        return (Organization.objects.filter(kind=OrgKind.PARTY_GROUP, path__startswith=org.path)
                .filter(Q(code=text) | Q(name=text)).order_by("path").first())

    def run(self) -> tuple[list[PlannedRow], list[RowError]]:
        return check_rows(self.sheet, self.check)

    def check(self, row: _Row) -> PlannedRow | None:
        name = row.plain("name", required=True, max_length=50)
        sex = row.label("sex", _("sex"))
        ethnicity = row.plain("ethnicity", max_length=20)
        education = row.label("education", _("education"))
        occupation = row.label("occupation", _("occupation"))
        status = row.label("status", _("status"), required=False)
        number = self.id_number(row)
        birth = self.birth_date(row, number)
        joined_on = row.date("joined_on", required=True)
        converted_on = row.date("converted_on")
        phone = row.plain("phone", max_length=20)
        if phone is not None and not _PHONE.match(phone):
            row.error("phone", _("%(value)s is not a phone number") % {"value": phone})
        org = self.row_org(row)
        party_group = None
        group_text = row.plain("party_group_code", max_length=100)
        if group_text and org is not None:
            party_group = self.party_group(group_text, org)
            if party_group is None:
                row.error("party_group_code", _("no party group %(group)s under %(org)s")
                          % {"group": group_text, "org": org})
        self.check_dates(row, birth, joined_on, converted_on)
        explicit_status = status is not None
        if status == Status.PROBATIONARY and converted_on is not None:
            row.error("status", _("a probationary member has no conversion date"))
        if status is None:
            status = Status.FULL if converted_on is not None else Status.PROBATIONARY
        if number is not None:
            if number in self.seen:
                row.error("id_number", _("the same ID number is also on row %(row)d") % {"row": self.seen[number]})
            else:
                self.seen[number] = row.number
        if row.errors:
            return None
        assert name and sex and education and occupation and number and birth and joined_on and org
        values: dict[str, Any] = {"name": name, "sex": sex, "education": education, "occupation": occupation}
        if ethnicity is not None:
            values["ethnicity"] = ethnicity
        if phone is not None:
            values["phone"] = phone
        if party_group is not None:
            values["party_group"] = party_group
        existing = Member.objects.filter(id_number=number).select_related("org", "party_group").first()
        masked = idnumber.mask(number)
        if existing is None:
            values.update(birth_date=birth, id_number=number, org=org, joined_on=joined_on, status=status,
                          converted_on=converted_on)
            values.setdefault("ethnicity", HAN)
            return PlannedRow(row.number, "create", name, masked, org.code, values=values)
        return self.compare(row, existing, values, org=org, joined_on=joined_on, converted_on=converted_on,
                            status=status, explicit_status=explicit_status)

    def id_number(self, row: _Row) -> str | None:
        raw = row.raw("id_number")
        text = row.text("id_number").lstrip("'")
        if not text:
            row.error("id_number", _("this cell is required"))
            return None
        try:
            return idnumber.validate(text)
        except idnumber.IDNumberError as exc:
            message = str(exc)
            if isinstance(raw, int | float) and not isinstance(raw, bool):
                message += " " + _("(the cell holds a number, which loses digits: format the column as text)")
            row.error("id_number", message)
            return None

    def birth_date(self, row: _Row, number: str | None) -> dt.date | None:
        given = row.date("birth_date")
        if number is None:
            return given
        from_id = idnumber.birth_date(number)
        if given is not None and given != from_id:
            row.error("birth_date", _("%(date)s does not match the ID number (%(id_date)s)")
                      % {"date": given, "id_date": from_id})
            return None
        if from_id > self.today:
            row.error("birth_date" if given else "id_number",
                      _("the birth date %(date)s is in the future") % {"date": from_id})
            return None
        return from_id

    def row_org(self, row: _Row) -> Organization | None:
        text = row.plain("org_code", max_length=100)
        if text is None and row.text("org_code") == "":
            if self.default_org_code is None:
                row.error("org_code", _("this cell is required"))
                return None
            text = self.default_org_code
        if text is None:
            return None
        org, problem = self.org(text)
        if problem:
            row.error("org_code", problem)
        return org

    def check_dates(self, row: _Row, birth: dt.date | None, joined_on: dt.date | None,
                    converted_on: dt.date | None) -> None:
        if joined_on is not None:
            if joined_on > self.today:
                row.error("joined_on", _("the date %(date)s is in the future") % {"date": joined_on})
            elif birth is not None:
                eighteen = _add_years(birth, 18)
                if eighteen is None or joined_on < eighteen:
                    row.error("joined_on", _("joined on %(date)s, before turning 18 (born %(birth)s)")
                              % {"date": joined_on, "birth": birth})
        if converted_on is not None:
            if converted_on > self.today:
                row.error("converted_on", _("the date %(date)s is in the future") % {"date": converted_on})
            elif joined_on is not None and converted_on <= joined_on:
                row.error("converted_on", _("conversion on %(c)s is not after joining on %(j)s")
                          % {"c": converted_on, "j": joined_on})

    def compare(self, row: _Row, member: Member, values: dict[str, Any], *, org: Organization,
                joined_on: dt.date, converted_on: dt.date | None, status: str,
                explicit_status: bool) -> PlannedRow | None:
        if not self.scope.can_write_member(member):
            row.error("id_number", _("this ID number belongs to a member you may not change"))
            return None
        event_hint = _("record a transfer or an event instead of importing the change")
        if member.org_id is None:
            row.error("org_code", _("%(name)s is no longer on the roster (%(standing)s): %(hint)s")
                      % {"name": member.name, "standing": member.get_standing_display(), "hint": event_hint})
        elif member.org_id != org.pk:
            row.error("org_code", _("the record has %(name)s in %(old)s (%(code)s): %(hint)s")
                      % {"name": member.name, "old": member.org, "code": member.org.code if member.org else "",
                         "hint": event_hint})
        if joined_on != member.joined_on:
            row.error("joined_on", _("the record says %(old)s: %(hint)s") % {"old": member.joined_on,
                                                                            "hint": event_hint})
        if converted_on != member.converted_on:
            row.error("converted_on", _("the record says %(old)s: %(hint)s")
                      % {"old": member.converted_on or _("not converted"), "hint": event_hint})
        elif (explicit_status or converted_on is not None) and status != member.status:
            row.error("status", _("the record says %(old)s: %(hint)s")
                      % {"old": member.get_status_display(), "hint": event_hint})
        if row.errors:
            return None
        changes: dict[str, tuple[Any, Any]] = {}
        updates: dict[str, Any] = {}
        for name in UPDATABLE:
            if name not in values:
                continue
            old, new = getattr(member, name), values[name]
            if old != new:
                updates[name] = new
                if name == "party_group":
                    changes[name] = (old.code if old else "", new.code)
                else:
                    changes[name] = (old, new)
        action = "update" if updates else "unchanged"
        return PlannedRow(row.number, action, values["name"], member.id_number_masked, org.code,
                          changes=changes, member_id=member.pk, values=updates)


def _evaluate(plan: ImportPlan, scope: Scope) -> None:
    assert plan.sheet is not None
    rows, errors = _Planner(plan.sheet, plan.default_org_code, scope).run()
    plan.rows, plan.errors = rows, errors


# --- the API -------------------------------------------------------------------------------------------


def plan_import(fileobj_or_path: str | os.PathLike[str] | IO[Any], filename: str, *,
                default_org_code: str | None = None) -> ImportPlan:
    """Read and check every row against the roster and the acting user's scope. Never writes."""
    plan = ImportPlan(filename=filename, default_org_code=default_org_code)
    rows, problem = _read_rows(fileobj_or_path, filename)
    if rows is None:
        plan.errors.append(RowError(0, "", problem))
        return plan
    sheet, errors = _sheet(rows, default_org_code)
    if errors or sheet is None:
        plan.errors = errors
        return plan
    plan.sheet = sheet
    _evaluate(plan, current_scope())
    return plan


def _column_for(plan: ImportPlan, service_field: str | None) -> str:
    if not service_field or plan.sheet is None:
        return ""
    return plan.sheet.column_name(_SERVICE_FIELD_TO_COLUMN.get(service_field, service_field))


def apply_rows[P: ImportPlan](fresh: P, *, evaluate: Callable[[], None], write: Callable[[PlannedRow], None],
                              column_for: Callable[[str | None], str]) -> P:
    """The write step every importer shares. In one transaction, acting on the import channel: `evaluate`
    checks the fresh plan again (the records may have changed since the dry run); if it found errors nothing is
    written, else each row goes through `write`. A RuleError or a database error undoes everything and is
    returned as the plan's one error, naming the row (and the column, by `column_for`, where the service names
    a field). Returns the plan, `applied` when every row was written."""
    current: PlannedRow | None = None
    try:
        with acting(current_actor(), "import"), transaction.atomic():
            evaluate()
            if fresh.errors:
                raise _Abort(fresh.errors)
            for current in fresh.rows:
                write(current)
    except _Abort as exc:
        fresh.errors = exc.errors
        return fresh
    except RuleError as exc:
        number = current.row if current is not None else 0
        fresh.errors = [RowError(number, column_for(exc.field), exc.message)]
        return fresh
    except DatabaseError as exc:
        number = current.row if current is not None else 0
        fresh.errors = [RowError(number, "", _("the database refused the row: %(reason)s") % {"reason": exc})]
        return fresh
    fresh.applied = True
    return fresh


def apply_import(plan: ImportPlan) -> ImportPlan:
    """Re-check the plan's rows and write them in one transaction: all of them, or nothing.

    Returns a new plan: `applied` is True when written; otherwise `errors` say why nothing was.
    """
    if not plan.ok or plan.sheet is None or plan.applied:
        return plan
    fresh = ImportPlan(filename=plan.filename, default_org_code=plan.default_org_code, sheet=plan.sheet)

    def write(row: PlannedRow) -> None:
        if row.action == "create":
            member_create(**row.values)
        elif row.action == "update":
            assert row.member_id is not None
            member_update(Member.objects.get(pk=row.member_id), **row.values)

    return apply_rows(fresh, evaluate=lambda: _evaluate(fresh, current_scope()), write=write,
                      column_for=lambda field: _column_for(fresh, field))


def _print_rows(plan: ImportPlan) -> None:
    labels = {"create": _("create"), "update": _("update"), "unchanged": _("unchanged")}
    for r in plan.rows:
        line = f"{_('row')} {r.row}\t{labels[r.action]}\t{r.name}\t{r.id_number_masked}\t{r.org_code}"
        if r.changes:
            line += "\t" + "; ".join(f"{k}: {old} -> {new}" for k, (old, new) in r.changes.items())
        print(line)


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
    print(summary(plan.counts))
    return 0


def cli_import(path: str | os.PathLike[str], *, org_code: str | None, dry_run: bool, actor: Any) -> int:
    """The `grassroots import members` verb: 0 when written (or a clean dry run), 1 on errors."""
    with acting(actor, "cli"):
        plan = plan_import(path, os.path.basename(os.fspath(path)), default_org_code=org_code)
        if plan.ok and not dry_run:
            plan = apply_import(plan)

    def summary(counts: dict[str, int]) -> str:
        if dry_run:
            return _("dry run: would create %(create)d, update %(update)d, leave %(unchanged)d unchanged; "
                     "nothing was written") % counts
        return _("created %(create)d, updated %(update)d, unchanged %(unchanged)d") % counts

    return cli_report(plan, dry_run=dry_run, print_rows=_print_rows, summary=summary)
