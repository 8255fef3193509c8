"""Importing a sheet of grids (an organization's: the grids in the places it holds).

One row a grid: 网格编码 the grid's code, 网格名称 its name, 所属社区/村 the code of the community or village it lies
in, 网格长 the grid head, 联系电话 the head's phone, 网格党小组 the code of its Party group (optional), 网格员 the
user names of its grid workers' existing accounts (optional, separated by 、 or commas; appointing them is an
organizer's, and a new account is made on the grid's page, where its password is shown once).

A code already in the territory tree as a grid or villager group without a profile is set up; one with a profile
is "unchanged"; a new code is drawn under its community or village (`orgs.services.territory_create`). Every row
is checked first (`plan_import`, which never writes: the dry run); `apply_import` checks again and writes through
`grids.services` in one transaction: every row or none; an error names its row and column.
"""

from __future__ import annotations

import io
import os
import re
import sys
from dataclasses import dataclass, field
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from grassroots.access.scope import can_manage_org, current_scope
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError
from grassroots.core.idnumber import mask_phone
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
from grassroots.orgs.models import Organization, OrgKind, Territory

from . import selectors, services
from .models import GRID_KINDS, Grid

COLUMNS = [
    Column("code", "网格编码", "Grid code", aliases=("编码", "网格编号"), required=True),
    Column("name", "网格名称", "Grid name", aliases=("网格",), required=True),
    Column("parent", "所属社区/村", "Community or village", aliases=("所属社区", "所属村", "社区/村"), required=True),
    Column("head", "网格长", "Grid head"),
    Column("phone", "联系电话", "Phone", aliases=("电话",)),
    Column("party_group", "网格党小组", "Grid Party group", aliases=("党小组",)),
    Column("workers", "网格员", "Grid workers"),
]
TEMPLATE_SHEET = "网格"
_SERVICE_FIELD_TO_COLUMN = {"head_phone": "phone", "phone": "phone", "head_name": "head", "org": "party_group",
                            "territory": "code", "parent": "parent", "username": "workers", "kind": "code",
                            "started_on": "workers", "on": "party_group", "date": "code"}
SPLIT = re.compile(r"[、,，;；\s]+")


@dataclass
class GridRow(PlannedRow):
    code: str = ""
    parent_code: str = ""
    party_group: str = ""
    workers: list[str] = field(default_factory=list)


@dataclass
class GridImportPlan(ImportPlan):
    org: Organization | None = field(default=None, repr=False)


class _Planner:
    def __init__(self, sheet: Sheet, org: Organization) -> None:
        self.sheet, self.org = sheet, org
        scope = current_scope()
        self.scope = scope
        roots = selectors.held_roots(org)
        writable = scope.territories(write=True).filter(selectors._paths_q(roots), revoked_on__isnull=True)
        self.parents = {norm(t.code): t for t in writable.filter(kind__in=services.PARENT_KINDS)}
        self.places = {norm(t.code): t for t in Territory.objects.filter(kind__in=GRID_KINDS)}
        self.profiled = set(Grid.objects.values_list("territory_id", flat=True))
        self.taken = {norm(c) for c in Territory.objects.values_list("code", flat=True)}
        self.groups = {norm(o.code): o for o in scope.orgs(write=True).filter(kind=OrgKind.PARTY_GROUP,
                                                                               revoked_on__isnull=True)}
        self.users = {norm(u.username): u for u in get_user_model().objects.filter(is_active=True)}
        self.seen: set[str] = set()

    def check(self, row: Row) -> GridRow | None:
        code = row.plain("code", required=True, max_length=32)
        name = row.plain("name", required=True, max_length=100)
        parent_code = row.plain("parent", required=True, max_length=32)
        head = row.plain("head", max_length=50) or ""
        phone = (row.plain("phone", max_length=20) or "").replace(" ", "").replace("-", "")
        if phone and not (phone.isdigit() and 7 <= len(phone) <= 15):
            row.error("phone", _("a phone number is 7 to 15 digits"))
        parent = self.parents.get(norm(parent_code or ""))
        if parent_code and parent is None:
            row.error("parent", _("%(code)s is not a community or village of %(org)s that you may change")
                      % {"code": parent_code, "org": self.org.name})
        action = "create"
        if code:
            if norm(code) in self.seen:
                row.error("code", _("this code appears twice in the file"))
            self.seen.add(norm(code))
            place = self.places.get(norm(code))
            if place is not None:
                if parent is not None and not place.path.startswith(parent.path):
                    row.error("code", _("%(code)s lies elsewhere in the territory tree") % {"code": code})
                elif place.pk in self.profiled:
                    action = "unchanged"
                else:
                    action = "update"
                    if not self.scope.can_write_territory(place):
                        row.error("code", _("you may not change %(place)s") % {"place": place})
            elif norm(code) in self.taken:
                row.error("code", _("the code %(code)s is already used by a place that is not a grid")
                          % {"code": code})
        group_code = row.plain("party_group", max_length=32) or ""
        if group_code and norm(group_code) not in self.groups:
            row.error("party_group", _("%(code)s is not a Party group you may change") % {"code": group_code})
        workers = [w for w in SPLIT.split(row.text("workers")) if w]
        for username in workers:
            if norm(username) not in self.users:
                row.error("workers", _("no account %(name)s: make the account on the grid's page first")
                          % {"name": username})
        if workers and action != "unchanged":
            giver = services.holder(parent) if parent is not None else None
            if giver is None or not can_manage_org(self.scope, giver):
                row.error("workers", _("only an organizer of the organization holding the grid appoints its "
                                       "workers"))
        if row.errors or not code or not name or parent is None:
            return None
        return GridRow(row=row.number, action=action, name=name, id_number_masked=mask_phone(phone),
                       org_code=self.org.code, code=code, parent_code=parent.code, party_group=group_code,
                       workers=workers, values={"head_name": head, "head_phone": phone, "name": name})


