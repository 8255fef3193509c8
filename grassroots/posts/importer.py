"""Importing posts with their claims from a sheet (a branch's paper register of 设岗定责): all rows or none, with a
dry run, every error naming its row and column; `grassroots import posts FILE --org CODE [--dry-run]` and the web
import (`imports.py`).

One row is a post, and, if the row names a member, one claim of it. The rows of one post (the same organization
code, title and term start) repeat its columns, which must agree; a post already recorded with that key is used
as it is (its other columns must match it), and a member who already holds or awaits it is left as they are, so
importing the same sheet again writes nothing. A claim with an approval date is approved on that date. Members
are found by ID number within what the user may change, and must be on the roster of the post organization's
subtree; the services check the rest again when writing (seats, terms, the claims limit).
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
from grassroots.members.models import Member, Standing
from grassroots.members.rows import member_of_row
from grassroots.orgs.models import Organization

from . import services
from .models import ACTIVE_STATES, Post, PostClaim, PostKind

COLUMNS = (
    Column("org_code", "组织代码", "Organization code", required=True),
    Column("kind", "岗位类别", "Kind", required=True),
    Column("title", "岗位名称", "Post", aliases=("岗位", "责任岗"), required=True),
    Column("duties", "岗位职责", "Duties", aliases=("职责",)),
    Column("seats", "岗位数", "Seats", aliases=("人数", "名额")),
    Column("term_start", "任期开始", "Term starts", aliases=("开始日期",), required=True),
    Column("term_end", "任期结束", "Term ends", aliases=("结束日期",)),
    Column("place", "地点", "Place"),
    Column("member_name", "认领党员", "Member", aliases=("姓名", "党员姓名")),
    Column("id_number", "身份证号", "ID number", aliases=("公民身份号码", "身份证号码")),
    Column("claimed_on", "认领日期", "Claimed on"),
    Column("approved_on", "审核日期", "Approved on", aliases=("批准日期",)),
)
BY_FIELD = {c.field: c for c in COLUMNS}
SERVICE_FIELDS = {"org": "org_code", "kind": "kind", "title": "title", "duties": "duties", "seats": "seats",
                  "term_start": "term_start", "term_end": "term_end", "place": "place", "member": "id_number",
                  "claimed_on": "claimed_on", "on": "approved_on", "post": "title"}
POST_VALUES = ("kind", "duties", "seats", "term_end", "place")


@dataclass
class PostRow(PlannedRow):
    key: tuple[str, str, str] = ("", "", "")
    post_id: int | None = None
    new_post: bool = False
    post: dict[str, Any] = field(default_factory=dict)
    claim: dict[str, Any] | None = None


@dataclass
class PostImportPlan(ImportPlan):
    within: Organization | None = None


class _Planner:
    def __init__(self, sheet: Sheet, within: Organization) -> None:
        self.sheet = sheet
        self.within = within
        scope = current_scope()
        self.orgs = {o.code: o for o in scope.orgs(write=True).filter(path__startswith=within.path,
                                                                       revoked_on__isnull=True)}
        self.kinds: dict[int, dict[str, PostKind]] = {}
        self.seen: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.claimed: set[tuple[tuple[str, str, str], int]] = set()

    def run(self, progress: Progress | None = None) -> tuple[list[PlannedRow], list[RowError]]:
        return check_rows(self.sheet, self.check, progress)

    def kinds_of(self, org: Organization) -> dict[str, PostKind]:
        if org.pk not in self.kinds:
            self.kinds[org.pk] = {k.name: k for k in services.usable_kinds(org)}
        return self.kinds[org.pk]

    def seats(self, row: Row) -> int | None:
        text = row.text("seats")
        if not text:
            return 1
        try:
            number = int(float(text))
        except ValueError:
            number = 0
        if not 1 <= number <= services.MAX_SEATS or str(number) != text.removesuffix(".0"):
            row.error("seats", _("give a number from 1 to %(n)d") % {"n": services.MAX_SEATS})
            return None
        return number

    def member(self, row: Row, org: Organization) -> Member | None:
        errors = len(row.errors)
        member = member_of_row(row, current_scope(), name_column="member_name")
        if member is None or len(row.errors) > errors:
            return None
        if member.org is None or not member.org.path.startswith(org.path) or member.standing != Standing.ACTIVE:
            row.error("id_number", _("%(name)s is not a member of %(org)s and cannot claim its posts")
                      % {"name": member.name, "org": org.name})
            return None
        return member

    def check(self, row: Row) -> PostRow | None:
        code = row.plain("org_code", required=True, max_length=32)
        org = self.orgs.get(code or "")
        if code and org is None:
            row.error("org_code", _("no organization %(code)s in %(org)s that you may change")
                      % {"code": code, "org": self.within.name})
        title = row.plain("title", required=True, max_length=100)
        kind_name = row.plain("kind", required=True, max_length=50)
        kind = self.kinds_of(org).get(kind_name or "") if org is not None else None
        if org is not None and kind_name and kind is None:
            row.error("kind", _("unknown kind %(value)s (use one of %(accepted)s)")
                      % {"value": kind_name, "accepted": "、".join(self.kinds_of(org)) or "—"})
        start = row.date("term_start", required=True)
        end = row.date("term_end")
        if start and end and end < start:
            row.error("term_end", _("the term ends before it starts"))
        seats = self.seats(row)
        duties = row.plain("duties", max_length=2000) or ""
        place = row.plain("place", max_length=200) or ""
        claimed_on = row.date("claimed_on")
        approved_on = row.date("approved_on")
        wants_claim = bool(row.text("member_name") or row.text("id_number"))
        member = self.member(row, org) if wants_claim and org is not None else None
        if row.errors or org is None or kind is None or start is None or title is None or seats is None:
            return None
        key = (org.code, title, start.isoformat())
        values = {"kind": kind, "duties": duties, "seats": seats, "term_end": end, "place": place}
        existing = Post.objects.filter(org=org, title=title, term_start=start).first()
        first = self.seen.get(key)
        if first is None and existing is not None:
            first = {"kind": existing.kind, "duties": existing.duties, "seats": existing.seats,
                     "term_end": existing.term_end, "place": existing.place}
        if first is not None:
            for name in POST_VALUES:
                if first[name] != values[name] and not (name in ("duties", "place") and not values[name]):
                    row.error(name, _("differs from the same post's %(column)s above or as recorded")
                              % {"column": row.column(name)})
            if row.errors:
                return None
            values = first
        new_post = existing is None and key not in self.seen
        self.seen.setdefault(key, values)
        claim: dict[str, Any] | None = None
        if member is not None:
            day = claimed_on or start
            if day > services.today() or (approved_on is not None and approved_on > services.today()):
                row.error("approved_on" if claimed_on and day <= services.today() else "claimed_on",
                          _("the date is in the future"))
                return None
            if approved_on is not None and approved_on < day:
                row.error("approved_on", _("the date is before the claim (%(date)s)") % {"date": day})
                return None
            if (key, member.pk) in self.claimed:
                row.error("id_number", _("%(name)s claims this post twice in the file") % {"name": member.name})
                return None
            self.claimed.add((key, member.pk))
            held = existing is not None and PostClaim.objects.filter(post=existing, member=member,
                                                                     state__in=ACTIVE_STATES).exists()
            if not held:
                claim = {"member": member, "claimed_on": day, "approved_on": approved_on}
        action = "create" if new_post or claim is not None else "unchanged"
        return PostRow(row=row.number, action=action, name=member.name if member else "",
                       id_number_masked=member.id_number_masked if member else "", org_code=org.code,
                       member_id=member.pk if member else None, key=key,
                       post_id=existing.pk if existing else None, new_post=new_post,
                       post={"org": org, "title": title, "term_start": start, **values}, claim=claim,
                       values={"title": title, "kind": kind.name, "seats": values["seats"],
                               "term_start": start.isoformat(), "claimed_on": day.isoformat() if claim else "", "approved_on": approved_on.isoformat()
                               if claim and approved_on else ""})


def _evaluate(plan: PostImportPlan, progress: Progress | None = None) -> None:
    assert plan.sheet is not None and plan.within is not None
    plan.rows, plan.errors = _Planner(plan.sheet, plan.within).run(progress)


def plan_import(fileobj_or_path: str | os.PathLike[str] | IO[Any], filename: str, *, within: Organization,
                progress: Progress | None = None) -> PostImportPlan:
    """Read and check every row. Never writes."""
    plan = PostImportPlan(filename=filename, within=within)
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


def apply_import(plan: PostImportPlan, progress: Progress | None = None) -> PostImportPlan:
    """Check the rows again and write every post and claim in one transaction: all of them, or nothing."""
    if not plan.ok or plan.sheet is None or plan.applied or plan.within is None:
        return plan
    fresh = PostImportPlan(filename=plan.filename, sheet=plan.sheet, within=plan.within)
    made: dict[tuple[str, str, str], Post] = {}

    def write(row: PlannedRow) -> None:
        assert isinstance(row, PostRow)
        post = made.get(row.key)
        if post is None:
            if row.post_id is not None:
                post = Post.objects.get(pk=row.post_id)
            else:
                post = services.post_create(**row.post)
            made[row.key] = post
        if row.claim is not None:
            claim = services.claim_post(post=post, member=row.claim["member"], claimed_on=row.claim["claimed_on"])
            if row.claim["approved_on"] is not None:
                services.claim_approve(claim, version=claim.version, on=row.claim["approved_on"])

    with pinned_scope():
        return apply_rows(fresh, evaluate=lambda: _evaluate(fresh, progress), write=write,
                          column_for=lambda f: _column_for(fresh, f), progress=progress)


def template_xlsx() -> bytes:
    """An empty register with the Chinese headers."""
    from grassroots.ui import xlsx

    wb = xlsx.new_workbook()
    ws = wb.active
    ws.title = "设岗定责"
    xlsx.append(ws, [c.zh for c in COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _print_rows(plan: ImportPlan) -> None:
    for r in plan.rows:
        assert isinstance(r, PostRow)
        v = r.values
        print(f"{_('row')} {r.row}\t{r.action}\t{r.org_code}\t{v['title']}\t{v['kind']}\t{v['term_start']}\t"
              f"{r.name or '-'}\t{v['claimed_on'] or '-'}\t{v['approved_on'] or '-'}")


def summary(counts: dict[str, int]) -> str:
    return _("Imported: %(created)s rows of posts and claims written, %(unchanged)s already recorded.") % {
        "created": counts.get("create", 0), "unchanged": counts.get("unchanged", 0)}


def cli_run(path: str | os.PathLike[str], *, org: Organization | None, dry_run: bool, actor: Any) -> int:
    """`grassroots import posts FILE --org CODE [--dry-run]`: 0 when written (or a clean dry run), 1 on errors."""
    assert org is not None  # the registry marks --org required for this verb
    with acting(actor, "cli"):
        try:
            plan = plan_import(path, os.path.basename(os.fspath(path)), within=org)
            if plan.ok and not dry_run:
                plan = apply_import(plan)
        except PermissionDeniedError as exc:
            print(exc.message, file=sys.stderr)
            return 1
    return cli_report(plan, dry_run=dry_run, print_rows=_print_rows, summary=summary)
