"""The pages of links and visits: the visits of a place or an organization (filtered, printable, .xlsx), a
household's visits, the visit form (phone first; kept on the phone when the link is down, see
`static/visits/offline.js`) and its JSON endpoint, a visit with its findings and their one-step conversions, the
links with each person's target, and the visit rates.

Thin: every record is read through the user's scope by place (a visit out of reach is a 404) and every write goes
through `grassroots.visits.services` (a RuleError back onto its field, a refusal a 403).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.access.scope import Scope, scope_for
from grassroots.core.context import set_actor
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.households.models import Household
from grassroots.households.selectors import visible as households_visible
from grassroots.orgs.models import Territory
from grassroots.ui.forms import write_on_form
from grassroots.ui.lists import Column, ListSpec

from . import selectors, services
from .forms import (
    EndForm,
    FindingForm,
    HandledForm,
    LinkForm,
    RatesForm,
    TargetForm,
    VisitFilterForm,
    VisitForm,
)
from .models import FindingState, Visit, VisitFinding

PLACE_KINDS = ("town", "street", "community", "village", "villager_group", "grid")
HOUSEHOLD_CHOICES = 500  # households offered on the form; more are typed by number


def _today() -> dt.date:
    return timezone.localdate()


def _visitors(v: Visit) -> str:
    names = [m.name for m in v.visitor_members.all()]
    names += [str(u.get_full_name() or u.username) for u in v.visitor_users.all()]
    return "、".join(names)


VISITS = ListSpec(
    title=gettext_lazy("Visits"), export_name="visits", table_id="visits", empty=gettext_lazy("No visit matches."),
    columns=(
        Column("day", gettext_lazy("Day"), lambda v: v.day, link=lambda v: reverse("visit-detail", args=[v.pk]),
               css="num"),
        Column("household", gettext_lazy("Household"), lambda v: v.household.code),
        Column("head", gettext_lazy("Head of household"), lambda v: v.household.head_name),
        Column("place", gettext_lazy("Place"), lambda v: v.territory.name),
        Column("purpose", gettext_lazy("Purpose"), lambda v: v.get_purpose_display()),
        Column("visitors", gettext_lazy("Visitors"), _visitors),
        Column("findings", gettext_lazy("Findings"),
               lambda v: "、".join(str(f.get_type_display()) for f in v.findings.all())),
        Column("late", gettext_lazy("Entered late"), lambda v: _("yes") if v.entered_late else ""),
    ),
    sheet_columns=(Column("notes", gettext_lazy("Notes"), lambda v: v.notes),),
)


def _listed(qs: QuerySet[Visit]) -> QuerySet[Visit]:
    return (qs.select_related("household", "territory")
            .prefetch_related("visitor_members", "visitor_users", "findings").order_by("-day", "-id"))


def filtered(qs: QuerySet[Visit], form: VisitFilterForm) -> QuerySet[Visit]:
    if not form.is_valid():
        return qs
    d = form.cleaned_data
    if d.get("place"):
        place = Territory.objects.filter(code=d["place"].strip()).first()
        qs = qs.filter(territory__path__startswith=place.path) if place else qs.none()
    if d.get("start"):
        qs = qs.filter(day__gte=d["start"])
    if d.get("end"):
        qs = qs.filter(day__lte=d["end"])
    if d.get("purpose"):
        qs = qs.filter(purpose=d["purpose"])
    if d.get("finding"):
        qs = qs.filter(pk__in=VisitFinding.objects.filter(type=d["finding"]).values("visit_id"))
    if d.get("late") in ("0", "1"):
        qs = qs.filter(entered_late=d["late"] == "1")
    return qs


def readable_places(scope: Scope) -> QuerySet[Territory]:
    qs = Territory.objects.filter(kind__in=PLACE_KINDS)
    if scope.unrestricted:
        return qs
    q = Q(pk__in=[])
    for p in scope.place_paths():
        q |= Q(path__startswith=p)
    return qs.filter(q)


@login_required
@require_GET
def visit_list(request: HttpRequest, code: str | None = None) -> HttpResponse:
    scope = scope_for(request.user)
    org = None
    qs = selectors.visible(scope)
    if code is not None:
        org = get_object_or_404(scope.orgs(), code=code)
        qs = qs.filter(selectors.path_q(selectors.held_paths(org), "territory"))
    form = VisitFilterForm(request.GET or None)
    qs = filtered(_listed(qs), form)
    return VISITS.respond(request, qs, template="visits/visit_list.html", form=form, org=org, context={
        "filter_form": form, "today": _today(),
        "place_code": (org.territory.code if org is not None and org.territory is not None else "")})


@login_required
@require_GET
def household_visits(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    household = get_object_or_404(households_visible(scope).select_related("territory"), pk=pk)
    qs = _listed(selectors.visible(scope).filter(household=household))
    links = (selectors.links_visible(scope).filter(household=household).order_by("-valid_from"))
    return VISITS.respond(request, qs, template="visits/household_visits.html", context={
        "household": household, "links": links, "today": _today(),
        "can_write": scope.can_write_place(household.territory)})


# --- recording a visit --------------------------------------------------------------------------------------

def _writable_households(scope: Scope) -> QuerySet[Household]:
    return households_visible(scope, write=True).filter(left_on__isnull=True).order_by("code")


def _household_by(scope: Scope, value: Any) -> Household | None:
    text = str(value or "").strip()
    qs = households_visible(scope, write=True).select_related("territory")
    found = qs.filter(code=text).first()
    if found is None and text.isdigit():
        found = qs.filter(pk=int(text)).first()
    return found


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    status = 200
    if request.method == "POST":
        form = VisitForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            household = _household_by(scope, d["household"])
            if household is None:
                form.add_error("household", _("No household with this number that you may visit."))
            else:
                findings = [{"type": d["finding_type"], "text": d["finding_text"]}] if d["finding_type"] else []
                done = write_on_form(form, lambda: services.visit_record(
                    household=household, day=d["day"], purpose=d["purpose"], notes=d["notes"],
                    client_id=d["client_id"], findings=findings))
                if done is not None:
                    messages.success(request, _("The visit is recorded."))
                    return redirect("visit-detail", pk=done[0].pk)
        status = 400
    else:
        initial: dict[str, Any] = {"day": _today().isoformat()}
        chosen = _household_by(scope, request.GET.get("household"))
        if chosen is not None:
            initial["household"] = chosen.code
        form = VisitForm(initial=initial)
    households = list(_writable_households(scope).values("code", "head_name")[:HOUSEHOLD_CHOICES])
    return render(request, "visits/visit_form.html", {
        "form": form, "households": households, "may_write": bool(households) or scope.unrestricted,
        "sync_url": reverse("visit-sync")}, status=status)


def _json_error(message: str, field: str | None = None, status: int = 400) -> JsonResponse:
    return JsonResponse({"field": field, "detail": message}, status=status)


@login_required
@require_POST
def visit_sync(request: HttpRequest) -> JsonResponse:
    """The form's script sends one visit as JSON (kept on the phone until the link was back): recorded once by
    its client_id, entered late when it arrives after its day. Session and CSRF, as every form."""
    set_actor(request.user)
    try:
        body = json.loads(request.body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _json_error(_("The body is not JSON."))
    if not isinstance(body, dict):
        return _json_error(_("The body is not JSON."))
    scope = scope_for(request.user)
    household = _household_by(scope, body.get("household"))
    if household is None:
        return _json_error(_("No household with this number that you may visit."), "household")
    form = VisitForm({"household": household.code, "day": body.get("day") or "", "purpose": body.get("purpose")
                      or "routine", "notes": body.get("notes") or "", "client_id": body.get("client_id") or ""})
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        return _json_error(" ".join(str(e) for e in errors), field)
    findings = body.get("findings") or []
    if not isinstance(findings, list) or not all(isinstance(f, dict) for f in findings):
        return _json_error(_("The findings are a list."), "findings")
    d = form.cleaned_data
    try:
        visit, created = services.visit_record(household=household, day=d["day"], purpose=d["purpose"],
                                               notes=d["notes"], client_id=d["client_id"], findings=findings)
    except RuleError as exc:
        return _json_error(exc.message, exc.field)
    except PermissionDeniedError as exc:
        return _json_error(str(exc), None, 403)
    return JsonResponse({"id": visit.pk, "client_id": str(visit.client_id), "created": created,
                         "entered_late": visit.entered_late, "url": reverse("visit-detail", args=[visit.pk])},
                        status=201 if created else 200)


# --- one visit -----------------------------------------------------------------------------------------------

def _visit(request: HttpRequest, pk: int) -> tuple[Scope, Visit]:
    scope = scope_for(request.user)
    qs = selectors.visible(scope).select_related("household", "territory", "recorded_by", "late_by")
    return scope, get_object_or_404(qs, pk=pk)


def _detail(request: HttpRequest, scope: Scope, visit: Visit, *, status: int = 200,
            bound: dict[str, Any] | None = None) -> HttpResponse:
    can_write = scope.can_write_place(visit.territory)
    findings = list(visit.findings.select_related("opinion", "wish"))
    station, categories = (selectors.station_for(visit.territory, visit.day)
                           if can_write and any(f.state == FindingState.OPEN for f in findings) else (None, []))
    return render(request, "visits/visit_detail.html", {
        "visit": visit, "findings": findings, "can_write": can_write, "station": station,
        "categories": categories, "visitors": _visitors(visit), "finding_form": (bound or {}).get("finding")
        or FindingForm(), "handled_form": (bound or {}).get("handled") or HandledForm(),
        "links": list(visit.links.all())}, status=status)


@login_required
@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope, visit = _visit(request, pk)
    return _detail(request, scope, visit)


@login_required
@require_POST
def visit_finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    scope, visit = _visit(request, pk)
    form = FindingForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if write_on_form(form, lambda: services.finding_add(visit, type=d["type"], text=d["text"])) is not None:
            return redirect("visit-detail", pk=visit.pk)
    return _detail(request, scope, visit, status=400, bound={"finding": form})


def _finding(request: HttpRequest, pk: int) -> tuple[Scope, VisitFinding]:
    scope = scope_for(request.user)
    qs = selectors.findings_visible(scope).select_related("visit__household", "visit__territory")
    return scope, get_object_or_404(qs, pk=pk)


@login_required
@require_POST
def finding_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    """One tap: the finding becomes a residents' opinion at the station serving the household's place."""
    scope, finding = _finding(request, pk)
    category = None
    chosen = request.POST.get("category", "").strip()
    if chosen:
        _station, categories = selectors.station_for(finding.visit.territory, finding.visit.day)
        category = next((c for c in categories if str(c.pk) == chosen), None)
        if category is None:
            messages.error(request, _("Choose a category of the station."))
            return redirect("visit-detail", pk=finding.visit_id)
    try:
        done = services.finding_to_opinion(finding, category=category)
    except RuleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("It is now opinion %(number)s.") % {"number": done.opinion.number})  # type: ignore[union-attr]
    return redirect("visit-detail", pk=finding.visit_id)


@login_required
@require_POST
def finding_wish(request: HttpRequest, pk: int) -> HttpResponse:
    scope, finding = _finding(request, pk)
    try:
        done = services.finding_to_wish(finding)
    except RuleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("It is now micro-wish %(number)s.") % {"number": done.wish.number})  # type: ignore[union-attr]
    return redirect("visit-detail", pk=finding.visit_id)


@login_required
@require_POST
def finding_handled(request: HttpRequest, pk: int) -> HttpResponse:
    scope, finding = _finding(request, pk)
    form = HandledForm(request.POST)
    if form.is_valid():
        if write_on_form(form, lambda: services.finding_handled(finding, note=form.cleaned_data["note"])) is not None:
            return redirect("visit-detail", pk=finding.visit_id)
    visit = selectors.visible(scope).select_related("household", "territory").get(pk=finding.visit_id)
    return _detail(request, scope, visit, status=400, bound={"handled": form})


# --- links and targets --------------------------------------------------------------------------------------

def _place(request: HttpRequest, scope: Scope, code: str) -> Territory | None:
    code = (code or "").strip()
    if not code:
        return None
    return readable_places(scope).filter(code=code).first()


@login_required
@require_GET
def link_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    form = RatesForm(request.GET or None)
    day = _today()
    place = None
    if form.is_valid():
        day = form.cleaned_data.get("as_of") or day
        place = _place(request, scope, form.cleaned_data.get("place") or "")
    links = selectors.links_visible(scope)
    if place is not None:
        links = links.filter(household__territory__path__startswith=place.path)
    people = selectors.link_load(links, day)
    return render(request, "visits/link_list.html", {
        "people": people, "form": form, "day": day, "place": place,
        "can_write": scope.unrestricted or bool(scope.place_paths(write=True))})


@login_required
@require_http_methods(["GET", "POST"])
def link_new(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    members = scope.members().filter(standing="active").order_by("name")
    if request.method == "POST":
        form = LinkForm(request.POST, members=members)
        if form.is_valid():
            d = form.cleaned_data
            household = _household_by(scope, d["household"])
            if household is None:
                form.add_error("household", _("No household with this number that you may change."))
            else:
                done = write_on_form(form, lambda: services.link_create(
                    household=household, kind=d["kind"], valid_from=d["valid_from"], member=d.get("member"),
                    person_name=d["person_name"], note=d["note"]))
                if done is not None:
                    messages.success(request, _("The link is recorded."))
                    return redirect("visit-links")
        status = 400
    else:
        form = LinkForm(initial={"valid_from": _today().isoformat(), "household": request.GET.get("household", "")},
                        members=members)
        status = 200
    return render(request, "visits/simple_form.html", {
        "form": form, "heading": _("Link a household"), "back": reverse("visit-links")}, status=status)


@login_required
@require_POST
def link_end(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    link = get_object_or_404(selectors.links_visible(scope).select_related("household__territory"), pk=pk)
    form = EndForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.link_end(link, on=d["on"], version=d.get("version"))
        except RuleError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The link is ended."))
    else:
        messages.error(request, _("Enter the day the link ends."))
    return redirect("visit-household", pk=link.household_id)


@login_required
@require_http_methods(["GET", "POST"])
def target_new(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if request.method == "POST":
        form = TargetForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            place = _place(request, scope, d["place"])
            link = (selectors.links_visible(scope).filter(person_name=d["person_name"].strip())
                    .order_by("-valid_from").first())
            if place is None:
                form.add_error("place", _("No place with this code that you may see."))
            elif link is None:
                form.add_error("person_name", _("Nobody of this name is linked to a household you may see."))
            else:
                done = write_on_form(form, lambda: services.target_set(
                    territory=place, households=d["households"], member=link.member, user=link.user,
                    person_name=link.person_name, note=d["note"]))
                if done is not None:
                    messages.success(request, _("The target is recorded."))
                    return redirect("visit-links")
        status = 400
    else:
        form = TargetForm(initial={"person_name": request.GET.get("name", "")})
        status = 200
    return render(request, "visits/simple_form.html", {
        "form": form, "heading": _("A person's own target"), "back": reverse("visit-links")}, status=status)


# --- rates -------------------------------------------------------------------------------------------------

@login_required
@require_GET
def rates(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    places = list(readable_places(scope).filter(kind__in=("town", "street", "community", "village"))
                  .order_by("path")[:200])
    if not places:
        places = list(readable_places(scope).order_by("path")[:200])
    form = RatesForm(request.GET or None)
    today = _today()
    start, end = dt.date(today.year, 1, 1), today
    as_of = None
    place = places[0] if places else None
    if form.is_valid():
        d = form.cleaned_data
        start, end = d.get("start") or start, d.get("end") or end
        as_of = d.get("as_of")
        if d.get("place"):
            place = _place(request, scope, d["place"])
    rows = selectors.rate_table(place, start, end, as_of) if place is not None and start <= end else []
    if start > end:
        form.add_error(None, _("The period ends before it starts."))
    return render(request, "visits/rates.html", {
        "form": form, "rows": rows, "place": place, "places": places, "start": start, "end": end,
        "as_of": as_of or end})
