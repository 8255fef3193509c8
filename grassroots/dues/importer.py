"""Import a branch's dues sheet (payments, a year's assessments, or both) from .xlsx or .csv: check every row
first, then write all or nothing.

Columns (Chinese or English headers): 姓名 name, 身份证号 id_number (required: finds the member), 交纳日期
paid_on (required), 金额 amount (required), 所属月份 months (required: "2024-05", "2024-01至2024-03",
"2024年1-3月", "2024年11月至2025年2月", several separated by commas; "自愿" / "voluntary" for a voluntary one-off
payment), 交纳方式 channel (现金, 银行转账, 微信, 支付宝, 其他; blank: cash), 代交人 paid_by, 收据号 receipt,
备注 note.

A year's assessments, alone (a secretary's usual sheet: 姓名, 身份证号, 缴费基数, 月缴纳额, 年度) or beside the
payments on the same rows: 年度 year, 党费类别 category (在岗职工, 离退休, 农民, 学生、下岗失业、低保, 生活困难, 固定金额
and their common variants; blank: the one the member's occupation that year gives), 缴费基数 base (required for
in service and retired), 月缴纳额 monthly_amount (checked against what the rules give for the base; the amount of
a farmer, a hardship or a fixed amount), 批准情况 approval (hardship, fixed). Assessed through `services.assess`
as of the start of the year (`services.assessment_day`); an assessment the same as the record is "unchanged",
a different one "update"; a row's assessment is written before its payment, which may rely on it.

Each payment row is checked by the same rules as `services.record_payment` (`services.check_payment`), within the
acting user's scope. A row whose months are all already paid by one payment of the same date and amount is
"unchanged" (re-importing a sheet writes nothing twice); a month paid by another payment is an error. The
file reading, `RowError` and the plan shapes are the roster importer's (`grassroots.members.importer`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _

from grassroots.access.scope import Scope, current_scope
from grassroots.core.context import acting
from grassroots.core.dates import add_months
from grassroots.core.errors import RuleError
from grassroots.core.sheets import (
    Column,
    ImportPlan,
    PlannedRow,
    Progress,
    Row,
    RowError,
    Sheet,
    apply_rows,
    cell_text,
    check_rows,
    cli_report,
    norm,
    read_rows,
    read_sheet,
)
from grassroots.members.models import Member, MemberPeriod, Occupation
from grassroots.members.rows import member_of_row
from grassroots.orgs.models import Organization

from . import services as dues_services
from .models import Channel, DuesAssessment, DuesCategory, DuesPayment, PaymentKind
from .services import check_payment, first_of_month, money, record_payment, record_voluntary

COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", "name", ("党员姓名", "full_name")),
    Column("id_number", "身份证号", "id_number", ("身份证号码", "公民身份号码", "身份证", "id_no"), required=True),
    Column("paid_on", "交纳日期", "paid_on", ("缴纳日期", "交费日期", "缴费日期", "日期", "date")),
    Column("amount", "金额", "amount", ("交纳金额", "缴纳金额", "党费金额")),
    Column("months", "所属月份", "months", ("交纳月份", "缴纳月份", "月份", "所属期间")),
    Column("channel", "交纳方式", "channel", ("缴纳方式", "交费方式", "方式")),
    Column("paid_by", "代交人", "paid_by", ("代缴人",)),
    Column("receipt", "收据号", "receipt", ("收据编号", "票据号")),
    Column("note", "备注", "note", ("说明",)),
    # A year's assessments (alone or beside the payments): 年度, 党费类别, 缴费基数, 月缴纳额, 批准情况.
    Column("year", "年度", "year", ("年份", "缴费年度", "交纳年度", "党费年度", "核定年度")),
    Column("category", "党费类别", "category", ("人员类别", "缴纳类别", "交纳类别", "党员类别", "dues_category")),
    Column("base", "缴费基数", "base", ("交纳基数", "缴纳基数", "党费基数", "基数", "月工资收入", "月收入", "工资基数",
                                     "计算基数", "monthly_base")),
    Column("monthly", "月缴纳额", "monthly_amount", ("月交纳额", "每月交纳额", "每月缴纳额", "月缴纳党费", "月交纳党费",
                                                 "每月党费", "月应缴额", "月应交额", "monthly")),
    Column("approval", "批准情况", "approval", ("批准文号", "审批情况", "审批")),
)
PAYMENT_FIELDS = ("paid_on", "amount", "months")
ASSESSMENT_FIELDS = ("year", "category", "base", "monthly", "approval")
BY_FIELD = {c.field: c for c in COLUMNS}
_CHANNELS = {
    Channel.CASH: ("现金", "cash"), Channel.BANK: ("银行转账", "转账", "银行", "bank", "bank transfer"),
    Channel.WECHAT: ("微信", "微信支付", "wechat"), Channel.ALIPAY: ("支付宝", "alipay"), Channel.OTHER: ("其他", "other"),
}
_CHANNEL_INDEX = {norm(label): code for code, labels in _CHANNELS.items() for label in labels}
VOLUNTARY_WORDS = {norm(w) for w in ("自愿", "自愿多交", "自愿交纳", "voluntary")}
# The dues categories as secretaries write them (first label as the template's notes list it).
CATEGORY_LABELS: dict[str, tuple[str, ...]] = {
    DuesCategory.IN_SERVICE: ("在岗职工", "在职", "在岗", "在职党员", "在职职工", "在职人员", "灵活就业", "in_service",
                              "in service"),
    DuesCategory.RETIRED: ("离退休", "离退休人员", "退休", "离休", "退休党员", "离退休党员", "retired"),
    DuesCategory.FARMER: ("农民", "农民党员", "农村党员", "farmer"),
    DuesCategory.STUDENT_UNEMPLOYED_RELIEF: ("学生、下岗失业、低保", "学生", "学生党员", "下岗失业", "失业", "下岗", "低保",
                                             "救济", "抚恤", "未就业高校毕业生", "student", "unemployed", "relief",
                                             "student_unemployed_relief"),
    DuesCategory.HARDSHIP: ("生活困难", "困难", "困难党员", "减免", "少交", "免交", "hardship"),
    DuesCategory.FIXED: ("固定金额", "固定", "其他", "fixed"),
}
_CATEGORY_INDEX = {norm(label): code for code, labels in CATEGORY_LABELS.items() for label in labels}
_YEAR = re.compile(r"^(\d{4})\s*年?(?:度)?$")

_MONTH = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?"
_SINGLE = re.compile(rf"^{_MONTH}$")
_RANGE = re.compile(rf"^{_MONTH}\s*(?:至|到|~|～|—|–|-)\s*(?:(\d{{4}})\s*[-/.年]\s*)?(\d{{1,2}})\s*月?$")
_SPLIT = re.compile(r"[,，、;；]")


class MonthsError(ValueError):
    pass


def _month(year: str, month: str) -> dt.date:
    try:
        return dt.date(int(year), int(month), 1)
    except ValueError:
        raise MonthsError(_("%(y)s-%(m)s is not a month") % {"y": year, "m": month}) from None


def parse_months(value: Any) -> list[dt.date] | None:
    """The months a cell names (first days, in order), or None for a voluntary payment."""
    if isinstance(value, dt.datetime | dt.date):
        return [first_of_month(value if not isinstance(value, dt.datetime) else value.date())]
    text = cell_text(value)
    if norm(text) in VOLUNTARY_WORDS:
        return None
    out: list[dt.date] = []
    for part in _SPLIT.split(text):
        part = part.strip()
        if not part:
            continue
        single = _SINGLE.match(part)
        if single:
            out.append(_month(*single.groups()))
            continue
        ranged = _RANGE.match(part)
        if not ranged:
            raise MonthsError(_("%(v)s is not a month or a range of months (use 2024-05, 2024-01至2024-03 or "
                                "2024年1-3月)") % {"v": part[:40]})
        y1, m1, y2, m2 = ranged.groups()
        first, last = _month(y1, m1), _month(y2 or y1, m2)
        if last < first:
            raise MonthsError(_("the range %(v)s ends before it starts") % {"v": part[:40]})
        month = first
        while month <= last:
            out.append(month)
            month = add_months(month, 1)
            if len(out) > 120:
                raise MonthsError(_("the range %(v)s is too long") % {"v": part[:40]})
    if not out:
        raise MonthsError(_("this cell is required (write 自愿 for a voluntary payment)"))
    return out


@dataclass
class DuesImportPlan(ImportPlan):
    """The roster importer's plan, with the organization whose sheet it is (None: the whole scope)."""

    within: Organization | None = field(default=None, repr=False)

    @property
    def counts(self) -> dict[str, int]:
        """By action, and `assessed`: the rows that set a year's assessment (the summary then says so)."""
        return {**super().counts, "assessed": sum(1 for r in self.rows if "assessment" in r.values)}


