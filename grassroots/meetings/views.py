"""Organizational-life pages: the meetings of an organization (list, record, detail with attendance and
attachments), the duties grid ("three meetings and one lesson" by period), the calendar with its iCalendar
feed, and the printable sign-in sheet.

Thin: meetings are read through `scope_for(request.user).by_org(...)` (out of scope: 404), organizations
through `scope.orgs()`, and every write goes through `grassroots.meetings.services` (a RuleError goes back
onto the form; a PermissionDeniedError reaches `ui.errors.DomainErrorMiddleware`, a 403 page). Whether a duty
is met is `selectors.duty_state`'s to say. The iCalendar feed is the one page without a login: its URL carries
a signed token naming the user and the organization (or member), and the feed shows only what that user may
read today. The forms are in `forms.py`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.access.scope import Scope, scope_for
from grassroots.core.dates import parse_date_or
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.modules import meeting_page
from grassroots.members.models import Member
from grassroots.orgs.models import Organization, OrgKind
from grassroots.rules.registry import in_force
from grassroots.ui import uploads, xlsx
from grassroots.ui.forms import query_int, rule_error_on_form
from grassroots.ui.lists import PRINT_LIMIT, paginate, query_without

from . import ical
from . import selectors as meetings_selectors
from . import services as meetings_services
from .forms import (
    PRESENCE_CHOICES,
    AttachmentForm,
    MeetingFilterForm,
    MeetingForm,
    attendance_of,
    attendance_rows,
)
from .models import Attachment, Meeting, MeetingKind
from .selectors import DutyState

CALENDAR_SALT = "grassroots.calendar-feed"
FEED_MONTHS_BACK = 12  # the feed carries a year of past meetings and everything ahead
BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.PARTY_GROUP)


def _readable_org(request: HttpRequest, code: str) -> tuple[Scope, Organization]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(scope.orgs(), code=code)


def _meetings(scope: Scope, org: Organization) -> QuerySet[Meeting]:
    """The meetings of org's subtree that the user may read."""
    qs = Meeting.objects.filter(org__path__startswith=org.path).select_related("org")
    return scope.by_org(qs, org_field="org")


def _year(request: HttpRequest, default: int) -> int:
    return query_int(request, "year", default, 1990, 2100)


def _expected(org: Organization, day: dt.date) -> list[Member]:
    return list(meetings_selectors.expected_attendees(org, day))


# --- the meetings of an organization ---------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def meetings(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _readable_org(request, code)
    can_write = scope.can_write_org(org) and org.revoked_on is None
    today = timezone.localdate()
    if request.method == "POST" and not can_write:
        raise PermissionDenied(_("You may not record meetings here."))

    filter_form = MeetingFilterForm(request.GET or None)
    qs = _meetings(scope, org)
    if filter_form.is_valid():
        data = filter_form.cleaned_data
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("start"):
            qs = qs.filter(date__gte=data["start"])
        if data.get("end"):
            qs = qs.filter(date__lte=data["end"])
    qs = qs.order_by("-date", "-id")
    if request.method == "GET" and xlsx.wanted(request):
        return _meetings_xlsx(org, filter_form, qs)
    page, show_all = paginate(request, qs)

    form = None
    rows: list[dict[str, Any]] = []
    attendance_errors: list[str] = []
    day = today
    if can_write:
        if request.method == "POST":
            form = MeetingForm(request.POST, request.FILES)
            day = parse_date_or(request.POST.get("date"), today)
            rows = attendance_rows(_expected(org, day), request.POST)
            attendance, attendance_errors = attendance_of(rows)
            if form.is_valid() and not attendance_errors:
                meeting = _record(form, org, attendance, request)
                if meeting is not None:
                    if meeting.entered_late:
                        messages.success(request, _("Meeting recorded (entered late)."))
                    else:
                        messages.success(request, _("Meeting recorded."))
                    return redirect("meeting-detail", pk=meeting.pk)
        else:
            day = parse_date_or(request.GET.get("date"), today)
            kind = request.GET.get("record_kind", "")
            form = MeetingForm(initial={"date": day.isoformat(), "study_hours": 0,
                                        "kind": kind if kind in MeetingKind.values else None})
            rows = attendance_rows(_expected(org, day))
    failed = request.method == "POST"
    return render(request, "meetings/meeting_list.html", {
        "org": org, "filter_form": filter_form, "page": page, "show_all": show_all,
        "page_query": query_without(request, "page", "all"), "form": form, "rows": rows,
        "attendance_errors": attendance_errors, "attendance_day": day, "today": today, "can_write": can_write,
        "export_query": xlsx.export_query(request),
    }, status=400 if failed else 200)


