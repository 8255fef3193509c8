"""Importing proposals from a sheet (a register of 代表提案): all rows or none, with a dry run, every error naming its
row and column; `grassroots import proposals FILE --org CODE [--dry-run]`.

One row is a proposal made to the organization `--org` names (or to the organization of the row's code, within
it): its matter, details, category (in words: 经济发展, 民生, 城建, 环境, 社会治理, 党建, 其他), the day received, the
proposers (names separated by 、 or commas, the lead first: each matched to a seat held that day or a Party member
of the area where exactly one matches, else recorded as a residents' representative), and, when it was accepted,
the day and the lead unit. A proposal already recorded with the same matter and day is left as it is, so
importing the same sheet again writes nothing.
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
    Sheet,
    apply_rows,
    check_rows,
    cli_report,
    norm,
    open_sheet,
)
from grassroots.orgs.models import Organization

from . import selectors, services
from .forms import split_names
from .models import Proposal, ProposalCategory

COLUMNS = (
    Column("title", "案由", "Matter", aliases=("提案事由", "提案标题", "标题", "事项"), required=True),
    Column("text", "提案内容", "Details", aliases=("内容", "具体内容")),
    Column("category", "类别", "Category", aliases=("提案类别", "分类")),
    Column("received_on", "提出日期", "Received on", aliases=("收到日期", "日期", "提交日期"), required=True),
    Column("proposers", "提案人", "Proposers", aliases=("领衔人", "提出人", "代表"), required=True),
    Column("accepted_on", "立案日期", "Accepted on", aliases=("交办日期",)),
    Column("lead_unit", "承办单位", "Lead unit", aliases=("主办单位",)),
    Column("co_handlers", "协办单位", "Co-handlers", aliases=("会办单位",)),
    Column("org_code", "组织代码", "Organization code"),
)
BY_FIELD = {c.field: c for c in COLUMNS}
SERVICE_FIELDS = {f: f for f in BY_FIELD} | {"org": "org_code", "on": "accepted_on"}

CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    ProposalCategory.ECONOMY: ("经济发展", "经济", "产业", "economy"),
    ProposalCategory.LIVELIHOOD: ("民生", "社会事业", "民生保障", "livelihood"),
    ProposalCategory.CONSTRUCTION: ("城建", "城乡建设", "基础设施", "交通", "水利", "construction"),
    ProposalCategory.ENVIRONMENT: ("环境", "生态环境", "环境卫生", "environment"),
    ProposalCategory.GOVERNANCE: ("社会治理", "治理", "平安建设", "安全", "governance"),
    ProposalCategory.PARTY: ("党建", "党的建设", "party"),
    ProposalCategory.OTHER: ("其他", "其它", "other"),
}
_CATEGORY = {norm(w): k for k, words in CATEGORY_WORDS.items() for w in words}


@dataclass
class ProposalRow(PlannedRow):
    proposal: dict[str, Any] = field(default_factory=dict)
    review: dict[str, Any] = field(default_factory=dict)


@dataclass
class ProposalImportPlan(ImportPlan):
    within: Organization | None = None


class _Planner:
    def __init__(self, sheet: Sheet, within: Organization) -> None:
        self.sheet = sheet
        self.within = within
        self.orgs = {o.code: o for o in current_scope().orgs(write=True).filter(path__startswith=within.path,
                                                                                 revoked_on__isnull=True)}
        self.seen: set[tuple[int, str, Any]] = set()

    def check(self, row: Row) -> ProposalRow | None:
        code = row.plain("org_code", max_length=32)
        org = self.orgs.get(code) if code else self.within
        if code and org is None:
            row.error("org_code", _("no organization %(code)s in %(org)s that you may change")
                      % {"code": code, "org": self.within.name})
        title = row.plain("title", required=True, max_length=200)
        text = row.plain("text", max_length=5000) or ""
        category = (row.label("category", _("Kind of matter"), lookup=lambda t: _CATEGORY.get(norm(t)),
                              accepted=[str(v[0]) for v in CATEGORY_WORDS.values()], required=False)
                    if row.text("category") else ProposalCategory.OTHER)
        received = row.date("received_on", required=True)
        if received is not None and received > services.today():
            row.error("received_on", _("the date is in the future"))
        names = split_names(row.plain("proposers", required=True, max_length=500) or "")
        if row.text("proposers") and not names:
            row.error("proposers", _("name who proposes it"))
        accepted = row.date("accepted_on")
        lead_unit = row.plain("lead_unit", max_length=100) or ""
        co_handlers = row.plain("co_handlers", max_length=300) or ""
        if accepted is not None and not lead_unit:
            row.error("lead_unit", _("name the lead unit of an accepted proposal"))
        if lead_unit and accepted is None:
            row.error("accepted_on", _("give the day it was accepted"))
        if accepted is not None and received is not None and accepted < received:
            row.error("accepted_on", _("accepted before it was received"))
        if accepted is not None and accepted > services.today():
            row.error("accepted_on", _("the date is in the future"))
        if row.errors or org is None or title is None or received is None or category is None:
            return None
        key = (org.pk, title, received)
        if key in self.seen:
            row.error("title", _("%(name)s is twice in the file") % {"name": title})
            return None
        self.seen.add(key)
        people = [selectors.match_proposer(org, n, received) for n in names]
        exists = Proposal.objects.filter(org=org, title=title, received_on=received).exists()
        matched = "、".join(n["name"] + ("*" if ("seat" in n or "member" in n) else "") for n in people)
        return ProposalRow(row=row.number, action="unchanged" if exists else "create", name=title,
                           id_number_masked="", org_code=org.code,
                           proposal={"org": org, "title": title, "text": text, "category": category,
                                     "received_on": received, "proposers": people},
                           review={"on": accepted, "lead_unit": lead_unit, "co_handlers": co_handlers}
                           if accepted else {},
                           values={"title": title, "received_on": received.isoformat(), "proposers": matched,
                                   "category": str(ProposalCategory(category).label),
                                   "accepted_on": accepted.isoformat() if accepted else "",
                                   "lead_unit": lead_unit, "co_handlers": co_handlers})


def _evaluate(plan: ProposalImportPlan, progress: Progress | None = None) -> None:
    assert plan.sheet is not None and plan.within is not None
    plan.rows, plan.errors = check_rows(plan.sheet, _Planner(plan.sheet, plan.within).check, progress)


def plan_import(fileobj_or_path: str | os.PathLike[str] | IO[Any], filename: str, *,
                within: Organization, progress: Progress | None = None) -> ProposalImportPlan:
    """Read and check every row. Never writes."""
    plan = ProposalImportPlan(filename=filename, within=within)
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


def apply_import(plan: ProposalImportPlan, progress: Progress | None = None) -> ProposalImportPlan:
    """Check the rows again and write every proposal in one transaction: all of them, or nothing."""
    if not plan.ok or plan.sheet is None or plan.applied or plan.within is None:
        return plan
    fresh = ProposalImportPlan(filename=plan.filename, sheet=plan.sheet, within=plan.within)

    def write(row: PlannedRow) -> None:
        assert isinstance(row, ProposalRow)
        if row.action != "create":
            return
        p = services.proposal_create(**row.proposal)
        if row.review:
            services.accept(proposal=p, version=p.version, **row.review)

    with pinned_scope():
        return apply_rows(fresh, evaluate=lambda: _evaluate(fresh, progress), write=write,
                          column_for=lambda f: _column_for(fresh, f), progress=progress)


def template_xlsx() -> bytes:
    """An empty register of proposals: the Chinese header row, the columns in the order the importer reads."""
    from grassroots.ui import xlsx

    wb = xlsx.new_workbook()
    ws = wb.active
    ws.title = "代表提案"
    xlsx.append(ws, [c.zh for c in COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _print_rows(plan: ImportPlan) -> None:
    for r in plan.rows:
        v = r.values
        print(f"{_('row')} {r.row}\t{r.action}\t{r.org_code}\t{v['received_on']}\t{v['title']}\t{v['proposers']}")


def summary(counts: dict[str, int]) -> str:
    return _("Imported: %(created)s proposals recorded, %(unchanged)s already recorded.") % {
        "created": counts.get("create", 0), "unchanged": counts.get("unchanged", 0)}


def cli_proposals(path: str | os.PathLike[str], *, org: Organization | None, dry_run: bool, actor: Any) -> int:
    """`grassroots import proposals FILE --org CODE [--dry-run]`: 0 when written (or a clean dry run), 1 on
    errors."""
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
        if not dry_run:
            return summary(counts)
        return _("dry run: would record %(created)s proposals, %(unchanged)s already recorded; nothing was "
                 "written") % {"created": counts.get("create", 0), "unchanged": counts.get("unchanged", 0)}

    return cli_report(plan, dry_run=dry_run, print_rows=_print_rows, summary=said)