class _Planner:
    def __init__(self, sheet: Sheet, scope: Scope, within: Organization | None = None) -> None:
        self.sheet = sheet
        self.scope = scope
        self.within = within  # the branch whose sheet this is (the web page's); None: the whole scope
        self.claimed: dict[tuple[int, dt.date], int] = {}  # (member, month) -> the row that pays it
        self.assessed: dict[tuple[int, int], int] = {}  # (member, year) -> the row that assesses it
        self.pending: dict[int, dict[int, Decimal]] = {}  # member -> year -> the monthly amount the file sets
        self.payments = any(f in sheet.columns for f in PAYMENT_FIELDS)
        self.assessments = "year" in sheet.columns

    def run(self, progress: Progress | None = None) -> tuple[list[PlannedRow], list[RowError]]:
        return check_rows(self.sheet, self.check, progress)

    def member(self, row: Row) -> Member | None:
        return member_of_row(row, self.scope, self.within)

    def check(self, row: Row) -> PlannedRow | None:
        """A row: a year's assessment, a payment, or both (the assessment written first)."""
        member = self.member(row)
        has_assessment = self.assessments and any(row.text(f) for f in ASSESSMENT_FIELDS)
        has_payment = self.payments and any(row.text(f) for f in PAYMENT_FIELDS)
        if not has_assessment and not has_payment:
            wanted = PAYMENT_FIELDS if self.payments else ("year",)
            row.error(wanted[0], _("nothing to import on this row: give a payment or the year's assessment"))
            return None
        assessment = self.assessment(row, member) if has_assessment else None
        payment = self.payment(row, member) if has_payment else None
        if row.errors or member is None or (has_assessment and assessment is None) or (has_payment and payment is None):
            return None
        values: dict[str, Any] = {"member": member}
        actions: list[str] = []
        if assessment is not None:
            values["assessment"] = assessment
            actions.append(assessment["action"])
        if payment is not None:
            action, paid = payment
            values.update(paid)
            values["payment_action"] = action
            actions.append(action)
        action = "create" if "create" in actions else "update" if "update" in actions else "unchanged"
        return PlannedRow(row.number, action, member.name, member.id_number_masked,
                          member.org.code if member.org else "", member_id=member.pk, values=values)

    def assessment(self, row: Row, member: Member | None) -> dict[str, Any] | None:
        """The year's assessment on the row (年度, 党费类别, 缴费基数, 月缴纳额, 批准情况), checked by the rules in force
        at the start of that year (`services.assessment_day`); the category, when blank, from the member's
        occupation that year."""
        text = row.text("year")
        year: int | None = None
        if not text:
            row.error("year", _("this cell is required with an assessment"))
        else:
            found = _YEAR.match(text.removesuffix(".0"))
            this_year = dues_services.today().year
            if found is None or not 1950 <= int(found.group(1)) <= this_year + 1:
                row.error("year", _("%(value)s is not a year dues can be assessed for") % {"value": text[:20]})
            else:
                year = int(found.group(1))
        category = None
        category_text = row.text("category")
        if category_text:
            category = _CATEGORY_INDEX.get(norm(category_text))
            if category is None:
                row.error("category", _("unknown dues category %(value)s (use one of %(accepted)s)")
                          % {"value": category_text[:40], "accepted": "、".join(v[0] for v in CATEGORY_LABELS.values())})
        base = self.amount_cell(row, "base")
        monthly = self.amount_cell(row, "monthly")
        approval = row.plain("approval", max_length=200) or ""
        if row.errors or member is None or year is None:
            return None
        if (member.pk, year) in self.assessed:
            row.error("year", _("%(name)s is also assessed for %(year)d on row %(row)d")
                      % {"name": member.name, "year": year, "row": self.assessed[(member.pk, year)]})
            return None
        self.assessed[(member.pk, year)] = row.number
        if category is None:
            occupation = (MemberPeriod.objects.filter(member=member, start__lt=dt.date(year + 1, 1, 1))
                          .order_by("-start").values_list("occupation", flat=True).first()) or member.occupation
            category = dues_services.category_for_occupation(occupation)
        day = dues_services.assessment_day(year)
        ordinary = DuesCategory.RETIRED if member.occupation == Occupation.RETIRED else DuesCategory.IN_SERVICE
        try:
            if category in dues_services.BASED:
                if base is None:
                    raise RuleError(_("the monthly base is required for %(category)s")
                                    % {"category": DuesCategory(category).label}, field="base")
                value, _cite = dues_services.monthly_amount(category=category, base=base, on=day)
                if monthly is not None and monthly != value:
                    raise RuleError(_("the rules give %(value)s a month for a base of %(base)s, not %(monthly)s")
                                    % {"value": value, "base": base, "monthly": monthly}, field="monthly")
                amount = None
            else:
                if base is not None and category != DuesCategory.HARDSHIP:
                    raise RuleError(_("%(category)s has no base: leave it blank")
                                    % {"category": DuesCategory(category).label}, field="base")
                amount = monthly if category in dues_services.ASKED else None
                if category == DuesCategory.STUDENT_UNEMPLOYED_RELIEF and monthly is not None:
                    amount = monthly
                if category in (DuesCategory.HARDSHIP, DuesCategory.FIXED) and not approval:
                    raise RuleError(_("a hardship or fixed amount needs the approval written down"), field="approval")
                value, _cite = dues_services.monthly_amount(category=category, base=base, on=day, amount=amount,
                                                            ordinary=ordinary)
                if category == DuesCategory.STUDENT_UNEMPLOYED_RELIEF:
                    amount = None
        except RuleError as exc:
            row.error(exc.field if exc.field in ("base", "approval", "category") else "monthly", exc.message)
            return None
        self.pending.setdefault(member.pk, {})[year] = value
        existing = DuesAssessment.objects.filter(member=member, year=year).first()
        if existing is None:
            action = "create"
        elif (existing.category, existing.base, existing.monthly_amount, existing.approval) == (
                category, base, value, approval):
            action = "unchanged"
        else:
            action = "update"
        return {"action": action, "year": year, "category": category, "base": base, "amount": amount,
                "approval": approval, "on": day, "monthly_amount": value,
                "before": existing.monthly_amount if existing is not None else None}

    def amount_cell(self, row: Row, name: str) -> Decimal | None:
        text = row.text(name).replace("¥", "").replace("￥", "").removesuffix("元").replace(",", "").strip()
        if not text:
            return None
        try:
            return money(text, field=name, allow_zero=True)
        except RuleError as exc:
            row.error(name, exc.message)
            return None

    def payment(self, row: Row, member: Member | None) -> tuple[str, dict[str, Any]] | None:
        """The payment on the row, checked by `services.check_payment` (with the assessments the file sets
        before it)."""
        paid_on = row.date("paid_on", required=True)
        amount: Decimal | None = None
        text = row.text("amount").replace("¥", "").replace("￥", "").removesuffix("元").replace(",", "").strip()
        if not text:
            row.error("amount", _("this cell is required"))
        else:
            try:
                amount = money(text)
            except RuleError as exc:
                row.error("amount", exc.message)
        months: list[dt.date] | None = None
        try:
            months = parse_months(row.raw("months"))
        except MonthsError as exc:
            row.error("months", str(exc))
        channel = Channel.CASH
        channel_text = row.text("channel")
        if channel_text:
            code = _CHANNEL_INDEX.get(norm(channel_text))
            if code is None:
                row.error("channel", _("unknown payment channel %(value)s (use one of %(accepted)s)")
                          % {"value": channel_text[:40], "accepted": "、".join(v[0] for v in _CHANNELS.values())})
            else:
                channel = Channel(code)
        paid_by = row.plain("paid_by", max_length=50) or ""
        receipt = row.plain("receipt", max_length=60) or ""
        note = row.plain("note", max_length=300) or ""
        if row.errors or member is None or paid_on is None or amount is None:
            return None
        values: dict[str, Any] = {"paid_on": paid_on, "amount": amount, "channel": channel,
                                  "paid_by": paid_by, "receipt": receipt, "note": note}
        if months is None:
            twins = DuesPayment.objects.filter(member=member, kind=PaymentKind.VOLUNTARY, paid_on=paid_on, amount=amount)
            if receipt:
                twins = twins.filter(receipt=receipt)
            action = "unchanged" if twins.exists() else "create"
            return action, {**values, "kind": PaymentKind.VOLUNTARY}
        for month in months:
            other = self.claimed.get((member.pk, month))
            if other is not None:
                row.error("months", _("%(month)s of %(name)s is also paid on row %(row)d")
                          % {"month": f"{month:%Y-%m}", "name": member.name, "row": other})
                return None
        try:
            check = check_payment(member, paid_on=paid_on, months=months, amount=amount, allow_paid=True,
                                  pending=self.pending.get(member.pk))
        except RuleError as exc:
            row.error(exc.field if exc.field in BY_FIELD else "months", exc.message)
            return None
        for month in months:
            self.claimed[(member.pk, month)] = row.number
        action = "create"
        if check.already_paid:
            payments = set(check.already_paid.values())
            earlier = DuesPayment.objects.filter(pk=min(payments)).first() if len(payments) == 1 else None
            same = (earlier is not None and len(check.already_paid) == len(months) and earlier.paid_on == paid_on
                    and earlier.amount == amount and earlier.months.count() == len(months))
            if not same:
                first = min(check.already_paid)
                row.error("months", _("%(name)s has already paid the dues of %(month)s")
                          % {"name": member.name, "month": f"{first:%Y-%m}"})
                return None
            action = "unchanged"
        return action, {**values, "months": months, "kind": check.kind}


