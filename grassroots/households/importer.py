"""Importing the household registers grid workers keep: one row a person.

Columns: 户编号 household number (optional: without it, the rows of one place with the same 户主 are one
household), 户主 the head's name, 所在网格 the place (a grid, villager group, village or community, by code or
name; also 网格 or 村民小组), 门牌/地址 the address, 姓名 the person's name, 与户主关系 the relation (a GB/T 4761
code or its Chinese name: 02 or 户主, 10 配偶, 20 子...), 性别, 身份证号, 出生日期 (blank: read from the ID
number), 联系电话, 情况 the situations (kinds by name or code, separated by commas or 、; on the head's row they are
the household's, on another row that person's). Title rows above the headers, full-width digits and .xls files are
read by `core.sheets`.

`plan_import` checks every row and never writes (the dry run): required cells, the place found among the places the
user may write (under the organization, if one is named), the relation known, each household with exactly one head,
the ID number valid. `apply_import` checks again and writes through the services in one transaction, all rows or
none; an error names its row and column. A household already recorded (its number, else its place and head) and a
person already in it (their ID number, else their name) are "unchanged": importing the same file twice writes
nothing the second time. A situation imported starts on the day of the import (the registers give no date).
"""

from __future__ import annotations

import io
import os
import re
import sys
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import current_scope
from grassroots.core import idnumber
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
from grassroots.orgs.models import Organization, Territory

from . import relations, selectors, services
from .models import Household, Person, Situation

COLUMNS = [
    Column("code", "户编号", "Household number", aliases=("户号", "编号")),
    Column("head", "户主", "Head of household", aliases=("户主姓名",)),
    Column("place", "所在网格", "Place", aliases=("网格", "村民小组", "所在村民小组", "所在地")),
    Column("address", "门牌/地址", "Address", aliases=("门牌", "地址", "门牌号", "住址")),
    Column("name", "姓名", "Name", required=True),
    Column("relation", "与户主关系", "Relation to the head", aliases=("关系",), required=True),
    Column("sex", "性别", "Sex"),
    Column("id_number", "身份证号", "ID number", aliases=("身份证号码", "公民身份号码")),
    Column("birth_date", "出生日期", "Birth date"),
    Column("phone", "联系电话", "Phone", aliases=("电话", "手机")),
    Column("situations", "情况", "Situations", aliases=("类别", "情况类别", "人员类别")),
]
TEMPLATE_SHEET = "户籍人员"
_SERVICE_FIELD_TO_COLUMN = {"territory": "place", "head_name": "head", "kind": "situations", "joined_on": "name"}
SEX = {"男": "M", "m": "M", "male": "M", "女": "F", "f": "F", "female": "F"}
_SPLIT = re.compile(r"[,，、;；/\s]+")


@dataclass
class PersonRow(PlannedRow):
    group: str = ""
    household_code: str = ""
    place_name: str = ""
    relation: str = ""
    is_head: bool = False
    household_action: str = ""  # create or unchanged
    kinds: list[str] = field(default_factory=list)


@dataclass
class HouseholdImportPlan(ImportPlan):
    org: Organization | None = field(default=None, repr=False)


