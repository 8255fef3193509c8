"""Import members from .xlsx or .csv: check every row first (`plan_import`), then write all or nothing.

`plan_import` reads the file, validates each row and compares it with the roster; it never writes.
`apply_import` re-checks the same rows inside one transaction and writes through the member services,
on the audit channel "import". A web import keeps its dry run beside the file (`keep_plan`) and its confirmation
writes from it (`resume_plan`): the file is read again only for rows to check again in full. A row that would
move a member, or change the dates of joining or conversion, is refused: those are events (a transfer, a conversion) to record, not corrections.
Blank cells in optional columns mean "leave as is" for a member already on the roster.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots.access.scope import Scope, current_scope, pinned_scope
from grassroots.core import idnumber
from grassroots.core.bulk import gc_paused
from grassroots.core.context import acting
from grassroots.core.sheets import (
    PROGRESS_EVERY,
    ImportPlan,
    PlannedRow,
    Progress,
    Row,
    RowError,
    Sheet,
    add_years,
    apply_rows,
    cell_text,
    check_rows,
    cli_report,
    read_rows,
    read_sheet,
)
from grassroots.orgs.models import Organization, OrgKind

from . import headers
from .models import HAN, Member, Status
from .services import (
    MEMBER_ORG_KINDS,
    creating_in_bulk,
    id_number_refused_message,
    member_create,
    member_update,
    record_duplicate_id_attempt,
)

# Fields a row may change on a member already on the roster (the rest are events).
UPDATABLE = ("name", "sex", "ethnicity", "phone", "party_group", "education", "occupation")
_PHONE = re.compile(r"^[0-9+\-() ]{1,20}$")
_SERVICE_FIELD_TO_COLUMN = {"org": "org_code", "party_group": "party_group_code", "date": "joined_on"}
PREFETCH_BATCH = 2000  # ID numbers per query when matching the file against the roster


def _sheet(rows: list[list[Any]], default_org_code: str | None) -> tuple[Sheet | None, list[RowError]]:
    required = [c for c in headers.COLUMNS if c.required or (c.field == "org_code" and not default_org_code)]
    return read_sheet(rows, headers.COLUMNS, required)


_KINDS = {"sex": gettext_lazy("sex"), "education": gettext_lazy("education"),
          "occupation": gettext_lazy("occupation"), "status": gettext_lazy("status")}


def _label(row: Row, name: str, *, required: bool = True) -> str | None:
    """The code of a member label (sex, education, occupation, status) typed as a secretary types it."""
    value = row.text(name)
    code = headers.code_for(name, value) if value else None
    if code is not None:  # the common case, without building the message of the other
        return code
    return row.label(name, str(_KINDS[name]), lookup=lambda value: headers.code_for(name, value),
                     required=required, accepted=[names[0] for names in headers.ZH_LABELS[name].values()])


class _Planner:
    def __init__(self, sheet: Sheet, default_org_code: str | None, scope: Scope) -> None:
        self.sheet = sheet
        self.scope = scope
        self.today = timezone.localdate()
        self.default_org_code = (default_org_code or "").strip() or None
        self._orgs: dict[str, tuple[Organization | None, str]] = {}
        self._groups: dict[tuple[str, int], Organization | None] = {}
        self.seen: dict[str, int] = {}
        self.existing: dict[str, Member] = {}  # the roster's members with the file's ID numbers (`prefetch`)

    def org(self, text: str) -> tuple[Organization | None, str]:
        if text not in self._orgs:
            self._orgs[text] = self._resolve_org(text)
        return self._orgs[text]

    def _resolve_org(self, text: str) -> tuple[Organization | None, str]:
        org = Organization.objects.filter(code=text).first()
        if org is None:
            # by exact current name, among the organizations the user may change (names repeat across streets)
            named = list(self.scope.orgs(write=True).filter(name=text).order_by("path")[:2])
            if len(named) > 1:
                return None, _("several organizations are named %(name)s: use the code") % {"name": text}
            if not named:
                return None, _("unknown organization %(org)s (give its code or exact name)") % {"org": text}
            org = named[0]
        if org.kind not in MEMBER_ORG_KINDS:
            return None, _("members belong to a branch or committee, not a %(kind)s") % {
                "kind": org.get_kind_display()}
        if org.revoked_on is not None:
            return None, _("%(org)s was revoked on %(date)s") % {"org": org, "date": org.revoked_on}
        if not self.scope.can_write_org(org):
            return None, _("%(org)s is outside the organizations you may change") % {"org": org}
        return org, ""

    def party_group(self, text: str, org: Organization) -> Organization | None:
        key = (text, org.pk)
        if key not in self._groups:
            self._groups[key] = (Organization.objects.filter(kind=OrgKind.PARTY_GROUP, path__startswith=org.path)
                                 .filter(Q(code=text) | Q(name=text)).order_by("path").first())
        return self._groups[key]

    def numbers_in(self, records: list[tuple[int, list[Any]]]) -> set[str]:
        """The well-formed ID numbers the records hold (normalized)."""
        column = self.sheet.columns.get("id_number")
        numbers: set[str] = set()
        if column is None:
            return numbers
        for _number, cells in records:
            if column < len(cells) and cells[column] is not None:
                number = idnumber.normalize(cell_text(cells[column]).lstrip("'"))
                if len(number) == 18:
                    numbers.add(number)
        return numbers

    def prefetch(self, numbers: set[str] | None = None) -> None:
        """The members already on the roster holding the ID numbers (by default those the file holds), read in a
        few queries (not one a row)."""
        if numbers is None:
            numbers = self.numbers_in(self.sheet.records)
        wanted = sorted(numbers - self.existing.keys())
        for start in range(0, len(wanted), PREFETCH_BATCH):
            found = Member.objects.filter(id_number__in=wanted[start:start + PREFETCH_BATCH])
            self.existing.update((m.id_number, m) for m in found.select_related("org", "party_group"))

    def run(self, progress: Progress | None = None) -> tuple[list[PlannedRow], list[RowError]]:
        self.prefetch()
        return check_rows(self.sheet, self.check, progress)

    def check(self, row: Row) -> PlannedRow | None:
        name = row.plain("name", required=True, max_length=50)
        sex = _label(row, "sex")
        ethnicity = row.plain("ethnicity", max_length=20)
        education = _label(row, "education")
        occupation = _label(row, "occupation")
        status = _label(row, "status", required=False)
        number = self.id_number(row)
        birth = self.birth_date(row, number)
        joined_on = row.date("joined_on", required=True)
        converted_on = row.date("converted_on")
        phone = row.plain("phone", max_length=20)
        if phone is not None and not _PHONE.match(phone):
            row.error("phone", _("%(value)s is not a phone number") % {"value": idnumber.mask_phone(phone)})
        org = self.row_org(row)
        party_group = None
        group_text = row.plain("party_group_code", max_length=100)
        if group_text and org is not None:
            party_group = self.party_group(group_text, org)
            if party_group is None:
                row.error("party_group_code", _("no party group %(group)s under %(org)s")
                          % {"group": group_text, "org": org})
        self.check_dates(row, birth, joined_on, converted_on)
        explicit_status = status is not None
        if status == Status.PROBATIONARY and converted_on is not None:
            row.error("status", _("a probationary member has no conversion date"))
        if status is None:
            status = Status.FULL if converted_on is not None else Status.PROBATIONARY
        if number is not None:
            if number in self.seen:
                row.error("id_number", _("the same ID number is also on row %(row)d") % {"row": self.seen[number]})
            else:
                self.seen[number] = row.number
        if row.errors:
            return None
        assert name and sex and education and occupation and number and birth and joined_on and org
        values: dict[str, Any] = {"name": name, "sex": sex, "education": education, "occupation": occupation}
        if ethnicity is not None:
            values["ethnicity"] = ethnicity
        if phone is not None:
            values["phone"] = phone
        if party_group is not None:
            values["party_group"] = party_group
        existing = self.existing.get(number)
        masked = idnumber.mask(number)
        if existing is None:
            values.update(birth_date=birth, id_number=number, org=org, joined_on=joined_on, status=status,
                          converted_on=converted_on)
            values.setdefault("ethnicity", HAN)
            return PlannedRow(row.number, "create", name, masked, org.code, values=values)
        return self.compare(row, existing, values, org=org, joined_on=joined_on, converted_on=converted_on,
                            status=status, explicit_status=explicit_status)

    def id_number(self, row: Row) -> str | None:
        raw = row.raw("id_number")
        text = row.text("id_number").lstrip("'")
        if not text:
            row.error("id_number", _("this cell is required"))
            return None
        try:
            return idnumber.validate(text)
        except idnumber.IDNumberError as exc:
            message = str(exc)
            if isinstance(raw, int | float) and not isinstance(raw, bool):
                message += " " + _("(the cell holds a number, which loses digits: format the column as text)")
            row.error("id_number", message)
            return None

    def birth_date(self, row: Row, number: str | None) -> dt.date | None:
        given = row.date("birth_date")
        if number is None:
            return given
        from_id = idnumber.birth_date(number)
        if given is not None and given != from_id:
            row.error("birth_date", _("%(date)s does not match the ID number (%(id_date)s)")
                      % {"date": given, "id_date": from_id})
            return None
        if from_id > self.today:
            row.error("birth_date" if given else "id_number",
                      _("the birth date %(date)s is in the future") % {"date": from_id})
            return None
        return from_id

    def row_org(self, row: Row) -> Organization | None:
        text = row.plain("org_code", max_length=100)
        if text is None and row.text("org_code") == "":
            if self.default_org_code is None:
                row.error("org_code", _("this cell is required"))
                return None
            text = self.default_org_code
        if text is None:
            return None
        org, problem = self.org(text)
        if problem:
            row.error("org_code", problem)
        return org

    def check_dates(self, row: Row, birth: dt.date | None, joined_on: dt.date | None,
                    converted_on: dt.date | None) -> None:
        if joined_on is not None:
            if joined_on > self.today:
                row.error("joined_on", _("the date %(date)s is in the future") % {"date": joined_on})
            elif birth is not None:
                eighteen = add_years(birth, 18)
                if eighteen is None or joined_on < eighteen:
                    row.error("joined_on", _("joined on %(date)s, before turning 18 (born %(birth)s)")
                              % {"date": joined_on, "birth": birth})
        if converted_on is not None:
            if converted_on > self.today:
                row.error("converted_on", _("the date %(date)s is in the future") % {"date": converted_on})
            elif joined_on is not None and converted_on <= joined_on:
                row.error("converted_on", _("conversion on %(c)s is not after joining on %(j)s")
                          % {"c": converted_on, "j": joined_on})

    def compare(self, row: Row, member: Member, values: dict[str, Any], *, org: Organization,
                joined_on: dt.date, converted_on: dt.date | None, status: str,
                explicit_status: bool) -> PlannedRow | None:
        if not self.scope.can_write_member(member):
            if self.scope.can_read_member(member):
                row.error("id_number", _("this ID number belongs to a member you may not change"))
            else:  # held outside what the user reads: said as for any such number, and the attempt logged
                row.error("id_number", id_number_refused_message())
                record_duplicate_id_attempt(member.id_number, org)
            return None
        event_hint = _("record a transfer or an event instead of importing the change")
        if member.org_id is None:
            row.error("org_code", _("%(name)s is no longer on the roster (%(standing)s): %(hint)s")
                      % {"name": member.name, "standing": member.get_standing_display(), "hint": event_hint})
        elif member.org_id != org.pk:
            row.error("org_code", _("the record has %(name)s in %(old)s (%(code)s): %(hint)s")
                      % {"name": member.name, "old": member.org, "code": member.org.code if member.org else "",
                         "hint": event_hint})
        if joined_on != member.joined_on:
            row.error("joined_on", _("the record says %(old)s: %(hint)s") % {"old": member.joined_on,
                                                                            "hint": event_hint})
        if converted_on != member.converted_on:
            row.error("converted_on", _("the record says %(old)s: %(hint)s")
                      % {"old": member.converted_on or _("not converted"), "hint": event_hint})
        elif (explicit_status or converted_on is not None) and status != member.status:
            row.error("status", _("the record says %(old)s: %(hint)s")
                      % {"old": member.get_status_display(), "hint": event_hint})
        if row.errors:
            return None
        changes: dict[str, tuple[Any, Any]] = {}
        updates: dict[str, Any] = {}
        for name in UPDATABLE:
            if name not in values:
                continue
            old, new = getattr(member, name), values[name]
            if old != new:
                updates[name] = new
                if name == "party_group":
                    changes[name] = (old.code if old else "", new.code)
                elif name == "phone":  # masked like the pages: the preview is no place for a reveal
                    changes[name] = (idnumber.mask_phone(old), idnumber.mask_phone(new))
                else:
                    changes[name] = (old, new)
        action = "update" if updates else "unchanged"
        return PlannedRow(row.number, action, values["name"], member.id_number_masked, org.code,
                          changes=changes, member_id=member.pk, values=updates)


def _evaluate(plan: ImportPlan, scope: Scope, progress: Progress | None = None) -> None:
    assert plan.sheet is not None
    rows, errors = _Planner(plan.sheet, plan.default_org_code, scope).run(progress)
    plan.rows, plan.errors = rows, errors


# --- the API -------------------------------------------------------------------------------------------


def plan_import(fileobj_or_path: str | os.PathLike[str] | IO[Any], filename: str, *,
                default_org_code: str | None = None, progress: Progress | None = None) -> ImportPlan:
    """Read and check every row against the roster and the acting user's scope. Never writes.
    `progress(done, total)` hears how many rows were checked."""
    plan = ImportPlan(filename=filename, default_org_code=default_org_code)
    rows, problem = read_rows(fileobj_or_path, filename)
    if rows is None:
        plan.errors.append(RowError(0, "", problem))
        return plan
    sheet, errors = _sheet(rows, default_org_code)
    if errors or sheet is None:
        plan.errors = errors
        return plan
    plan.sheet = sheet
    _evaluate(plan, current_scope(), progress)
    return plan


def _column_for(plan: ImportPlan, service_field: str | None) -> str:
    if not service_field or plan.sheet is None:
        return ""
    return plan.sheet.column_name(_SERVICE_FIELD_TO_COLUMN.get(service_field, service_field))


OrgThen = tuple[str, str, dt.date | None]  # an organization as the dry run saw it: kind, path, revoked on


def _still_valid(orgs: dict[int, OrgThen], scope: Scope) -> set[int]:
    """Of the organizations (and party groups) the planned rows name, by id: those read again now (one query)
    that a new member may still join as planned (same kind, not revoked, not moved, still writable)."""
    ok: set[int] = set()
    for now in Organization.objects.filter(pk__in=list(orgs)):
        if (now.kind, now.path, now.revoked_on) != orgs[now.pk]:
            continue
        if now.kind == OrgKind.PARTY_GROUP or scope.can_write_org(now):
            ok.add(now.pk)
    return ok


def _recheck(plan: ImportPlan, fresh: ImportPlan, scope: Scope, progress: Progress | None = None) -> None:
    """Inside the write's transaction, check the dry run's rows against the roster of now, re-reading in bulk
    only what can have changed since: which of the rows' ID numbers the roster holds now (a few queries), and
    the organizations and party groups the new members go to (one). A row to create whose number is still free
    and whose organization is unchanged stands as planned; every other row (an update, a number taken meanwhile,
    an organization revoked or moved) is checked again in full, as the dry run checks it, from its cells (a kept
    plan, `resume_plan`, holds none: the kept file is read again for them)."""
    assert plan.sheet is not None
    planner = _Planner(plan.sheet, plan.default_org_code, scope)
    kept = plan if isinstance(plan, KeptPlan) else None
    if kept is None:
        planner.prefetch()
        orgs: dict[int, OrgThen] = {}
        for r in plan.rows:
            if r.action == "create":
                for key in ("org", "party_group"):
                    org = r.values.get(key)
                    if org is not None:
                        orgs[org.pk] = (org.kind, org.path, org.revoked_on)
    else:
        planner.prefetch({r.values["id_number"] for r in plan.rows if r.action == "create"})
        orgs = kept.then
    valid = _still_valid(orgs, scope)

    def stands(r: PlannedRow) -> bool:
        org, group = r.values.get("org"), r.values.get("party_group")
        return (r.action == "create" and r.values["id_number"] not in planner.existing
                and org is not None and org.pk in valid and (group is None or group.pk in valid))

    again = {r.row for r in plan.rows if not stands(r)}
    records = plan.sheet.records
    if again and kept is not None:
        records = kept.records()
        planner.prefetch(planner.numbers_in([(n, c) for n, c in records if n in again]))
    cells = {number: row for number, row in records if number in again} if again else {}
    rows: list[PlannedRow] = []
    errors: list[RowError] = []
    total = len(plan.rows)
    for done, r in enumerate(plan.rows):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
        if r.row not in again:
            rows.append(r)
            continue
        if r.row not in cells:  # the kept file no longer holds the row: the plan is not this file's
            errors.append(RowError(r.row, "", _("this row changed since the dry run: upload the file again")))
            continue
        row = Row(r.row, cells[r.row], plan.sheet)
        result = planner.check(row)
        if row.errors:
            errors.extend(row.errors)
        elif result is not None:
            rows.append(result)
    if progress is not None:
        progress(total, total)
    fresh.rows, fresh.errors = rows, errors


# --- the dry run kept for its confirmation (`ui.jobs`) -----------------------------------------------------------

KEPT_FORMAT = 1  # the layout `keep_plan` writes; a kept plan of another layout is not used (the file is read again)


@dataclass
class KeptPlan(ImportPlan):
    """A dry run brought back from `keep_plan`'s data: its rows to create as planned (with the organizations as
    they are now, `then` as the dry run saw them), its other rows (updates, unchanged) to check again in full from
    the kept file (`source`), which is read again only for them."""

    source: Path | None = None
    then: dict[int, OrgThen] = field(default_factory=dict)
    _records: list[tuple[int, list[Any]]] | None = field(default=None, repr=False)

    def records(self) -> list[tuple[int, list[Any]]]:
        """The data rows of the kept file (read once, when a row must be checked again in full)."""
        if self._records is None:
            self._records = []
            read, _problem = read_rows(self.source, self.filename) if self.source is not None else (None, "")
            sheet = _sheet(read, self.default_org_code)[0] if read is not None else None
            if sheet is not None and sheet.header_row == (self.sheet.header_row if self.sheet else 0):
                self._records = sheet.records
        return self._records


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def keep_plan(plan: ImportPlan) -> dict[str, Any] | None:
    """A dry run without errors as compact JSON-able data, for the confirmed job to write from (`resume_plan`)
    instead of reading and checking the file again: each row to create with its checked, normalized values; the
    organizations they name as the dry run saw them; the other rows by number (checked again in full)."""
    if not plan.ok or plan.sheet is None:
        return None
    orgs: dict[str, list[Any]] = {}
    creates: list[list[Any]] = []
    others: list[list[Any]] = []
    for r in plan.rows:
        if r.action != "create":
            others.append([r.row, r.action, r.name, r.id_number_masked, r.org_code])
            continue
        v = r.values
        org, group = v["org"], v.get("party_group")
        for o in (org, group):
            if o is not None and str(o.pk) not in orgs:
                orgs[str(o.pk)] = [o.kind, o.path, o.revoked_on.isoformat() if o.revoked_on else None]
        converted = v["converted_on"]
        creates.append([r.row, v["name"], v["sex"], v["ethnicity"], v["birth_date"].isoformat(), v["id_number"],
                        v.get("phone", ""), v["education"], v["occupation"], v["status"], v["joined_on"].isoformat(),
                        converted.isoformat() if converted else None, org.pk, group.pk if group is not None else None])
    sheet = plan.sheet
    return {"format": KEPT_FORMAT, "default_org_code": plan.default_org_code, "orgs": orgs, "creates": creates,
            "others": others, "sheet": {"columns": sheet.columns, "header_text": sheet.header_text,
                                        "english": sheet.english, "header_row": sheet.header_row}}


def resume_plan(data: Any, source: Path | None, filename: str) -> KeptPlan | None:
    """`keep_plan`'s data as a plan `apply_import` takes (None when it is not of this layout): the rows in the
    file's order, the organizations read now (one query)."""
    if not isinstance(data, dict) or data.get("format") != KEPT_FORMAT:
        return None
    s = data["sheet"]
    sheet = Sheet({k: int(v) for k, v in s["columns"].items()}, dict(s["header_text"]), bool(s["english"]), [],
                  {c.field: c for c in headers.COLUMNS}, header_row=int(s["header_row"]))
    then = {int(pk): (kind, path, _day(revoked)) for pk, (kind, path, revoked) in data["orgs"].items()}
    now = Organization.objects.in_bulk(list(then))
    rows: list[PlannedRow] = []
    for (row, name, sex, ethnicity, birth, number, phone, education, occupation, status, joined, converted,
         org_id, group_id) in data["creates"]:
        org = now.get(org_id)
        values = {"name": name, "sex": sex, "education": education, "occupation": occupation,
                  "ethnicity": ethnicity, "phone": phone, "birth_date": _day(birth), "id_number": number,
                  "org": org, "joined_on": _day(joined), "status": status, "converted_on": _day(converted)}
        if group_id is not None:
            values["party_group"] = now.get(group_id)
            if values["party_group"] is None:  # deleted since: the row is checked again in full (`_recheck`)
                values["org"] = None
        rows.append(PlannedRow(row, "create", name, idnumber.mask(number), org.code if org else "", values=values))
    rows += [PlannedRow(row, action, name, masked, org_code) for row, action, name, masked, org_code in data["others"]]
    rows.sort(key=lambda r: r.row)
    return KeptPlan(filename=filename, default_org_code=data.get("default_org_code"), rows=rows, sheet=sheet,
                    source=source, then=then)


