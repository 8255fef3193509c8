"""Import of manual points entries (a branch's sheet of 先锋模范 awards and deductions): a dry run first, then
every row or none (`core.sheets`).

Columns: 姓名 (name, checked against the ID number), 身份证号 (ID number, required), 项目 (the manual item: its
code such as manual.pioneer or pioneer, or its name), 日期 (date, required), 分值 (points; blank: the item's),
理由 (reason, required). A row the same as a manual entry already recorded (member, item, date, points, reason)
is "unchanged": importing a sheet twice writes nothing twice. Each row is checked by `services.check_manual`, as
the page's form is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _

from grassroots.access.scope import Scope, current_scope
from grassroots.core.context import acting
from grassroots.core.errors import RuleError
from grassroots.core.sheets import (
    Column,
    ImportPlan,
    PlannedRow,
    Progress,
    Row,
    RowError,
    apply_rows,
    check_rows,
    cli_report,
    norm,
    read_rows,
    read_sheet,
)
from grassroots.members.models import Member
from grassroots.members.rows import member_of_row
from grassroots.orgs.models import Organization

from . import services
from .models import PointEntry
from .schemes import SchemeBook

COLUMNS = [
    Column("name", "姓名", "Name"),
    Column("id_number", "身份证号", "ID number", aliases=("公民身份号码", "身份证号码"), required=True),
    Column("item", "项目", "Item", aliases=("积分项目",), required=True),
    Column("day", "日期", "Date", required=True),
    Column("points", "分值", "Points", aliases=("积分",)),
    Column("reason", "理由", "Reason", aliases=("事由",), required=True),
]
BY_FIELD = {c.field: c for c in COLUMNS}
FIELD_OF = {"member": "id_number", "day": "day", "item": "item", "points": "points", "reason": "reason"}


@dataclass
class PointsImportPlan(ImportPlan):
    within: Organization | None = None


class _Planner:
    def __init__(self, plan: PointsImportPlan, scope: Scope) -> None:
        self.plan = plan
        self.scope = scope
        self.book = SchemeBook()

    def member(self, row: Row) -> Member | None:
        return member_of_row(row, self.scope, self.plan.within)

    def item(self, row: Row, member: Member | None, day: Any) -> str | None:
        text = row.text("item")
        if not text or member is None or day is None:
            return None
        org = services.member_org_on(member, day)
        scheme = self.book.on(org, day)
        for code, item in scheme.items.items():
            if item.manual and norm(text) in {norm(code), norm(code[7:]), norm(item.label_zh), norm(item.label_en)}:
                return code
        accepted = "、".join(i.label_zh or i.code for i in scheme.items.values() if i.manual)
        row.error("item", _("unknown item %(value)s (use one of %(accepted)s)") % {"value": text[:40],
                                                                                   "accepted": accepted})
        return None

    def check(self, row: Row) -> PlannedRow | None:
        member = self.member(row)
        day = row.date("day", required=True)
        item = self.item(row, member, day)
        points = row.text("points").replace("分", "").strip() or None
        reason = row.plain("reason", required=True, max_length=300)
        if row.errors or member is None or item is None or day is None:
            return None
        try:
            _org, _scheme, value, reason = services.check_manual(member, item=item, day=day, points=points,
                                                                 reason=reason, book=self.book)
        except RuleError as exc:
            row.error(FIELD_OF.get(exc.field or "", "item"), exc.message)
            return None
        same = PointEntry.objects.filter(member=member, item=item, day=day, points=value, reason=reason,
                                         manual=True).exists()
        return PlannedRow(row.number, "unchanged" if same else "create", member.name, member.id_number_masked,
                          member.org.code if member.org else "", member_id=member.pk,
                          values={"member": member, "item": item, "day": day, "points": value, "reason": reason})


def _evaluate(plan: PointsImportPlan, progress: Progress | None = None) -> None:
    assert plan.sheet is not None
    plan.rows, plan.errors = check_rows(plan.sheet, _Planner(plan, current_scope()).check, progress)


def plan_import(fileobj_or_path: str | os.PathLike[str] | IO[Any], filename: str, *,
                within: Organization | None = None, progress: Progress | None = None) -> PointsImportPlan:
    """Read and check every row (never writes)."""
    plan = PointsImportPlan(filename=filename, within=within)
    rows, problem = read_rows(fileobj_or_path, filename)
    if rows is None:
        plan.errors.append(RowError(0, "", problem))
        return plan
    sheet, errors = read_sheet(rows, COLUMNS, [c for c in COLUMNS if c.required])
    plan.sheet = sheet
    if errors or sheet is None:
        plan.errors = errors
        return plan
    _evaluate(plan, progress)
    return plan


def apply_import(plan: PointsImportPlan, progress: Progress | None = None) -> PointsImportPlan:
    """Check the rows again and record them in one transaction: all of them, or nothing."""
    if not plan.ok or plan.sheet is None or plan.applied:
        return plan
    fresh = PointsImportPlan(filename=plan.filename, sheet=plan.sheet, within=plan.within)

    def write(row: PlannedRow) -> None:
        if row.action != "create":
            return
        v = row.values
        services.give_points(v["member"], item=v["item"], day=v["day"], points=v["points"], reason=v["reason"])

    def column_for(field: str | None) -> str:
        name = FIELD_OF.get(field or "", "")
        return fresh.sheet.column_name(name) if name and fresh.sheet is not None else ""

    return apply_rows(fresh, evaluate=lambda: _evaluate(fresh, progress), write=write, column_for=column_for,
                      progress=progress)


def _print_rows(plan: ImportPlan) -> None:
    labels = {"create": _("record"), "unchanged": _("unchanged")}
    for r in plan.rows:
        v = r.values
        print(f"{_('row')} {r.row}\t{labels.get(r.action, r.action)}\t{r.name}\t{r.id_number_masked}\t{v['item']}"
              f"\t{v['day']}\t{v['points']}")


def cli_run(path: str | os.PathLike[str], *, org: Organization | None, dry_run: bool, actor: Any) -> int:
    """`grassroots import points FILE --org CODE [--dry-run]`: 0 when written (or a clean dry run), 1 on errors."""
    with acting(actor, "cli"):
        plan = plan_import(path, os.path.basename(os.fspath(path)), within=org)
        if plan.ok and not dry_run:
            plan = apply_import(plan)

    def summary(counts: dict[str, int]) -> str:
        if dry_run:
            return _("dry run: would record %(create)d points entries, leave %(unchanged)d unchanged; nothing was "
                     "written") % {"create": counts.get("create", 0), "unchanged": counts.get("unchanged", 0)}
        return _("recorded %(create)d points entries, unchanged %(unchanged)d") % {
            "create": counts.get("create", 0), "unchanged": counts.get("unchanged", 0)}

    return cli_report(plan, dry_run=dry_run, print_rows=_print_rows, summary=summary)

