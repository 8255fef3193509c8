"""Importing a register of micro-wishes with their history (one organization's: the wishes it collected).

One row a wish: 编号 number (optional), 收集日期 collected on, 心愿内容 the wish, 类别 category, 地点 place, 群众姓名
the resident's name, 联系电话 phone, 渠道 channel (staff entry or visit; blank: staff entry), then what became of
it, each step with its date: 发布日期 published on or 不予发布日期 + 不予发布原因 declined on and why, 认领人 the
claimant (a member of the organization's subtree by name, an organization of the platform by name or code, else
an outside unit by its name) + 认领日期 claimed on, 完成日期 + 完成情况 fulfilled on and how, 确认日期 confirmed
on (by staff for the resident).

Every row is checked first (`plan_import`, which never writes: the dry run): required cells, dates in order and
not in the future, the claimant found, a number not taken by another organization. `apply_import` checks again
and writes every wish through the services, step by step, in one transaction: all the rows or none; an error
names its row and column. A row whose number is already this organization's is "unchanged": importing the same
register twice writes nothing twice.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _

from grassroots.access.scope import current_scope
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
    read_rows,
    read_sheet,
)
from grassroots.members.models import Member
from grassroots.orgs.models import Organization

from . import services
from .models import Category, Channel, Wish

COLUMNS = [
    Column("number", "编号", "Number"),
    Column("collected_on", "收集日期", "Collected on", required=True),
    Column("text", "心愿内容", "Wish", aliases=("微心愿",), required=True),
    Column("category", "类别", "Category"),
    Column("place", "地点", "Place"),
    Column("resident_name", "群众姓名", "Resident's name", aliases=("姓名",), required=True),
    Column("resident_phone", "联系电话", "Phone", aliases=("电话",)),
    Column("channel", "渠道", "Channel"),
    Column("published_on", "发布日期", "Published on"),
    Column("declined_on", "不予发布日期", "Declined on"),
    Column("decline_reason", "不予发布原因", "Reason for declining"),
    Column("claimant", "认领人", "Claimed by", aliases=("认领单位",)),
    Column("claimed_on", "认领日期", "Claimed on"),
    Column("fulfilled_on", "完成日期", "Fulfilled on"),
    Column("fulfil_note", "完成情况", "How it was fulfilled"),
    Column("confirmed_on", "确认日期", "Confirmed on"),
]
TEMPLATE_SHEET = "微心愿"
_SERVICE_FIELD_TO_COLUMN = {"on": "collected_on", "reason": "decline_reason", "note": "fulfil_note",
                            "member": "claimant", "unit": "claimant", "claimant_org": "claimant",
                            "state": "published_on", "org": "number"}
CHANNELS = {"staff": Channel.STAFF, "visit": Channel.VISIT}


@dataclass
class WishRow(PlannedRow):
    """A row of the dry run: `values` are `record_wish`'s arguments, `steps` the history to replay."""

    collected_on: dt.date | None = None
    text: str = ""
    number: str = ""
    steps: list[tuple[str, dt.date, dict[str, Any]]] = field(default_factory=list)
    outcome: str = ""


@dataclass
class WishImportPlan(ImportPlan):
    org: Organization | None = field(default=None, repr=False)


# The Chinese a register writes, whatever the language of the page (the same words as the translations).
CATEGORY_ZH = {"daily": ("生活用品",), "study": ("学习用品", "图书"), "health": ("医疗健康",),
               "home": ("家政维修", "维修"), "company": ("陪伴和文化", "陪伴"), "other": ("其他",)}
CHANNEL_ZH = {"staff": ("工作人员录入", "录入"), "visit": ("走访", "入户走访"), "public": ("网上表单",),
              "qr": ("扫码",)}


def _lookup_choice(choices: Any, chinese: dict[str, tuple[str, ...]]) -> Any:
    index = {norm(v): v for v in choices.values} | {norm(label): v for v, label in choices.choices}
    index |= {norm(_(str(label))): v for v, label in choices.choices}
    index |= {norm(word): v for v, words in chinese.items() for word in words}
    return lambda text: index.get(norm(text))


