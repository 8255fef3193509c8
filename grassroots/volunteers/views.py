"""Volunteer-service pages: an organization's teams, volunteers, activities (a list and a calendar-like list by
day), hours awaiting confirmation and requests awaiting an answer, corrections, confirmed hours; a team; a
volunteer's record with its certificates; an activity with its sign-up, attendance sheet and printable sign-in
sheet; the optional QR check-in; a member's own volunteer service.

Thin: every read goes through the user's scope (outside it: 404), every write through `services` (a RuleError
goes back onto the form's field; a refusal goes on to the middleware: 403). Each list is a `ui.lists.ListSpec`:
paginated, printable (?all=1) and exported (?format=xlsx).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from itertools import groupby
from typing import Any

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.access.scope import Scope, scope_for
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.orgs.models import Organization
from grassroots.ui.forms import query_int, write_on_form
from grassroots.ui.lists import Column, ListSpec

from . import selectors, services
from .certificate import DOCX_CONTENT_TYPE, certificate_docx
from .forms import (
    ActivityForm,
    CertificateForm,
    CorrectionForm,
    DateTimeLocalField,
    DecideForm,
    JoinForm,
    NoteForm,
    RegisterForm,
    ReportForm,
    SeriesForm,
    SignUpForm,
    TeamForm,
    VolunteerEditForm,
)
from .models import (
    Activity,
    Attendance,
    Certificate,
    Correction,
    Decision,
    Participation,
    SelfReport,
    TeamMembership,
    Volunteer,
    VolunteerTeam,
)

page = require_http_methods(["GET", "POST"])


def _local(value: dt.datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def _org(request: HttpRequest, code: str) -> tuple[Scope, Organization, bool]:
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs(), code=code)
    can_write = scope.can_write_org(org) and org.revoked_on is None
    if request.method == "POST" and not can_write:
        raise PermissionDeniedError(_("you may not change %(org)s") % {"org": org})
    return scope, org, can_write


def _run(request: HttpRequest, form: forms.Form, write: Callable[[dict[str, Any]], Any], done: str,
         aliases: dict[str, str] | None = None) -> bool:
    """Validate the posted form and run its service: True when written (the message is shown)."""
    if not form.is_valid():
        return False
    result = write_on_form(form, lambda: write(form.cleaned_data) or True, aliases)
    if result is None:
        return False
    messages.success(request, done)
    return True


def _year(request: HttpRequest) -> int | None:
    year = query_int(request, "year", 0, 1990, 2100)
    return year or None


# --- lists -------------------------------------------------------------------------------------------------

TEAMS = ListSpec(
    title=gettext_lazy("Volunteer teams"),
    columns=(
        Column("code", gettext_lazy("Code"), lambda t: t.code, link=lambda t: reverse("volunteers-team", args=[t.pk])),
        Column("name", gettext_lazy("Name"), lambda t: t.name, link=lambda t: reverse("volunteers-team", args=[t.pk])),
        Column("org", gettext_lazy("Organization"), lambda t: t.org.name),
        Column("captain", gettext_lazy("Captain"), lambda t: t.captain),
        Column("tenet", gettext_lazy("Tenet"), lambda t: t.tenet),
        Column("members", gettext_lazy("Volunteers"), lambda t: t.n, css="num"),
    ),
    export_name="volunteer-teams", table_id="teams", empty=gettext_lazy("No volunteer team yet."),
)

VOLUNTEERS = ListSpec(
    title=gettext_lazy("Volunteers"),
    columns=(
        Column("number", gettext_lazy("Volunteer number"), lambda v: v.number,
               link=lambda v: reverse("volunteers-volunteer", args=[v.pk])),
        Column("name", gettext_lazy("Name"), lambda v: v.display_name,
               link=lambda v: reverse("volunteers-volunteer", args=[v.pk])),
        Column("kind", gettext_lazy("Member or resident"), lambda v: v.kind_label),
        Column("id_type", gettext_lazy("Document type"), lambda v: v.document_type),
        Column("id_number", gettext_lazy("Document number"), lambda v: v.id_number_masked),
        Column("phone", gettext_lazy("Phone"), lambda v: v.phone_masked),
        Column("skills", gettext_lazy("Skills"), lambda v: v.skills),
        Column("availability", gettext_lazy("Availability"), lambda v: v.availability, on_page=False),
        Column("registered_on", gettext_lazy("Registered on"), lambda v: v.registered_on, css="num"),
        Column("org", gettext_lazy("Registered with"), lambda v: v.org.name),
    ),
    export_name="volunteers", table_id="volunteers", empty=gettext_lazy("No volunteer registered yet."),
)

ACTIVITIES = ListSpec(
    title=gettext_lazy("Volunteer activities"),
    columns=(
        Column("starts_at", gettext_lazy("Starts at"), lambda a: a.starts_at, css="num"),
        Column("ends_at", gettext_lazy("Ends at"), lambda a: a.ends_at, css="num"),
        Column("title", gettext_lazy("Title"), lambda a: a.title,
               link=lambda a: reverse("volunteers-activity", args=[a.pk])),
        Column("team", gettext_lazy("Team"), lambda a: a.team.name),
        Column("place", gettext_lazy("Place"), lambda a: a.place),
        Column("organizer", gettext_lazy("Organizer"), lambda a: a.organizer),
        Column("present", gettext_lazy("Present"), lambda a: a.present, css="num"),
        Column("state", gettext_lazy("State"), lambda a: _("Cancelled") if a.cancelled else ""),
    ),
    export_name="volunteer-activities", table_id="activities", empty=gettext_lazy("No activity yet."),
)

AWAITING = ListSpec(
    title=gettext_lazy("Hours awaiting confirmation"),
    columns=(
        Column("activity", gettext_lazy("Activity"), lambda p: p.activity.title,
               link=lambda p: reverse("volunteers-activity", args=[p.activity_id])),
        Column("starts_at", gettext_lazy("Starts at"), lambda p: p.activity.starts_at, css="num"),
        Column("volunteer", gettext_lazy("Volunteer"), lambda p: p.volunteer.display_name),
        Column("hours", gettext_lazy("Hours"), lambda p: p.hours, css="num"),
    ),
    export_name="volunteer-hours-awaiting", table_id="awaiting",
    empty=gettext_lazy("No hours await confirmation."),
)

HOURS = ListSpec(
    title=gettext_lazy("Confirmed hours"),
    columns=(
        Column("day", gettext_lazy("Day"), lambda r: r["day"], css="num"),
        Column("volunteer", gettext_lazy("Volunteer"), lambda r: r["volunteer"],
               link=lambda r: reverse("volunteers-volunteer", args=[r["volunteer_id"]])),
        Column("number", gettext_lazy("Volunteer number"), lambda r: r["number"]),
        Column("what", gettext_lazy("Service"), lambda r: r["what"]),
        Column("source", gettext_lazy("Source"), lambda r: r["source"]),
        Column("hours", gettext_lazy("Hours"), lambda r: r["hours"], css="num"),
    ),
    export_name="volunteer-hours", table_id="hours", empty=gettext_lazy("No confirmed hours in this year."),
)

CORRECTIONS = ListSpec(
    title=gettext_lazy("Correction requests"),
    columns=(
        Column("requested_on", gettext_lazy("Requested on"), lambda c: c.requested_on, css="num"),
        Column("volunteer", gettext_lazy("Volunteer"), lambda c: c.volunteer.display_name,
               link=lambda c: reverse("volunteers-volunteer", args=[c.volunteer_id])),
        Column("record", gettext_lazy("Record"), lambda c: _record_label(c)),
        Column("before", gettext_lazy("Hours recorded"), lambda c: c.current_hours, css="num"),
        Column("hours", gettext_lazy("Hours asked for"), lambda c: c.hours, css="num"),
        Column("reason", gettext_lazy("Reason"), lambda c: c.reason),
        Column("state", gettext_lazy("State"), lambda c: c.get_state_display()),
        Column("answer", gettext_lazy("Answer"), lambda c: c.answer),
    ),
    export_name="volunteer-corrections", table_id="corrections", empty=gettext_lazy("No correction request."),
)


def _record_label(c: Correction) -> str:
    if c.participation is not None:
        return f"{c.participation.activity.title} {_local(c.participation.activity.starts_at)[:10]}"
    if c.report is not None:
        return f"{c.report.content} {c.report.day}"
    return ""


# --- the organization's volunteer service -----------------------------------------------------------------

@login_required
@page
def home(request: HttpRequest, code: str) -> HttpResponse:
    """The teams of the subtree, the year's counters, and a new team."""
    scope, org, can_write = _org(request, code)
    form = TeamForm()
    if request.method == "POST":
        form = TeamForm(request.POST)
        if _run(request, form, lambda d: services.team_create(
                org, code=d["code"], name=d["name"], captain=d["captain"], tenet=d["tenet"],
                founded_on=d["founded_on"]), _("Team created.")):
            return redirect("volunteers-home", code=org.code)
    teams = (VolunteerTeam.objects.visible_to(scope).filter(org__path__startswith=org.path).select_related("org")
             .annotate(n=_active_members()).order_by("org__path", "code"))
    today = timezone.localdate()
    year = _year(request) or today.year
    context = {"can_write": can_write, "team_form": form, "year": year,
               "counts": selectors.year_counts(org, year, today)}
    if request.method == "POST":
        return render(request, "volunteers/home.html", {**TEAMS.context(request, teams, org=org), **context},
                      status=400)
    return TEAMS.respond(request, teams, template="volunteers/home.html", org=org, context=context)


