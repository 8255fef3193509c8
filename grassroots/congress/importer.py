"""Importing practical projects (为民办实事项目清单) from a sheet, sub-projects included: all rows or none, with a
dry run, every error naming its row and column; `grassroots import practical-projects FILE --org CODE [--dry-run]`.

One row is a project of the organization `--org` names (or of the organization of the row's code, within it). A
sub-project names its parent in 所属项目, by the parent's code or title: a project of an earlier row of the file or
one already recorded for the same organization and year. A project already recorded under its title for the same
organization and year is left as it is, so importing the same sheet again writes nothing.
"""

from __future__ import annotations

import io
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
from .models import PracticalProject, Status

COLUMNS = (
    Column("code", "编号", "Code", aliases=("项目编号", "序号")),
    Column("title", "项目名称", "Project", aliases=("项目", "实事项目", "名称"), required=True),
    Column("parent", "所属项目", "Part of", aliases=("上级项目", "主项目")),
    Column("year", "年度", "Year", aliases=("年份",)),
    Column("weight", "权重", "Weight", aliases=("占比",)),
    Column("description", "项目内容", "Description", aliases=("建设内容", "内容")),
    Column("lead_unit", "牵头单位", "Lead unit", aliases=("责任单位",)),
    Column("handler_name", "责任人", "Responsible person", aliases=("负责人",)),
    Column("handler_phone", "办公电话", "Office phone", aliases=("联系电话",)),
    Column("planned_start", "计划开始", "Planned start", aliases=("开工时间", "开始时间")),
    Column("due_on", "完成时限", "Due date", aliases=("完成时间", "截止时间")),
    Column("org_code", "组织代码", "Organization code"),
)
BY_FIELD = {c.field: c for c in COLUMNS}
SERVICE_FIELDS = {f: f for f in BY_FIELD} | {"org": "org_code"}


@dataclass
class ProjectRow(PlannedRow):
    project: dict[str, Any] = field(default_factory=dict)
    parent_key: tuple[int, int, str] | None = None  # (org id, year, parent's code or title) of a row of the file
    keys: tuple[tuple[int, int, str], ...] = ()


@dataclass
class ProjectImportPlan(ImportPlan):
    within: Organization | None = None


class _Planner:
    def __init__(self, sheet: Sheet, within: Organization) -> None:
        self.sheet = sheet
        self.within = within
        self.orgs = {o.code: o for o in current_scope().orgs(write=True).filter(path__startswith=within.path,
                                                                                 revoked_on__isnull=True)}
        self.in_file: set[tuple[int, int, str]] = set()
        self.default_year = services.today().year

    def run(self, progress: Progress | None = None) -> tuple[list[PlannedRow], list[RowError]]:
        return check_rows(self.sheet, self.check, progress)

    def number(self, row: Row, name: str, low: int, high: int, default: int) -> int | None:
        text = row.text(name).strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        if not text:
            return default
        if not text.isdigit() or not low <= int(text) <= high:
            row.error(name, _("give a whole number from %(low)s to %(high)s") % {"low": low, "high": high})
            return None
        return int(text)

    def existing(self, org: Organization, year: int, key: str) -> PracticalProject | None:
        qs = PracticalProject.objects.filter(org=org, year=year)
        return qs.filter(code=key).first() or qs.filter(title=key).first()

    def check(self, row: Row) -> ProjectRow | None:
        code = row.plain("org_code", max_length=32)
        org = self.orgs.get(code) if code else self.within
        if code and org is None:
            row.error("org_code", _("no organization %(code)s in %(org)s that you may change")
                      % {"code": code, "org": self.within.name})
        title = row.plain("title", required=True, max_length=200)
        pcode = row.plain("code", max_length=30) or ""
        parent_text = row.plain("parent", max_length=200) or ""
        year = self.number(row, "year", 1990, 2100, self.default_year)
        weight = self.number(row, "weight", 1, 1000, 1)
        description = row.plain("description", max_length=5000) or ""
        lead = row.plain("lead_unit", max_length=100) or ""
        handler = row.plain("handler_name", max_length=50) or ""
        phone = row.plain("handler_phone", max_length=30) or ""
        start = row.date("planned_start")
        due = row.date("due_on")
        if start and due and due < start:
            row.error("due_on", _("the due date is before the planned start"))
        if row.errors or org is None or title is None or year is None or weight is None:
            return None
        keys = tuple(k for k in ((org.pk, year, pcode), (org.pk, year, title)) if k[2])
        if any(k in self.in_file for k in keys):
            row.error("title" if (org.pk, year, title) in self.in_file else "code",
                      _("%(name)s is twice in the file") % {"name": pcode or title})
            return None
        parent_key = None
        parent = None
        if parent_text:
            if (org.pk, year, parent_text) in self.in_file:
                parent_key = (org.pk, year, parent_text)
            else:
                parent = self.existing(org, year, parent_text)
                if parent is None:
                    row.error("parent", _("no project %(name)s of %(year)s above this row or recorded")
                              % {"name": parent_text, "year": year})
                    return None
                if parent.status in (Status.DONE, Status.DROPPED):
                    row.error("parent", _("%(name)s is %(status)s") % {"name": parent.title,
                                                                       "status": parent.get_status_display()})
                    return None
        self.in_file.update(keys)
        exists = PracticalProject.objects.filter(org=org, year=year, title=title).exists()
        values = {"org": None if (parent or parent_key) else org, "parent": parent, "title": title, "code": pcode,
                  "year": year, "weight": weight, "description": description, "lead_unit": lead,
                  "handler_name": handler, "handler_phone": phone, "planned_start": start, "due_on": due}
        return ProjectRow(row=row.number, action="unchanged" if exists else "create", name=title,
                          id_number_masked="", org_code=org.code, project=values, parent_key=parent_key, keys=keys,
                          values={"title": title, "code": pcode, "parent": parent_text, "year": year,
                                  "weight": weight, "due_on": due.isoformat() if due else ""})