class _Planner:
    def __init__(self, sheet: Sheet, org: Organization) -> None:
        self.sheet, self.org = sheet, org
        self.today = services.today()
        scope = current_scope()
        members = scope.members(write=True).filter(org__path__startswith=org.path, standing="active")
        self.members: dict[str, list[Member]] = {}
        for m in members.select_related("org"):
            self.members.setdefault(norm(m.name), []).append(m)
        self.orgs = {norm(o.code): o for o in Organization.objects.filter(revoked_on__isnull=True)}
        self.orgs |= {norm(o.name): o for o in self.orgs.values()}
        self.numbers = dict(Wish.objects.values_list("number", "org_id"))
        self.seen: set[str] = set()
        self.category = _lookup_choice(Category, CATEGORY_ZH)
        self.channel = _lookup_choice(Channel, CHANNEL_ZH)

    def _date(self, row: Row, name: str, after: dt.date | None, after_name: str) -> dt.date | None:
        day = row.date(name)
        if day is None:
            return None
        if day > self.today:
            row.error(name, _("the date cannot be in the future"))
        elif after is not None and day < after:
            row.error(name, _("before %(other)s") % {"other": row.column(after_name)})
        return day

    def _claimant(self, row: Row) -> dict[str, Any] | None:
        text = row.plain("claimant", max_length=100)
        if text is None:
            return None
        found = self.members.get(norm(text), [])
        if len(found) > 1:
            row.error("claimant", _("two members of %(org)s are called %(name)s: claim one of them on the wish's "
                                    "page") % {"org": self.org.name, "name": text})
            return None
        if found:
            return {"member": found[0]}
        org = self.orgs.get(norm(text))
        return {"org": org} if org is not None else {"unit": text}

    def check(self, row: Row) -> WishRow | None:
        number = row.plain("number", max_length=40) or ""
        collected_on = self._date(row, "collected_on", None, "")
        if row.raw("collected_on") in (None, ""):
            row.error("collected_on", _("this cell is required"))
        text = row.plain("text", required=True, max_length=1000)
        name = row.plain("resident_name", required=True)
        phone = row.plain("resident_phone", max_length=20) or ""
        category = row.label("category", _("category"), lookup=self.category, required=False,
                             accepted=[words[0] for words in CATEGORY_ZH.values()]) or Category.OTHER
        channel_text = row.text("channel")
        channel = self.channel(channel_text) if channel_text else Channel.STAFF
        if channel not in CHANNELS.values():
            row.error("channel", _("a register's wishes were taken in by staff or on a visit"))
        if number:
            if number in self.seen:
                row.error("number", _("this number appears twice in the file"))
            self.seen.add(number)
            owner = self.numbers.get(number)
            if owner is not None and owner != self.org.pk:
                row.error("number", _("this number belongs to another organization's wish"))
        steps: list[tuple[str, dt.date, dict[str, Any]]] = []
        published = self._date(row, "published_on", collected_on, "collected_on")
        declined = self._date(row, "declined_on", collected_on, "collected_on")
        reason = row.plain("decline_reason", max_length=300)
        claimant = self._claimant(row)
        claimed = self._date(row, "claimed_on", published, "published_on")
        fulfilled = self._date(row, "fulfilled_on", claimed, "claimed_on")
        note = row.plain("fulfil_note", max_length=500)
        confirmed = self._date(row, "confirmed_on", fulfilled, "fulfilled_on")
        if declined is not None:
            if published is not None or claimant is not None:
                row.error("declined_on", _("a declined wish is neither published nor claimed"))
            if not reason:
                row.error("decline_reason", _("say why it was declined"))
            steps.append(("decline", declined, {"reason": reason or ""}))
        if published is not None:
            steps.append(("publish", published, {}))
        if (claimant is None) != (claimed is None):
            row.error("claimed_on" if claimed is None else "claimant", _("a claim needs the claimant and its date"))
        elif claimant is not None and claimed is not None:
            if published is None:
                row.error("published_on", _("a claimed wish was published first"))
            steps.append(("claim", claimed, claimant))
        if fulfilled is not None:
            if claimed is None:
                row.error("claimed_on", _("a fulfilled wish was claimed first"))
            if not note:
                row.error("fulfil_note", _("say how it was fulfilled"))
            steps.append(("fulfil", fulfilled, {"note": note or ""}))
        elif note:
            row.error("fulfilled_on", _("the day it was fulfilled is missing"))
        if confirmed is not None:
            if fulfilled is None:
                row.error("fulfilled_on", _("a confirmed wish was fulfilled first"))
            steps.append(("confirm", confirmed, {}))
        if row.errors or collected_on is None or text is None or name is None:
            return None
        action = "unchanged" if number and self.numbers.get(number) == self.org.pk else "create"
        return WishRow(row=row.number, action=action, name=name, id_number_masked=mask_phone(phone),
                       org_code=self.org.code, collected_on=collected_on, text=text, number=number, steps=steps,
                       outcome=steps[-1][0] if steps else "",
                       values={"text": text, "resident_name": name, "resident_phone": phone, "category": category,
                               "place": row.plain("place", max_length=200) or "", "collected_on": collected_on,
                               "channel": channel})


def _require_entry(org: Organization) -> None:
    if not current_scope().can_write_org(org):
        raise PermissionDeniedError(_("you may not change the wishes of %(org)s") % {"org": org.name})


def _evaluate(plan: WishImportPlan, progress: Progress | None = None) -> None:
    assert plan.sheet is not None and plan.org is not None
    planner = _Planner(plan.sheet, plan.org)
    plan.rows, plan.errors = check_rows(plan.sheet, planner.check, progress)


