"""In-service members' pages: an organization's reports (those made to its communities, those of its own
members), a report with the community's forms (accept, decline, assign a grid and a post, log a service), the
quarterly feedback sheet to the home organization, and a member's own reports (the member reports, or the home
branch on their behalf).

Thin: every read goes through the user's scope (outside it: 404), every write through `services`. The community
reads the reports made to it (the phone masked, a reveal logged), never the member's archive."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from grassroots.access.scope import scope_for
from grassroots.core import idnumber
from grassroots.core.errors import PermissionDeniedError
from grassroots.grids.models import Grid
from grassroots.posts.models import Post
from grassroots.ui.forms import write_on_form
from grassroots.ui.lists import Column, ListSpec

from . import selectors, services
from .forms import AssignForm, DecideForm, FeedbackForm, ReportForm, ServiceForm
from .models import Report, Service, State

page = require_http_methods(["GET", "POST"])

REPORTS = ListSpec(
    title=gettext_lazy("In-service members' reports"),
    columns=(
        Column("date", gettext_lazy("Reported on"), lambda r: r.date, css="num",
               link=lambda r: reverse("inservice-report", args=[r.pk])),
        Column("member", gettext_lazy("Name"), lambda r: r.member.name,
               link=lambda r: reverse("inservice-report", args=[r.pk])),
        Column("home", gettext_lazy("Home organization"), lambda r: r.home_org.name if r.home_org else ""),
        Column("community", gettext_lazy("Community Party organization"), lambda r: r.community_org.name),
        Column("kind", gettext_lazy("Kind"), lambda r: _kind(r)),
        Column("phone", gettext_lazy("Phone"), lambda r: idnumber.mask_phone(r.phone)),
        Column("skills", gettext_lazy("Skills"), lambda r: r.skills),
        Column("offers", gettext_lazy("Services offered"), lambda r: r.offers),
        Column("state", gettext_lazy("State"), lambda r: r.get_state_display()),
        Column("grid", gettext_lazy("Grid"), lambda r: r.grid.territory.name if r.grid else ""),
        Column("post", gettext_lazy("Post"), lambda r: r.post.title if r.post else ""),
    ),
    export_name="inservice-reports", table_id="reports", empty=gettext_lazy("No report yet."),
)


ROSTER = ListSpec(
    title=gettext_lazy("In-service member roster"),
    columns=(
        Column("member", gettext_lazy("Name"), lambda r: r.member.name,
               link=lambda r: reverse("inservice-report", args=[r.pk])),
        Column("home", gettext_lazy("Home organization"), lambda r: r.home_org.name if r.home_org else ""),
        Column("workplace", gettext_lazy("Workplace"), lambda r: r.workplace),
        Column("address", gettext_lazy("Residence address"), lambda r: r.address),
        Column("phone", gettext_lazy("Phone"), lambda r: idnumber.mask_phone(r.phone)),
        Column("skills", gettext_lazy("Skills"), lambda r: r.skills),
        Column("offers", gettext_lazy("Services offered"), lambda r: r.offers),
        Column("grid", gettext_lazy("Grid"), lambda r: r.grid.territory.name if r.grid else ""),
        Column("post", gettext_lazy("Post"), lambda r: r.post.title if r.post else ""),
        Column("first", gettext_lazy("First reported on"), lambda r: r.first_on, css="num"),
        Column("date", gettext_lazy("Last reported on"), lambda r: r.date, css="num"),
        Column("services", gettext_lazy("Services"), lambda r: r.n_services, css="num"),
        Column("hours", gettext_lazy("Hours"), lambda r: r.n_hours or 0, css="num"),
    ),
    export_name="inservice-roster", table_id="roster", empty=gettext_lazy("Nobody has reported here yet."),
)


def _kind(r: Report) -> str:
    parts = [_("first report") if r.first else _("report again")]
    if r.mobile:
        parts.append(_("mobile member"))
    return ", ".join(parts)


@login_required
@require_http_methods(["GET"])
def home(request: HttpRequest, code: str) -> HttpResponse:
    """The reports of the organization's subtree: ?side=community (made to its communities, the default) or
    ?side=home (of its own members); ?state= filters."""
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs(), code=code)
    side = "home" if request.GET.get("side") == "home" else "community"
    qs = selectors.readable(scope)
    qs = (qs.filter(home_org__path__startswith=org.path) if side == "home"
          else qs.filter(community_org__path__startswith=org.path))
    state = request.GET.get("state", "")
    if state in State.values:
        qs = qs.filter(state=state)
    text = request.GET.get("q", "").strip()
    if text:
        qs = qs.filter(Q(member__name__icontains=text) | Q(skills__icontains=text) | Q(offers__icontains=text))
    qs = qs.order_by("-date", "-id")
    context = {"side": side, "state": state, "q": text, "states": State.choices, "count": qs.count(),
               "can_write": scope.can_write_org(org)}
    return REPORTS.respond(request, qs, template="inservice/home.html", org=org, context=context)


@login_required
@require_http_methods(["GET"])
def roster(request: HttpRequest, code: str) -> HttpResponse:
    """The in-service member roster (在职党员花名册, seed 004's "one card, one book"): each member accepted by
    the organization's communities, on their latest report, with the services logged and their hours."""
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs(), code=code)
    accepted = Report.objects.filter(community_org__path__startswith=org.path, state=State.ACCEPTED)
    latest = accepted.filter(member=OuterRef("member"), community_org=OuterRef("community_org")).order_by("-date",
                                                                                                          "-id")
    first = accepted.filter(member=OuterRef("member"), community_org=OuterRef("community_org")).order_by("date")
    services_of = Service.objects.filter(report__member=OuterRef("member"),
                                         report__community_org=OuterRef("community_org"))
    qs = (selectors.readable(scope).filter(pk__in=accepted.filter(pk=Subquery(latest.values("pk")[:1]))
                                           .values("pk"))
          .annotate(first_on=Subquery(first.values("date")[:1]),
                    n_services=Coalesce(Subquery(services_of.values("report__member").annotate(n=Count("id"))
                                                 .values("n")[:1]), 0),
                    n_hours=Subquery(services_of.values("report__member").annotate(h=Sum("hours")).values("h")[:1]))
          .order_by("community_org__path", "member__name", "pk"))
    return ROSTER.respond(request, qs, template="inservice/roster.html", org=org, context={"count": qs.count()})