class _Planner:
    def __init__(self, sheet: Sheet, org: Organization | None) -> None:
        self.sheet, self.org = sheet, org
        scope = current_scope()
        paths = scope.place_paths(write=True) if not scope.unrestricted else [""]
        if org is not None:
            held = selectors.org_paths(org)
            paths = [h for h in held if any(h.startswith(p) for p in paths)] if not scope.unrestricted else held
        q = selectors._paths_q(paths) if paths else None
        places = list(Territory.objects.filter(q, revoked_on__isnull=True, kind__in=services.PLACE_KINDS)) if q else []
        self.places: dict[str, list[Territory]] = {}
        for t in places:
            self.places.setdefault(norm(t.code), []).append(t)
            if norm(t.name) != norm(t.code):
                self.places.setdefault(norm(t.name), []).append(t)
        self.kinds: dict[str, str] = {}
        self.group_places: dict[str, Territory] = {}
        self.groups: dict[str, list[PersonRow]] = {}
        self.households: dict[str, Household | None] = {}
        self.seen_ids: set[str] = set()

    def _kinds_for(self, place: Territory) -> dict[str, str]:
        found = {}
        for k in selectors.situation_kinds_for_place(place):
            found[norm(k.code)] = k.code
            found[norm(k.zh)] = k.code
            if k.en:
                found[norm(k.en)] = k.code
        return found

    def _place(self, row: Row) -> Territory | None:
        text = row.plain("place", max_length=100)
        if text is None:
            row.error("place", _("this cell is required"))
            return None
        found = self.places.get(norm(text), [])
        if len(found) > 1:
            row.error("place", _("several places are called %(name)s: use the place's code") % {"name": text})
            return None
        if not found:
            row.error("place", _("no place %(name)s among the places you may write") % {"name": text})
            return None
        return found[0]

    def _existing(self, code: str, place: Territory, head: str) -> Household | None:
        if code:
            return Household.objects.filter(code=code).select_related("territory").first()
        return (Household.objects.filter(territory=place, head_name=head, left_on__isnull=True)
                .select_related("territory").order_by("pk").first())

    def check(self, row: Row) -> PersonRow | None:
        code = row.plain("code", max_length=40) or ""
        head = row.plain("head", max_length=50) or ""
        name = row.plain("name", required=True)
        place = self._place(row)
        relation = row.label("relation", _("relation"), lookup=relations.lookup,
                             accepted=["02 户主", "10 配偶", "20 子", "30 女", "40 孙子女", "50 父母", "99 非亲属"])
        is_head = relation == relations.HEAD
        if is_head and not head:
            head = name or ""
        if not code and not head:
            row.error("head", _("give the household number or the head's name"))
        sex_text = row.text("sex")
        sex = SEX.get(sex_text.casefold(), None) if sex_text else ""
        if sex is None:
            row.error("sex", _("unknown sex %(value)s (use 男 or 女)") % {"value": sex_text[:10]})
        id_number = row.text("id_number").upper()
        if id_number:
            try:
                id_number = idnumber.validate(id_number)
            except idnumber.IDNumberError as exc:
                row.error("id_number", str(exc))
            if id_number in self.seen_ids:
                row.error("id_number", _("this ID number appears twice in the file"))
            self.seen_ids.add(id_number)
        birth = row.date("birth_date")
        if birth is not None and birth > timezone.localdate():
            row.error("birth_date", _("the date cannot be in the future"))
        phone = row.plain("phone", max_length=20) or ""
        kinds: list[str] = []
        text = row.text("situations")
        if text and place is not None:
            known = self._kinds_for(place)
            for word in _SPLIT.split(text):
                if not word:
                    continue
                kind = known.get(norm(word))
                if kind is None:
                    row.error("situations", _("unknown situation %(kind)s") % {"kind": word[:30]})
                else:
                    kinds.append(kind)
        if row.errors or place is None or name is None or relation is None:
            return None
        group = f"code:{code}" if code else f"head:{place.pk}:{norm(head)}"
        if group in self.group_places and self.group_places[group].pk != place.pk:
            row.error("place", _("the household's other rows name another place"))
            return None
        self.group_places[group] = place
        if group not in self.households:
            existing = self._existing(code, place, head)
            if existing is not None and not current_scope().can_write_place(existing.territory):
                row.error("code", _("this household number belongs to a household you may not change"))
                return None
            self.households[group] = existing
        household = self.households[group]
        action = "create"
        if household is not None:
            persons = Person.objects.filter(household=household, left_on__isnull=True)
            same = persons.filter(id_number=id_number) if id_number else persons.filter(name=name)
            if same.exists():
                action = "unchanged"
            if action == "unchanged" and kinds:
                person = None if is_head else same.first()
                have = set(Situation.objects.filter(household=household, person=person, ended_on__isnull=True)
                           .values_list("kind", flat=True))
                if set(kinds) - have:
                    action = "update"
        planned = PersonRow(
            row=row.number, action=action, name=name, id_number_masked=idnumber.mask(id_number) if id_number else "",
            org_code=self.org.code if self.org else "", group=group, household_code=code, place_name=place.name,
            relation=relation, is_head=is_head, household_action="unchanged" if household else "create", kinds=kinds,
            values={"place": place, "code": code, "head": head, "address": row.plain("address", max_length=200) or "",
                    "name": name, "relation": relation, "sex": sex or "", "id_number": id_number,
                    "birth_date": birth, "phone": phone})
        self.groups.setdefault(group, []).append(planned)
        return planned

    def check_groups(self, errors: list[RowError]) -> None:
        for group, rows in self.groups.items():
            heads = [r for r in rows if r.is_head]
            if self.households.get(group) is None and len(heads) != 1:
                first = rows[0]
                message = (_("the household has no row with the relation 02 户主") if not heads
                           else _("the household has %(n)d heads") % {"n": len(heads)})
                errors.append(RowError(first.row, self.sheet.column_name("relation"), message))
            elif self.households.get(group) is not None:
                for r in heads:
                    if r.action == "create":
                        errors.append(RowError(r.row, self.sheet.column_name("relation"),
                                               _("the household has a head: change the head on its page")))


def _require_entry(org: Organization | None) -> None:
    scope = current_scope()
    if org is not None and not scope.can_write_org(org):
        raise PermissionDeniedError(_("you may not change the households of %(org)s") % {"org": org.name})
    if org is None and not (scope.unrestricted or scope.place_paths(write=True)):
        raise PermissionDeniedError(_("you may not change any household"))


def _evaluate(plan: HouseholdImportPlan, progress: Progress | None = None) -> None:
    assert plan.sheet is not None
    planner = _Planner(plan.sheet, plan.org)
    rows, errors = check_rows(plan.sheet, planner.check, progress)
    planner.check_groups(errors)  # the households of the rows read well
    order = {g: i for i, g in enumerate(planner.groups)}
    typed = [r for r in rows if isinstance(r, PersonRow)]
    typed.sort(key=lambda r: (order[r.group], 0 if r.is_head else 1, r.row))
    plan.rows, plan.errors = list(typed), sorted(errors, key=lambda e: e.row)


