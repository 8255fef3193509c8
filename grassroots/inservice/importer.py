"""The import of in-service members' reports (the home organization's roster of 在职党员到社区报到, typed up or
kept in a spreadsheet): one row per report, the member recognized by the ID number in the organization's roster,
the community by its organization's code. All or nothing, with a dry run first, errors naming the row and the
column; the web page runs it as a background job (`ui.imports.ImportFlow`), the command line as
`grassroots import inservice-reports FILE --org CODE [--dry-run]`.

Rows are written through `services.report` (they await the community's acceptance like any report). A report of
the same member to the same community on the same day is "unchanged"."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from grassroots.access.scope import current_scope, pinned_scope, scope_for
from grassroots.core import idnumber
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError
from grassroots.core.sheets import (
    Column,
    ImportPlan,
    PlannedRow,
    Progress,
    Row,
    apply_rows,
    check_rows,
    cli_report,
    open_sheet,
)
from grassroots.members.models import Member
from grassroots.orgs.models import Organization
from grassroots.ui.imports import ImportFlow

from . import services
from .models import Report

COLUMNS = [
    Column("name", "姓名", "Name", required=True),
    Column("id_number", "身份证号", "ID number", aliases=("身份证号码", "公民身份号码"), required=True),
    Column("community", "报到社区代码", "Community code", aliases=("报到社区", "社区党组织代码"), required=True),
    Column("date", "报到日期", "Reported on", aliases=("报到时间",), required=True),
    Column("first", "首次报到", "First report", aliases=("是否首次",)),
    Column("address", "居住地址", "Residence address", aliases=("现居住地", "住址")),
    Column("workplace", "工作单位", "Workplace", aliases=("单位",)),
    Column("phone", "联系电话", "Phone", aliases=("电话", "手机")),
    Column("skills", "特长", "Skills", aliases=("专业特长", "技能")),
    Column("offers", "服务意向", "Services offered", aliases=("认领服务", "服务项目")),
]
YES = {"是": True, "首次": True, "√": True, "yes": True, "y": True, "1": True,
       "否": False, "": False, "no": False, "n": False, "0": False}


@dataclass
class InserviceImportPlan(ImportPlan):
    org: Organization | None = None


def _evaluate(plan: InserviceImportPlan, progress: Progress | None) -> None:
    assert plan.sheet is not None and plan.org is not None
    org = plan.org
    if not current_scope().can_write_org(org):
        raise PermissionDeniedError(_("you may not change %(org)s") % {"org": org})
    members = {m.id_number: m for m in Member.objects.filter(org__path__startswith=org.path)}
    communities: dict[str, Organization | None] = {}
    seen: set[tuple[int, int, Any]] = set()
    firsts: set[int] = set(Report.objects.filter(member__in=members.values(), first=True)
                           .values_list("member_id", flat=True))

    def check(row: Row) -> PlannedRow | None:
        name = row.plain("name", required=True)
        number = row.plain("id_number", required=True, max_length=30) or ""
        member = None
        if number:
            try:
                number = idnumber.validate(number)
            except idnumber.IDNumberError as exc:
                row.error("id_number", str(exc))
            else:
                member = members.get(number)
                if member is None:
                    row.error("id_number", _("no member of %(org)s has this ID number") % {"org": org.name})
                elif name and member.name != name:
                    row.error("name", _("the roster names this ID number %(name)s") % {"name": member.name})
        code = row.plain("community", required=True, max_length=32) or ""
        if code and code not in communities:
            communities[code] = services.community_org_by_code(code)
        community = communities.get(code)
        if code and community is None:
            row.error("community", _("no organization has the code %(code)s") % {"code": code})
        on = row.date("date", required=True)
        mark = row.text("first").strip().casefold()
        first = YES.get(mark)
        if first is None:
            row.error("first", _("write 是 or 否"))
        values = {"address": row.plain("address", max_length=200) or "",
                  "workplace": row.plain("workplace", max_length=100) or "",
                  "phone": row.plain("phone", max_length=20) or "", "skills": row.plain("skills", max_length=200) or "",
                  "offers": row.plain("offers", max_length=300) or ""}
        if row.errors or member is None or community is None or on is None or first is None:
            return None
        key = (member.pk, community.pk, on)
        if key in seen:
            row.error("date", _("this report appears twice in the file"))
            return None
        seen.add(key)
        done = Report.objects.filter(member=member, community_org=community, date=on).exists()
        if first and not done:
            if member.pk in firsts:
                row.error("first", _("%(name)s already made a first report") % {"name": member.name})
                return None
            firsts.add(member.pk)
        return PlannedRow(row.number, "unchanged" if done else "create", member.name, idnumber.mask(number),
                          community.code, member_id=member.pk,
                          values={"member": member, "community_org": community, "on": on, "first": first, **values})

    plan.rows, plan.errors = check_rows(plan.sheet, check, progress)


def plan_import(fileobj: Any, filename: str, *, org: Organization,
                progress: Progress | None = None) -> InserviceImportPlan:
    plan = InserviceImportPlan(filename=filename, org=org)
    if open_sheet(plan, fileobj, filename, COLUMNS) is None:
        return plan
    with pinned_scope():
        _evaluate(plan, progress)
    return plan


def apply_import(plan: InserviceImportPlan, progress: Progress | None = None) -> InserviceImportPlan:
    """Check the rows again and write them in one transaction: all, or none."""
    if not plan.ok or plan.sheet is None or plan.applied or plan.org is None:
        return plan
    fresh = InserviceImportPlan(filename=plan.filename, sheet=plan.sheet, org=plan.org)

    def write(row: PlannedRow) -> None:
        if row.action != "create":
            return
        v = dict(row.values)
        services.report(v.pop("member"), **v)

    columns = {c.field for c in COLUMNS}
    aliases = {"on": "date", "community_org": "community"}

    def column_for(field: str | None) -> str:
        field = aliases.get(field or "", field)
        return fresh.sheet.column_name(field) if field in columns and fresh.sheet is not None else ""

    with pinned_scope():
        return apply_rows(fresh, evaluate=lambda: _evaluate(fresh, progress), write=write, column_for=column_for,
                          progress=progress)


def cli_reports(path: str | os.PathLike[str], *, org: Organization | None, dry_run: bool, actor: Any) -> int:
    assert org is not None  # registered with org_required
    with acting(actor, "cli"), Path(path).open("rb") as fileobj:
        plan = plan_import(fileobj, str(path), org=org)
        if plan.ok and not dry_run:
            plan = apply_import(plan)

    def print_rows(p: Any) -> None:
        for r in p.rows:
            print(f"{r.row}\t{r.action}\t{r.name}")

    def said(counts: dict[str, int]) -> str:
        if not dry_run:
            return _summary(counts)
        return _("dry run: would record %(created)s reports, %(unchanged)s already recorded; nothing was "
                 "written") % {"created": counts.get("create", 0), "unchanged": counts.get("unchanged", 0)}

    return cli_report(plan, dry_run=dry_run, print_rows=print_rows, summary=said)


def _summary(counts: dict[str, int]) -> str:
    return _("Imported: %(created)s rows written, %(unchanged)s already recorded.") % {
        "created": counts.get("create", 0), "unchanged": counts.get("unchanged", 0)}


def _labels() -> dict[str, str]:
    return {"create": _("Record"), "unchanged": _("Unchanged (already recorded)")}


def _describe(r: PlannedRow) -> dict[str, Any]:
    v = r.values
    return {"row": r.row, "action": r.action, "name": r.name, "id_number_masked": r.id_number_masked,
            "community": v["community_org"].name, "date": str(v["on"]), "first": bool(v["first"])}


def _plan(saved: Path, filename: str, org: Organization | None, params: Mapping[str, Any],
          progress: Progress) -> ImportPlan:
    assert org is not None
    with saved.open("rb") as fileobj:
        return plan_import(fileobj, filename, org=org, progress=progress)


def _upload_page(request: HttpRequest, org: Organization | None, form: forms.Form, status: int) -> HttpResponse:
    return render(request, "inservice/import.html", {"org": org, "form": form}, status=status)


def _done_link(job: Any) -> tuple[str, str]:
    return reverse("inservice-home", args=[job.org.code]) + "?side=home", _("In-service members reporting")


FLOW = ImportFlow(
    path="grassroots.inservice.importer.FLOW", title=gettext_lazy("Import in-service members' reports"),
    prefix="inservice-reports-", url_name="inservice-import", plan=_plan, apply=apply_import, describe=_describe,
    rows_template="inservice/_import_rows.html", upload_page=_upload_page, labels=_labels, summary=_summary,
    done_link=_done_link)


@csrf_exempt  # checked by ImportFlow.handle once the upload's size cap is in place
@login_required
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest, code: str) -> HttpResponse:
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs(), code=code)
    if not scope.can_write_org(org):
        raise PermissionDeniedError(_("you may not change %(org)s") % {"org": org})
    return FLOW.handle(request, org)
