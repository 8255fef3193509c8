"""Joint-meeting pages: an organization's bodies (and setting one up), a body's page with its member units (add,
end) and its meetings, recording a meeting (attendance by unit: the members on the date, each with its presence),
a meeting's page with its decisions (add one, turn one into a project or a task), the tasks list (mark one done),
and the export (.xlsx) of meetings, decisions and tasks.

Thin: everything is read through `scope_for(request.user)` (out of scope: 404); every write goes through
`joint.services`, a RuleError goes back onto the form's field, a refusal (PermissionDeniedError) is left to the
middleware (403 with its reason).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.access.scope import Scope, scope_for
from grassroots.cobuild.models import ResidentUnit
from grassroots.core.dates import parse_date_or
from grassroots.orgs.models import Organization
from grassroots.ui import xlsx
from grassroots.ui.forms import write_form_page, write_on_form
from grassroots.ui.lists import Column, ListSpec

from . import selectors, services
from .forms import (
    BodyForm,
    DecisionForm,
    DoneForm,
    EndForm,
    MembershipForm,
    OwnedForm,
    SessionForm,
    TaskFilterForm,
    TaskForm,
)
from .models import Decision, JointMeeting, JointMembership, JointSession, Task, UnitAttendance


def _org(request: HttpRequest, code: str) -> tuple[Scope, Organization]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(scope.orgs(), code=code)


def _body(request: HttpRequest, pk: int) -> tuple[Scope, JointMeeting]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(JointMeeting.objects.visible_to(scope).select_related("org"), pk=pk)


def _require_write(scope: Scope, org: Organization) -> None:
    if not scope.can_write_org(org):
        raise PermissionDenied(_("You may not change the joint meetings of %(org)s.") % {"org": org})


def _owners(t: Task) -> str:
    return " · ".join(x for x in (t.unit.name if t.unit else "", t.owner) if x)


# --- an organization's bodies -------------------------------------------------------------------------------

BODIES = ListSpec(
    title=gettext_lazy("Joint meetings"),
    columns=(
        Column("name", gettext_lazy("Joint meeting"), lambda b: b.name,
               link=lambda b: reverse("joint-body", args=[b.pk])),
        Column("org", gettext_lazy("Convening organization"), lambda b: b.org.name),
        Column("set_up_on", gettext_lazy("Set up on"), lambda b: b.set_up_on, css="num"),
        Column("ended_on", gettext_lazy("Ended on"), lambda b: b.ended_on, css="num"),
        Column("members", gettext_lazy("Member units today"), lambda b: b.members, css="num"),
        Column("held", gettext_lazy("Meetings held"), lambda b: b.held, css="num"),
    ),
    export_name="joint-bodies", table_id="joint-bodies", export_link=True,
    empty=gettext_lazy("No joint meeting has been set up here yet."),
)


@login_required
@require_GET
def home(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    bodies = selectors.with_counts(selectors.bodies_of(org), timezone.localdate()).order_by("org__path", "name", "pk")
    return BODIES.respond(request, bodies, template="joint/home.html", org=org,
                          context={"can_write": scope.can_write_org(org)})


@login_required
@require_http_methods(["GET", "POST"])
def body_new(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    _require_write(scope, org)
    form = BodyForm(request.POST or None, initial={"set_up_on": timezone.localdate().isoformat()})
    if request.method == "POST" and form.is_valid():
        body = write_on_form(form, lambda: services.body_create(org=org, **form.cleaned_data))
        if body is not None:
            messages.success(request, _("Joint meeting %(name)s set up.") % {"name": body.name})
            return redirect("joint-body", pk=body.pk)
    return write_form_page(request, org, form, _("Set up a joint meeting"), _("Set up"),
                      reverse("joint-home", args=[org.code]))


# --- a body ---------------------------------------------------------------------------------------------------

SESSIONS = ListSpec(
    title=gettext_lazy("Meetings held"),
    columns=(
        Column("date", gettext_lazy("Date"), lambda s: s.meeting.date, css="num",
               link=lambda s: reverse("joint-session", args=[s.pk])),
        Column("topic", gettext_lazy("Topic"), lambda s: s.meeting.topic),
        Column("present", gettext_lazy("Units present"), lambda s: s.present, css="num"),
        Column("excused", gettext_lazy("Excused"), lambda s: s.excused, css="num"),
        Column("absent", gettext_lazy("Absent"), lambda s: s.absent, css="num"),
        Column("decisions", gettext_lazy("Decisions"), lambda s: s.n_decisions, css="num"),
    ),
    export_name="joint-meetings", table_id="joint-sessions", export_link=True,
    empty=gettext_lazy("The body has not met yet."),
)


@login_required
@require_GET
def body(request: HttpRequest, pk: int) -> HttpResponse:
    scope, b = _body(request, pk)
    day = timezone.localdate()
    memberships = list(selectors.memberships_of(b))
    sessions = selectors.sessions_of([b.pk])
    return SESSIONS.respond(request, sessions, template="joint/body.html", org=b.org, context={
        "jm": b, "can_write": scope.can_write_org(b.org), "memberships": memberships,
        "members_today": sum(1 for m in memberships if m.on(day)), "today": day})


@login_required
@require_http_methods(["GET", "POST"])
def body_end(request: HttpRequest, pk: int) -> HttpResponse:
    scope, b = _body(request, pk)
    _require_write(scope, b.org)
    form = EndForm(request.POST or None, initial={"version": b.version, "on": timezone.localdate().isoformat()})
    if request.method == "POST" and form.is_valid():
        done = write_on_form(form, lambda: services.body_end(body=b, ended_on=form.cleaned_data["on"],
                                                             version=form.cleaned_data["version"]),
                             aliases={"ended_on": "on"})
        if done is not None:
            messages.success(request, _("Joint meeting %(name)s ended.") % {"name": b.name})
            return redirect("joint-body", pk=b.pk)
    return write_form_page(request, b.org, form, _("End %(name)s") % {"name": b.name}, _("End"),
                      reverse("joint-body", args=[b.pk]), danger=True)


def _units_for(b: JointMeeting) -> Any:
    return (ResidentUnit.objects.filter(org__path__startswith=b.org.path, left_on__isnull=True)
            .select_related("org").order_by("name", "pk"))


@login_required
@require_http_methods(["GET", "POST"])
def member_new(request: HttpRequest, pk: int) -> HttpResponse:
    scope, b = _body(request, pk)
    _require_write(scope, b.org)
    form = MembershipForm(request.POST or None, units=_units_for(b),
                          initial={"joined_on": timezone.localdate().isoformat()})
    if request.method == "POST" and form.is_valid():
        m = write_on_form(form, lambda: services.membership_add(body=b, **form.cleaned_data))
        if m is not None:
            messages.success(request, _("%(unit)s joined %(body)s.") % {"unit": m.unit.name, "body": b.name})
            return redirect("joint-body", pk=b.pk)
    return write_form_page(request, b.org, form, _("Add a member unit to %(name)s") % {"name": b.name}, _("Add"),
                      reverse("joint-body", args=[b.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def member_end(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    m = get_object_or_404(JointMembership.objects.visible_to(scope).select_related("body__org", "unit"), pk=pk)
    _require_write(scope, m.body.org)
    form = EndForm(request.POST or None, initial={"version": m.version, "on": timezone.localdate().isoformat()})
    if request.method == "POST" and form.is_valid():
        done = write_on_form(form, lambda: services.membership_end(membership=m, left_on=form.cleaned_data["on"],
                                                                   version=form.cleaned_data["version"]),
                             aliases={"left_on": "on"})
        if done is not None:
            messages.success(request, _("%(unit)s left %(body)s.") % {"unit": m.unit.name, "body": m.body.name})
            return redirect("joint-body", pk=m.body_id)
    return write_form_page(request, m.body.org, form, _("%(unit)s leaves %(body)s") % {"unit": m.unit.name,
                                                                                 "body": m.body.name},
                      _("Record the leaving"), reverse("joint-body", args=[m.body_id]))


# --- recording a meeting --------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The members listed are those of the date typed (`?date=`, today by default); the form posts that date."""
    scope, b = _body(request, pk)
    _require_write(scope, b.org)
    # The units listed are those of the date the list was made for (`listed`, posted back): a date typed
    # later that they were not members on is refused by the service, naming them.
    source = request.POST if request.method == "POST" else request.GET
    day = parse_date_or(source.get("listed") or source.get("date"), timezone.localdate())
    members = sorted(services.members_on(b, day).values(), key=lambda m: (m.unit.name, m.unit_id))
    form = SessionForm(request.POST or None, request.FILES or None, members=members,
                       initial={"date": day.isoformat(), "place": "", "host": ""})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        attachments = [(d["attachment"], d.get("caption") or "")] if d.get("attachment") else []
        session = write_on_form(form, lambda: services.session_record(
            body=b, date=d["date"], topic=d["topic"], place=d["place"], host=d["host"], minutes=d["minutes"],
            attendance=form.attendance(), decisions=(d.get("decisions") or "").splitlines(),
            attachments=attachments))
        if session is not None:
            messages.success(request, _("Meeting of %(date)s recorded.") % {"date": session.meeting.date})
            return redirect("joint-session", pk=session.pk)
    return render(request, "joint/session_new.html", {"org": b.org, "body": b, "form": form, "day": day},
                  status=400 if request.method == "POST" else 200)