def _missing_columns(sheet: Sheet) -> list[RowError]:
    """A payment sheet needs all three payment columns; an assessment sheet its year; a sheet needs one or both."""
    def missing(name: str) -> RowError:
        col = BY_FIELD[name]
        return RowError(sheet.header_row, col.en if sheet.english else col.zh, _("this required column is missing"))

    if any(f in sheet.columns for f in PAYMENT_FIELDS):
        return [missing(f) for f in PAYMENT_FIELDS if f not in sheet.columns]
    if "year" in sheet.columns:
        return []
    if any(f in sheet.columns for f in ASSESSMENT_FIELDS):
        return [missing("year")]
    return [missing(f) for f in PAYMENT_FIELDS]


def _evaluate(plan: DuesImportPlan, scope: Scope, progress: Progress | None = None) -> None:
    assert plan.sheet is not None
    plan.rows, plan.errors = _Planner(plan.sheet, scope, plan.within).run(progress)


def plan_import(fileobj_or_path: str | os.PathLike[str] | IO[Any], filename: str, *,
                within: Organization | None = None, progress: Progress | None = None) -> DuesImportPlan:
    """Read and check every row against the records and the acting user's scope (and, given `within`, that
    organization's subtree: a branch's sheet names the branch's members only). Never writes. `progress(done,
    total)` hears how many rows were checked."""
    plan = DuesImportPlan(filename=filename, within=within)
    rows, problem = read_rows(fileobj_or_path, filename)
    if rows is None:
        plan.errors.append(RowError(0, "", problem))
        return plan
    sheet, errors = read_sheet(rows, COLUMNS, [c for c in COLUMNS if c.required])
    if sheet is not None:
        errors = errors + _missing_columns(sheet)
    if errors or sheet is None:
        plan.errors = errors
        return plan
    plan.sheet = sheet
    _evaluate(plan, current_scope(), progress)
    return plan