def _active_members() -> Any:
    from django.db.models import Count

    return Count("memberships", filter=Q(memberships__left_on__isnull=True))


@login_required
@page
def team(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    t = get_object_or_404(VolunteerTeam.objects.visible_to(scope).select_related("org"), pk=pk)
    can_write = scope.can_write_org(t.org)
    if request.method == "POST" and not can_write:
        raise PermissionDeniedError(_("you may not change %(org)s") % {"org": t.org})
    volunteers = Volunteer.objects.visible_to(scope, write=True).filter(
        org__path__startswith=t.org.path).select_related("member").order_by("number")
    edit = TeamForm(initial={"code": t.code, "name": t.name, "captain": t.captain, "tenet": t.tenet,
                             "founded_on": t.founded_on, "version": t.version}, prefix="edit")
    join = JoinForm(volunteers=volunteers, prefix="join", initial={"joined_on": timezone.localdate()})
    action = request.POST.get("action", "")
    if action == "edit":
        edit = TeamForm(request.POST, prefix="edit")
        if _run(request, edit, lambda d: services.team_update(
                t, version=d["version"], code=d["code"], name=d["name"], captain=d["captain"], tenet=d["tenet"],
                founded_on=d["founded_on"]), _("Team saved.")):
            return redirect("volunteers-team", pk=t.pk)
    elif action == "join":
        join = JoinForm(request.POST, volunteers=volunteers, prefix="join")
        if _run(request, join, lambda d: services.team_join(t, d["volunteer"], joined_on=d["joined_on"]),
                _("Volunteer added to the team.")):
            return redirect("volunteers-team", pk=t.pk)
    elif action == "leave":
        membership = get_object_or_404(TeamMembership, pk=query_post_int(request, "membership"), team=t)
        try:
            services.team_leave(membership, left_on=timezone.localdate())
        except PermissionDeniedError:
            raise
        except RuleError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Left the team."))
        return redirect("volunteers-team", pk=t.pk)
    elif request.method == "POST":
        raise Http404
    memberships = t.memberships.select_related("volunteer__member").order_by("left_on", "joined_on", "pk")
    return render(request, "volunteers/team.html", {
        "team": t, "org": t.org, "can_write": can_write, "edit": edit, "join": join, "memberships": memberships,
        "activities": t.activities.order_by("-starts_at")[:20],
    }, status=400 if action else 200)


def query_post_int(request: HttpRequest, name: str) -> int:
    try:
        return int(request.POST.get(name, ""))
    except ValueError as exc:
        raise Http404 from exc


@login_required
@page
def people(request: HttpRequest, code: str) -> HttpResponse:
    """The volunteers registered in the subtree (?year=: those counted in that year, as the annual summary
    counts them), and the registration form."""
    scope, org, can_write = _org(request, code)
    members = scope.members(write=True).filter(org__path__startswith=org.path).order_by("name", "pk")
    form = RegisterForm(members=members, initial={"registered_on": timezone.localdate()})
    if request.method == "POST":
        form = RegisterForm(request.POST, members=members)
        if _run(request, form, lambda d: services.volunteer_register(
                org, member=d["member"], name=d["name"], id_type=d["id_type"], id_number=d["id_number"],
                phone=d["phone"], skills=d["skills"], availability=d["availability"],
                registered_on=d["registered_on"], number=d["number"]), _("Volunteer registered.")):
            return redirect("volunteers-people", code=org.code)
    year = _year(request)
    qs = (selectors.volunteers_of_year(org, year, timezone.localdate()) if year else
          Volunteer.objects.filter(org__path__startswith=org.path))
    kind = request.GET.get("kind", "")
    if kind == "member":
        qs = qs.filter(member__isnull=False)
    elif kind == "resident":
        qs = qs.filter(member__isnull=True)
    text = request.GET.get("q", "").strip()
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(member__name__icontains=text) | Q(number__icontains=text)
                       | Q(skills__icontains=text))
    qs = scope.by_org(qs).select_related("member", "org").order_by("number", "pk")
    context = {"can_write": can_write, "register_form": form, "year": year, "kind": kind, "q": text,
               "count": qs.count()}
    if request.method == "POST":
        return render(request, "volunteers/people.html", {**VOLUNTEERS.context(request, qs, org=org), **context},
                      status=400)
    return VOLUNTEERS.respond(request, qs, template="volunteers/people.html", org=org, context=context)