# --- a meeting ------------------------------------------------------------------------------------------------

def _session(request: HttpRequest, pk: int) -> tuple[Scope, JointSession]:
    scope = scope_for(request.user)
    qs = JointSession.objects.visible_to(scope).select_related("body__org", "meeting", "meeting__recorded_by")
    return scope, get_object_or_404(qs, pk=pk)


@login_required
@require_GET
def session_of_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    """The joint meeting recorded as the meetings module's meeting `pk` (where its page sends the reader)."""
    found = get_object_or_404(JointSession.objects.visible_to(scope_for(request.user)), meeting_id=pk)
    return redirect("joint-session", pk=found.pk)


@login_required
@require_http_methods(["GET", "POST"])
def session(request: HttpRequest, pk: int) -> HttpResponse:
    """A meeting: its facts, attendance by unit, decisions with their projects and tasks; POST adds a decision."""
    scope, s = _session(request, pk)
    can_write = scope.can_write_org(s.body.org)
    form = DecisionForm(request.POST or None) if can_write else None
    if request.method == "POST":
        _require_write(scope, s.body.org)
        assert form is not None
        if form.is_valid() and write_on_form(form, lambda: services.decision_add(
                session=s, text=form.cleaned_data["text"])) is not None:
            messages.success(request, _("Decision added."))
            return redirect("joint-session", pk=s.pk)
    attendance = list(UnitAttendance.objects.filter(session=s).select_related("unit").order_by("unit__name"))
    decisions = list(Decision.objects.filter(session=s).select_related("project")
                     .prefetch_related(Prefetch("tasks", queryset=Task.objects.select_related("unit")))
                     .order_by("order"))
    attachments = list(s.meeting.attachments.all())
    return render(request, "joint/session.html", {
        "org": s.body.org, "body": s.body, "session": s, "meeting": s.meeting, "attendance": attendance,
        "decisions": decisions, "attachments": attachments, "can_write": can_write, "form": form},
        status=400 if request.method == "POST" else 200)