def apply_import(plan: DuesImportPlan, progress: Progress | None = None) -> DuesImportPlan:
    """Re-check the plan's rows and record their payments in one transaction: all of them, or nothing.
    `progress(done, total)` hears the rows checked again, then (from 0 again) the rows written."""
    if not plan.ok or plan.sheet is None or plan.applied:
        return plan
    fresh = DuesImportPlan(filename=plan.filename, sheet=plan.sheet, within=plan.within)

    def write(row: PlannedRow) -> None:
        values = dict(row.values)
        member = values.pop("member")
        assessment = values.pop("assessment", None)
        if assessment is not None and assessment["action"] != "unchanged":
            dues_services.assess(member, year=assessment["year"], category=assessment["category"],
                                 base=assessment["base"], amount=assessment["amount"],
                                 approval=assessment["approval"], on=assessment["on"])
        if values.pop("payment_action", "unchanged") != "create":
            return
        if values.pop("kind") == PaymentKind.VOLUNTARY:
            record_voluntary(member, **values)
        else:
            record_payment(member, **values)

    def column_for(field: str | None) -> str:
        return fresh.sheet.column_name(field) if field in BY_FIELD and fresh.sheet is not None else ""

    return apply_rows(fresh, evaluate=lambda: _evaluate(fresh, current_scope(), progress), write=write,
                      column_for=column_for, progress=progress)