def plan_import(src: str | os.PathLike[str] | IO[Any], filename: str, *, org: Organization | None,
                progress: Progress | None = None) -> HouseholdImportPlan:
    """Read and check every row. Never writes."""
    _require_entry(org)
    plan = HouseholdImportPlan(filename=filename, org=org)
    sheet = open_sheet(plan, src, filename, COLUMNS)
    if sheet is None:
        return plan
    _evaluate(plan, progress)
    return plan


def _column_for(plan: ImportPlan, service_field: str | None) -> str:
    if not service_field or plan.sheet is None:
        return ""
    return plan.sheet.column_name(_SERVICE_FIELD_TO_COLUMN.get(service_field, service_field))


class _Writer:
    def __init__(self) -> None:
        self.households: dict[str, Household] = {}
        self.today = timezone.localdate()

    def household(self, row: PersonRow) -> Household | None:
        if row.group in self.households:
            return self.households[row.group]
        v = row.values
        found = (Household.objects.filter(code=v["code"]).first() if v["code"] else
                 Household.objects.filter(territory=v["place"], head_name=v["head"], left_on__isnull=True)
                 .order_by("pk").first())
        if found is not None:
            self.households[row.group] = found
        return found

    def write(self, row: PlannedRow) -> None:
        assert isinstance(row, PersonRow)
        v = row.values
        household = self.household(row)
        person: Person | None = None
        if household is None:
            household = services.household_create(
                territory=v["place"], head_name=v["name"], code=v["code"], address=v["address"], phone=v["phone"],
                head={"sex": v["sex"], "birth_date": v["birth_date"], "id_number": v["id_number"],
                      "phone": v["phone"]})
            self.households[row.group] = household
            person = household.persons.get(relation=relations.HEAD, left_on__isnull=True)
        elif row.action == "create":
            person = services.person_add(household=household, name=v["name"], relation=v["relation"], sex=v["sex"],
                                         birth_date=v["birth_date"], id_number=v["id_number"], phone=v["phone"])
        else:
            living = Person.objects.filter(household=household, left_on__isnull=True)
            person = (living.filter(id_number=v["id_number"]) if v["id_number"] else living.filter(name=v["name"])).first()
        target = None if row.is_head else person
        have = set(Situation.objects.filter(household=household, person=target, ended_on__isnull=True)
                   .values_list("kind", flat=True))
        for kind in dict.fromkeys(row.kinds):
            if kind not in have:
                services.situation_start(household, kind=kind, started_on=self.today, person=target,
                                         note=_("from an imported register"))


def apply_import(plan: HouseholdImportPlan, progress: Progress | None = None) -> HouseholdImportPlan:
    """Check the rows again and write them in one transaction: every row or none."""
    if not plan.ok or plan.sheet is None or plan.applied:
        return plan
    _require_entry(plan.org)
    fresh = HouseholdImportPlan(filename=plan.filename, sheet=plan.sheet, org=plan.org)
    writer = _Writer()
    return apply_rows(fresh, evaluate=lambda: _evaluate(fresh, progress), write=writer.write,
                      column_for=lambda name: _column_for(fresh, name), progress=progress)


def template_xlsx() -> bytes:
    """An empty register with the Chinese headers, and a sheet saying what each column takes."""
    from grassroots.ui import xlsx

    wb = xlsx.new_workbook()
    ws = wb.active
    ws.title = TEMPLATE_SHEET
    xlsx.append(ws, [c.zh + ("*" if c.required else "") for c in COLUMNS])
    notes = wb.create_sheet(_("What each column takes"))
    xlsx.append(notes, [_("Column"), _("What it takes")])
    accepted = {
        "relation": "、".join(f"{c} {zh}" for c, (zh, _en) in relations.RELATIONS.items() if c != "01"),
        "situations": "、".join(k.zh for k in selectors.default_kinds()),
        "sex": "男、女",
        "birth_date": "2019-12-31, 2019/12/31, 2019年12月31日",
    }
    for c in COLUMNS:
        xlsx.append(notes, [c.zh, accepted.get(c.field, c.en)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _print_rows(plan: Any) -> None:
    for r in plan.rows:
        print(f"{r.row}\t{r.action}\t{r.household_code or '-'}\t{r.place_name}\t{r.name}\t{r.relation}\t"
              f"{','.join(r.kinds) or '-'}")


def cli_run(path: str | os.PathLike[str], *, org: Organization | None, dry_run: bool, actor: Any) -> int:
    """`grassroots import households FILE [--org CODE]`."""
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
            return _("dry run: would add %(create)d persons, complete %(update)d, %(unchanged)d already recorded; "
                     "nothing was written") % counts
        return _("added %(create)d persons, completed %(update)d, %(unchanged)d were already recorded") % counts

    return cli_report(plan, dry_run=dry_run, print_rows=_print_rows, summary=summary)