def _evaluate(plan: ProjectImportPlan, progress: Progress | None = None) -> None:
    assert plan.sheet is not None and plan.within is not None
    plan.rows, plan.errors = _Planner(plan.sheet, plan.within).run(progress)


def plan_import(fileobj_or_path: str | os.PathLike[str] | IO[Any], filename: str, *, within: Organization,
                progress: Progress | None = None) -> ProjectImportPlan:
    """Read and check every row. Never writes."""
    plan = ProjectImportPlan(filename=filename, within=within)
    if not current_scope().can_write_org(within):
        raise PermissionDeniedError(_("you may not change %(org)s") % {"org": within})
    sheet = open_sheet(plan, fileobj_or_path, filename, COLUMNS)
    if sheet is None:
        return plan
    with pinned_scope():
        _evaluate(plan, progress)
    return plan


def _column_for(plan: ImportPlan, service_field: str | None) -> str:
    if not service_field or plan.sheet is None:
        return ""
    name = SERVICE_FIELDS.get(service_field, "")
    return plan.sheet.column_name(name) if name in BY_FIELD else ""


def apply_import(plan: ProjectImportPlan, progress: Progress | None = None) -> ProjectImportPlan:
    """Check the rows again and write every project in one transaction: all of them, or nothing."""
    if not plan.ok or plan.sheet is None or plan.applied or plan.within is None:
        return plan
    fresh = ProjectImportPlan(filename=plan.filename, sheet=plan.sheet, within=plan.within)
    made: dict[tuple[int, int, str], PracticalProject] = {}

    def write(row: PlannedRow) -> None:
        assert isinstance(row, ProjectRow)
        values = dict(row.project)
        if row.action == "create":
            if row.parent_key is not None:
                values["parent"] = made[row.parent_key]
            project = services.project_create(**values)
        else:
            project = PracticalProject.objects.get(org__code=row.org_code, year=values["year"], title=values["title"])
        for k in row.keys:
            made[k] = project

    with pinned_scope():
        return apply_rows(fresh, evaluate=lambda: _evaluate(fresh, progress), write=write,
                          column_for=lambda f: _column_for(fresh, f), progress=progress)


def template_xlsx() -> bytes:
    """An empty list of practical projects with the Chinese header row."""
    from grassroots.ui import xlsx

    wb = xlsx.new_workbook()
    ws = wb.active
    ws.title = "为民办实事项目"
    xlsx.append(ws, [c.zh for c in COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def summary(counts: dict[str, int]) -> str:
    """What a web import wrote, from its counts by action."""
    return _("Imported: %(created)s projects recorded, %(unchanged)s already recorded.") % {
        "created": counts.get("create", 0), "unchanged": counts.get("unchanged", 0)}


def _print_rows(plan: ImportPlan) -> None:
    for r in plan.rows:
        v = r.values
        print(f"{_('row')} {r.row}\t{r.action}\t{r.org_code}\t{v['year']}\t{v['code']}\t{v['title']}\t"
              f"{v['parent']}\t{v['weight']}\t{v['due_on']}")


def cli_run(path: str | os.PathLike[str], *, org: Organization | None, dry_run: bool, actor: Any) -> int:
    """`grassroots import practical-projects FILE --org CODE [--dry-run]`: 0 when written (or a clean dry run), 1
    on errors."""
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
            return _("dry run: would record %(created)s projects, %(unchanged)s already recorded; nothing was "
                     "written") % values
        return summary(counts)

    return cli_report(plan, dry_run=dry_run, print_rows=_print_rows, summary=said)