def apply_import(plan: ImportPlan, progress: Progress | None = None) -> ImportPlan:
    """Write the plan's rows in one transaction: all of them, or nothing. Inside it the rows are checked against
    the roster of now (`_recheck`: only what can have changed since the dry run, read in bulk); new members are
    written in bulk (`creating_in_bulk`), their audit entries chained at the end (`audit.batch`). `progress(done,
    total)` hears the rows checked again, then (from 0 again) the rows written.

    Returns a new plan: `applied` is True when written; otherwise `errors` say why nothing was.
    """
    if not plan.ok or plan.sheet is None or plan.applied:
        return plan
    fresh = ImportPlan(filename=plan.filename, default_org_code=plan.default_org_code, sheet=plan.sheet)
    rows_by_number: dict[str, int] = {}

    def write(row: PlannedRow) -> None:
        if row.action == "create":
            member_create(**row.values)
        elif row.action == "update":
            assert row.member_id is not None
            member_update(Member.objects.get(pk=row.member_id), **row.values)

    def batch() -> AbstractContextManager[None]:
        creates = [r.values["id_number"] for r in fresh.rows if r.action == "create"]
        rows_by_number.update((r.values["id_number"], r.row) for r in fresh.rows if r.action == "create")
        # the numbers were read in this transaction by `_recheck`: none of the rows to create holds one now
        return creating_in_bulk(expected=creates, taken=())

    def row_of(exc: Exception) -> int | None:
        number = getattr(exc, "id_number", None)
        return rows_by_number.get(number) if number is not None else None

    with pinned_scope(), gc_paused():  # every row is written as the same user: their roles are read once
        return apply_rows(fresh, evaluate=lambda: _recheck(plan, fresh, current_scope(), progress), write=write,
                          column_for=lambda field: _column_for(fresh, field), progress=progress, batch=batch,
                          row_of=row_of)


