"""Import the organization tree and the territory tree from a spreadsheet: check every row, then write all or nothing.

A workbook (.xlsx or .xls) may hold two sheets, told apart by their headers (Chinese or English) or a sheet named
地域 / territory; a .csv file holds one of them. Rows may come in any order: a parent may be a later row of the
same sheet or a record that already exists.

- Organizations: 组织代码 code, 组织名称 name, 组织类别 kind (党委, 街道党工委 or 党工委, 党总支, 党支部, 党小组, or the
  codes committee, working_committee, general_branch, branch, party_group), 上级组织代码 parent (blank only for a
  top organization, which only the site administrator may create), 成立日期 founded_on, 所在地域代码 territory
  (optional: the organization's own place, a place of the territory sheet or one that exists).
- Places: 地域代码 code, 地域名称 name, 地域类别 kind (县（区）, 镇, 街道, 社区, 村, 村民小组, 网格 or their codes),
  上级地域代码 parent, 设立日期 since (optional: blank means it was there before the records).

Every write goes through `orgs.services` (`territory_create`, `org_create`, `territory_hold`), so the tree's
rules, the acting user's scope and the audit apply; the dry run checks the same rules first and names the row and
the column of every error.

Re-importing: a row whose code exists with the same values is "unchanged", so importing the same file twice writes
nothing the second time. An existing organization without a place of its own that the file gives a place is an
"update": the place is given to it (`territory_hold`) from its founding date (or the place's, if later). Any other
difference (a name, kind, parent or date that is not the recorded one) is an error: a rename or a move is a dated
decision, recorded on the organization's page, never guessed from a file.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots.access.scope import Scope, current_scope
from grassroots.core import sheets
from grassroots.core.context import acting
from grassroots.core.sheets import (
    Column,
    ImportPlan,
    PlannedRow,
    Row,
    RowError,
    Sheet,
    apply_rows,
    check_rows,
    cli_report,
    norm,
    read_sheet,
)

from .models import Organization, OrgKind, Territory, TerritoryKind
from .selectors import current_state, current_territory_state
from .services import ALLOWED_PARENTS, org_create, territory_create, territory_hold

ORG_COLUMNS: tuple[Column, ...] = (
    Column("code", "组织代码", "code", ("党组织代码", "组织编码", "代码", "org_code"), required=True),
    Column("name", "组织名称", "name", ("党组织名称", "组织全称", "名称", "org_name"), required=True),
    Column("kind", "组织类别", "kind", ("党组织类别", "组织类型", "类别", "类型", "org_kind"), required=True),
    Column("parent", "上级组织代码", "parent", ("上级党组织代码", "上级代码", "上级组织", "parent_code")),
    Column("founded_on", "成立日期", "founded_on", ("成立时间", "建立日期", "组建日期", "founded"), required=True),
    Column("territory", "所在地域代码", "territory", ("所在地域", "所属地域代码", "地域", "territory_code", "place")),
)
PLACE_COLUMNS: tuple[Column, ...] = (
    Column("code", "地域代码", "code", ("区域代码", "地域编码", "代码", "place_code"), required=True),
    Column("name", "地域名称", "name", ("区域名称", "名称", "place_name"), required=True),
    Column("kind", "地域类别", "kind", ("地域类型", "区域类别", "类别", "类型", "place_kind"), required=True),
    Column("parent", "上级地域代码", "parent", ("上级区域代码", "上级代码", "上级地域", "parent_code")),
    Column("since", "设立日期", "since", ("设立时间", "成立日期", "建立日期", "since_on")),
)
ORG_BY_FIELD = {c.field: c for c in ORG_COLUMNS}
PLACE_BY_FIELD = {c.field: c for c in PLACE_COLUMNS}
ORG_SHEET = "组织"
PLACE_SHEET = "地域"
PLACE_SHEET_TITLES = {norm(t) for t in ("地域", "地域树", "区域", "territory", "territories", "places", "place")}

# The kinds as people write them, besides the code and the label in either language.
ORG_KIND_WORDS: dict[str, tuple[str, ...]] = {
    OrgKind.COMMITTEE: ("党委", "基层党委", "党委员会", "党的委员会", "基层党的委员会"),
    OrgKind.WORKING_COMMITTEE: ("街道党工委", "党工委", "工委", "街道工委", "党的工作委员会", "街道党的工作委员会"),
    OrgKind.GENERAL_BRANCH: ("党总支", "总支", "党总支部", "总支部", "党的总支部委员会", "党总支部委员会"),
    OrgKind.BRANCH: ("党支部", "支部", "联合党支部", "联合支部", "党的支部委员会", "党支部委员会"),
    OrgKind.PARTY_GROUP: ("党小组", "小组"),
}
PLACE_KIND_WORDS: dict[str, tuple[str, ...]] = {
    TerritoryKind.COUNTY: ("县（区）", "县区", "县", "区", "县级市", "市辖区"),
    TerritoryKind.TOWN: ("镇", "乡", "乡镇"),
    TerritoryKind.STREET: ("街道", "街道办事处", "街道办"),
    TerritoryKind.COMMUNITY: ("社区", "社区居委会", "居委会", "居民委员会"),
    TerritoryKind.VILLAGE: ("村", "行政村", "村委会", "村民委员会"),
    TerritoryKind.VILLAGER_GROUP: ("村民小组", "村小组", "组"),
    TerritoryKind.GRID: ("网格", "网格单元"),
}


def _kind_index(choices: Any, words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for code, label in choices.choices:
        index[norm(code)] = code
        index[norm(code.replace("_", " "))] = code
        with translation.override("en"):
            index[norm(str(label))] = code
        with translation.override("zh-hans"):
            index[norm(str(label))] = code
    for code, texts in words.items():
        for text in texts:
            index[norm(text)] = str(code)
    return index


def org_kind_of(text: str) -> str | None:
    return _kind_index(OrgKind, ORG_KIND_WORDS).get(norm(text))


def place_kind_of(text: str) -> str | None:
    return _kind_index(TerritoryKind, PLACE_KIND_WORDS).get(norm(text))


def accepted_kinds(words: dict[str, tuple[str, ...]]) -> list[str]:
    """What the error messages and the template's help sheet list: the first word of each kind, and its code."""
    return [f"{texts[0]} ({code})" for code, texts in words.items()]