def _print_rows(plan: ImportPlan) -> None:
    labels = {"create": _("record"), "update": _("update"), "unchanged": _("unchanged")}
    for r in plan.rows:
        v = r.values
        line = f"{_('row')} {r.row}\t{labels.get(r.action, r.action)}\t{r.name}\t{r.id_number_masked}"
        a = v.get("assessment")
        if a is not None:
            line += (f"\t{a['year']}\t{DuesCategory(a['category']).label}\t{a['base'] if a['base'] is not None else '-'}"
                     f"\t{a['monthly_amount']}/{_('month')}")
        if "paid_on" in v:
            months = ",".join(f"{m:%Y-%m}" for m in v.get("months", [])) or _("voluntary")
            line += f"\t{v['paid_on']}\t{v['amount']}\t{months}"
        print(line)


def has_assessments(plan: ImportPlan) -> bool:
    return any("assessment" in r.values for r in plan.rows)


def cli_import(path: str | os.PathLike[str], *, dry_run: bool, actor: Any, within: Organization | None = None) -> int:
    """The `grassroots import dues` verb: 0 when written (or a clean dry run), 1 on errors."""
    with acting(actor, "cli"):
        plan = plan_import(path, os.path.basename(os.fspath(path)), within=within)
        if plan.ok and not dry_run:
            plan = apply_import(plan)

    def summary(counts: dict[str, int]) -> str:
        if has_assessments(plan):
            if dry_run:
                return _("dry run: would record %(create)d rows of assessments and payments, change %(update)d "
                         "assessments, leave %(unchanged)d unchanged; nothing was written") % counts
            return _("recorded %(create)d rows of assessments and payments, changed %(update)d assessments, "
                     "unchanged %(unchanged)d") % counts
        if dry_run:
            return _("dry run: would record %(create)d payments, leave %(unchanged)d unchanged; nothing was "
                     "written") % counts
        return _("recorded %(create)d payments, unchanged %(unchanged)d") % counts

    return cli_report(plan, dry_run=dry_run, print_rows=_print_rows, summary=summary)


def cli_run(path: str | os.PathLike[str], *, org: Organization | None, dry_run: bool, actor: Any) -> int:
    """`grassroots import dues` as the registry calls it: with --org, every row names a member of its subtree."""
    return cli_import(path, dry_run=dry_run, actor=actor, within=org)
