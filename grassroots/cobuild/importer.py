"""Importing resident units (a community's roster of 驻区单位) and their agreements (共建协议台账) from a sheet: all
rows or none, with a dry run, every error naming its row and column; `grassroots import units FILE --org CODE
[--dry-run]`, `grassroots import cobuild-agreements FILE --org CODE [--dry-run]` and the web imports
(`imports.py`).

One row is a unit, kept by the organization `--org` names (or by the organization of the row's code, within
it). The type is given in words as people write them (机关, 事业单位, 国企, 民营企业, 社会组织…); whether the unit
has a Party organization as 是/否 (有/无); numbers may be full-width. A unit already recorded under its name by
the same organization is left as it is, so importing the same sheet again writes nothing.
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
from grassroots.core.idnumber import mask_phone
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
    norm,
    open_sheet,
)
from grassroots.orgs.models import Organization

from . import services
from .models import ResidentUnit, UnitKind

COLUMNS = (
    Column("name", "单位名称", "Name", aliases=("单位", "名称", "驻区单位"), required=True),
    Column("kind", "单位类型", "Type", aliases=("类型", "单位性质", "性质"), required=True),
    Column("industry", "行业", "Industry", aliases=("所属行业",)),
    Column("address", "地址", "Address", aliases=("单位地址",)),
    Column("contact_name", "联系人", "Contact"),
    Column("contact_phone", "联系电话", "Contact's phone", aliases=("电话", "手机", "联系方式")),
    Column("has_party_org", "是否建立党组织", "Has a Party organization", aliases=("有无党组织", "党组织")),
    Column("party_members", "党员人数", "Party members", aliases=("党员数",)),
    Column("joined_on", "登记日期", "Recorded from", aliases=("纳入日期",)),
    Column("note", "备注", "Note"),
    Column("org_code", "组织代码", "Organization code"),
)
BY_FIELD = {c.field: c for c in COLUMNS}

# the words people write for each type (normalized by core.sheets.norm), besides the English labels
KIND_WORDS: dict[str, tuple[str, ...]] = {
    UnitKind.AGENCY: ("机关", "党政机关", "机关单位", "党政机关单位", "行政机关", "政府机关", "agency"),
    UnitKind.INSTITUTION: ("事业单位", "事业", "institution"),
    UnitKind.STATE_ENTERPRISE: ("国有企业", "国企", "国有", "央企", "state enterprise"),
    UnitKind.PRIVATE_ENTERPRISE: ("非公企业", "民营企业", "私营企业", "非公有制企业", "民企", "个体工商户",
                                  "private enterprise"),
    UnitKind.SOCIAL_ORGANIZATION: ("社会组织", "社会团体", "民办非企业单位", "协会", "social organization"),
    UnitKind.OTHER: ("其他", "其它", "other"),
}
_KIND_LOOKUP = {norm(w): k for k, words in KIND_WORDS.items() for w in words}
_YES = {norm(w) for w in ("是", "有", "已建立", "已建", "yes", "y", "1", "√", "✓")}
_NO = {norm(w) for w in ("否", "无", "没有", "未建立", "未建", "no", "n", "0")}
SERVICE_FIELDS = {f: f for f in BY_FIELD} | {"org": "org_code", "party_org": "has_party_org"}


def kind_of(text: str) -> str | None:
    return _KIND_LOOKUP.get(norm(text))


@dataclass
class UnitRow(PlannedRow):
    unit: dict[str, Any] = field(default_factory=dict)


@dataclass
class AgreementRow(PlannedRow):
    agreement: dict[str, Any] = field(default_factory=dict)


@dataclass
class UnitImportPlan(ImportPlan):
    within: Organization | None = None
    kind: str = "units"


AGREEMENT_COLUMNS = (
    Column("unit", "单位名称", "Unit", aliases=("驻区单位", "共建单位", "单位"), required=True),
    Column("title", "协议名称", "Title", aliases=("协议",), required=True),
    Column("signed_on", "签订日期", "Signed on", aliases=("签约日期",), required=True),
    Column("starts_on", "生效日期", "In force from", aliases=("开始日期",)),
    Column("ends_on", "到期日期", "In force until", aliases=("结束日期", "截止日期")),
    Column("terms", "协议内容", "Terms", aliases=("主要内容", "内容")),
    Column("org_code", "组织代码", "Organization code"),
)
AGREEMENT_FIELDS = {c.field: c for c in AGREEMENT_COLUMNS}


class _Planner:
    def __init__(self, sheet: Sheet, within: Organization) -> None:
        self.sheet = sheet
        self.within = within
        self.orgs = {o.code: o for o in current_scope().orgs(write=True).filter(path__startswith=within.path,
                                                                                 revoked_on__isnull=True)}
        self.seen: set[tuple[int, str]] = set()

    def run(self, progress: Progress | None = None) -> tuple[list[PlannedRow], list[RowError]]:
        return check_rows(self.sheet, self.check, progress)

    def count(self, row: Row) -> int | None:
        text = row.text("party_members").removesuffix("人")
        if not text:
            return 0
        if not text.isdigit() or int(text) > 100000:
            row.error("party_members", _("give a whole number"))
            return None
        return int(text)

    def yes_no(self, row: Row) -> bool | None:
        text = norm(row.text("has_party_org"))
        if not text or text in _NO:
            return False
        if text in _YES:
            return True
        row.error("has_party_org", _("write 是 or 否"))
        return None

    def check(self, row: Row) -> UnitRow | None:
        code = row.plain("org_code", max_length=32)
        org = self.orgs.get(code) if code else self.within
        if code and org is None:
            row.error("org_code", _("no organization %(code)s in %(org)s that you may change")
                      % {"code": code, "org": self.within.name})
        name = row.plain("name", required=True, max_length=100)
        kind = row.label("kind", _("type"), lookup=kind_of,
                         accepted=[str(v[0]) for v in KIND_WORDS.values()])
        industry = row.plain("industry", max_length=50) or ""
        address = row.plain("address", max_length=200) or ""
        contact = row.plain("contact_name", max_length=50) or ""
        phone = (row.plain("contact_phone", max_length=20) or "").replace(" ", "").replace("-", "")
        if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
            row.error("contact_phone", _("a phone number is 7 to 12 digits"))
        has = self.yes_no(row)
        members = self.count(row)
        joined = row.date("joined_on")
        if joined is not None and joined > services.today():
            row.error("joined_on", _("the date is in the future"))
        note = row.plain("note", max_length=300) or ""
        if members and has is False:
            row.error("has_party_org", _("a unit with Party members: write 是"))
        if row.errors or org is None or name is None or kind is None:
            return None
        if (org.pk, name) in self.seen:
            row.error("name", _("%(name)s is twice in the file") % {"name": name})
            return None
        self.seen.add((org.pk, name))
        exists = ResidentUnit.objects.filter(org=org, name=name).exists()
        values = {"org": org, "name": name, "kind": kind, "industry": industry, "address": address,
                  "contact_name": contact, "contact_phone": phone, "has_party_org": bool(has),
                  "party_members": members or 0, "joined_on": joined, "note": note}
        return UnitRow(row=row.number, action="unchanged" if exists else "create", name=name, id_number_masked="",
                       org_code=org.code, unit=values,
                       values={"name": name, "kind": UnitKind(kind).label, "industry": industry,
                               "contact_name": contact, "contact_phone": mask_phone(phone),
                               "has_party_org": bool(has), "party_members": members or 0})


class _AgreementPlanner(_Planner):
    def check(self, row: Row) -> AgreementRow | None:  # type: ignore[override]
        code = row.plain("org_code", max_length=32)
        org = self.orgs.get(code) if code else self.within
        if code and org is None:
            row.error("org_code", _("no organization %(code)s in %(org)s that you may change")
                      % {"code": code, "org": self.within.name})
        name = row.plain("unit", required=True, max_length=100)
        unit = ResidentUnit.objects.filter(org=org, name=name).first() if org is not None and name else None
        if org is not None and name and unit is None:
            row.error("unit", _("%(org)s records no unit named %(name)s: import the units first")
                      % {"org": org.name, "name": name})
        title = row.plain("title", required=True, max_length=200)
        signed = row.date("signed_on", required=True)
        start = row.date("starts_on")
        end = row.date("ends_on")
        terms = row.plain("terms", max_length=5000) or ""
        if signed is not None and signed > services.today():
            row.error("signed_on", _("the date is in the future"))
        if end is not None and end < (start or signed or end):
            row.error("ends_on", _("the term ends before it starts"))
        if row.errors or org is None or unit is None or title is None or signed is None:
            return None
        key = (unit.pk, f"{title}|{signed.isoformat()}")
        if key in self.seen:
            row.error("title", _("%(name)s is twice in the file") % {"name": title})
            return None
        self.seen.add(key)
        exists = unit.agreements.filter(title=title, signed_on=signed).exists()
        return AgreementRow(row=row.number, action="unchanged" if exists else "create", name=unit.name,
                            id_number_masked="", org_code=org.code,
                            agreement={"org": org, "unit": unit, "title": title, "signed_on": signed,
                                       "starts_on": start, "ends_on": end, "terms": terms},
                            values={"unit": unit.name, "title": title, "signed_on": signed.isoformat(),
                                    "term": f"{(start or signed).isoformat()} – {end.isoformat() if end else ''}"})


PLANNERS: dict[str, tuple[tuple[Column, ...], type[_Planner]]] = {
    "units": (COLUMNS, _Planner), "agreements": (AGREEMENT_COLUMNS, _AgreementPlanner)}


def _evaluate(plan: UnitImportPlan, progress: Progress | None = None) -> None:
    assert plan.sheet is not None and plan.within is not None
    plan.rows, plan.errors = PLANNERS[plan.kind][1](plan.sheet, plan.within).run(progress)


def plan_import(fileobj_or_path: str | os.PathLike[str] | IO[Any], filename: str, *, within: Organization,
                progress: Progress | None = None, kind: str = "units") -> UnitImportPlan:
    """Read and check every row (`kind`: "units" or "agreements"). Never writes."""
    plan = UnitImportPlan(filename=filename, within=within, kind=kind)
    columns = PLANNERS[kind][0]
    if not current_scope().can_write_org(within):
        raise PermissionDeniedError(_("you may not change %(org)s") % {"org": within})
    sheet = open_sheet(plan, fileobj_or_path, filename, columns)
    if sheet is None:
        return plan
    with pinned_scope():
        _evaluate(plan, progress)
    return plan


def _column_for(plan: ImportPlan, service_field: str | None) -> str:
    if not service_field or plan.sheet is None:
        return ""
    name = SERVICE_FIELDS.get(service_field, "")
    return plan.sheet.column_name(name) if name in BY_FIELD or name in AGREEMENT_FIELDS else ""


def apply_import(plan: UnitImportPlan, progress: Progress | None = None) -> UnitImportPlan:
    """Check the rows again and write every unit in one transaction: all of them, or nothing."""
    if not plan.ok or plan.sheet is None or plan.applied or plan.within is None:
        return plan
    fresh = UnitImportPlan(filename=plan.filename, sheet=plan.sheet, within=plan.within, kind=plan.kind)

    def write(row: PlannedRow) -> None:
        if row.action != "create":
            return
        if isinstance(row, AgreementRow):
            services.agreement_create(**row.agreement)
        else:
            assert isinstance(row, UnitRow)
            services.unit_create(**row.unit)

    with pinned_scope():
        return apply_rows(fresh, evaluate=lambda: _evaluate(fresh, progress), write=write,
                          column_for=lambda f: _column_for(fresh, f), progress=progress)


def template_xlsx(kind: str = "units") -> bytes:
    """An empty roster (or agreements register) with the Chinese headers."""
    from grassroots.ui import xlsx

    wb = xlsx.new_workbook()
    ws = wb.active
    ws.title = "驻区单位" if kind == "units" else "共建协议"
    xlsx.append(ws, [c.zh for c in PLANNERS[kind][0]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _print_rows(plan: ImportPlan) -> None:
    for r in plan.rows:
        v = r.values
        if isinstance(r, AgreementRow):
            print(f"{_('row')} {r.row}\t{r.action}\t{r.org_code}\t{v['unit']}\t{v['title']}\t{v['term']}")
        else:
            print(f"{_('row')} {r.row}\t{r.action}\t{r.org_code}\t{v['name']}\t{v['kind']}\t{v['party_members']}")


def summary(counts: dict[str, int]) -> str:
    return _("Imported: %(created)s units recorded, %(unchanged)s already recorded.") % {
        "created": counts.get("create", 0), "unchanged": counts.get("unchanged", 0)}


def agreements_summary(counts: dict[str, int]) -> str:
    return _("Imported: %(created)s agreements recorded, %(unchanged)s already recorded.") % {
        "created": counts.get("create", 0), "unchanged": counts.get("unchanged", 0)}


def cli_units(path: str | os.PathLike[str], *, org: Organization | None, dry_run: bool, actor: Any) -> int:
    """`grassroots import units FILE --org CODE [--dry-run]`: 0 when written (or a clean dry run), 1 on errors."""
    return _cli(path, org=org, dry_run=dry_run, actor=actor, kind="units")


def cli_agreements(path: str | os.PathLike[str], *, org: Organization | None, dry_run: bool, actor: Any) -> int:
    """`grassroots import cobuild-agreements FILE --org CODE [--dry-run]`."""
    return _cli(path, org=org, dry_run=dry_run, actor=actor, kind="agreements")


def _cli(path: str | os.PathLike[str], *, org: Organization | None, dry_run: bool, actor: Any, kind: str) -> int:
    assert org is not None  # the registry marks --org required for this verb
    with acting(actor, "cli"):
        try:
            plan = plan_import(path, os.path.basename(os.fspath(path)), within=org, kind=kind)
            if plan.ok and not dry_run:
                plan = apply_import(plan)
        except PermissionDeniedError as exc:
            print(exc.message, file=sys.stderr)
            return 1
    def said(counts: dict[str, int]) -> str:
        if not dry_run:
            return summary(counts) if kind == "units" else agreements_summary(counts)
        values = {"created": counts.get("create", 0), "unchanged": counts.get("unchanged", 0)}
        if kind == "units":
            return _("dry run: would record %(created)s units, %(unchanged)s already recorded; nothing was "
                     "written") % values
        return _("dry run: would record %(created)s agreements, %(unchanged)s already recorded; nothing was "
                 "written") % values

    return cli_report(plan, dry_run=dry_run, print_rows=_print_rows, summary=said)
