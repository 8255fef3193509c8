"""Import a branch's commitments sheet (.xlsx or .csv): check every row first, then write all or nothing.

Columns (Chinese or English headers): 姓名 name, 身份证号 id_number (required: finds the member, within the user's
write scope and, given an organization, its subtree), 年度 year, 承诺类别 level (共性承诺, 岗位承诺, 实事承诺, 自律承诺),
承诺主题 theme (实事承诺: 社区建设, 文化, 治安, 环境, 其他), 承诺内容 text, 完成时限 deadline, 承诺日期 made_on (blank: the
first of January of the year), and optionally 践诺结果 result (已践诺, 部分践诺, 未践诺), 评议说明 result_note, 评议日期
result_on (blank: the deadline). Each row is checked by the services' own rules; a commitment already recorded
with the same member, year, level and text is "unchanged" (importing the sheet again writes nothing twice); the
same commitment twice in the file is an error naming the row.
"""

from __future__ import annotations

import datetime as dt
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
    apply_rows,
    check_rows,
    cli_report,
    norm,
    open_sheet,
)
from grassroots.members.models import Member
from grassroots.members.rows import member_of_row
from grassroots.orgs.models import Organization

from . import services
from .models import Commitment, Level, Result, Theme

COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", "name", ("党员姓名",)),
    Column("id_number", "身份证号", "id_number", ("身份证号码", "公民身份号码", "身份证"), required=True),
    Column("year", "年度", "year", ("年份", "承诺年度"), required=True),
    Column("level", "承诺类别", "level", ("承诺类型", "类别", "层次"), required=True),
    Column("theme", "承诺主题", "theme", ("主题", "实事类别")),
    Column("text", "承诺内容", "text", ("承诺事项", "内容", "commitment"), required=True),
    Column("deadline", "完成时限", "deadline", ("时限", "完成时间", "截止日期"), required=True),
    Column("made_on", "承诺日期", "made_on", ("作出日期",)),
    Column("result", "践诺结果", "result", ("结果", "评议结果")),
    Column("result_note", "评议说明", "result_note", ("结果说明", "说明", "备注", "note")),
    Column("result_on", "评议日期", "result_on", ("评议时间",)),
)
BY_FIELD = {c.field: c for c in COLUMNS}
LEVEL_LABELS: dict[str, tuple[str, ...]] = {
    Level.COMMON: ("共性承诺", "共性", "common"), Level.POST: ("岗位承诺", "岗位", "post"),
    Level.PRACTICAL: ("实事承诺", "实事", "practical"),
    Level.SELF_DISCIPLINE: ("自律承诺", "自律", "self-discipline", "self_discipline"),
}
THEME_LABELS: dict[str, tuple[str, ...]] = {
    Theme.COMMUNITY: ("社区建设", "社区", "community", "community building"), Theme.CULTURE: ("文化", "culture"),
    Theme.POLICING: ("治安", "社会治安", "policing"), Theme.ENVIRONMENT: ("环境", "环境卫生", "environment"),
    Theme.OTHER: ("其他", "other"),
}
RESULT_LABELS: dict[str, tuple[str, ...]] = {
    Result.KEPT: ("已践诺", "践诺", "kept"), Result.PARTLY: ("部分践诺", "部分", "partly", "partly kept"),
    Result.NOT_KEPT: ("未践诺", "not kept", "not_kept"),
}