def _decision(request: HttpRequest, pk: int) -> tuple[Scope, Decision]:
    scope = scope_for(request.user)
    d = get_object_or_404(Decision.objects.visible_to(scope).select_related("session__body__org",
                                                                           "session__meeting"), pk=pk)
    _require_write(scope, d.session.body.org)
    return scope, d


def _member_units(d: Decision) -> Any:
    ids = list(services.members_on(d.session.body, d.session.meeting.date))
    return ResidentUnit.objects.filter(pk__in=ids).order_by("name", "pk")


@login_required
@require_http_methods(["GET", "POST"])
def decision_project(request: HttpRequest, pk: int) -> HttpResponse:
    _scope, d = _decision(request, pk)
    form = OwnedForm(request.POST or None, units=_member_units(d), due_required=False,
                     initial={"title": d.text[:200]})
    if request.method == "POST" and form.is_valid():
        project = write_on_form(form, lambda: services.decision_to_project(decision=d, **form.cleaned_data))
        if project is not None:
            messages.success(request, _("Project %(title)s planned.") % {"title": project.title})
            return redirect("joint-session", pk=d.session_id)
    return write_form_page(request, d.session.body.org, form, _("Make the decision a project"), _("Plan the project"),
                      reverse("joint-session", args=[d.session_id]))


@login_required
@require_http_methods(["GET", "POST"])
def decision_task(request: HttpRequest, pk: int) -> HttpResponse:
    _scope, d = _decision(request, pk)
    form = TaskForm(request.POST or None, units=_member_units(d), initial={"title": d.text[:200]})
    if request.method == "POST" and form.is_valid():
        task = write_on_form(form, lambda: services.task_create(decision=d, **form.cleaned_data))
        if task is not None:
            messages.success(request, _("Task %(title)s set.") % {"title": task.title})
            return redirect("joint-session", pk=d.session_id)
    return write_form_page(request, d.session.body.org, form, _("Set a task from the decision"), _("Set the task"),
                      reverse("joint-session", args=[d.session_id]))


# --- tasks ----------------------------------------------------------------------------------------------------

TASKS = ListSpec(
    title=gettext_lazy("Tasks from joint meetings"),
    columns=(
        Column("title", gettext_lazy("Task"), lambda t: t.title,
               link=lambda t: reverse("joint-session", args=[t.decision.session_id])),
        Column("owner", gettext_lazy("Owner"), _owners),
        Column("body", gettext_lazy("Joint meeting"), lambda t: t.decision.session.body.name),
        Column("meeting", gettext_lazy("Decided on"), lambda t: t.decision.session.meeting.date, css="num"),
        Column("due_on", gettext_lazy("Deadline"), lambda t: t.due_on, css="num"),
        Column("done_on", gettext_lazy("Done on"), lambda t: t.done_on, css="num"),
        Column("action", gettext_lazy("Mark done"), lambda t: "" if t.done_on else _("Mark done"),
               link=lambda t: "" if t.done_on else reverse("joint-task-done", args=[t.pk])),
    ),
    sheet_columns=(Column("note", gettext_lazy("Note"), lambda t: t.note),),
    export_name="joint-tasks", table_id="joint-tasks", export_link=True,
    empty=gettext_lazy("No task here."),
)