@dataclass
class OrgImportPlan(ImportPlan):
    """The dry run of an organization sheet: `sheet` holds the organizations (if any), `place_sheet` the places."""

    place_sheet: Sheet | None = field(default=None, repr=False)
    place_title: str = ""

    @property
    def place_counts(self) -> dict[str, int]:
        out = dict.fromkeys(sheets.ACTIONS, 0)
        for r in self.rows:
            if r.values.get("sheet") == "place":
                out[r.action] += 1
        return out

    @property
    def org_counts(self) -> dict[str, int]:
        out = dict.fromkeys(sheets.ACTIONS, 0)
        for r in self.rows:
            if r.values.get("sheet") == "org":
                out[r.action] += 1
        return out

    @property
    def counts(self) -> dict[str, int]:
        """By action, then by sheet and action (`org_create`, `place_unchanged`, ...) for the summaries."""
        return {**super().counts, **{f"org_{k}": v for k, v in self.org_counts.items()},
                **{f"place_{k}": v for k, v in self.place_counts.items()}}


# --- reading every sheet of the workbook -------------------------------------------------------------------

def _book(src: Any, filename: str) -> tuple[list[tuple[str, list[list[Any]]]] | None, str]:
    """The sheets of the file as (title, rows); a .csv is one sheet without a title."""
    ext = Path(filename or "").suffix.lower()
    if ext not in (".xlsx", ".xlsm", ".xls"):
        rows, problem = sheets.read_rows(src, filename)
        return ([("", rows)] if rows is not None else None), problem
    try:
        data = sheets.read_bytes(src)
    except OSError as exc:
        return None, _("cannot read the file: %(reason)s") % {"reason": exc.strerror or exc}
    try:
        book = _xls_book(data) if ext == ".xls" else _xlsx_book(data)
    except sheets.TooLarge as exc:
        return None, str(exc)
    except Exception:  # openpyxl, xlrd and zipfile raise many kinds of errors on a damaged file
        return None, _("cannot read the file: it is damaged or not a %(ext)s file") % {"ext": ext}
    if any(len(rows) > sheets.MAX_ROWS + 1 for _title, rows in book):
        return None, _("the file has more than %(n)d rows: split it") % {"n": sheets.MAX_ROWS}
    return book, ""