def plan_import(src: str | os.PathLike[str] | IO[Any], filename: str, *, org: Organization,
                progress: Progress | None = None) -> WishImportPlan:
    """Read and check every row. Never writes. Raises PermissionDeniedError for a user who may not enter the
    organization's wishes."""
    _require_entry(org)
    plan = WishImportPlan(filename=filename, org=org)
    rows, problem = read_rows(src, filename)
    if rows is None:
        plan.errors.append(RowError(0, "", problem))
        return plan
    if org.revoked_on is not None:
        plan.errors.append(RowError(0, "", _("%(org)s has been revoked") % {"org": org.name}))
        return plan
    sheet, errors = read_sheet(rows, COLUMNS, [c for c in COLUMNS if c.required])
    if errors or sheet is None:
        plan.errors = errors
        return plan
    plan.sheet = sheet
    _evaluate(plan, progress)
    return plan


def _column_for(plan: ImportPlan, service_field: str | None) -> str:
    if not service_field or plan.sheet is None:
        return ""
    return plan.sheet.column_name(_SERVICE_FIELD_TO_COLUMN.get(service_field, service_field))


def write_row(org: Organization, row: WishRow) -> Wish | None:
    """One wish and its history, through the services."""
    if row.action != "create":
        return None
    values = dict(row.values)
    wish = services.record_wish(org, number=row.number, **values)
    for step, on, args in row.steps:
        if step == "decline":
            wish = services.decline(wish, on=on, **args)
        elif step == "publish":
            wish = services.publish(wish, on=on)
        elif step == "claim":
            wish = services.claim(wish, on=on, **args)
        elif step == "fulfil":
            wish = services.fulfil(wish, on=on, **args)
        else:
            wish = services.confirm_for_resident(wish, on=on, note=_("confirmed as the register says"))
    return wish


def apply_import(plan: WishImportPlan, progress: Progress | None = None) -> WishImportPlan:
    """Check the rows again and write them in one transaction: every row or none."""
    if not plan.ok or plan.sheet is None or plan.applied or plan.org is None:
        return plan
    org = plan.org
    _require_entry(org)
    fresh = WishImportPlan(filename=plan.filename, sheet=plan.sheet, org=org)

    def write(row: PlannedRow) -> None:
        assert isinstance(row, WishRow)
        write_row(org, row)

    return apply_rows(fresh, evaluate=lambda: _evaluate(fresh, progress), write=write,
                      column_for=lambda name: _column_for(fresh, name), progress=progress)


def template_xlsx(org: Organization) -> bytes:
    """An empty register with the Chinese headers, and a sheet saying what each column accepts."""
    from grassroots.ui import xlsx

    wb = xlsx.new_workbook()
    ws = wb.active
    ws.title = TEMPLATE_SHEET
    xlsx.append(ws, [c.zh + ("*" if c.required else "") for c in COLUMNS])
    notes = wb.create_sheet(_("What each column takes"))
    xlsx.append(notes, [_("Column"), _("What it takes")])
    accepted = {
        "collected_on": "2019-12-31, 2019/12/31, 2019年12月31日",
        "category": "、".join(words[0] for words in CATEGORY_ZH.values()),
        "channel": "、".join(CHANNEL_ZH[c][0] for c in CHANNELS.values()),
        "claimant": _("a member of %(org)s by name, an organization by name or code, or an outside unit's name")
        % {"org": org.name},
    }
    for c in COLUMNS:
        xlsx.append(notes, [c.zh, accepted.get(c.field, c.en)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _print_rows(plan: Any) -> None:
    for r in plan.rows:
        print(f"{r.row}\t{r.action}\t{r.collected_on}\t{r.number or '-'}\t{r.text[:30]}\t{r.outcome or '-'}")


def cli_import(path: str | os.PathLike[str], *, org: Organization, dry_run: bool, actor: Any) -> int:
    with acting(actor, "cli"):
        try:
            plan = plan_import(path, os.path.basename(os.fspath(path)), org=org)
            if plan.ok and not dry_run:
                plan = apply_import(plan)
        except PermissionDeniedError as exc:
            print(exc.message, file=sys.stderr)
            return 1

    def summary(counts: dict[str, int]) -> str:
        if dry_run:
            return _("dry run: would take in %(create)d wishes, %(unchanged)d already taken in; nothing was "
                     "written") % counts
        return _("took in %(create)d wishes, %(unchanged)d were already taken in") % counts

    return cli_report(plan, dry_run=dry_run, print_rows=_print_rows, summary=summary)


def cli_run(path: str | os.PathLike[str], *, org: Organization | None, dry_run: bool, actor: Any) -> int:
    """`grassroots import wishes FILE --org CODE`."""
    assert org is not None  # the registry marks --org required
    return cli_import(path, org=org, dry_run=dry_run, actor=actor)