@login_required
@require_GET
def tasks(request: HttpRequest, code: str) -> HttpResponse:
    _scope, org = _org(request, code)
    form = TaskFilterForm(request.GET or None)
    rows = selectors.tasks_of(org)
    if form.is_valid() and form.cleaned_data.get("state") == "open":
        rows = rows.filter(done_on__isnull=True)
    elif form.is_valid() and form.cleaned_data.get("state") == "done":
        rows = rows.filter(done_on__isnull=False)
    return TASKS.respond(request, rows, template="joint/tasks.html", form=form, org=org,
                         context={"filter_form": form, "count": rows.count()})


@login_required
@require_http_methods(["GET", "POST"])
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    t = get_object_or_404(Task.objects.visible_to(scope).select_related("decision__session__body__org"), pk=pk)
    org = t.decision.session.body.org
    _require_write(scope, org)
    form = DoneForm(request.POST or None, initial={"version": t.version, "done_on": timezone.localdate().isoformat(),
                                                   "note": t.note})
    if request.method == "POST" and form.is_valid():
        done = write_on_form(form, lambda: services.task_done(task=t, **form.cleaned_data))
        if done is not None:
            messages.success(request, _("Task %(title)s done.") % {"title": t.title})
            return redirect("joint-tasks", code=org.code)
    return write_form_page(request, org, form, _("Mark done: %(title)s") % {"title": t.title}, _("Mark done"),
                      reverse("joint-tasks", args=[org.code]))


# --- the export -----------------------------------------------------------------------------------------------

@login_required
@require_GET
def export(request: HttpRequest, code: str) -> HttpResponse:
    """Meetings with attendance counts, decisions (with the project they became), tasks: one sheet each."""
    _scope, org = _org(request, code)
    year = request.GET.get("year", "")
    start, end = dt.date(1900, 1, 1), timezone.localdate()
    if year.isdigit() and 1990 <= int(year) <= 2100:
        start, end = dt.date(int(year), 1, 1), min(end, dt.date(int(year), 12, 31))
    bodies = selectors.bodies_of(org)
    sessions = selectors.sessions_of(bodies).filter(meeting__date__range=(start, end)).select_related("body__org")
    session_rows: list[Any] = list(sessions[:xlsx.LIMIT])  # annotated: present, excused, absent, n_decisions
    wb = xlsx.new_workbook()
    xlsx.add_sheet(wb, _("Meetings"), [_("Joint meeting"), _("Convening organization"), _("Date"), _("Topic"),
                                       _("Place"), _("Host"), _("Units present"), _("Excused"), _("Absent"),
                                       _("Decisions"), _("Entered after the day")],
                   [[s.body.name, s.body.org.name, s.meeting.date, s.meeting.topic, s.meeting.place, s.meeting.host,
                     s.present, s.excused, s.absent, s.n_decisions, _("yes") if s.meeting.entered_late else ""]
                    for s in session_rows], first=True)
    decisions = (Decision.objects.filter(session__in=sessions.values("pk"))
                 .select_related("session__body", "session__meeting", "project")
                 .annotate(n_tasks=Count("tasks"), n_done=Count("tasks", filter=Q(tasks__done_on__isnull=False)))
                 .order_by("-session__meeting__date", "session", "order"))
    xlsx.add_sheet(wb, _("Decisions"), [_("Joint meeting"), _("Date"), _("Number"), _("Decision"), _("Project"),
                                        _("Project state"), _("Tasks"), _("Tasks done")],
                   [[d.session.body.name, d.session.meeting.date, d.order, d.text,
                     d.project.title if d.project else "", d.project.get_state_display() if d.project else "",
                     d.n_tasks, d.n_done] for d in decisions[:xlsx.LIMIT]])
    task_rows = selectors.tasks_of(org).filter(decision__session__in=sessions.values("pk"))
    xlsx.add_sheet(wb, _("Tasks"), [_("Task"), _("Owner"), _("Joint meeting"), _("Decided on"), _("Deadline"),
                                    _("Done on"), _("Note")],
                   [[t.title, _owners(t), t.decision.session.body.name, t.decision.session.meeting.date, t.due_on,
                     t.done_on, t.note] for t in task_rows[:xlsx.LIMIT]])
    xlsx.add_filters_sheet(wb, org=org, filters=[(_("Year"), year if year.isdigit() else "")],
                           total=sessions.count())
    return xlsx.response(wb, xlsx.filename("joint-meetings", org.code, suffix=year if year.isdigit() else ""))
