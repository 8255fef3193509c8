"""Practical-project pages: an organization's projects of a year (printable, with the .xlsx export), a project's
page (facts, progress rolled up from its sub-projects, milestones, sub-projects, the timeline, supervision
activities, proposals), the writes (plan a project or a sub-project, edit it, change its status with a reason, mark
it done, report progress, add and finish milestones, record a supervision activity and its follow-up, a report to
the representatives), and the station's public pages (published projects only; no personal contact but the
responsible person's published name and office phone).

Thin: everything is read through `scope_for(request.user)` (out of scope: 404); every write goes through
`congress.services`; a RuleError goes back onto the form's field, a refusal (PermissionDeniedError) is left to the
middleware (403 with its reason).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.access.scope import Scope, scope_for
from grassroots.deliberation.models import Seat, Vote
from grassroots.meetings.models import Meeting, MeetingKind
from grassroots.orgs.models import Organization
from grassroots.ui import xlsx
from grassroots.ui.forms import query_int, write_form_page, write_on_form
from grassroots.ui.lists import Column, ListSpec

from . import selectors, services
from .forms import (
    DoneForm,
    MilestoneForm,
    ProgressForm,
    ProjectForm,
    ReportForm,
    StatusForm,
    SupervisionForm,
    YearForm,
)
from .models import Milestone, PracticalProject, Status, Supervision
from .progress import display


def _org(request: HttpRequest, code: str) -> tuple[Scope, Organization]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(scope.orgs(), code=code)


def _project(request: HttpRequest, pk: int) -> tuple[Scope, PracticalProject]:
    scope = scope_for(request.user)
    qs = PracticalProject.objects.visible_to(scope).select_related("org", "parent", "meeting", "vote")
    return scope, get_object_or_404(qs, pk=pk)


def _require_write(scope: Scope, org: Organization) -> None:
    if not scope.can_write_org(org):
        raise PermissionDenied(_("You may not change the practical projects of %(org)s.") % {"org": org})


def _in_line(org: Organization, other_path: str) -> bool:
    return org.path.startswith(other_path) or other_path.startswith(org.path)


def _meetings(scope: Scope, org: Organization) -> Any:
    meetings = Meeting.objects.filter(kind=MeetingKind.CONGRESS, org__in=scope.orgs()).select_related("org")
    ids = [m.pk for m in meetings if _in_line(org, m.org.path)]
    return Meeting.objects.filter(pk__in=ids).order_by("-date", "-pk")


def _votes(meetings: Any) -> Any:
    return Vote.objects.filter(meeting__in=meetings).select_related("meeting").order_by("-meeting__date", "pk")


def _tree_order(projects: list[PracticalProject]) -> list[PracticalProject]:
    """Parents before their sub-projects, each sub-project after its parent, `depth` set on each."""
    kids: dict[int | None, list[PracticalProject]] = {}
    ids = {p.pk for p in projects}
    for p in projects:
        kids.setdefault(p.parent_id if p.parent_id in ids else None, []).append(p)
    out: list[PracticalProject] = []

    def walk(parent: int | None, depth: int) -> None:
        for p in kids.get(parent, []):
            p.depth = depth  # type: ignore[attr-defined]
            out.append(p)
            walk(p.pk, depth + 1)

    walk(None, 0)
    return out


def _annotate(projects: list[PracticalProject]) -> list[PracticalProject]:
    """Each project with `progress` (exact), `progress_shown` and `behind` (reasons) as of today."""
    day = timezone.localdate()
    progress = selectors.progress_map(projects, None)
    milestones: dict[int, list[Milestone]] = {}
    for m in Milestone.objects.filter(project__in=[p.pk for p in projects]):
        milestones.setdefault(m.project_id, []).append(m)
    for p in projects:
        p.progress = progress.get(p.pk, Fraction(0))  # type: ignore[attr-defined]
        p.progress_shown = display(p.progress)  # type: ignore[attr-defined]
        p.behind = selectors.behind(p, p.progress, day, milestones.get(p.pk, []))  # type: ignore[attr-defined]
    return projects


def _title_indented(p: PracticalProject) -> str:
    return "　" * getattr(p, "depth", 0) + p.title


PROJECTS = ListSpec(
    title=gettext_lazy("Practical projects"),
    columns=(
        Column("code", gettext_lazy("Project no."), lambda p: p.code),
        Column("title", gettext_lazy("Project"), _title_indented,
               link=lambda p: reverse("congress-project", args=[p.pk])),
        Column("parent", gettext_lazy("Part of"), lambda p: p.parent.title if p.parent else "", on_page=False),
        Column("weight", gettext_lazy("Weight"), lambda p: p.weight if p.parent_id else "", css="num"),
        Column("org", gettext_lazy("Organization"), lambda p: p.org.name),
        Column("lead_unit", gettext_lazy("Lead unit"), lambda p: p.lead_unit),
        Column("status", gettext_lazy("Status"), lambda p: p.get_status_display()),
        Column("progress", gettext_lazy("Progress (%)"), lambda p: p.progress_shown, css="num"),
        Column("due_on", gettext_lazy("Due date"), lambda p: p.due_on, css="num"),
        Column("done_on", gettext_lazy("Done on"), lambda p: p.done_on, css="num"),
        Column("behind", gettext_lazy("Behind schedule"), lambda p: "; ".join(p.behind.reasons)),
    ),
    sheet_columns=(
        Column("year", gettext_lazy("Year"), lambda p: p.year),
        Column("planned_start", gettext_lazy("Planned start"), lambda p: p.planned_start),
        Column("handler", gettext_lazy("Responsible person"), lambda p: p.handler_name),
        Column("meeting", gettext_lazy("Voted at"), lambda p: p.meeting.date if p.meeting else ""),
        Column("published", gettext_lazy("Published"), lambda p: _("yes") if p.published else ""),
    ),
    export_name="practical-projects", table_id="congress-projects", export_link=True,
    empty=gettext_lazy("No practical project this year."),
)


@login_required
@require_GET
def home(request: HttpRequest, code: str) -> HttpResponse:
    """The organization's practical projects of a year (this year by default), sub-projects under their parent."""
    scope, org = _org(request, code)
    form = YearForm(request.GET or None)
    year = query_int(request, "year", timezone.localdate().year, 1990, 2100)
    rows = list(selectors.projects_of(org).filter(year=year).select_related("meeting").order_by("code", "pk"))
    rows = _tree_order(_annotate(rows))
    years = sorted(set(selectors.projects_of(org).values_list("year", flat=True)), reverse=True)
    top = [p for p in rows if getattr(p, "depth", 0) == 0]
    summary = {"projects": len(top), "done": sum(p.status == Status.DONE for p in top),
               "under_way": sum(p.status == Status.UNDER_WAY for p in top),
               "behind": sum(bool(getattr(p, "behind", None)) for p in top)}
    return PROJECTS.respond(request, rows, template="congress/home.html", org=org, form=form, context={
        "can_write": scope.can_write_org(org), "year": year, "years": years, "summary": summary})


