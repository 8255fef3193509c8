"""Importing an assistance ledger as people keep it: one row an entry.

Columns: 户编号 household number or 户主姓名 the head's name (one of them; the number wins), 救助类别 kind (a
statutory kind by its Chinese or English name, or a local kind by its name), 形式 form (现金 / 物资 / 服务; blank:
cash when there is an amount, else goods), 金额 amount (yuan), 物资 goods, 数量 quantity, 日期 date, 来源 source
(政府 / 单位 / 党组织 / 捐赠 / 其他), 来源名称 the source's name, 人数 persons helped, 备注 note.

`plan_import` checks every row and writes nothing (the dry run); `apply_import` checks again and writes every row
through `services.assistance_record` in one transaction: all the rows or none; an error names its row and column.
A row the ledger already holds (same household, kind, day, amount and goods) is "unchanged": importing the same
file twice writes nothing twice.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db.models import Q
from django.utils.translation import gettext as _

from grassroots.access.scope import current_scope
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
    norm,
    open_sheet,
)
from grassroots.households.models import Household
from grassroots.orgs.models import Organization
from grassroots.rules.registry import in_force

from . import selectors, services
from .models import Assistance, Form, LocalKind, Source

COLUMNS = [
    Column("code", "户编号", "Household number", aliases=("户号", "编号")),
    Column("head_name", "户主姓名", "Head of household", aliases=("户主", "姓名")),
    Column("kind", "救助类别", "Kind", aliases=("类别", "救助类型"), required=True),
    Column("form", "形式", "Form", aliases=("救助形式",)),
    Column("amount", "金额", "Amount", aliases=("金额（元）", "救助金额")),
    Column("goods", "物资", "Goods", aliases=("物资名称",)),
    Column("quantity", "数量", "Quantity"),
    Column("given_on", "日期", "Date", aliases=("救助日期", "发放日期"), required=True),
    Column("source", "来源", "Source", aliases=("资金来源",)),
    Column("source_name", "来源名称", "Source's name", aliases=("捐赠单位", "帮扶单位")),
    Column("persons_count", "人数", "Persons", aliases=("救助人数",)),
    Column("note", "备注", "Note"),
]
FORM_ZH = {Form.CASH: ("现金", "资金", "cash"), Form.GOODS: ("物资", "实物", "goods"),
           Form.SERVICE: ("服务", "service")}
SOURCE_ZH = {Source.GOVERNMENT: ("政府", "民政", "government"), Source.UNIT: ("单位", "驻区单位", "unit"),
             Source.PARTY: ("党组织", "党委", "支部", "party"), Source.DONATIONS: ("捐赠", "社会捐赠", "donations"),
             Source.OTHER: ("其他", "other")}
_FIELD_TO_COLUMN = {"household": "head_name", "persons": "persons_count"}


@dataclass
class AssistanceRow(PlannedRow):
    given_on: dt.date | None = None
    kind_name: str = ""
    household_code: str = ""


@dataclass
class AssistanceImportPlan(ImportPlan):
    org: Organization | None = field(default=None, repr=False)


def _index(words: dict[Any, tuple[str, ...]]) -> dict[str, str]:
    return {norm(w): str(code) for code, ws in words.items() for w in (*ws, code)}


class _Planner:
    def __init__(self, sheet: Sheet, org: Organization | None) -> None:
        self.sheet, self.org = sheet, org
        self.today = services.today()
        scope = current_scope()
        households = Household.objects.visible_to(scope, write=True).select_related("territory")
        if org is not None:
            q = Q(pk__in=[])
            for p in selectors.place_paths(org):
                q |= Q(territory__path__startswith=p)
            households = households.filter(q)
        self.by_code: dict[str, Household] = {}
        self.by_name: dict[str, list[Household]] = {}
        for h in households:
            self.by_code[norm(h.code)] = h
            if h.left_on is None:
                self.by_name.setdefault(norm(h.head_name), []).append(h)
        rule = in_force("assistance.statutory_kinds", self.today)
        self.kinds = {norm(w): k["code"] for k in rule["kinds"] for w in (k["zh"], k["en"], k["code"])}
        for k in LocalKind.objects.filter(active=True).filter(
                org__in=scope.orgs() if not scope.unrestricted else Organization.objects.all()):
            self.kinds.setdefault(norm(k.name), f"{selectors.LOCAL_PREFIX}{k.pk}")
        self.forms = _index(FORM_ZH)
        self.sources = _index(SOURCE_ZH)
        self.existing: set[tuple[Any, ...]] = set(Assistance.objects.filter(household__in=list(self.by_code.values())).values_list(
            "household_id", "kind", "local_kind_id", "given_on", "amount", "goods"))

    def _household(self, row: Row) -> Household | None:
        code = row.plain("code", max_length=40)
        name = row.plain("head_name", max_length=50)
        if code:
            found = self.by_code.get(norm(code))
            if found is None:
                row.error("code", _("no household %(code)s in the places you may write") % {"code": code})
            return found
        if not name:
            row.error("head_name", _("give the household number or the head of household's name"))
            return None
        matches = self.by_name.get(norm(name), [])
        if not matches:
            row.error("head_name", _("no household headed by %(name)s in the places you may write") % {"name": name})
            return None
        if len(matches) > 1:
            row.error("head_name", _("%(n)d households are headed by %(name)s: give the household number")
                      % {"n": len(matches), "name": name})
            return None
        return matches[0]

    def _number(self, row: Row, name: str) -> Decimal | None:
        text = unicodedata.normalize("NFKC", row.text(name)).replace(",", "").replace("元", "").strip()
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            row.error(name, _("%(value)s is not a number") % {"value": text[:20]})
            return None
        if not value.is_finite() or value <= 0 or value > services.MAX_AMOUNT:
            row.error(name, _("the number must be more than zero"))
            return None
        if value != value.quantize(Decimal("0.01")):
            row.error(name, _("at most two decimal places"))
            return None
        return value

    def check(self, row: Row) -> AssistanceRow | None:
        household = self._household(row)
        kind = row.label("kind", _("kind of assistance"), lookup=lambda t: self.kinds.get(norm(t)),
                         accepted=[n for _c, n in selectors.statutory_kinds(self.today)])
        given_on = row.date("given_on", required=True)
        if given_on is not None and given_on > self.today:
            row.error("given_on", _("the date cannot be in the future"))
        amount = self._number(row, "amount")
        quantity = self._number(row, "quantity")
        goods = row.plain("goods", max_length=200) or ""
        form_text = row.text("form")
        if form_text:
            form = self.forms.get(norm(form_text))
            if form is None:
                row.error("form", _("unknown form %(value)s (use one of %(accepted)s)")
                          % {"value": form_text[:20], "accepted": "、".join(w[0] for w in FORM_ZH.values())})
        else:
            form = Form.CASH if amount is not None else Form.GOODS
        if form == Form.CASH and amount is None:
            row.error("amount", _("write the amount of cash"))
        if form == Form.GOODS and not goods:
            row.error("goods", _("say what goods were given"))
        source_text = row.text("source")
        source = self.sources.get(norm(source_text)) if source_text else Source.GOVERNMENT
        if source is None:
            row.error("source", _("unknown source %(value)s (use one of %(accepted)s)")
                      % {"value": source_text[:20], "accepted": "、".join(w[0] for w in SOURCE_ZH.values())})
        source_name = row.plain("source_name", max_length=100) or ""
        if source in (Source.UNIT, Source.OTHER) and not source_name:
            row.error("source_name", _("name the unit or the giver"))
        persons_text = unicodedata.normalize("NFKC", row.text("persons_count")).strip()
        persons: int | None = None
        if persons_text:
            try:
                persons = int(Decimal(persons_text))
            except InvalidOperation:
                persons = 0
            if not 1 <= persons <= 50:
                row.error("persons_count", _("between 1 and 50 persons"))
        if household is not None and given_on is not None:
            if household.registered_on is not None and given_on < household.registered_on:
                row.error("given_on", _("the household was registered on %(day)s")
                          % {"day": household.registered_on.isoformat()})
            if household.left_on is not None and given_on >= household.left_on:
                row.error("given_on", _("the household left on %(day)s") % {"day": household.left_on.isoformat()})
        if row.errors or household is None or kind is None or given_on is None:
            return None
        local_id = int(kind[len(selectors.LOCAL_PREFIX):]) if kind.startswith(selectors.LOCAL_PREFIX) else None
        key = (household.pk, "" if local_id else kind, local_id, given_on, amount, goods)
        action = "unchanged" if key in self.existing else "create"
        self.existing.add(key)  # the same entry twice in the file is taken in once
        return AssistanceRow(row=row.number, action=action, name=household.head_name, id_number_masked="",
                             org_code=self.org.code if self.org else "", given_on=given_on,
                             kind_name=row.text("kind"), household_code=household.code,
                             values={"household": household, "kind": kind, "form": form, "amount": amount,
                                     "goods": goods, "quantity": quantity if form == Form.GOODS else None,
                                     "given_on": given_on, "source": source, "source_name": source_name,
                                     "persons_count": persons, "note": row.plain("note", max_length=300) or ""})


def _evaluate(plan: AssistanceImportPlan, progress: Progress | None = None) -> None:
    assert plan.sheet is not None
    planner = _Planner(plan.sheet, plan.org)
    plan.rows, plan.errors = check_rows(plan.sheet, planner.check, progress)


def _require(org: Organization | None) -> None:
    scope = current_scope()
    if org is not None and not scope.can_write_org(org):
        raise PermissionDeniedError(_("you may not import the assistance of %(org)s") % {"org": org.name})
    if org is None and not scope.unrestricted and not scope.place_paths(write=True):
        raise PermissionDeniedError(_("you write no place's records"))


def plan_import(src: str | os.PathLike[str] | IO[Any], filename: str, *, org: Organization | None,
                progress: Progress | None = None) -> AssistanceImportPlan:
    """Read and check every row. Never writes."""
    _require(org)
    plan = AssistanceImportPlan(filename=filename, org=org)
    sheet = open_sheet(plan, src, filename, COLUMNS)
    if sheet is None:
        return plan
    if "code" not in sheet.columns and "head_name" not in sheet.columns:
        plan.errors = [RowError(sheet.header_row, "", _("the file needs a column 户编号 or 户主姓名"))]
        return plan
    _evaluate(plan, progress)
    return plan


def apply_import(plan: AssistanceImportPlan, progress: Progress | None = None) -> AssistanceImportPlan:
    """Check the rows again and write them in one transaction: every row or none."""
    if not plan.ok or plan.sheet is None or plan.applied:
        return plan
    _require(plan.org)
    fresh = AssistanceImportPlan(filename=plan.filename, sheet=plan.sheet, org=plan.org)

    def write(row: PlannedRow) -> None:
        if row.action == "create":
            services.assistance_record(**row.values)

    def column_for(name: str | None) -> str:
        if not name or fresh.sheet is None:
            return ""
        return fresh.sheet.column_name(_FIELD_TO_COLUMN.get(name, name))

    return apply_rows(fresh, evaluate=lambda: _evaluate(fresh, progress), write=write, column_for=column_for,
                      progress=progress)


def template_xlsx() -> bytes:
    from grassroots.ui import xlsx

    wb = xlsx.new_workbook()
    ws = wb.active
    ws.title = "救助台账"
    xlsx.append(ws, [c.zh + ("*" if c.required else "") for c in COLUMNS])
    notes = wb.create_sheet(_("What each column takes"))
    xlsx.append(notes, [_("Column"), _("What it takes")])
    accepted = {"kind": "、".join(n for _c, n in selectors.statutory_kinds()),
                "form": "、".join(w[0] for w in FORM_ZH.values()),
                "source": "、".join(w[0] for w in SOURCE_ZH.values()),
                "given_on": "2019-12-31, 2019/12/31, 2019年12月31日"}
    for c in COLUMNS:
        xlsx.append(notes, [c.zh, accepted.get(c.field, c.en)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def cli_run(path: str | os.PathLike[str], *, org: Organization | None, dry_run: bool, actor: Any) -> int:
    """`grassroots import assistance FILE [--org CODE] [--dry-run]`."""
    with acting(actor, "cli"):
        try:
            plan = plan_import(path, os.path.basename(os.fspath(path)), org=org)
            if plan.ok and not dry_run:
                plan = apply_import(plan)
        except PermissionDeniedError as exc:
            print(exc.message, file=sys.stderr)
            return 1

    def print_rows(p: Any) -> None:
        for r in p.rows:
            print(f"{r.row}\t{r.action}\t{r.given_on}\t{r.household_code}\t{r.kind_name}")

    def summary(counts: dict[str, int]) -> str:
        values = {"create": counts.get("create", 0), "unchanged": counts.get("unchanged", 0)}
        if dry_run:
            return _("dry run: would record %(create)d entries, %(unchanged)d already in the ledger; nothing was "
                     "written") % values
        return _("recorded %(create)d entries, %(unchanged)d were already in the ledger") % values

    return cli_report(plan, dry_run=dry_run, print_rows=print_rows, summary=summary)