@login_required
@page
def volunteer(request: HttpRequest, pk: int) -> HttpResponse:
    """A volunteer's record (Order 67: basic information, service, training, commendations, evaluations), the
    certificates issued, and the staff's forms."""
    scope = scope_for(request.user)
    v = get_object_or_404(Volunteer.objects.visible_to(scope).select_related("org", "member"), pk=pk)
    can_write = scope.can_write_org(v.org)
    if request.method == "POST" and not can_write:
        raise PermissionDeniedError(_("you may not change %(org)s") % {"org": v.org})
    today = timezone.localdate()
    forms_: dict[str, forms.Form] = {
        "edit": VolunteerEditForm(prefix="edit", initial={"skills": v.skills, "availability": v.availability,
                                                          "left_on": v.left_on, "version": v.version}),
        "note": NoteForm(prefix="note", initial={"day": today}),
        "report": ReportForm(prefix="report", initial={"day": today}),
        "certificate": CertificateForm(prefix="certificate", initial={
            "period_start": dt.date(today.year, 1, 1), "period_end": today}),
        "correction": CorrectionForm(prefix="correction", records=_correctable(v)),
    }
    action = request.POST.get("action", "")
    if action == "certificate":
        form = CertificateForm(request.POST, prefix="certificate")
        forms_["certificate"] = form
        if form.is_valid():
            d = form.cleaned_data
            cert = write_on_form(form, lambda: services.issue_certificate(
                v, period_start=d["period_start"], period_end=d["period_end"],
                person_in_charge=d["person_in_charge"], handler=d["handler"], contact=d["contact"],
                notes=d["notes"], on=today))
            if cert is not None:
                messages.success(request, _("Certificate %(n)s issued.") % {"n": cert.number})
                return redirect("volunteers-volunteer", pk=v.pk)
    elif action in forms_:
        bound = _record_write(request, v, action, today)
        if bound is None:
            return redirect("volunteers-volunteer", pk=v.pk)
        forms_[action] = bound
    elif action:
        raise Http404
    return render(request, "volunteers/volunteer.html", {
        **_record_context(v, today), "org": v.org, "can_write": can_write, "forms": forms_,
        "can_reveal": services.can_reveal(v) if request.user.is_authenticated else False,
        "revealed": getattr(request, "_revealed", {}),
    }, status=400 if action else 200)