def _save_project_form(form: ProjectForm) -> dict[str, Any]:
    d = dict(form.cleaned_data)
    d.pop("version", None)
    return d


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    _require_write(scope, org)
    meetings = _meetings(scope, org)
    form = ProjectForm(request.POST or None, meetings=meetings, votes=_votes(meetings),
                       initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        p = write_on_form(form, lambda: services.project_create(org=org, **_save_project_form(form)))
        if p is not None:
            messages.success(request, _("Project %(title)s planned.") % {"title": p.title})
            return redirect("congress-project", pk=p.pk)
    return write_form_page(request, org, form, _("Plan a practical project"), _("Plan the project"),
                           reverse("congress-home", args=[org.code]))


@login_required
@require_http_methods(["GET", "POST"])
def subproject_new(request: HttpRequest, pk: int) -> HttpResponse:
    scope, parent = _project(request, pk)
    _require_write(scope, parent.org)
    form = ProjectForm(request.POST or None, meetings=Meeting.objects.none(), votes=Vote.objects.none(), sub=True)
    if request.method == "POST" and form.is_valid():
        p = write_on_form(form, lambda: services.project_create(parent=parent, **_save_project_form(form)),
                          aliases={"parent": "title"})
        if p is not None:
            messages.success(request, _("Sub-project %(title)s planned.") % {"title": p.title})
            return redirect("congress-project", pk=parent.pk)
    return write_form_page(request, parent.org, form, _("Add a sub-project to %(title)s") % {"title": parent.title},
                           _("Add"), reverse("congress-project", args=[parent.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope, p = _project(request, pk)
    _require_write(scope, p.org)
    meetings = _meetings(scope, p.org)
    initial = {f: getattr(p, f) for f in services.EDITABLE}
    initial["version"] = p.version
    form = ProjectForm(request.POST or None, meetings=meetings, votes=_votes(meetings), sub=p.parent_id is not None,
                       edit=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        version = d.pop("version")
        done = write_on_form(form, lambda: services.project_update(project=p, version=version, **d))
        if done is not None:
            messages.success(request, _("Project %(title)s saved.") % {"title": done.title})
            return redirect("congress-project", pk=p.pk)
    return write_form_page(request, p.org, form, _("Edit %(title)s") % {"title": p.title}, _("Save"),
                           reverse("congress-project", args=[p.pk]))


@login_required
@require_GET
def project(request: HttpRequest, pk: int) -> HttpResponse:
    scope, p = _project(request, pk)
    every = selectors.trees([p])
    children = _annotate(sorted((c for c in every if c.parent_id == p.pk), key=lambda c: (c.code, c.pk)))
    progress = selectors.progress_map([p], None)
    milestones = list(p.milestones.all())
    day = timezone.localdate()
    supervisions = list(Supervision.objects.filter(project__in=[c.pk for c in every])
                        .prefetch_related("seats").select_related("project").order_by("-on", "-pk"))
    proposals = list(p.proposals.all()) if hasattr(p, "proposals") else []
    return render(request, "congress/project.html", {
        "org": p.org, "project": p, "children": children, "progress": display(progress[p.pk]),
        "progress_exact": progress[p.pk], "behind": selectors.behind(p, progress[p.pk], day, milestones),
        "milestones": milestones, "timeline": selectors.timeline(p), "supervisions": supervisions,
        "reports": list(p.progress_reports.order_by("-on", "-pk")), "proposals": proposals,
        "can_write": scope.can_write_org(p.org), "transitions": services.TRANSITIONS[p.status],
        "can_report": not children and p.status not in (Status.DONE, Status.DROPPED), "today": day})


def _back(p: PracticalProject) -> str:
    return reverse("congress-project", args=[p.pk])


@login_required
@require_http_methods(["GET", "POST"])
def status(request: HttpRequest, pk: int) -> HttpResponse:
    scope, p = _project(request, pk)
    _require_write(scope, p.org)
    allowed = services.TRANSITIONS[p.status]
    wanted = request.GET.get("to", "")
    form = StatusForm(request.POST or None, allowed=allowed, initial={
        "version": p.version, "on": timezone.localdate().isoformat(), "to": wanted if wanted in allowed else ""})
    if request.method == "POST" and form.is_valid():
        done = write_on_form(form, lambda: services.status_change(project=p, **form.cleaned_data))
        if done is not None:
            messages.success(request, _("%(title)s is now %(status)s.") % {"title": p.title,
                                                                          "status": done.get_status_display()})
            return redirect("congress-project", pk=p.pk)
    return write_form_page(request, p.org, form, _("Change the status of %(title)s") % {"title": p.title},
                           _("Change the status"), _back(p))


@login_required
@require_http_methods(["GET", "POST"])
def progress_new(request: HttpRequest, pk: int) -> HttpResponse:
    scope, p = _project(request, pk)
    _require_write(scope, p.org)
    form = ProgressForm(request.POST or None, initial={"on": timezone.localdate().isoformat()})
    if request.method == "POST" and form.is_valid():
        r = write_on_form(form, lambda: services.progress_record(project=p, **form.cleaned_data))
        if r is not None:
            messages.success(request, _("Progress %(percent)s%% recorded.") % {"percent": r.percent})
            return redirect("congress-project", pk=p.pk)
    return write_form_page(request, p.org, form, _("Record progress of %(title)s") % {"title": p.title},
                           _("Record"), _back(p))


@login_required
@require_http_methods(["GET", "POST"])
def milestone_new(request: HttpRequest, pk: int) -> HttpResponse:
    scope, p = _project(request, pk)
    _require_write(scope, p.org)
    form = MilestoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        m = write_on_form(form, lambda: services.milestone_add(project=p, **form.cleaned_data))
        if m is not None:
            messages.success(request, _("Milestone %(title)s added.") % {"title": m.title})
            return redirect("congress-project", pk=p.pk)
    return write_form_page(request, p.org, form, _("Add a milestone to %(title)s") % {"title": p.title}, _("Add"),
                           _back(p))


@login_required
@require_http_methods(["GET", "POST"])
def milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    m = get_object_or_404(Milestone.objects.visible_to(scope).select_related("project__org"), pk=pk)
    _require_write(scope, m.project.org)
    form = DoneForm(request.POST or None, initial={"version": m.version, "done_on": timezone.localdate().isoformat()})
    if request.method == "POST" and form.is_valid():
        done = write_on_form(form, lambda: services.milestone_done(milestone=m, **form.cleaned_data))
        if done is not None:
            messages.success(request, _("Milestone %(title)s done.") % {"title": m.title})
            return redirect("congress-project", pk=m.project_id)
    return write_form_page(request, m.project.org, form, _("Mark done: %(title)s") % {"title": m.title},
                           _("Mark done"), _back(m.project))


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    scope, p = _project(request, pk)
    _require_write(scope, p.org)
    form = ReportForm(request.POST or None, initial={"on": timezone.localdate().isoformat()})
    if request.method == "POST" and form.is_valid():
        r = write_on_form(form, lambda: services.congress_report_record(project=p, **form.cleaned_data))
        if r is not None:
            messages.success(request, _("Report of %(date)s recorded.") % {"date": r.on})
            return redirect("congress-project", pk=p.pk)
    return write_form_page(request, p.org, form, _("Report progress to the representatives: %(title)s")
                           % {"title": p.title}, _("Record"), _back(p))


def _seats(scope: Scope, org: Organization) -> Any:
    seats = Seat.objects.visible_to(scope).select_related("body__org").order_by("body__name", "name", "pk")
    ids = [s.pk for s in seats if _in_line(org, s.body.org.path)]
    return Seat.objects.filter(pk__in=ids).select_related("body").order_by("body__name", "name", "pk")


@login_required
@require_http_methods(["GET", "POST"])
def supervision_new(request: HttpRequest, pk: int) -> HttpResponse:
    scope, p = _project(request, pk)
    _require_write(scope, p.org)
    form = SupervisionForm(request.POST or None, seats=_seats(scope, p.org),
                           initial={"on": timezone.localdate().isoformat()})
    if request.method == "POST" and form.is_valid():
        sv = write_on_form(form, lambda: services.supervision_record(project=p, **form.cleaned_data))
        if sv is not None:
            messages.success(request, _("Supervision activity of %(date)s recorded.") % {"date": sv.on})
            return redirect("congress-project", pk=p.pk)
    return write_form_page(request, p.org, form, _("Record a supervision activity: %(title)s") % {"title": p.title},
                           _("Record"), _back(p))


@login_required
@require_http_methods(["GET", "POST"])
def supervision_done(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    sv = get_object_or_404(Supervision.objects.visible_to(scope).select_related("project__org"), pk=pk)
    _require_write(scope, sv.project.org)
    form = DoneForm(request.POST or None, initial={"version": sv.version,
                                                   "done_on": timezone.localdate().isoformat()})
    if request.method == "POST" and form.is_valid():
        done = write_on_form(form, lambda: services.supervision_follow_up_done(supervision=sv, **form.cleaned_data))
        if done is not None:
            messages.success(request, _("Follow-up done."))
            return redirect("congress-project", pk=sv.project_id)
    return write_form_page(request, sv.project.org, form, _("Follow-up done: %(text)s") % {"text": sv.follow_up[:60]},
                           _("Mark done"), _back(sv.project))


# --- the export -----------------------------------------------------------------------------------------------

@login_required
@require_GET
def export(request: HttpRequest, code: str) -> HttpResponse:
    """The year's projects with their progress, their milestones and the supervision activities: a sheet each."""
    _scope, org = _org(request, code)
    year = query_int(request, "year", timezone.localdate().year, 1990, 2100)
    rows = _tree_order(_annotate(list(selectors.projects_of(org).filter(year=year).select_related("meeting")
                                      .order_by("code", "pk")[:xlsx.LIMIT])))
    wb = xlsx.new_workbook()
    xlsx.add_sheet(wb, _("Projects"), [str(c.label) for c in (*PROJECTS.columns, *PROJECTS.sheet_columns)],
                   [[c.value(p) for c in (*PROJECTS.columns, *PROJECTS.sheet_columns)] for p in rows], first=True)
    ms = Milestone.objects.filter(project__in=[p.pk for p in rows]).select_related("project").order_by(
        "project", "due_on", "pk")
    xlsx.add_sheet(wb, _("Milestones"), [_("Project"), _("Milestone"), _("Due date"), _("Done on"), _("Share")],
                   [[m.project.title, m.title, m.due_on, m.done_on, m.weight] for m in ms[:xlsx.LIMIT]])
    svs = (Supervision.objects.filter(project__in=[p.pk for p in rows]).select_related("project")
           .prefetch_related("seats").order_by("on", "pk"))
    xlsx.add_sheet(wb, _("Supervision"), [_("Project"), _("Date"), _("Kind"), _("Representatives"), _("Others"),
                                          _("What they found"), _("Follow-up"), _("Follow-up done on")],
                   [[s.project.title, s.on, s.get_kind_display(), ", ".join(x.name for x in s.seats.all()), s.names,
                     s.findings, s.follow_up, s.follow_up_done_on] for s in svs[:xlsx.LIMIT]])
    xlsx.add_filters_sheet(wb, org=org, filters=[(_("Year"), str(year))], total=len(rows))
    return xlsx.response(wb, xlsx.filename("practical-projects", org.code, suffix=str(year)))


# --- public -----------------------------------------------------------------------------------------------------

def _station(station: str) -> Organization:
    org = Organization.objects.filter(code=station).first()
    if org is None or not selectors.has_public(org):
        raise Http404(_("No such station."))
    return org


@require_GET
def public_projects(request: HttpRequest, station: str) -> HttpResponse:
    """The station's published practical projects, no account needed: titles, status, progress, due dates."""
    org = _station(station)
    rows = _annotate(list(selectors.public_projects(org).select_related("org")))
    return render(request, "congress/public_projects.html", {"station": org, "projects": rows})


@require_GET
def public_project(request: HttpRequest, station: str, pk: int) -> HttpResponse:
    """A published project: what it is, its status and progress, milestones, sub-projects, the timeline and the
    supervision by representatives (their names only), and the responsible person's published name and office
    phone: no other personal contact."""
    org = _station(station)
    p = get_object_or_404(selectors.public_projects(org).select_related("org", "meeting"), pk=pk)
    every = selectors.trees([p])
    progress = selectors.progress_map([p], None)
    children = _annotate(sorted((c for c in every if c.parent_id == p.pk), key=lambda c: (c.code, c.pk)))
    supervisions = list(Supervision.objects.filter(project__in=[c.pk for c in every]).prefetch_related("seats")
                        .select_related("project").order_by("-on", "-pk"))
    return render(request, "congress/public_project.html", {
        "station": org, "project": p, "progress": display(progress[p.pk]), "children": children,
        "milestones": list(p.milestones.all()), "timeline": selectors.timeline(p, public=True),
        "supervisions": supervisions})
