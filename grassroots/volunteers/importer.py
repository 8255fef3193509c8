"""Imports of volunteer service: a register of volunteers, and past activities with their attendance (a paper
sheet typed up: one row per volunteer at an activity). Both are all or nothing, with a dry run first, errors
naming the row and the column; the web pages run them as background jobs (`ui.imports.ImportFlow`) and the
command line as `grassroots import volunteers|volunteer-activities FILE --org CODE [--dry-run]`.

Rows are written through the services (`volunteer_register`, `activity_create`, `sign_up`, `mark_attendance`,
`confirm_hours`), so an import obeys the same rules as the pages. A row already recorded is "unchanged".
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from grassroots.access.scope import current_scope, pinned_scope, scope_for
from grassroots.core import idnumber
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError
from grassroots.core.sheets import (
    Column,
    ImportPlan,
    PlannedRow,
    Progress,
    Row,
    apply_rows,
    check_rows,
    cli_report,
    read_rows,
    read_sheet,
)
from grassroots.members.models import Member
from grassroots.orgs.models import Organization
from grassroots.ui.imports import ImportFlow

from . import services
from .models import Activity, Attendance, IdType, Participation, Volunteer, VolunteerTeam

# --- the columns ------------------------------------------------------------------------------------------

PEOPLE_COLUMNS = [
    Column("name", "姓名", "Name", required=True),
    Column("id_type", "证件类型", "Document type"),
    Column("id_number", "证件号码", "Document number", aliases=("身份证号", "身份证号码", "ID number"),
           required=True),
    Column("phone", "联系电话", "Phone", aliases=("电话", "手机")),
    Column("skills", "服务技能", "Skills", aliases=("技能", "特长")),
    Column("availability", "服务时间", "Availability", aliases=("可服务时间",)),
    Column("registered_on", "注册日期", "Registered on", required=True),
    Column("number", "志愿者编号", "Volunteer number"),
]
ACTIVITY_COLUMNS = [
    Column("team", "队伍代码", "Team code", required=True),
    Column("title", "活动名称", "Title", aliases=("活动",), required=True),
    Column("starts_at", "开始时间", "Starts at", required=True),
    Column("ends_at", "结束时间", "Ends at", required=True),
    Column("place", "地点", "Place"),
    Column("organizer", "组织者", "Organizer"),
    Column("number", "志愿者编号", "Volunteer number", required=True),
    Column("attendance", "出勤", "Attendance", aliases=("签到",), required=True),
    Column("actual_start", "实际开始", "Actual start"),
    Column("actual_end", "实际结束", "Actual end"),
    Column("confirmed_on", "确认日期", "Confirmed on"),
]
ID_TYPES = {"居民身份证": IdType.RESIDENT_ID, "身份证": IdType.RESIDENT_ID, "resident id card": IdType.RESIDENT_ID,
            "护照": IdType.PASSPORT, "passport": IdType.PASSPORT, "港澳居民来往内地通行证": IdType.HK_MACAO,
            "台湾居民来往大陆通行证": IdType.TAIWAN, "其他": IdType.OTHER, "other": IdType.OTHER}
PRESENT = {"出席": True, "到": True, "是": True, "√": True, "present": True, "yes": True,
           "缺席": False, "未到": False, "否": False, "absent": False, "no": False}


@dataclass
class VolunteerPlan(ImportPlan):
    org: Organization | None = None
    kind: str = "people"


# --- cells ------------------------------------------------------------------------------------------------

def _datetime(row: Row, name: str, *, required: bool = False) -> dt.datetime | None:
    raw = row.raw(name)
    if raw in (None, ""):
        if required:
            row.error(name, _("this cell is required"))
        return None
    if isinstance(raw, dt.datetime):
        value = raw
    else:
        text = row.text(name).replace("/", "-").replace("T", " ")
        value = None
        for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
            try:
                value = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if value is None:
            row.error(name, _("%(value)s is not a date and time such as 2019-03-05 09:00") % {"value": text[:40]})
            return None
    assert value is not None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


# --- the volunteers' register ------------------------------------------------------------------------------

def _plan_people(rows: list[list[Any]], filename: str, org: Organization, progress: Progress | None) -> VolunteerPlan:
    plan = VolunteerPlan(filename=filename, org=org, kind="people")
    sheet, errors = read_sheet(rows, PEOPLE_COLUMNS, [c for c in PEOPLE_COLUMNS if c.required])
    plan.sheet = sheet
    if errors or sheet is None:
        plan.errors = errors
        return plan
    _evaluate_people(plan, progress)
    return plan


def _evaluate_people(plan: VolunteerPlan, progress: Progress | None) -> None:
    assert plan.sheet is not None and plan.org is not None
    org = plan.org
    scope = current_scope()
    if not scope.can_write_org(org):
        raise PermissionDeniedError(_("you may not change %(org)s") % {"org": org})
    members = {m.id_number: m for m in Member.objects.filter(org__path__startswith=org.path)}
    registered_members = set(Volunteer.objects.filter(org=org, member__isnull=False).values_list("member_id",
                                                                                                 flat=True))
    registered_docs = set(Volunteer.objects.filter(org=org, member__isnull=True).values_list("id_type", "id_number"))
    numbers = set(Volunteer.objects.filter(org=org).values_list("number", flat=True))
    seen: set[str] = set()

    def check(row: Row) -> PlannedRow | None:
        name = row.plain("name", required=True)
        id_type_text = row.text("id_type")
        id_type = ID_TYPES.get(id_type_text.strip().casefold(), None) if id_type_text else IdType.RESIDENT_ID
        if id_type is None:
            row.error("id_type", _("unknown document type %(value)s (use one of %(accepted)s)") % {
                "value": id_type_text[:40], "accepted": "、".join(k for k in ID_TYPES if not k.isascii())})
        number_text = row.plain("id_number", required=True, max_length=30) or ""
        if id_type == IdType.RESIDENT_ID and number_text:
            try:
                number_text = idnumber.validate(number_text)
            except idnumber.IDNumberError as exc:
                row.error("id_number", str(exc))
        registered_on = row.date("registered_on", required=True)
        phone = row.plain("phone", max_length=20) or ""
        vol_number = row.plain("number", max_length=40) or ""
        if row.errors or not name or registered_on is None or id_type is None:
            return None
        if number_text in seen:
            row.error("id_number", _("this document appears twice in the file"))
            return None
        seen.add(number_text)
        member = members.get(number_text) if id_type == IdType.RESIDENT_ID else None
        if member is not None and member.name != name:
            row.error("name", _("the roster names this ID number %(name)s") % {"name": member.name})
            return None
        done = (member.pk in registered_members) if member else ((id_type, number_text) in registered_docs)
        if not done and vol_number and vol_number in numbers:
            row.error("number", _("the volunteer number %(n)s is taken") % {"n": vol_number})
            return None
        if vol_number:
            numbers.add(vol_number)
        values = {"member": member, "name": "" if member else name, "id_type": id_type,
                  "id_number": "" if member else number_text, "phone": "" if member else phone,
                  "skills": row.plain("skills", max_length=200) or "",
                  "availability": row.plain("availability", max_length=200) or "",
                  "registered_on": registered_on, "number": vol_number}
        return PlannedRow(row.number, "unchanged" if done else "create", name, idnumber.mask(number_text),
                          org.code, member_id=member.pk if member else None, values=values)

    plan.rows, plan.errors = check_rows(plan.sheet, check, progress)


# --- past activities with attendance ---------------------------------------------------------------------

def _plan_activities(rows: list[list[Any]], filename: str, org: Organization,
                     progress: Progress | None) -> VolunteerPlan:
    plan = VolunteerPlan(filename=filename, org=org, kind="activities")
    sheet, errors = read_sheet(rows, ACTIVITY_COLUMNS, [c for c in ACTIVITY_COLUMNS if c.required])
    plan.sheet = sheet
    if errors or sheet is None:
        plan.errors = errors
        return plan
    _evaluate_activities(plan, progress)
    return plan


def _evaluate_activities(plan: VolunteerPlan, progress: Progress | None) -> None:
    assert plan.sheet is not None and plan.org is not None
    org = plan.org
    scope = current_scope()
    if not scope.can_write_org(org):
        raise PermissionDeniedError(_("you may not change %(org)s") % {"org": org})
    teams = {t.code: t for t in VolunteerTeam.objects.filter(org__path__startswith=org.path, active=True)}
    volunteers = {v.number: v for v in Volunteer.objects.filter(org__path__startswith=org.path).select_related(
        "member")}
    now = timezone.now()
    seen: set[tuple[Any, ...]] = set()

    def check(row: Row) -> PlannedRow | None:
        code = row.plain("team", required=True, max_length=30)
        team = teams.get(code or "")
        if code and team is None:
            row.error("team", _("no active team with the code %(code)s here") % {"code": code})
        title = row.plain("title", required=True, max_length=150)
        starts, ends = _datetime(row, "starts_at", required=True), _datetime(row, "ends_at", required=True)
        if starts and ends and ends <= starts:
            row.error("ends_at", _("the activity must end after it starts (an end past midnight is on the next day)"))
        if starts and starts > now:
            row.error("starts_at", _("only past activities are imported"))
        number = row.plain("number", required=True, max_length=40)
        volunteer = volunteers.get(number or "")
        if number and volunteer is None:
            row.error("number", _("no volunteer with the number %(n)s here") % {"n": number})
        mark = row.text("attendance").strip().casefold()
        present = PRESENT.get(mark)
        if present is None:
            row.error("attendance", _("write 出席 (present) or 缺席 (absent)"))
        a_start, a_end = _datetime(row, "actual_start"), _datetime(row, "actual_end")
        confirmed_on = row.date("confirmed_on")
        if row.errors or team is None or volunteer is None or starts is None or ends is None or not title:
            return None
        key = (team.pk, title, starts, volunteer.pk)
        if key in seen:
            row.error("number", _("this volunteer appears twice at this activity"))
            return None
        seen.add(key)
        existing = Activity.objects.filter(team=team, title=title, starts_at=starts).first()
        done = existing is not None and Participation.objects.filter(
            activity=existing, volunteer=volunteer, state__in=(Attendance.PRESENT, Attendance.ABSENT)).exists()
        values = {"team": team, "title": title, "starts_at": starts, "ends_at": ends,
                  "place": row.plain("place", max_length=150) or "",
                  "organizer": row.plain("organizer", max_length=50) or "", "volunteer": volunteer,
                  "present": present, "actual_start": a_start, "actual_end": a_end, "confirmed_on": confirmed_on}
        return PlannedRow(row.number, "unchanged" if done else "create", volunteer.display_name,
                          volunteer.id_number_masked, team.org.code if team.org_id else "", values=values)

    plan.rows, plan.errors = check_rows(plan.sheet, check, progress)


# --- planning and applying ------------------------------------------------------------------------------

def plan_import(fileobj: Any, filename: str, *, org: Organization, kind: str,
                progress: Progress | None = None) -> VolunteerPlan:
    rows, error = read_rows(fileobj, filename)
    if rows is None:
        from grassroots.core.sheets import RowError

        return VolunteerPlan(filename=filename, org=org, kind=kind, errors=[RowError(0, "", error)])
    with pinned_scope():
        if kind == "people":
            return _plan_people(rows, filename, org, progress)
        return _plan_activities(rows, filename, org, progress)


def apply_import(plan: VolunteerPlan, progress: Progress | None = None) -> VolunteerPlan:
    """Check the rows again and write them in one transaction: all, or none."""
    if not plan.ok or plan.sheet is None or plan.applied or plan.org is None:
        return plan
    fresh = VolunteerPlan(filename=plan.filename, sheet=plan.sheet, org=plan.org, kind=plan.kind)
    org = plan.org

    def evaluate() -> None:
        (_evaluate_people if plan.kind == "people" else _evaluate_activities)(fresh, progress)

    def write(row: PlannedRow) -> None:
        if row.action != "create":
            return
        v = dict(row.values)
        if plan.kind == "people":
            services.volunteer_register(org, **v)
            return
        activity = Activity.objects.filter(team=v["team"], title=v["title"], starts_at=v["starts_at"]).first()
        if activity is None:
            activity = services.activity_create(v["team"], title=v["title"], starts_at=v["starts_at"],
                                                ends_at=v["ends_at"], place=v["place"], organizer=v["organizer"])
        p = Participation.objects.filter(activity=activity, volunteer=v["volunteer"]).first()
        if p is None or p.state == Attendance.WITHDRAWN:
            p = services.sign_up(activity, v["volunteer"])
        p = services.mark_attendance(p, present=v["present"], actual_start=v["actual_start"],
                                     actual_end=v["actual_end"])
        if v["present"] and v["confirmed_on"] is not None:
            services.confirm_hours(p, on=v["confirmed_on"])

    columns = {c.field for c in (PEOPLE_COLUMNS if plan.kind == "people" else ACTIVITY_COLUMNS)}

    def column_for(field: str | None) -> str:
        return fresh.sheet.column_name(field) if field in columns and fresh.sheet is not None else ""

    with pinned_scope():
        return apply_rows(fresh, evaluate=evaluate, write=write, column_for=column_for, progress=progress)


# --- the command line -----------------------------------------------------------------------------------

def _cli(path: str | os.PathLike[str], *, org: Organization | None, dry_run: bool, actor: Any, kind: str) -> int:
    assert org is not None  # the verbs are registered with org_required
    with acting(actor, "cli"), Path(path).open("rb") as fileobj:
        plan = plan_import(fileobj, str(path), org=org, kind=kind)
        if plan.ok and not dry_run:
            plan = apply_import(plan)

    def print_rows(p: Any) -> None:
        for r in p.rows:
            print(f"{r.row}\t{r.action}\t{r.name}")

    return cli_report(plan, dry_run=dry_run, print_rows=print_rows, summary=_summary)


def cli_volunteers(path: str | os.PathLike[str], *, org: Organization | None, dry_run: bool, actor: Any) -> int:
    return _cli(path, org=org, dry_run=dry_run, actor=actor, kind="people")


def cli_activities(path: str | os.PathLike[str], *, org: Organization | None, dry_run: bool, actor: Any) -> int:
    return _cli(path, org=org, dry_run=dry_run, actor=actor, kind="activities")


# --- the web flows --------------------------------------------------------------------------------------

def _summary(counts: dict[str, int]) -> str:
    return _("Imported: %(created)s rows written, %(unchanged)s already recorded.") % {
        "created": counts.get("create", 0), "unchanged": counts.get("unchanged", 0)}


def _labels() -> dict[str, str]:
    return {"create": _("Record"), "unchanged": _("Unchanged (already recorded)")}


def _describe(r: PlannedRow) -> dict[str, Any]:
    v = r.values
    out: dict[str, Any] = {"row": r.row, "action": r.action, "name": r.name, "id_number_masked": r.id_number_masked,
                           "activity": "", "starts_at": "", "present": False, "kind": "", "registered_on": ""}
    if "starts_at" in v:
        out.update(activity=v["title"], starts_at=f"{timezone.localtime(v['starts_at']):%Y-%m-%d %H:%M}",
                   present=bool(v["present"]))
    else:
        out.update(kind="member" if v.get("member") else "resident", registered_on=str(v.get("registered_on")))
    return out


def _flow(kind: str) -> ImportFlow:
    people = kind == "people"

    def plan(saved: Path, filename: str, org: Organization | None, params: Mapping[str, Any],
             progress: Progress) -> ImportPlan:
        assert org is not None
        with saved.open("rb") as fileobj:
            return plan_import(fileobj, filename, org=org, kind=kind, progress=progress)

    def upload_page(request: HttpRequest, org: Organization | None, form: forms.Form, status: int) -> HttpResponse:
        return render(request, "volunteers/import.html", {"org": org, "form": form, "people": people},
                      status=status)

    def done_link(job: Any) -> tuple[str, str]:
        if people:
            return reverse("volunteers-people", args=[job.org.code]), _("Volunteers")
        return reverse("volunteers-activities", args=[job.org.code]), _("Volunteer activities")

    return ImportFlow(
        path=f"grassroots.volunteers.importer.{'PEOPLE' if people else 'ACTIVITIES'}",
        title=gettext_lazy("Import volunteers") if people else gettext_lazy("Import past activities with attendance"),
        prefix=f"volunteers-{kind}-", url_name="volunteers-people-import" if people else "volunteers-activities-import",
        plan=plan, apply=apply_import, describe=_describe, rows_template="volunteers/_import_rows.html",
        upload_page=upload_page, labels=_labels, summary=_summary, done_link=done_link)


PEOPLE = _flow("people")
ACTIVITIES = _flow("activities")


def _import_view(flow: ImportFlow) -> Any:
    @csrf_exempt  # checked by ImportFlow.handle once the upload's size cap is in place
    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, code: str) -> HttpResponse:
        scope = scope_for(request.user)
        org = get_object_or_404(scope.orgs(), code=code)
        if not scope.can_write_org(org):
            raise PermissionDeniedError(_("you may not change %(org)s") % {"org": org})
        return flow.handle(request, org)

    return view


people_import = _import_view(PEOPLE)
activities_import = _import_view(ACTIVITIES)