def _meetings_xlsx(org: Organization, filter_form: MeetingFilterForm, qs: QuerySet[Meeting]) -> HttpResponse:
    headers = [_("Date"), _("Kind"), _("Topic"), _("Organization"), _("Class hours"), _("Entered")]
    rows = [[m.date, m.get_kind_display(), m.topic, m.org.name, float(m.study_hours or 0),
             _("Entered late") if m.entered_late else _("On the day")] for m in qs[:PRINT_LIMIT]]
    return xlsx.export(_("Meetings"), headers, rows, name=xlsx.filename("meetings", org.code), org=org,
                       filters=xlsx.form_filters(filter_form), total=qs.count(), limit=PRINT_LIMIT)


def _record(form: MeetingForm, org: Organization, attendance: dict[int, tuple[str, str]],
            request: HttpRequest) -> Meeting | None:
    """Record the meeting and its attachment (both or neither); a RuleError goes onto the form."""
    data = form.cleaned_data
    svc = meetings_services
    try:
        with transaction.atomic():
            meeting = svc.record_meeting(
                org=org, kind=data["kind"], date=data["date"], topic=data["topic"].strip(),
                place=data.get("place", "").strip(), host=data.get("host", "").strip(),
                minutes=data.get("minutes", ""), study_hours=data.get("study_hours") or Decimal(0),
                attendance=attendance, recorded_by=request.user)
            if data.get("attachment"):
                svc.add_attachment(meeting, file=data["attachment"], caption=data.get("caption", "").strip())
    except PermissionDeniedError:
        raise  # the middleware's 403, not an error on the form
    except RuleError as exc:
        rule_error_on_form(form, exc, {"file": "attachment"})
        return None
    return meeting


# --- one meeting ---------------------------------------------------------------------------------

def _meeting_for(request: HttpRequest, pk: int) -> tuple[Scope, Meeting]:
    scope = scope_for(request.user)
    qs = scope.by_org(Meeting.objects.select_related("org", "recorded_by"), org_field="org")
    return scope, get_object_or_404(qs, pk=pk)


def _quorum_rule(meeting: Meeting) -> str:
    if meeting.kind not in (MeetingKind.GENERAL_MEETING, MeetingKind.COMMITTEE_MEETING):
        return ""
    try:
        return in_force(f"meetings.{meeting.kind}", meeting.date).cite
    except Exception:  # noqa: BLE001 - a missing rule version only hides the citation
        return ""