def _print_rows(plan: ImportPlan) -> None:
    labels = {"create": _("create"), "update": _("update"), "unchanged": _("unchanged")}
    for r in plan.rows:
        line = f"{_('row')} {r.row}\t{labels[r.action]}\t{r.name}\t{r.id_number_masked}\t{r.org_code}"
        if r.changes:
            line += "\t" + "; ".join(f"{k}: {old} -> {new}" for k, (old, new) in r.changes.items())
        print(line)


def cli_import(path: str | os.PathLike[str], *, org_code: str | None, dry_run: bool, actor: Any) -> int:
    """The `grassroots import members` verb: 0 when written (or a clean dry run), 1 on errors."""
    with acting(actor, "cli"):
        plan = plan_import(path, os.path.basename(os.fspath(path)), default_org_code=org_code)
        if plan.ok and not dry_run:
            plan = apply_import(plan)

    def summary(counts: dict[str, int]) -> str:
        if dry_run:
            return _("dry run: would create %(create)d, update %(update)d, leave %(unchanged)d unchanged; "
                     "nothing was written") % counts
        return _("created %(create)d, updated %(update)d, unchanged %(unchanged)d") % counts

    return cli_report(plan, dry_run=dry_run, print_rows=_print_rows, summary=summary)


def cli_run(path: str | os.PathLike[str], *, org: Organization | None, dry_run: bool, actor: Any) -> int:
    """`grassroots import members` as the registry calls it: --org is the organization of rows that name none."""
    return cli_import(path, org_code=org.code if org is not None else None, dry_run=dry_run, actor=actor)