def _record_write(request: HttpRequest, v: Volunteer, action: str, today: dt.date) -> forms.Form | None:
    """Run one of the record's forms: None when written, else the bound form with its errors."""
    form: forms.Form
    write: Callable[[dict[str, Any]], Any]
    if action == "edit":
        form = VolunteerEditForm(request.POST, prefix="edit")
        def write(d: dict[str, Any]) -> Any:
            return services.volunteer_update(v, version=d["version"], skills=d["skills"],
                                             availability=d["availability"], left_on=d["left_on"])
        done = _("Volunteer saved.")
    elif action == "note":
        form = NoteForm(request.POST, prefix="note")
        def write(d: dict[str, Any]) -> Any:
            return services.add_note(v, kind=d["kind"], day=d["day"], title=d["title"], hours=d["hours"] or None)
        done = _("Added to the record.")
    elif action == "report":
        form = ReportForm(request.POST, prefix="report")
        def write(d: dict[str, Any]) -> Any:
            return services.report_hours(v, day=d["day"], hours=d["hours"], content=d["content"], place=d["place"],
                                         today=today)
        done = _("Service reported: it counts once approved.")
    else:
        form = CorrectionForm(request.POST, prefix="correction", records=_correctable(v))
        def write(d: dict[str, Any]) -> Any:
            return _ask_correction(v, d, today)
        done = _("Correction requested: the organizer answers it.")
    return None if _run(request, form, write, done, {"participation": "record", "report": "record"}) else form


def _ask_correction(v: Volunteer, d: dict[str, Any], today: dt.date) -> Correction:
    kind, _sep, pk = d["record"].partition(":")
    if kind == "p":
        return services.request_correction(v, hours=d["hours"], reason=d["reason"], on=today,
                                           participation=Participation.objects.filter(pk=pk, volunteer=v).first())
    return services.request_correction(v, hours=d["hours"], reason=d["reason"], on=today,
                                       report=SelfReport.objects.filter(pk=pk, volunteer=v).first())


def _correctable(v: Volunteer) -> list[tuple[str, str]]:
    out = [(f"p:{p.pk}", f"{_local(p.activity.starts_at)[:10]} {p.activity.title} ({p.hours})")
           for p in v.participations.filter(confirmed_on__isnull=False).select_related("activity")]
    out += [(f"r:{r.pk}", f"{r.day} {r.content} ({r.hours})") for r in v.reports.filter(state=Decision.APPROVED)]
    return out


def _record_context(v: Volunteer, today: dt.date) -> dict[str, Any]:
    hours = services.confirmed_hours(v)
    return {
        "volunteer": v, "hours": hours, "stars": selectors.star_level(hours, today),
        "scale": selectors.star_scale(today),
        "participations": v.participations.select_related("activity__team").order_by("-activity__starts_at"),
        "reports": v.reports.order_by("-day"), "notes": v.notes.order_by("-day"),
        "certificates": v.certificates.order_by("-issued_on", "-pk"),
        "corrections": v.corrections.select_related("participation__activity", "report").order_by("-requested_on"),
        "memberships": v.memberships.select_related("team").order_by("joined_on"),
    }


@login_required
@require_POST
def reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """The full document number or phone of a volunteer, logged by the service."""
    if field not in ("id_number", "phone"):
        raise Http404
    scope = scope_for(request.user)
    v = get_object_or_404(Volunteer.objects.visible_to(scope).select_related("org", "member"), pk=pk)
    value = services.volunteer_reveal(v, field=field)
    if getattr(request, "htmx", None):
        return render(request, "ui/_revealed.html", {"field": field, "value": value})
    request._revealed = {field: value}  # type: ignore[attr-defined]
    request.method = "GET"
    return volunteer(request, pk)