@login_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope, meeting = _meeting_for(request, pk)
    can_write = scope.can_write_org(meeting.org)
    form = AttachmentForm()
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied(_("You may not change this meeting."))
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                meetings_services.add_attachment(meeting, file=form.cleaned_data["file"],
                                                 caption=form.cleaned_data.get("caption", "").strip())
            except PermissionDeniedError:
                raise  # the middleware's 403, not an error on the form
            except RuleError as exc:
                rule_error_on_form(form, exc)
            else:
                messages.success(request, _("Attachment added."))
                return redirect("meeting-detail", pk=meeting.pk)
    own_page = meeting_page(meeting.kind)  # a kind another module records (a joint meeting: attendance by unit)
    attendance = list(meeting.attendance.select_related("member").order_by("member__name", "member_id"))
    counts = {v: 0 for v, _label in PRESENCE_CHOICES}
    for a in attendance:
        counts[a.presence] = counts.get(a.presence, 0) + 1
    return render(request, "meetings/meeting_detail.html", {
        "meeting": meeting, "attendance": attendance,
        "counts": [(v, label, counts.get(v, 0)) for v, label in PRESENCE_CHOICES],
        "attachments": list(meeting.attachments.order_by("uploaded_at", "id")),
        "can_write": can_write, "form": form, "quorum_rule": _quorum_rule(meeting),
        "own_url": reverse(own_page, args=[meeting.pk]) if own_page else "",
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def meeting_attachment(request: HttpRequest, pk: int, attachment: int) -> FileResponse:
    _scope, meeting = _meeting_for(request, pk)
    item = get_object_or_404(Attachment.objects.filter(meeting=meeting), pk=attachment)
    return uploads.stored_file(item.file)


# --- duties ----------------------------------------------------------------------------------------

DUTY_CLASSES = {DutyState.MET: "ok", DutyState.MISSED: "danger", DutyState.DUE_SOON: "warn", DutyState.OPEN: "info",
                DutyState.UPCOMING: "muted"}


def _duty_labels() -> dict[DutyState, str]:
    return {DutyState.MET: _("Met"), DutyState.MISSED: _("Missed"), DutyState.DUE_SOON: _("Due soon"),
            DutyState.OPEN: _("Open"), DutyState.UPCOMING: _("Not yet")}


def _duty_title(rule_id: str, on: dt.date, fallback: str) -> str:
    """The rule's own title in the page's language (the kind of meeting if the rule has none)."""
    try:
        rule = in_force(rule_id, on)
    except Exception:  # noqa: BLE001 - an unknown rule is shown by the kind of meeting
        return fallback
    lang = (translation.get_language() or settings.LANGUAGE_CODE).lower()
    return (rule.title_zh if lang.startswith("zh") else rule.title_en) or fallback


def _span(start: dt.date, end: dt.date, year: int) -> tuple[int, int]:
    """The first month column (0-11) and the number of month columns a period covers within `year`."""
    first = 0 if start.year < year else start.month - 1
    last = 11 if end.year > year else end.month - 1
    return first, max(1, last - first + 1)


def _slots(cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The cells laid over the twelve month columns, with empty fillers where no period falls."""
    slots: list[dict[str, Any]] = []
    at = 0
    for cell in cells:
        if cell["first"] < at:
            continue  # overlapping periods: the first one shown wins
        if cell["first"] > at:
            slots.append({"empty": True, "span": cell["first"] - at})
        slots.append(cell)
        at = cell["first"] + cell["span"]
    if at < 12:
        slots.append({"empty": True, "span": 12 - at})
    return slots


def _duty_grid(rows: list[Any], year: int, today: dt.date) -> list[dict[str, Any]]:
    """One line per organization and duty, its periods as cells over the months of `year`."""
    labels = _duty_labels()
    lines: dict[tuple[int, str], list[Any]] = {}
    for row in rows:
        lines.setdefault((row.org_id, row.rule_id), []).append(row)
    grid = []
    title_day = min(max(dt.date(year, 1, 1), today), dt.date(year, 12, 31))
    for (org_id, rule_id), periods in lines.items():
        cells = []
        for row in sorted(periods, key=lambda r: r.period_start):
            state = meetings_selectors.duty_state(row, today)
            first, span = _span(row.period_start, row.period_end, year)
            cells.append({"start": row.period_start, "end": row.period_end, "due": row.due, "state": state,
                          "cls": DUTY_CLASSES[state], "label": labels[state], "first": first, "span": span,
                          "meetings": list(row.meetings), "held": len(row.held), "quorum": row.needs_quorum})
        first_row = periods[0]
        grid.append({"org_id": org_id, "org_name": first_row.org_name, "rule": rule_id, "cite": first_row.rule,
                     "title": _duty_title(rule_id, title_day, first_row.title), "cells": cells,
                     "slots": _slots(cells),
                     "met": sum(1 for c in cells if c["state"] is DutyState.MET),
                     "missed": sum(1 for c in cells if c["state"] is DutyState.MISSED),
                     "due_soon": sum(1 for c in cells if c["state"] is DutyState.DUE_SOON)})
    return grid


@login_required
@require_GET
def duties(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _readable_org(request, code)
    today = timezone.localdate()
    year = _year(request, today.year)
    rows = meetings_selectors.duties(org, dt.date(year, 1, 1), dt.date(year, 12, 31))
    readable = {o.pk: o for o in scope.orgs().filter(pk__in={r.org_id for r in rows}).only("pk", "code", "name")}
    grid = _duty_grid([r for r in rows if r.org_id in readable], year, today)
    is_branch = org.kind in BRANCH_KINDS
    summary = []
    if not is_branch:
        # a committee or general branch: one line per unit of its subtree with its counts
        by_org: dict[int, dict[str, Any]] = {}
        for line in grid:
            entry = by_org.setdefault(line["org_id"], {"org": readable[line["org_id"]], "met": 0, "missed": 0,
                                                       "due_soon": 0})
            for key in ("met", "missed", "due_soon"):
                entry[key] += line[key]
        summary = list(by_org.values())
    if xlsx.wanted(request):
        return _duties_xlsx(org, year, grid, summary, is_branch)
    now = [{"rule": line["rule"], "title": line["title"], "org_id": line["org_id"], "org_name": line["org_name"],
            "cell": cell} for line in grid for cell in line["cells"] if cell["start"] <= today <= cell["end"]]
    return render(request, "meetings/duties.html", {
        "org": org, "year": year, "today": today, "is_branch": is_branch, "grid": grid, "branches": summary,
        "now": now,
        "months": [dt.date(year, m, 1) for m in range(1, 13)],
        "states": [(s, DUTY_CLASSES[s], label) for s, label in _duty_labels().items()],
        "export_query": xlsx.export_query(request),
    })


def _duties_xlsx(org: Organization, year: int, grid: list[dict[str, Any]], summary: list[dict[str, Any]],
                 is_branch: bool) -> HttpResponse:
    """A branch's grid (one row per duty and period, its months as on the page), or above a branch the counts
    per organization; either way the periods sheet follows for a committee as well."""
    wb = xlsx.new_workbook()
    period_headers = [_("Duty"), _("Organization"), _("Rule"), _("Period from"), _("Period to"), _("Due on"),
                      _("State"), _("Meetings held"), _("Meeting dates")]
    periods = [[line["title"], line["org_name"], line["cite"], cell["start"], cell["end"], cell["due"],
                cell["label"], cell["held"], ", ".join(f"{m.date:%Y-%m-%d}" for m in cell["meetings"]
                                                       if getattr(m, "date", None))]
               for line in grid for cell in line["cells"]]
    if is_branch:
        rows = []
        for line in grid:
            months = [""] * 12
            for cell in line["cells"]:
                for i in range(cell["first"], min(12, cell["first"] + cell["span"])):
                    months[i] = months[i] or cell["label"]  # overlapping periods: the first one, as on the page
            rows.append([line["title"], line["org_name"], *months, line["met"], line["missed"]])
        xlsx.add_sheet(wb, _("Duties"), [_("Duty"), _("Organization"), *[str(m) for m in range(1, 13)], _("Met"),
                                         _("Missed")], rows, first=True)
    else:
        xlsx.add_sheet(wb, _("Duties"), [_("Organization"), _("Code"), _("Duties met"), _("Duties missed"),
                                         _("Due soon")],
                       [[b["org"].name, b["org"].code, b["met"], b["missed"], b["due_soon"]] for b in summary],
                       first=True)
    xlsx.add_sheet(wb, _("Periods"), period_headers, periods[:xlsx.LIMIT])
    xlsx.add_filters_sheet(wb, org=org, filters=[(_("Year"), year)], total=len(periods))
    return xlsx.response(wb, xlsx.filename("duties", org.code, suffix=str(year)))


# --- calendar --------------------------------------------------------------------------------------

def calendar_token(user: Any, *, org: Organization | None = None, member: Member | None = None) -> str:
    """The secret of a calendar feed URL: the user and what the feed shows, signed with the site's key."""
    payload: dict[str, Any] = {"u": user.pk}
    if org is not None:
        payload["o"] = org.code
    if member is not None:
        payload["m"] = member.pk
    return signing.dumps(payload, salt=CALENDAR_SALT, compress=True)


def _months(meetings: list[Meeting]) -> list[dict[str, Any]]:
    groups: dict[dt.date, list[Meeting]] = {}
    for m in meetings:
        groups.setdefault(m.date.replace(day=1), []).append(m)
    return [{"month": month, "meetings": items} for month, items in sorted(groups.items())]


def _calendar_page(request: HttpRequest, *, title: str, meetings: list[Meeting], year: int, token: str,
                   scope: Scope, org: Organization | None = None, member: Member | None = None) -> HttpResponse:
    feed = request.build_absolute_uri(reverse("calendar-feed", args=[token]))
    return render(request, "meetings/calendar.html", {
        "title": title, "org": org, "member": member, "year": year, "months": _months(meetings),
        "feed_url": feed, "webcal_url": "webcal://" + feed.split("://", 1)[-1],
        "readable_orgs": set(scope.orgs().filter(pk__in={m.org_id for m in meetings}).values_list("pk", flat=True)),
    })


@login_required
@require_GET
def org_calendar(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _readable_org(request, code)
    year = _year(request, timezone.localdate().year)
    found = list(_meetings(scope, org).filter(date__year=year).order_by("date", "id"))
    return _calendar_page(request, title=org.name, meetings=found, year=year, scope=scope, org=org,
                          token=calendar_token(request.user, org=org))


def _member_meetings(member: Member, start: dt.date, end: dt.date) -> list[Meeting]:
    return list(meetings_selectors.member_meetings(member, start, end))


@login_required
@require_GET
def member_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    member = get_object_or_404(scope.members().select_related("org"), pk=pk)
    year = _year(request, timezone.localdate().year)
    found = sorted(_member_meetings(member, dt.date(year, 1, 1), dt.date(year, 12, 31)),
                   key=lambda m: (m.date, m.pk))
    return _calendar_page(request, title=member.name, meetings=found, year=year, scope=scope, member=member,
                          token=calendar_token(request.user, member=member))


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed a phone subscribes to. No login: the signed token names the user, whose scope
    today decides what the feed shows (a tampered token, a removed role or a disabled user: 404)."""
    try:
        payload = signing.loads(token, salt=CALENDAR_SALT)
    except signing.BadSignature as exc:
        raise Http404 from exc
    user = get_user_model().objects.filter(pk=payload.get("u"), is_active=True).first()
    if user is None:
        raise Http404
    scope = scope_for(user)
    today = timezone.localdate()
    start = today.replace(day=1) - dt.timedelta(days=31 * FEED_MONTHS_BACK)
    if payload.get("o"):
        org = get_object_or_404(scope.orgs(), code=payload["o"])
        found = list(_meetings(scope, org).filter(date__gte=start).order_by("date", "id"))
        name = org.name
    elif payload.get("m"):
        member = get_object_or_404(scope.members(), pk=payload["m"])
        found = _member_meetings(member, start, dt.date(today.year + 1, 12, 31))
        name = member.name
    else:
        raise Http404
    body = ical.calendar(found, name=name)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


# --- sign-in sheet -----------------------------------------------------------------------------------

@login_required
@require_GET
def signin_sheet(request: HttpRequest, code: str) -> HttpResponse:
    _scope, org = _readable_org(request, code)
    day = parse_date_or(request.GET.get("date"), timezone.localdate())
    kind = request.GET.get("kind", "")
    kind_label = MeetingKind(kind).label if kind in MeetingKind.values else ""
    attendees = _expected(org, day)
    blank = max(3, 20 - len(attendees))  # room for visitors and members the platform does not know yet
    return render(request, "meetings/signin_sheet.html", {
        "org": org, "day": day, "kind": kind, "kind_label": kind_label, "attendees": attendees,
        "blank_rows": range(blank), "kinds": MeetingKind.choices,
    })