def _xlsx_book(data: bytes) -> list[tuple[str, list[list[Any]]]]:
    return sheets.xlsx_sheets(data)  # every sheet, under the reading limits (sheets.TooLarge past them)


def _xls_book(data: bytes) -> list[tuple[str, list[list[Any]]]]:
    import xlrd

    book = xlrd.open_workbook(file_contents=data, on_demand=True)
    try:
        names = book.sheet_names()
    finally:
        book.release_resources()
    out = []
    for i, name in enumerate(names):
        out.append((name, sheets.xls_rows(data, i)))
    return out


def _sort_sheets(book: list[tuple[str, list[list[Any]]]], plan: OrgImportPlan) -> None:
    """Which sheet holds the organizations and which the places (by the sheet's title, else by its headers);
    a sheet that names fewer than two known columns (the template's help) is left out."""
    first_errors: list[RowError] = []
    for title, rows in book:
        org_sheet, org_errors = read_sheet(rows, ORG_COLUMNS, [c for c in ORG_COLUMNS if c.required])
        place_sheet, place_errors = read_sheet(rows, PLACE_COLUMNS, [c for c in PLACE_COLUMNS if c.required])
        org_score = len(org_sheet.columns) if org_sheet is not None else 0
        place_score = len(place_sheet.columns) if place_sheet is not None else 0
        if not first_errors:
            first_errors = org_errors
        is_place = norm(title) in PLACE_SHEET_TITLES or place_score > org_score
        if is_place and place_score >= 2:
            if plan.place_sheet is not None:
                plan.errors.append(RowError(0, "", _("the sheet %(title)s holds places too: put every place in "
                                                     "one sheet") % {"title": title}))
                continue
            plan.errors.extend(_in_sheet(title, e) for e in place_errors)
            plan.place_sheet, plan.place_title = place_sheet, title or PLACE_SHEET
        elif not is_place and org_score >= 2:
            if plan.sheet is not None:
                plan.errors.append(RowError(0, "", _("the sheet %(title)s holds organizations too: put every "
                                                     "organization in one sheet") % {"title": title}))
                continue
            plan.errors.extend(org_errors)
            plan.sheet = org_sheet
    if plan.sheet is None and plan.place_sheet is None:
        plan.errors = first_errors or [RowError(0, "", _("no sheet holds organizations or places"))]


def _in_sheet(title: str, error: RowError) -> RowError:
    """A place sheet's error names the sheet with the column (the organizations' errors name the column only)."""
    if error.row <= 0:
        return error
    column = f"{title or PLACE_SHEET}：{error.column}" if error.column else title or PLACE_SHEET
    return RowError(error.row, column, error.message)


# --- checking the rows ---------------------------------------------------------------------------------------