@login_required
@require_GET
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate as a .docx: for the staff who read the issuer, and for the volunteer themselves."""
    scope = scope_for(request.user)
    cert = get_object_or_404(Certificate.objects.select_related("volunteer__member", "org"), pk=pk)
    own = cert.volunteer.member_id is not None and cert.volunteer.member_id in scope.own_member_ids
    if not own and not scope.can_read_org(cert.org):
        raise Http404
    response = HttpResponse(certificate_docx(cert), content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="volunteer-certificate-{cert.number}.docx"'
    return response


# --- activities ----------------------------------------------------------------------------------------------

@login_required
@page
def activities(request: HttpRequest, code: str) -> HttpResponse:
    """The activities of the subtree's teams (?year=, ?month=; ?view=calendar lists them by day), a new activity
    and a recurring one."""
    scope, org, can_write = _org(request, code)
    teams = VolunteerTeam.objects.visible_to(scope, write=True).filter(org__path__startswith=org.path, active=True)
    today = timezone.localdate()
    one = _TeamActivityForm(prefix="one", teams=teams)
    series = _TeamSeriesForm(prefix="series", teams=teams)
    action = request.POST.get("action", "")
    if action == "one":
        one = _TeamActivityForm(request.POST, prefix="one", teams=teams)
        if _run(request, one, lambda d: services.activity_create(
                d["team"], title=d["title"], content=d["content"], place=d["place"], starts_at=d["starts_at"],
                ends_at=d["ends_at"], organizer=d["organizer"], capacity=d["capacity"]), _("Activity created.")):
            return redirect("volunteers-activities", code=org.code)
    elif action == "series":
        series = _TeamSeriesForm(request.POST, prefix="series", teams=teams)
        if series.is_valid():
            d = series.cleaned_data
            made = write_on_form(series, lambda: services.series_create(
                d["team"], title=d["title"], content=d["content"], place=d["place"], starts_at=d["starts_at"],
                minutes=d["minutes"], rrule=d["rrule"], organizer=d["organizer"], capacity=d["capacity"],
                today=today))
            if made is not None:
                messages.success(request, _("Recurring activity created: %(n)d activities.") % {"n": made[1]})
                return redirect("volunteers-activities", code=org.code)
    elif action:
        raise Http404
    year = _year(request)
    month = query_int(request, "month", 0, 1, 12) if year else 0
    if year:
        qs = selectors.activities_of_year(org, year, today)
        if month:
            qs = _in_month(qs, year, month)
    else:
        qs = Activity.objects.filter(org__path__startswith=org.path)
    qs = (scope.by_org(qs).select_related("team")
          .annotate(present=_count_present()).order_by("-starts_at", "-pk"))
    calendar = request.GET.get("view") == "calendar"
    context: dict[str, Any] = {"can_write": can_write, "one": one, "series": series, "year": year, "month": month,
                               "calendar": calendar, "count": qs.count(), "months": range(1, 13)}
    if calendar and not action:
        rows = list(qs.order_by("starts_at", "pk")[:500])
        context["days"] = [(day, list(items)) for day, items in
                           groupby(rows, key=lambda a: timezone.localtime(a.starts_at).date())]
    if action:
        return render(request, "volunteers/activities.html", {**ACTIVITIES.context(request, qs, org=org), **context},
                      status=400)
    return ACTIVITIES.respond(request, qs, template="volunteers/activities.html", org=org, context=context)


def _in_month(qs: QuerySet[Activity], year: int, month: int) -> QuerySet[Activity]:
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, month, 1, tzinfo=tz)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return qs.filter(starts_at__gte=start, starts_at__lt=end)


def _count_present() -> Any:
    from django.db.models import Count

    return Count("participations", filter=Q(participations__state=Attendance.PRESENT))


class _TeamChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: VolunteerTeam) -> str:
        return obj.name


class _TeamActivityForm(ActivityForm):
    team = _TeamChoice(label=gettext_lazy("Team"), queryset=VolunteerTeam.objects.none())
    field_order = ["team"]

    def __init__(self, *args: Any, teams: QuerySet[VolunteerTeam], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        del self.fields["version"]


class _TeamSeriesForm(SeriesForm):
    team = _TeamChoice(label=gettext_lazy("Team"), queryset=VolunteerTeam.objects.none())
    field_order = ["team"]

    def __init__(self, *args: Any, teams: QuerySet[VolunteerTeam], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


def _activity(request: HttpRequest, pk: int) -> tuple[Scope, Activity, bool]:
    scope = scope_for(request.user)
    a = get_object_or_404(Activity.objects.visible_to(scope).select_related("team", "org", "series"), pk=pk)
    can_write = scope.can_write_org(a.org)
    if request.method == "POST" and not can_write:
        raise PermissionDeniedError(_("you may not change %(org)s") % {"org": a.org})
    return scope, a, can_write


@login_required
@page
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    """An activity: sign-up on a volunteer's behalf, the attendance sheet (present or absent, the actual times),
    the hours and their confirmation, editing and cancelling."""
    scope, a, can_write = _activity(request, pk)
    volunteers = (Volunteer.objects.visible_to(scope, write=True).filter(left_on__isnull=True)
                  .select_related("member").order_by("number"))
    volunteers = volunteers.filter(Q(org__path__startswith=a.org.path) | Q(org__in=_ancestors(a.org)))
    signup = SignUpForm(prefix="signup", volunteers=volunteers)
    edit = ActivityForm(prefix="edit", initial={
        "title": a.title, "content": a.content, "place": a.place, "organizer": a.organizer, "capacity": a.capacity,
        "starts_at": timezone.localtime(a.starts_at), "ends_at": timezone.localtime(a.ends_at),
        "version": a.version})
    action = request.POST.get("action", "")
    error = ""
    if action == "signup":
        signup = SignUpForm(request.POST, prefix="signup", volunteers=volunteers)
        if _run(request, signup, lambda d: services.sign_up(a, d["volunteer"]), _("Signed up.")):
            return redirect("volunteers-activity", pk=a.pk)
    elif action == "edit":
        edit = ActivityForm(request.POST, prefix="edit")
        if _run(request, edit, lambda d: services.activity_update(
                a, version=d["version"], title=d["title"], content=d["content"], place=d["place"],
                starts_at=d["starts_at"], ends_at=d["ends_at"], organizer=d["organizer"], capacity=d["capacity"]),
                _("Activity saved.")):
            return redirect("volunteers-activity", pk=a.pk)
    elif action in ("attendance", "confirm", "cancel", "withdraw"):
        try:
            done = _activity_write(request, a, action)
        except PermissionDeniedError:
            raise
        except RuleError as exc:
            error = exc.message
        else:
            messages.success(request, done)
            return redirect("volunteers-activity", pk=a.pk)
    elif action:
        raise Http404
    participations = list(a.participations.select_related("volunteer__member").order_by("volunteer__number"))
    return render(request, "volunteers/activity.html", {
        "activity": a, "org": a.org, "can_write": can_write, "signup": signup, "edit": edit, "error": error,
        "participations": participations, "started": a.starts_at <= timezone.now(),
        "awaiting": sum(1 for p in participations if p.state == Attendance.PRESENT and p.confirmed_on is None),
        "total_hours": sum((p.hours or Decimal(0) for p in participations if p.confirmed_on), Decimal(0)),
    }, status=400 if action else 200)


def _ancestors(org: Organization) -> QuerySet[Organization]:
    paths = [org.path[:i] for i in range(4, len(org.path), 4)]
    return Organization.objects.filter(path__in=paths)


def _activity_write(request: HttpRequest, a: Activity, action: str) -> str:
    today = timezone.localdate()
    if action == "confirm":
        n = services.confirm_activity(a, on=today)
        return _("Hours of %(n)d volunteers confirmed.") % {"n": n}
    if action == "cancel":
        services.activity_cancel(a, version=request.POST.get("version"))
        return _("Activity cancelled.")
    if action == "withdraw":
        p = get_object_or_404(Participation, pk=query_post_int(request, "participation"), activity=a)
        services.withdraw(p, version=request.POST.get("version"))
        return _("Sign-up withdrawn.")
    # the attendance sheet: every row marked, all or nothing
    field = DateTimeLocalField(required=False)
    marked = 0
    with transaction.atomic():
        for p in a.participations.select_related("volunteer__member").order_by("pk"):
            state = request.POST.get(f"state-{p.pk}", "")
            if state not in (Attendance.PRESENT, Attendance.ABSENT) or p.confirmed_on is not None:
                continue
            try:
                start = field.clean(request.POST.get(f"start-{p.pk}", ""))
                end = field.clean(request.POST.get(f"end-{p.pk}", ""))
            except forms.ValidationError as exc:
                raise RuleError(f"{p.volunteer.display_name}: {exc.messages[0]}", field="actual_start") from exc
            same = start == a.starts_at and end == a.ends_at
            try:
                services.mark_attendance(p, present=state == Attendance.PRESENT, actual_start=None if same else start,
                                         actual_end=None if same else end, version=request.POST.get(f"version-{p.pk}"))
            except PermissionDeniedError:
                raise
            except RuleError as exc:
                raise RuleError(f"{p.volunteer.display_name}: {exc.message}", field=exc.field) from exc
            marked += 1
    if not marked:
        raise RuleError(_("mark at least one volunteer present or absent"), field="state")
    return _("Attendance of %(n)d volunteers recorded: confirm the hours when they are right.") % {"n": marked}


@login_required
@require_GET
def signin_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable sign-in sheet: the volunteers signed up and empty lines, for a paper sheet on the day."""
    _scope, a, _w = _activity(request, pk)
    rows = list(a.participations.exclude(state=Attendance.WITHDRAWN).select_related("volunteer__member")
                .order_by("volunteer__number"))
    blanks = range(max(5, (a.capacity or 0) - len(rows)))
    return render(request, "volunteers/signin_sheet.html", {"activity": a, "org": a.org, "rows": rows,
                                                           "blanks": blanks})


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage)
    svg = image.to_string(encoding="unicode")
    start = svg.find("<svg")
    return svg[start:] if start > 0 else svg