def _index(labels: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {norm(label): code for code, words in labels.items() for label in words}


_LEVELS, _THEMES, _RESULTS = _index(LEVEL_LABELS), _index(THEME_LABELS), _index(RESULT_LABELS)


@dataclass
class CommitmentsImportPlan(ImportPlan):
    within: Organization | None = None


class _Checker:
    def __init__(self, plan: CommitmentsImportPlan, scope: Scope) -> None:
        self.plan = plan
        self.scope = scope
        self.seen: dict[tuple[int, int, str, str], int] = {}

    def member(self, row: Row) -> Member | None:
        return member_of_row(row, self.scope, self.plan.within)

    def check(self, row: Row) -> PlannedRow | None:
        member = self.member(row)
        year_text = row.text("year").removesuffix("年度").removesuffix("年")
        year = int(year_text) if year_text.isdigit() else None
        if year is None:
            row.error("year", _("%(value)s is not a year") % {"value": row.text("year")[:20]})
        level = row.label("level", _("level"), lookup=lambda t: _LEVELS.get(norm(t)),
                          accepted=[v[0] for v in LEVEL_LABELS.values()])
        theme = row.label("theme", _("theme"), lookup=lambda t: _THEMES.get(norm(t)),
                          accepted=[v[0] for v in THEME_LABELS.values()], required=False) or ""
        result = row.label("result", _("result"), lookup=lambda t: _RESULTS.get(norm(t)),
                           accepted=[v[0] for v in RESULT_LABELS.values()], required=False) or ""
        text = row.plain("text", required=True, max_length=services.TEXT_MAX)
        note = row.plain("result_note", max_length=500) or ""
        deadline = row.date("deadline", required=True)
        made_on = row.date("made_on")
        result_on = row.date("result_on")
        if row.errors or member is None or year is None or level is None or text is None or deadline is None:
            return None
        made_on = made_on or dt.date(year, 1, 1)
        try:
            level, theme = services._level_theme(level, theme)
            services._deadline(deadline, year, made_on)
            services.branch_of(member, made_on)
        except RuleError as exc:
            row.error(exc.field if exc.field in BY_FIELD else "level", exc.message)
            return None
        if result and result != Result.KEPT and not note:
            row.error("result_note", _("say in a note what was and was not done"))
            return None
        key = (member.pk, year, level, text)
        if key in self.seen:
            row.error("text", _("the same commitment is on row %(row)s") % {"row": self.seen[key]})
            return None
        self.seen[key] = row.number
        exists = Commitment.objects.filter(member=member, year=year, level=level, text=text).exists()
        values = {"member": member, "year": year, "level": level, "theme": theme, "text": text,
                  "deadline": deadline, "made_on": made_on, "result": result, "note": note,
                  "result_on": result_on or (deadline if result else None)}
        return PlannedRow(row.number, "unchanged" if exists else "create", member.name, member.id_number_masked,
                          member.org.code if member.org else "", member_id=member.pk, values=values)


def _evaluate(plan: CommitmentsImportPlan, scope: Scope, progress: Progress | None = None) -> None:
    assert plan.sheet is not None
    plan.rows, plan.errors = check_rows(plan.sheet, _Checker(plan, scope).check, progress)


def plan_import(fileobj_or_path: str | os.PathLike[str] | IO[Any], filename: str, *,
                within: Organization | None = None, progress: Progress | None = None) -> CommitmentsImportPlan:
    """Read and check every row (never writes)."""
    plan = CommitmentsImportPlan(filename=filename, within=within)
    sheet = open_sheet(plan, fileobj_or_path, filename, COLUMNS)
    if sheet is None:
        return plan
    _evaluate(plan, current_scope(), progress)
    return plan


def apply_import(plan: CommitmentsImportPlan, progress: Progress | None = None) -> CommitmentsImportPlan:
    """Check the rows again and record them in one transaction: all of them, or nothing."""
    if not plan.ok or plan.sheet is None or plan.applied:
        return plan
    fresh = CommitmentsImportPlan(filename=plan.filename, sheet=plan.sheet, within=plan.within)

    def write(row: PlannedRow) -> None:
        if row.action != "create":
            return
        v = row.values
        made = services.commitment_make(v["member"], year=v["year"], level=v["level"], theme=v["theme"],
                                        text=v["text"], deadline=v["deadline"], made_on=v["made_on"])
        if v["result"]:
            services.result_set(made, version=None, result=v["result"], note=v["note"], on=v["result_on"])

    def column_for(field: str | None) -> str:
        if field == "on":
            field = "result_on"
        elif field == "note":
            field = "result_note"
        return fresh.sheet.column_name(field) if field in BY_FIELD and fresh.sheet is not None else ""

    return apply_rows(fresh, evaluate=lambda: _evaluate(fresh, current_scope(), progress), write=write,
                      column_for=column_for, progress=progress)


def _print_rows(plan: ImportPlan) -> None:
    labels = {"create": _("record"), "unchanged": _("unchanged")}
    for r in plan.rows:
        v = r.values
        print(f"{_('row')} {r.row}\t{labels.get(r.action, r.action)}\t{r.name}\t{r.id_number_masked}\t{v['year']}"
              f"\t{Level(v['level']).label}\t{v['text'][:40]}\t{v['deadline']}")


def cli_import(path: str | os.PathLike[str], *, dry_run: bool, actor: Any, within: Organization | None = None) -> int:
    with acting(actor, "cli"):
        plan = plan_import(path, os.path.basename(os.fspath(path)), within=within)
        if plan.ok and not dry_run:
            plan = apply_import(plan)

    def summary(counts: dict[str, int]) -> str:
        if dry_run:
            return _("dry run: would record %(create)d commitments, leave %(unchanged)d unchanged; nothing was "
                     "written") % counts
        return _("recorded %(create)d commitments, unchanged %(unchanged)d") % counts

    return cli_report(plan, dry_run=dry_run, print_rows=_print_rows, summary=summary)


def cli_run(path: str | os.PathLike[str], *, org: Organization | None, dry_run: bool, actor: Any) -> int:
    """`grassroots import commitments` as the registry calls it: with --org, every row names a member there."""
    return cli_import(path, dry_run=dry_run, actor=actor, within=org)