class _Planner:
    def __init__(self, plan: OrgImportPlan, scope: Scope) -> None:
        self.plan = plan
        self.scope = scope
        self.today = timezone.localdate()
        self.place_rows: dict[str, PlannedRow] = {}  # code -> the planned row (create or unchanged)
        self.place_first: dict[str, int] = {}  # code -> the first row that names it
        self.org_rows: dict[str, PlannedRow] = {}
        self.org_first: dict[str, int] = {}
        self.org_kinds = _kind_index(OrgKind, ORG_KIND_WORDS)
        self.place_kinds = _kind_index(TerritoryKind, PLACE_KIND_WORDS)

    def run(self) -> tuple[list[PlannedRow], list[RowError]]:
        rows: list[PlannedRow] = []
        errors: list[RowError] = []
        if self.plan.place_sheet is not None:
            planned, place_errors = check_rows(self.plan.place_sheet, self.check_place)
            by_code = {r.values["code"]: r for r in planned}
            order, order_errors = self.order(by_code, "place")
            errors.extend(_in_sheet(self.plan.place_title, e)
                          for e in sorted(place_errors + order_errors, key=lambda e: e.row))
            rows.extend(order)
        if self.plan.sheet is not None:
            planned, org_errors = check_rows(self.plan.sheet, self.check_org)
            by_code = {r.values["code"]: r for r in planned}
            order, order_errors = self.order(by_code, "org")
            errors.extend(sorted(org_errors + order_errors, key=lambda e: e.row))
            rows.extend(order)
        return rows, errors

    # - places -
    def check_place(self, row: Row) -> PlannedRow | None:
        code = row.plain("code", required=True, max_length=32)
        name = row.plain("name", required=True, max_length=100)
        kind = row.label("kind", _("kind of place"), lookup=lambda t: self.place_kinds.get(norm(t)),
                         accepted=accepted_kinds(PLACE_KIND_WORDS))
        parent = row.plain("parent", max_length=32) or ""
        since = row.date("since")
        if code is None:
            return None
        first = self.place_first.setdefault(code, row.number)
        if first != row.number:
            row.error("code", _("the code %(code)s is also on row %(row)d") % {"code": code, "row": first})
            return None
        if parent == code:
            row.error("parent", _("a place cannot stand under itself"))
        if since is not None and since > self.today:
            row.error("since", _("the date %(date)s is in the future") % {"date": since})
        if row.errors or name is None or kind is None:
            return None
        values = {"sheet": "place", "code": code, "name": name, "kind": kind, "parent": parent, "since": since}
        existing = Territory.objects.filter(code=code).first()
        if existing is not None:
            if not self.scope.can_read_territory(existing):
                row.error("code", _("the code %(code)s is already used") % {"code": code})
                return None
            old_parent = existing.get_parent()
            differ = [("name", existing.name != name), ("kind", existing.kind != kind),
                      ("parent", (old_parent.code if old_parent else "") != parent)]
            for column, different in differ:
                if different:
                    row.error(column, _("%(code)s is already recorded as %(name)s (%(kind)s) under %(parent)s; "
                                        "record a change of it on the territory page") % {
                        "code": code, "name": existing.name, "kind": existing.get_kind_display(),
                        "parent": old_parent.name if old_parent else _("nothing")})
                    return None
            if existing.revoked_on is not None:
                row.error("code", _("%(org)s was revoked on %(date)s") % {"org": existing, "date": existing.revoked_on})
                return None
            planned = PlannedRow(row.number, "unchanged", name, "", code, values=values)
        else:
            planned = PlannedRow(row.number, "create", name, "", code, values=values)
        self.place_rows[code] = planned
        return planned

    # - organizations -
    def check_org(self, row: Row) -> PlannedRow | None:
        code = row.plain("code", required=True, max_length=32)
        name = row.plain("name", required=True, max_length=100)
        kind = row.label("kind", _("kind of organization"), lookup=lambda t: self.org_kinds.get(norm(t)),
                         accepted=accepted_kinds(ORG_KIND_WORDS))
        parent = row.plain("parent", max_length=32) or ""
        raw = row.raw("founded_on")
        if isinstance(raw, int | float) and not isinstance(raw, bool) and 10000101 <= raw <= 99991231:
            row.cells[row.sheet.columns["founded_on"]] = str(int(raw))  # 20190105 typed as a number
        founded_on = row.date("founded_on", required=True)
        place_code = row.plain("territory", max_length=32) or ""
        if code is None:
            return None
        first = self.org_first.setdefault(code, row.number)
        if first != row.number:
            row.error("code", _("the code %(code)s is also on row %(row)d") % {"code": code, "row": first})
            return None
        if parent == code:
            row.error("parent", _("an organization cannot stand under itself"))
        if founded_on is not None and founded_on > self.today:
            row.error("founded_on", _("the date %(date)s is in the future") % {"date": founded_on})
        place = self.place(row, place_code) if place_code else None
        if row.errors or name is None or kind is None or founded_on is None:
            return None
        values = {"sheet": "org", "code": code, "name": name, "kind": kind, "parent": parent,
                  "founded_on": founded_on, "territory": place_code}
        existing = Organization.objects.filter(code=code).select_related("territory").first()
        if existing is None:
            planned = PlannedRow(row.number, "create", name, "", code, values=values)
            self.org_rows[code] = planned
            return planned
        if not self.scope.can_read_org(existing):
            row.error("code", _("the code %(code)s is already used") % {"code": code})
            return None
        old_parent = existing.get_parent()
        differ = [("name", existing.name != name), ("kind", existing.kind != kind),
                  ("parent", (old_parent.code if old_parent else "") != parent),
                  ("founded_on", existing.founded_on != founded_on)]
        for column, different in differ:
            if different:
                row.error(column, _("%(code)s is already recorded as %(name)s (%(kind)s, founded on %(date)s) "
                                    "under %(parent)s; record a change of it on its page") % {
                    "code": code, "name": existing.name, "kind": existing.get_kind_display(),
                    "date": existing.founded_on, "parent": old_parent.name if old_parent else _("nothing")})
                return None
        action = "unchanged"
        if place_code and not self._holds(existing, place_code, place):
            if existing.territory is not None:
                row.error("territory", _("%(org)s already has its place %(place)s") % {
                    "org": existing.name, "place": existing.territory.name})
                return None
            if not self.scope.can_write_org(existing):
                row.error("territory", _("you may not change %(org)s") % {"org": existing.name})
                return None
            action = "update"
        planned = PlannedRow(row.number, action, name, "", code, values=values,
                             changes={"territory": ("", place_code)} if action == "update" else {})
        self.org_rows[code] = planned
        return planned

    def _holds(self, org: Organization, place_code: str, place: Territory | None) -> bool:
        if org.territory is not None and org.territory.code == place_code:
            return True
        if place is None:
            return False
        state = current_territory_state(place)
        return state is not None and state.holder_id == org.pk

    def place(self, row: Row, code: str) -> Territory | None:
        """An organization's place: one of the place sheet's (None, checked there) or one that exists."""
        if code in self.place_rows and self.place_rows[code].action == "create":
            return None  # created by the place sheet, under a place the user may write (checked there)
        if code not in self.place_rows and self.plan.place_sheet is not None and code in self.place_first:
            return None  # the place sheet's row has errors of its own
        existing = Territory.objects.filter(code=code).first()
        if existing is None or not self.scope.can_read_territory(existing):
            row.error("territory", _("no place with the code %(code)s, in the territory sheet or recorded")
                      % {"code": code})
            return None
        if existing.revoked_on is not None:
            row.error("territory", _("%(org)s was revoked on %(date)s") % {"org": existing, "date": existing.revoked_on})
            return None
        if not self.scope.can_write_territory(existing):
            row.error("territory", _("you may not give %(place)s to an organization: it is not in your territory")
                      % {"place": existing.name})
        return existing

    # - the order of the writes: parents first; unknown parents and cycles -
    def order(self, by_code: dict[str, PlannedRow], sheet: str) -> tuple[list[PlannedRow], list[RowError]]:
        columns = self.plan.place_sheet if sheet == "place" else self.plan.sheet
        assert columns is not None
        parent_column = columns.column_name("parent")
        errors: list[RowError] = []
        done: dict[str, bool] = {}  # code -> whether it can be written (its parents are sound)
        out: list[PlannedRow] = []
        first = self.place_first if sheet == "place" else self.org_first

        def visit(code: str, trail: list[str]) -> bool:
            if code in done:
                return done[code]
            row = by_code[code]
            if code in trail:
                cycle = trail[trail.index(code):] + [code]
                errors.append(RowError(row.row, parent_column, _("the parents go round in a circle: %(codes)s")
                                       % {"codes": " → ".join(cycle)}))
                for c in cycle:
                    done[c] = False
                return False
            parent = row.values["parent"]
            ok = True
            if parent and parent in by_code:
                ok = visit(parent, [*trail, code])
                if not ok and code not in done:
                    done[code] = False
                    return False
                if ok:
                    ok = self.under_new_parent(row, by_code[parent], parent_column, errors, sheet)
            elif parent and parent in first:
                ok = False  # its parent's row has errors of its own
            elif row.action == "create":
                ok = self.under_recorded_parent(row, parent, parent_column, errors, sheet)
            if code not in done:
                done[code] = ok
                if ok:
                    out.append(row)
            return done[code]

        for code in by_code:
            visit(code, [])
        return out, errors

    def under_new_parent(self, row: PlannedRow, parent: PlannedRow, column: str, errors: list[RowError],
                         sheet: str) -> bool:
        if row.action != "create":
            return True
        if parent.action != "create":  # a row of the file that is already recorded: checked as recorded
            return self.under_recorded_parent(row, parent.values["code"], column, errors, sheet)
        if sheet == "org":
            return self.kind_fits(row, parent.values["kind"], parent.name, parent.values["founded_on"], column, errors)
        since, parent_since = row.values["since"], parent.values["since"]
        if since is not None and parent_since is not None and since < parent_since:
            errors.append(RowError(row.row, column, _("set up before the place above it (%(date)s)")
                                   % {"date": parent_since}))
            return False
        return True

    def kind_fits(self, row: PlannedRow, parent_kind: str | None, parent_name: str, parent_since: Any, column: str,
                  errors: list[RowError]) -> bool:
        kind = row.values["kind"]
        if parent_kind not in ALLOWED_PARENTS[OrgKind(kind)]:
            errors.append(RowError(row.row, column, _("a %(kind)s cannot stand under a %(parent)s") % {
                "kind": OrgKind(kind).label,
                "parent": OrgKind(parent_kind).label if parent_kind else _("nothing")}))
            return False
        if parent_since is not None and row.values["founded_on"] < parent_since:
            errors.append(RowError(row.row, self.plan.sheet.column_name("founded_on") if self.plan.sheet else "",
                                   _("founded before its parent %(parent)s (%(date)s)")
                                   % {"parent": parent_name, "date": parent_since}))
            return False
        return True

    def under_recorded_parent(self, row: PlannedRow, code: str, column: str, errors: list[RowError],
                              sheet: str) -> bool:
        if sheet == "place":
            if not code:
                if not self.scope.can_write_territory(None):
                    errors.append(RowError(row.row, column, _("only the site administrator may add a place at the "
                                                              "top of the territory tree: name the place above it")))
                    return False
                return True
            place = Territory.objects.filter(code=code).first()
            if place is None or not self.scope.can_read_territory(place):
                errors.append(RowError(row.row, column, _("no place with the code %(code)s, in this sheet or "
                                                          "recorded") % {"code": code}))
                return False
            if not self.scope.can_write_territory(place):
                errors.append(RowError(row.row, column, _("you may not add places under %(place)s") % {
                    "place": place.name}))
                return False
            if place.revoked_on is not None:
                errors.append(RowError(row.row, column, _("%(org)s was revoked on %(date)s")
                                       % {"org": place, "date": place.revoked_on}))
                return False
            state = current_territory_state(place)
            since = row.values["since"]
            if since is not None and state is not None and state.valid_from is not None and since < state.valid_from:
                errors.append(RowError(row.row, column, _("%(org)s has a change dated %(last)s; record changes in "
                                                          "date order (this one is %(date)s)")
                                       % {"org": place, "last": state.valid_from, "date": since}))
                return False
            return True
        if not code:
            if not self.scope.can_write_org(None):
                errors.append(RowError(row.row, column, _("only the site administrator may create a top "
                                                          "organization: name its parent")))
                return False
            return self.kind_fits(row, None, "", None, column, errors)
        org = Organization.objects.filter(code=code).first()
        if org is None or not self.scope.can_read_org(org):
            errors.append(RowError(row.row, column, _("no organization with the code %(code)s, in this sheet or "
                                                      "recorded") % {"code": code}))
            return False
        if not self.scope.can_write_org(org):
            errors.append(RowError(row.row, column, _("you may not add organizations under %(org)s")
                                   % {"org": org.name}))
            return False
        if org.revoked_on is not None:
            errors.append(RowError(row.row, column, _("%(org)s was revoked on %(date)s")
                                   % {"org": org.name, "date": org.revoked_on}))
            return False
        if not self.kind_fits(row, org.kind, org.name, org.founded_on, column, errors):
            return False
        org_state = current_state(org)
        if org_state is not None and row.values["founded_on"] < org_state.valid_from:
            errors.append(RowError(row.row, self.plan.sheet.column_name("founded_on") if self.plan.sheet else "",
                                   _("%(org)s has a change dated %(last)s; record changes in date order (this one "
                                     "is %(date)s)") % {"org": org.name, "last": org_state.valid_from,
                                                        "date": row.values["founded_on"]}))
            return False
        return True