@login_required
@page
def checkin(request: HttpRequest, pk: int) -> HttpResponse:
    """The optional QR check-in. The organizer sees the activity's code to show; a volunteer who scanned it
    (?t=<token>) checks in for themselves. Without a valid code a volunteer gets nothing (404)."""
    scope = scope_for(request.user)
    token = request.POST.get("t", "") or request.GET.get("t", "")
    staff = Activity.objects.visible_to(scope).filter(pk=pk).exists()
    valid = bool(token) and services.activity_of_token(token) == pk
    if not valid and not (staff and request.method == "GET"):
        raise Http404
    a = get_object_or_404(Activity.objects.select_related("org", "team"), pk=pk)
    mine = [v for v in Volunteer.objects.filter(member_id__in=scope.own_member_ids, left_on__isnull=True)
            .select_related("org") if services._same_line(v.org, a.org)]
    error = ""
    if request.method == "POST":
        if not mine:
            raise PermissionDeniedError(_("you are not a registered volunteer here"))
        try:
            services.self_check_in(a, mine[0], token=token)
        except PermissionDeniedError:
            raise
        except RuleError as exc:
            error = exc.message
        else:
            messages.success(request, _("Checked in. Thank you!"))
            return redirect(reverse("volunteers-checkin", args=[a.pk]) + f"?t={token}")
    url = request.build_absolute_uri(reverse("volunteers-checkin", args=[a.pk])) + f"?t={services.checkin_token(a)}"
    return render(request, "volunteers/checkin.html", {
        "activity": a, "org": a.org, "token": token if valid else "", "mine": mine, "error": error,
        "qr": mark_safe(_qr_svg(url)) if staff and not valid else "",  # made by the qrcode package from our URL
        "url": url if staff and not valid else "",
        "participation": Participation.objects.filter(activity=a, volunteer__in=mine).first() if mine else None,
    }, status=400 if error else 200)