@login_required
@require_http_methods(["GET"])
def card(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable card of a report: the Party member community contact card (an in-service member's
    management card; a mobile member's contact card), with the services logged."""
    _scope, r = _report(request, pk)
    rows = [{"s": s, "evaluation": selectors.evaluation_label(s.evaluation, s.day) if s.evaluation else ""}
            for s in r.services.order_by("day", "id")]
    return render(request, "inservice/card.html", {"r": r, "services": rows,
                                                   "phone_masked": idnumber.mask_phone(r.phone)})


def _report(request: HttpRequest, pk: int) -> tuple[Any, Report]:
    scope = scope_for(request.user)
    r = get_object_or_404(selectors.readable(scope), pk=pk)
    return scope, r


def _grids(r: Report) -> list[tuple[int, str]]:
    t = r.community_org.territory
    if t is None:
        return []
    return [(g.pk, g.territory.name) for g in
            Grid.objects.filter(territory__path__startswith=t.path).select_related("territory")]


def _posts(r: Report) -> list[tuple[int, str]]:
    today = timezone.localdate()
    return [(p.pk, p.title) for p in Post.objects.filter(org__path__startswith=r.community_org.path,
                                                        term_start__lte=today)
            .filter(Q(term_end__isnull=True) | Q(term_end__gte=today)).order_by("title")]


@login_required
@page
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """A report, its services, and the community's forms."""
    scope, r = _report(request, pk)
    can_write = scope.can_write_org(r.community_org)
    if request.method == "POST" and not can_write:
        raise PermissionDeniedError(_("you may not change %(org)s") % {"org": r.community_org})
    today = timezone.localdate()
    decide = DecideForm(prefix="decide", initial={"on": today})
    assign = AssignForm(prefix="assign", grids=_grids(r), posts=_posts(r),
                        initial={"version": r.version, "grid": r.grid_id, "post": r.post_id})
    service = ServiceForm(prefix="service", day=today, initial={"day": today})
    action = request.POST.get("action", "")
    if action:
        done = ""
        if action in ("accept", "decline"):
            decide = DecideForm(request.POST, prefix="decide")
            version = request.POST.get("version")
            if decide.is_valid():
                d = decide.cleaned_data
                if action == "accept":
                    ok = write_on_form(decide, lambda: services.accept(r, on=d["on"], version=version))
                    done = _("Report accepted.")
                else:
                    ok = write_on_form(decide, lambda: services.decline(r, on=d["on"], reason=d["reason"],
                                                                        version=version))
                    done = _("Report declined.")
                if ok:
                    messages.success(request, done)
                    return redirect("inservice-report", pk=r.pk)
        elif action == "assign":
            assign = AssignForm(request.POST, prefix="assign", grids=_grids(r), posts=_posts(r))
            if assign.is_valid():
                d = assign.cleaned_data
                grid = Grid.objects.get(pk=d["grid"]) if d["grid"] else None
                post = Post.objects.get(pk=d["post"]) if d["post"] else None
                if write_on_form(assign, lambda: services.assign(r, grid=grid, post=post, version=d["version"])):
                    messages.success(request, _("Grid and post assigned."))
                    return redirect("inservice-report", pk=r.pk)
        elif action == "service":
            service = ServiceForm(request.POST, prefix="service", day=today)
            if service.is_valid():
                d = service.cleaned_data
                if write_on_form(service, lambda: services.log_service(
                        r, day=d["day"], activity=d["activity"], hours=d["hours"], evaluation=d["evaluation"])):
                    messages.success(request, _("Service logged."))
                    return redirect("inservice-report", pk=r.pk)
        else:
            raise Http404
    rows = [{"s": s, "evaluation": selectors.evaluation_label(s.evaluation, s.day) if s.evaluation else ""}
            for s in r.services.order_by("-day", "-id")]
    revealed = getattr(request, "_revealed", None)
    return render(request, "inservice/report.html", {
        "r": r, "services": rows, "can_write": can_write, "decide": decide, "assign": assign, "service": service,
        "phone_masked": idnumber.mask_phone(r.phone), "revealed": revealed,
        "again_on": selectors.report_again_on(r.date)}, status=400 if action else 200)


@login_required
@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The full phone of a report, logged by the service."""
    _scope, r = _report(request, pk)
    value = services.reveal_phone(r)
    if getattr(request, "htmx", None):
        return render(request, "ui/_revealed.html", {"field": "phone", "value": value})
    request._revealed = value  # type: ignore[attr-defined]
    request.method = "GET"
    return report(request, pk)


@login_required
@require_http_methods(["GET"])
def feedback(request: HttpRequest, code: str) -> HttpResponse:
    """The quarterly feedback sheet to the home organization: its members' reports and services of the quarter,
    as the records stood on a day (?as_of=, by default today). Printable."""
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs(), code=code)
    today = timezone.localdate()
    form = FeedbackForm(request.GET or None, initial={"year": today.year, "quarter": (today.month - 1) // 3 + 1})
    year, quarter, as_of = today.year, (today.month - 1) // 3 + 1, today
    status = 200
    if request.GET:
        if form.is_valid():
            year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
            as_of = form.cleaned_data["as_of"] or today
        else:
            status = 400
    start, end = selectors.quarter_bounds(year, quarter)
    rows = selectors.feedback(org, year, quarter, as_of)
    return render(request, "inservice/feedback.html", {
        "org": org, "form": form, "rows": rows, "year": year, "quarter": quarter, "as_of": as_of, "start": start,
        "end": end}, status=status)


@login_required
@page
def member_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's reports to the community where they live, and the form to report (the member, or the home
    branch on their behalf)."""
    scope = scope_for(request.user)
    member = get_object_or_404(scope.members().select_related("org"), pk=pk)
    can_act = member.pk in scope.own_member_ids or scope.can_write_member(member)
    if request.method == "POST" and not can_act:
        raise PermissionDeniedError(_("you may not change %(name)s") % {"name": member.name})
    today = timezone.localdate()
    last = member.inservice_reports.exclude(state=State.DECLINED).order_by("-date", "-id").first()
    initial: dict[str, Any] = {"on": today, "first": last is None}
    if last is not None:
        initial.update(community_org=last.community_org.code, address=last.address, workplace=last.workplace,
                       skills=last.skills, offers=last.offers)  # the phone stays masked: blank keeps it
    form = ReportForm(initial=initial)
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            d = dict(form.cleaned_data)
            community = services.community_org_by_code(d.pop("community_org"))
            if community is None:
                form.add_error("community_org", _("no organization has this code"))
            elif write_on_form(form, lambda: services.report(member, community_org=community, **d)):
                messages.success(request, _("Report recorded: it awaits the community's acceptance."))
                return redirect("inservice-member", pk=member.pk)
    reports = (member.inservice_reports.select_related("community_org", "grid__territory", "post")
               .prefetch_related("services").order_by("-date", "-id"))
    blocks = [{"r": r, "services": [{"s": s, "evaluation": selectors.evaluation_label(s.evaluation, s.day)
                                     if s.evaluation else ""} for s in r.services.all()]} for r in reports]
    return render(request, "inservice/member.html", {
        "member": member, "blocks": blocks, "form": form, "can_act": can_act,
        "again_on": selectors.report_again_on(last.date) if last is not None and last.state == State.ACCEPTED
        else None}, status=400 if request.method == "POST" else 200)