def _evaluate(plan: OrgImportPlan, scope: Scope) -> None:
    plan.rows, plan.errors = _Planner(plan, scope).run()


def plan_import(fileobj_or_path: str | os.PathLike[str] | IO[Any], filename: str,
                progress: sheets.Progress | None = None) -> OrgImportPlan:
    """Read and check every row of every sheet against the records and the acting user's scope. Never writes."""
    plan = OrgImportPlan(filename=filename)
    book, problem = _book(fileobj_or_path, filename)
    if book is None:
        plan.errors.append(RowError(0, "", problem))
        return plan
    _sort_sheets(book, plan)
    if plan.errors:
        return plan
    _evaluate(plan, current_scope())
    if progress is not None:
        done = len(plan.sheet.records if plan.sheet is not None else []) + len(
            plan.place_sheet.records if plan.place_sheet is not None else [])
        progress(done, done)
    return plan


def apply_import(plan: OrgImportPlan, progress: sheets.Progress | None = None) -> OrgImportPlan:
    """Check the rows again and write the places, then the organizations, through the services in one
    transaction: all of them, or nothing."""
    if not plan.ok or plan.applied or (plan.sheet is None and plan.place_sheet is None):
        return plan
    fresh = OrgImportPlan(filename=plan.filename, sheet=plan.sheet, place_sheet=plan.place_sheet,
                          place_title=plan.place_title)
    at = {"sheet": "org"}

    def write(row: PlannedRow) -> None:
        v = row.values
        at["sheet"] = v["sheet"]
        if v["sheet"] == "place":
            if row.action == "create":
                parent = Territory.objects.get(code=v["parent"]) if v["parent"] else None
                territory_create(code=v["code"], name=v["name"], kind=v["kind"], parent=parent, on=v["since"])
            return
        place = Territory.objects.get(code=v["territory"]) if v["territory"] else None
        if row.action == "create":
            parent_org = Organization.objects.get(code=v["parent"]) if v["parent"] else None
            org_create(code=v["code"], name=v["name"], kind=v["kind"], founded_on=v["founded_on"],
                       parent=parent_org, territory=place)
        elif row.action == "update" and place is not None:
            state = current_territory_state(place)
            on = v["founded_on"]
            if state is not None and state.valid_from is not None and state.valid_from > on:
                on = state.valid_from
            territory_hold(place, holder=Organization.objects.get(code=v["code"]), on=on)

    def column_for(name: str | None) -> str:
        if at["sheet"] == "place":
            name = {"date": "since"}.get(name or "", name)
            header = fresh.place_sheet.column_name(name) if fresh.place_sheet and name in PLACE_BY_FIELD else ""
            return f"{fresh.place_title}：{header}" if header else fresh.place_title
        name = {"date": "founded_on", "holder": "territory"}.get(name or "", name)
        return fresh.sheet.column_name(name) if fresh.sheet is not None and name in ORG_BY_FIELD else ""

    return apply_rows(fresh, evaluate=lambda: _evaluate(fresh, current_scope()), write=write,
                      column_for=column_for, progress=progress)