def _require_entry(org: Organization) -> None:
    scope = current_scope()
    if not scope.can_read_org(org) or not (scope.unrestricted or scope.held_paths(write=True)):
        raise PermissionDeniedError(_("you may not change the grids of %(org)s") % {"org": org.name})


def _evaluate(plan: GridImportPlan, progress: Progress | None = None) -> None:
    assert plan.sheet is not None and plan.org is not None
    planner = _Planner(plan.sheet, plan.org)
    plan.rows, plan.errors = check_rows(plan.sheet, planner.check, progress)


def plan_import(src: str | os.PathLike[str] | IO[Any], filename: str, *, org: Organization,
                progress: Progress | None = None) -> GridImportPlan:
    """Read and check every row. Never writes."""
    _require_entry(org)
    plan = GridImportPlan(filename=filename, org=org)
    sheet = open_sheet(plan, src, filename, COLUMNS)
    if sheet is None:
        return plan
    _evaluate(plan, progress)
    return plan


def _column_for(plan: ImportPlan, service_field: str | None) -> str:
    if not service_field or plan.sheet is None:
        return ""
    return plan.sheet.column_name(_SERVICE_FIELD_TO_COLUMN.get(service_field, service_field))


def write_row(row: GridRow) -> Grid | None:
    if row.action == "unchanged":
        return None
    day = services.today()
    values = dict(row.values)
    if row.action == "create":
        parent = Territory.objects.get(code=row.parent_code)
        grid = services.grid_create(parent=parent, code=row.code, name=values["name"], kind="grid",
                                    head_name=values["head_name"], head_phone=values["head_phone"])
    else:
        grid = services.grid_setup(territory=Territory.objects.get(code=row.code), head_name=values["head_name"],
                                   head_phone=values["head_phone"])
    if row.party_group:
        services.set_party_group(grid, org=Organization.objects.get(code=row.party_group), on=day)
    User = get_user_model()
    for username in row.workers:
        user = User.objects.get(username__iexact=username)
        services.appoint_worker(grid, started_on=day, user=user, name=user.first_name or user.username)
    return grid


def apply_import(plan: GridImportPlan, progress: Progress | None = None) -> GridImportPlan:
    """Check the rows again and write them in one transaction: every row or none."""
    if not plan.ok or plan.sheet is None or plan.applied or plan.org is None:
        return plan
    _require_entry(plan.org)
    fresh = GridImportPlan(filename=plan.filename, sheet=plan.sheet, org=plan.org)

    def write(row: PlannedRow) -> None:
        assert isinstance(row, GridRow)
        write_row(row)

    return apply_rows(fresh, evaluate=lambda: _evaluate(fresh, progress), write=write,
                      column_for=lambda name: _column_for(fresh, name), progress=progress)


def template_xlsx(org: Organization) -> bytes:
    """An empty sheet with the Chinese headers, and a sheet saying what each column takes."""
    from grassroots.ui import xlsx

    wb = xlsx.new_workbook()
    ws = wb.active
    ws.title = TEMPLATE_SHEET
    xlsx.append(ws, [c.zh + ("*" if c.required else "") for c in COLUMNS])
    notes = wb.create_sheet(_("What each column takes"))
    xlsx.append(notes, [_("Column"), _("What it takes")])
    accepted = {"parent": _("the code of a community or village of %(org)s") % {"org": org.name},
                "party_group": _("the code of a Party group"),
                "workers": _("user names of existing accounts, separated by 、")}
    for c in COLUMNS:
        xlsx.append(notes, [c.zh, accepted.get(c.field, c.en)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _print_rows(plan: Any) -> None:
    for r in plan.rows:
        print(f"{r.row}\t{r.action}\t{r.code}\t{r.name}\t{r.parent_code}\t{r.party_group or '-'}")


def cli_run(path: str | os.PathLike[str], *, org: Organization | None, dry_run: bool, actor: Any) -> int:
    """`grassroots import grids FILE --org CODE`."""
    assert org is not None  # the registry marks --org required
    with acting(actor, "cli"):
        try:
            plan = plan_import(path, os.path.basename(os.fspath(path)), org=org)
            if plan.ok and not dry_run:
                plan = apply_import(plan)
        except PermissionDeniedError as exc:
            print(exc.message, file=sys.stderr)
            return 1

    def summary(counts: dict[str, int]) -> str:
        values = {"create": counts.get("create", 0), "setup": counts.get("update", 0),
                  "unchanged": counts.get("unchanged", 0)}
        if dry_run:
            return _("dry run: would draw %(create)d new grids, set up %(setup)d, %(unchanged)d already set up; "
                     "nothing was written") % values
        return _("drew %(create)d new grids, set up %(setup)d, %(unchanged)d were already set up") % values

    return cli_report(plan, dry_run=dry_run, print_rows=_print_rows, summary=summary)