# --- awaiting an answer, corrections, hours ----------------------------------------------------------------

@login_required
@page
def pending(request: HttpRequest, code: str) -> HttpResponse:
    """What awaits the organizer: hours to confirm (by activity), self-reports to approve, corrections to
    answer."""
    scope, org, can_write = _org(request, code)
    today = timezone.localdate()
    error = ""
    kind = request.POST.get("action", "")
    if kind in ("report", "correction"):
        form = DecideForm(request.POST)
        model: Any = SelfReport if kind == "report" else Correction
        obj = get_object_or_404(model.objects.visible_to(scope, write=True), pk=query_post_int(request, "id"))
        if form.is_valid():
            d = form.cleaned_data
            fn = services.decide_report if kind == "report" else services.decide_correction
            try:
                fn(obj, approve=d["approve"], on=today, answer=d["answer"], version=d["version"] or None)
            except PermissionDeniedError:
                raise
            except RuleError as exc:
                error = f"{obj.volunteer.display_name}: {exc.message}"
            else:
                messages.success(request, _("Answer recorded."))
                return redirect("volunteers-pending", code=org.code)
        else:
            error = _("Choose approve or decline.")
    elif kind:
        raise Http404
    awaiting = selectors.awaiting_confirmation(org).filter(activity__in=Activity.objects.visible_to(scope))
    reports = (SelfReport.objects.visible_to(scope).filter(org__path__startswith=org.path, state=Decision.PENDING)
               .select_related("volunteer__member").order_by("day", "pk"))
    corrections = (Correction.objects.visible_to(scope).filter(org__path__startswith=org.path,
                                                               state=Decision.PENDING)
                   .select_related("volunteer__member", "participation__activity", "report").order_by("requested_on"))
    context = {"can_write": can_write, "reports": reports, "corrections": corrections, "error": error,
               "decide": DecideForm()}
    if kind:
        return render(request, "volunteers/pending.html", {**AWAITING.context(request, awaiting, org=org), **context},
                      status=400)
    return AWAITING.respond(request, awaiting, template="volunteers/pending.html", org=org, context=context)


@login_required
@require_GET
def corrections(request: HttpRequest, code: str) -> HttpResponse:
    scope, org, _w = _org(request, code)
    qs = (Correction.objects.visible_to(scope).filter(org__path__startswith=org.path)
          .select_related("volunteer__member", "participation__activity", "report").order_by("-requested_on", "-pk"))
    state = request.GET.get("state", "")
    if state in Decision.values:
        qs = qs.filter(state=state)
    return CORRECTIONS.respond(request, qs, template="volunteers/corrections.html", org=org,
                               context={"state": state, "states": Decision.choices})