# --- the command line ---------------------------------------------------------------------------------------

ACTION_WORDS = {"create": gettext_lazy("create"), "update": gettext_lazy("give its place"),
                "unchanged": gettext_lazy("unchanged")}


def _print_rows(plan: ImportPlan) -> None:
    for r in plan.rows:
        v = r.values
        where = _("place") if v["sheet"] == "place" else _("organization")
        parent = v["parent"] or "—"
        print(f"{where} {_('row')} {r.row}\t{ACTION_WORDS.get(r.action, r.action)}\t{v['code']}\t{r.name}\t"
              f"{v['kind']}\t{parent}")


def cli_run(path: str | os.PathLike[str], *, org: Organization | None, dry_run: bool, actor: Any) -> int:
    """The `grassroots import orgs` verb: 0 when written (or a clean dry run), 1 on errors. `org` is not used:
    every row names its parent."""
    with acting(actor, "cli"):
        plan = plan_import(path, os.path.basename(os.fspath(path)))
        if plan.ok and not dry_run:
            plan = apply_import(plan)

    def summary(_counts: dict[str, int]) -> str:
        figures = {f"org_{k}": v for k, v in plan.org_counts.items()}
        figures.update({f"place_{k}": v for k, v in plan.place_counts.items()})
        if dry_run:
            return _("dry run: would create %(org_create)d organizations and %(place_create)d places, give "
                     "%(org_update)d organizations their place, leave %(org_unchanged)d organizations and "
                     "%(place_unchanged)d places unchanged; nothing was written") % figures
        return _("created %(org_create)d organizations and %(place_create)d places, gave %(org_update)d "
                 "organizations their place, unchanged %(org_unchanged)d organizations and %(place_unchanged)d "
                 "places") % figures

    return cli_report(plan, dry_run=dry_run, print_rows=_print_rows, summary=summary)


