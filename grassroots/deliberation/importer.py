"""Import of seats from a spreadsheet (.xlsx, .xls): `grassroots import seats FILE --org CODE [--dry-run]` and the
web import (`imports.py`).

Each row names a body of the organization (by name; the body must exist), the holder's name, office or work
unit, and the dates the seat is held from (and until, if it ended). All or nothing: every row is checked first
(errors name the row and the column), then all are written in one transaction by `services.seat_add`, or none.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _

from grassroots.access.scope import current_scope, pinned_scope
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError
from grassroots.core.sheets import (
    Column,
    ImportPlan,
    PlannedRow,
    Progress,
    Row,
    RowError,
    Sheet,
    apply_rows,
    check_rows,
    cli_report,
    open_sheet,
)
from grassroots.orgs.models import Organization

from . import services
from .models import Body

COLUMNS = (
    Column("body", "机构名称", "Body", aliases=("代表会议", "机构", "会议名称"), required=True),
    Column("name", "姓名", "Name", aliases=("代表姓名", "成员姓名"), required=True),
    Column("office", "职务或工作单位", "Office or work unit", aliases=("工作单位", "职务", "单位")),
    Column("from_on", "起始日期", "From", aliases=("任职日期", "开始日期"), required=True),
    Column("to_on", "终止日期", "Until", aliases=("结束日期", "离任日期")),
)
BY_FIELD = {c.field: c for c in COLUMNS}


@dataclass
class SeatRow(PlannedRow):
    seat: dict[str, Any] = field(default_factory=dict)


@dataclass
class SeatImportPlan(ImportPlan):
    within: Organization | None = None


class _Planner:
    def __init__(self, sheet: Sheet, within: Organization) -> None:
        self.sheet = sheet
        self.within = within
        self.bodies = {b.name: b for b in Body.objects.filter(org=within)}
        self.seen: set[tuple[int, str, Any]] = set()

    def run(self, progress: Progress | None = None) -> tuple[list[PlannedRow], list[RowError]]:
        return check_rows(self.sheet, self.check, progress)

    def check(self, row: Row) -> SeatRow | None:
        body_name = row.plain("body", required=True, max_length=100)
        body = self.bodies.get(body_name or "")
        if body_name and body is None:
            row.error("body", _("%(org)s has no body called %(name)s") % {"org": self.within.name, "name": body_name})
        name = row.plain("name", required=True, max_length=50)
        office = row.plain("office", max_length=100) or ""
        start = row.date("from_on", required=True)
        end = row.date("to_on")
        if start is not None and end is not None and end <= start:
            row.error("to_on", _("the seat ends after it begins"))
        if body is not None and start is not None and start < body.set_up_on:
            row.error("from_on", _("%(body)s was set up on %(date)s") % {"body": body.name, "date": body.set_up_on})
        if row.errors or body is None or name is None or start is None:
            return None
        key = (body.pk, name, start)
        if key in self.seen:
            row.error("name", _("%(name)s is twice in the file") % {"name": name})
            return None
        self.seen.add(key)
        exists = body.seats.filter(name=name, from_on=start).exists()
        return SeatRow(row=row.number, action="unchanged" if exists else "create", name=name, id_number_masked="",
                       org_code=self.within.code,
                       seat={"body": body, "name": name, "office": office, "from_on": start, "to_on": end},
                       values={"body": body.name, "name": name, "office": office, "from_on": start, "to_on": end})


def _evaluate(plan: SeatImportPlan, progress: Progress | None = None) -> None:
    assert plan.sheet is not None and plan.within is not None
    plan.rows, plan.errors = _Planner(plan.sheet, plan.within).run(progress)


def plan_import(src: str | os.PathLike[str] | IO[Any], filename: str, *, within: Organization,
                progress: Progress | None = None) -> SeatImportPlan:
    """Read and check every row. Never writes."""
    plan = SeatImportPlan(filename=filename, within=within)
    if not current_scope().can_write_org(within):
        raise PermissionDeniedError(_("you may not change %(org)s") % {"org": within})
    sheet = open_sheet(plan, src, filename, COLUMNS)
    if sheet is None:
        return plan
    with pinned_scope():
        _evaluate(plan, progress)
    return plan


def apply_import(plan: SeatImportPlan, progress: Progress | None = None) -> SeatImportPlan:
    """Check the rows again and write every seat in one transaction: all of them, or nothing."""
    if not plan.ok or plan.sheet is None or plan.applied or plan.within is None:
        return plan
    fresh = SeatImportPlan(filename=plan.filename, sheet=plan.sheet, within=plan.within)

    def write(row: PlannedRow) -> None:
        if row.action == "create":
            assert isinstance(row, SeatRow)
            services.seat_add(**row.seat)

    def column_for(f: str | None) -> str:
        return fresh.sheet.column_name(f) if f in BY_FIELD and fresh.sheet is not None else ""

    with pinned_scope():
        return apply_rows(fresh, evaluate=lambda: _evaluate(fresh, progress), write=write, column_for=column_for,
                          progress=progress)


def template_workbook() -> Any:
    """An empty list of seats with the Chinese headers (the web import's download)."""
    from grassroots.ui import xlsx

    wb = xlsx.new_workbook()
    ws = wb.active
    ws.title = "席位"
    xlsx.append(ws, [c.zh for c in COLUMNS])
    return wb


def summary(counts: dict[str, int]) -> str:
    """What was imported, from the counts by action."""
    return _("Imported: %(created)s seats recorded, %(unchanged)s already recorded.") % {
        "created": counts.get("create", 0), "unchanged": counts.get("unchanged", 0)}


def _print_rows(plan: ImportPlan) -> None:
    for r in plan.rows:
        v = r.values
        print(f"{_('row')} {r.row}\t{r.action}\t{v['body']}\t{v['name']}\t{v['office']}\t{v['from_on']}")


def cli_run(path: str | os.PathLike[str], *, org: Organization | None, dry_run: bool, actor: Any) -> int:
    """`grassroots import seats FILE --org CODE [--dry-run]`: 0 when written (or a clean dry run), 1 on errors."""
    assert org is not None  # the registry marks --org required for this verb
    with acting(actor, "cli"):
        try:
            plan = plan_import(path, os.path.basename(os.fspath(path)), within=org)
            if plan.ok and not dry_run:
                plan = apply_import(plan)
        except PermissionDeniedError as exc:
            print(exc.message, file=sys.stderr)
            return 1

    def said(counts: dict[str, int]) -> str:
        values = {"created": counts.get("create", 0), "unchanged": counts.get("unchanged", 0)}
        if dry_run:
            return _("dry run: would record %(created)s seats, %(unchanged)s already recorded; nothing was "
                     "written") % values
        return summary(counts)

    return cli_report(plan, dry_run=dry_run, print_rows=_print_rows, summary=said)