@login_required
@require_GET
def hours(request: HttpRequest, code: str) -> HttpResponse:
    """The confirmed hours of a year: attendance confirmed and reports approved, one line each."""
    scope, org, _w = _org(request, code)
    today = timezone.localdate()
    year = _year(request) or today.year
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows: list[dict[str, Any]] = []
    for p in (selectors.confirmed_attendance(org, start, end).filter(activity__in=Activity.objects.visible_to(scope))
              .select_related("activity", "volunteer__member")):
        rows.append({"day": timezone.localtime(p.actual_start or p.activity.starts_at).date(),
                     "volunteer": p.volunteer.display_name, "volunteer_id": p.volunteer_id,
                     "number": p.volunteer.number, "what": p.activity.title, "source": _("Activity"),
                     "hours": p.hours})
    for r in scope.by_org(selectors.approved_reports(org, start, end)).select_related("volunteer__member"):
        rows.append({"day": r.day, "volunteer": r.volunteer.display_name, "volunteer_id": r.volunteer_id,
                     "number": r.volunteer.number, "what": r.content, "source": _("Self-reported"),
                     "hours": r.hours})
    rows.sort(key=lambda r: (r["day"], r["number"]))
    total = sum((r["hours"] or Decimal(0) for r in rows), Decimal(0))
    return HOURS.respond(request, rows, template="volunteers/hours.html", org=org,
                         context={"year": year, "total": total})


# --- a member's own volunteer service ----------------------------------------------------------------------

@login_required
@page
def member_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's volunteer service: their record, the activities they may sign up for, reporting service done
    and asking for a correction. The member acts for themselves; the secretary may act for them."""
    scope = scope_for(request.user)
    member = get_object_or_404(scope.members().select_related("org"), pk=pk)
    is_self = member.pk in scope.own_member_ids
    can_act = is_self or scope.can_write_member(member)
    if request.method == "POST" and not can_act:
        raise PermissionDeniedError(_("you may not change %(name)s") % {"name": member.name})
    today = timezone.localdate()
    records = list(Volunteer.objects.filter(member=member).select_related("org").order_by("registered_on"))
    action = request.POST.get("action", "")
    error = ""
    report = ReportForm(prefix="report", initial={"day": today})
    corrections_forms: dict[int, forms.Form] = {}
    if action:
        v = next((r for r in records if str(r.pk) == request.POST.get("volunteer")), records[0] if records else None)
        if action == "register":
            if member.org is None:
                raise Http404
            try:
                services.volunteer_register(member.org, member=member, registered_on=today)
            except PermissionDeniedError:
                raise
            except RuleError as exc:
                error = exc.message
            else:
                messages.success(request, _("Registered as a volunteer."))
                return redirect("volunteers-member", pk=member.pk)
        else:
            if v is None:
                raise Http404
            vol: Volunteer = v
            if action == "report":
                report = ReportForm(request.POST, prefix="report")
                if _run(request, report, lambda d: services.report_hours(
                        vol, day=d["day"], hours=d["hours"], content=d["content"], place=d["place"], today=today),
                        _("Service reported: it counts once approved.")):
                    return redirect("volunteers-member", pk=member.pk)
            elif action == "correction":
                form = CorrectionForm(request.POST, prefix=f"correction{vol.pk}", records=_correctable(vol))
                if _run(request, form, lambda d: _ask_correction(vol, d, today),
                        _("Correction requested: the organizer answers it."), {"participation": "record",
                                                                               "report": "record"}):
                    return redirect("volunteers-member", pk=member.pk)
                corrections_forms[vol.pk] = form
            elif action in ("signup", "withdraw"):
                try:
                    if action == "signup":
                        a = get_object_or_404(_open_activities(vol), pk=query_post_int(request, "activity"))
                        services.sign_up(a, vol)
                    else:
                        p = get_object_or_404(Participation, pk=query_post_int(request, "participation"),
                                              volunteer=vol)
                        services.withdraw(p, version=request.POST.get("version"))
                except PermissionDeniedError:
                    raise
                except RuleError as exc:
                    error = exc.message
                else:
                    messages.success(request, _("Signed up.") if action == "signup" else _("Sign-up withdrawn."))
                    return redirect("volunteers-member", pk=member.pk)
            else:
                raise Http404
    blocks = []
    for v in records:
        signed = set(v.participations.exclude(state=Attendance.WITHDRAWN).values_list("activity_id", flat=True))
        blocks.append({**_record_context(v, today), "open": [a for a in _open_activities(v)[:20]
                                                             if a.pk not in signed],
                       "correction": corrections_forms.get(v.pk) or CorrectionForm(
                           prefix=f"correction{v.pk}", records=_correctable(v))})
    return render(request, "volunteers/member.html", {
        "member": member, "blocks": blocks, "can_act": can_act, "is_self": is_self, "report": report,
        "error": error}, status=400 if action else 200)


def _open_activities(v: Volunteer) -> QuerySet[Activity]:
    """Activities still to come of the teams in the volunteer's line of organizations."""
    return (Activity.objects.filter(Q(org__path__startswith=v.org.path) | Q(org__in=_ancestors(v.org)),
                                    cancelled=False, starts_at__gt=timezone.now())
            .select_related("team").order_by("starts_at"))