# --- the template ------------------------------------------------------------------------------------------

DATE_FORMATS = "2019-01-05, 2019/1/5, 2019.1.5, 2019年1月5日, 20190105"


def template_xlsx() -> bytes:
    """An empty workbook to fill in: the organizations' sheet and the places' sheet with their Chinese headers,
    and a help sheet saying what each column takes (every kind accepted, the date formats)."""
    import openpyxl

    from grassroots.ui import xlsx

    wb = xlsx.new_workbook()
    orgs = wb.active
    orgs.title = ORG_SHEET
    xlsx.append(orgs, [c.zh for c in ORG_COLUMNS])
    places = wb.create_sheet(PLACE_SHEET)
    xlsx.append(places, [c.zh for c in PLACE_COLUMNS])
    for ws, columns in ((orgs, ORG_COLUMNS), (places, PLACE_COLUMNS)):
        for idx, col in enumerate(columns, start=1):
            letter = openpyxl.utils.get_column_letter(idx)
            ws.column_dimensions[letter].width = 16 if col.field != "name" else 28
            for number in range(2, 302):  # codes and dates kept as typed (a code 001 stays 001)
                ws.cell(row=number, column=idx).number_format = "@"
    help_sheet = wb.create_sheet(_("Help"))
    xlsx.append(help_sheet, [_("Sheet"), _("Column"), _("Required"), _("What to write")])

    def kinds(words: dict[str, tuple[str, ...]]) -> str:
        return "；".join(f"{texts[0]}（{'、'.join((*texts[1:], str(code)))}）" for code, texts in words.items())

    org_help = {
        "code": _("a code of your own, unique, up to 32 characters (for example the one your records use)"),
        "name": _("the organization's full name"),
        "kind": kinds(ORG_KIND_WORDS),
        "parent": _("the code of the organization above it (a row of this sheet, in any order, or a recorded "
                    "one); blank only for a top organization, which only the site administrator may create"),
        "founded_on": _("the founding date: %(formats)s. Figures before it count nothing for the organization")
        % {"formats": DATE_FORMATS},
        "territory": _("may be blank: the code of its own place (a row of the 地域 sheet or a recorded place)"),
    }
    place_help = {
        "code": _("a code of your own, unique, up to 32 characters"),
        "name": _("the place's name"),
        "kind": kinds(PLACE_KIND_WORDS),
        "parent": _("the code of the place above it (a row of this sheet or a recorded place); blank only for a "
                    "place at the top, which only the site administrator may add"),
        "since": _("may be blank (there before the records): %(formats)s") % {"formats": DATE_FORMATS},
    }
    for title, columns, texts in ((ORG_SHEET, ORG_COLUMNS, org_help), (PLACE_SHEET, PLACE_COLUMNS, place_help)):
        for col in columns:
            xlsx.append(help_sheet, [title, col.zh, _("yes") if col.required else "", str(texts[col.field])])
    xlsx.append(help_sheet, [])
    xlsx.append(help_sheet, [_("Rows may come in any order; title rows above the headers are skipped. Nothing is "
                               "written unless every row is right. Importing the same file again changes nothing.")])
    help_sheet.column_dimensions["B"].width = 14
    help_sheet.column_dimensions["D"].width = 90
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
