"""The grid pages: "My grids" (the grids the user may read), an organization's grids (printable, .xlsx), a grid's
page as of a day (its workers with their dates, its Party group, the households living in it), and the forms that
set a grid up, draw a new one, edit it, name its Party group, appoint and end workers and assign households.

Thin: grids are read through the user's scope (`selectors.visible`: out of reach is a 404); a page the user may
read but not change answers 403; every write goes through `grassroots.grids.services` (a RuleError goes back on
the field it names)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.access.scope import Scope, can_manage_org, scope_for
from grassroots.core.idnumber import mask_phone
from grassroots.households.models import Household
from grassroots.households.selectors import households_on
from grassroots.members.models import Member
from grassroots.orgs.models import Organization, OrgKind
from grassroots.ui.forms import write_on_form
from grassroots.ui.lists import Column, ListSpec

from .. import selectors, services
from ..forms import (
    AppointForm,
    AsOfForm,
    AssignForm,
    EndWorkerForm,
    GridEditForm,
    GridNewForm,
    GridSetUpForm,
    PartyGroupForm,
)
from ..models import Grid, GridWorker


def _today() -> dt.date:
    return services.today()


def _grid_link(g: Grid) -> str:
    return reverse("grid-detail", args=[g.pk])


def _workers_text(g: Any) -> str:
    return "、".join(w.name for w in g.workers_now)


GRIDS = ListSpec(
    title=gettext_lazy("Grids"), export_name="grids", table_id="grids", empty=gettext_lazy("No grid here yet."),
    columns=(
        Column("code", gettext_lazy("Grid code"), lambda g: g.territory.code, link=_grid_link),
        Column("name", gettext_lazy("Grid name"), lambda g: g.territory.name, link=_grid_link),
        Column("kind", gettext_lazy("Kind"), lambda g: g.territory.get_kind_display()),
        Column("head", gettext_lazy("Grid head"), lambda g: g.head_name),
        Column("head_phone", gettext_lazy("Phone"), lambda g: g.head_phone_masked),
        Column("workers", gettext_lazy("Grid workers"), _workers_text),
        Column("party_group", gettext_lazy("Grid Party group"),
               lambda g: g.party_group_now.name if g.party_group_now is not None else ""),
        Column("households", gettext_lazy("Households"), lambda g: g.households_now, css="num"),
        Column("persons", gettext_lazy("Persons"), lambda g: g.persons_now, css="num"),
    ),
    sheet_columns=(
        Column("parent", gettext_lazy("Community or village"), lambda g: g.parent_name),
        Column("set_up_on", gettext_lazy("Set up on"), lambda g: g.set_up_on),
    ),
)


def _decorate(grids: list[Grid], day: dt.date) -> list[Grid]:
    """Each grid with its workers, Party group, households and persons on `day`: a handful of queries for all."""
    workers = selectors.workers_on(grids, day)
    groups = selectors.party_groups_on(grids, day)
    counts = selectors.counts_on(grids, day)
    parents = {t.path: t.name for t in _parents(grids)}
    for g in grids:
        g.workers_now = workers.get(g.pk, [])  # type: ignore[attr-defined]
        g.party_group_now = groups.get(g.pk)  # type: ignore[attr-defined]
        g.households_now, g.persons_now = counts.get(g.pk, (0, 0))  # type: ignore[attr-defined]
        g.parent_name = parents.get(g.territory.path[: -g.territory.steplen], "")  # type: ignore[attr-defined]
    return grids


def _parents(grids: list[Grid]) -> QuerySet[Any]:
    from grassroots.orgs.models import Territory

    paths = {g.territory.path[: -g.territory.steplen] for g in grids}
    return Territory.objects.filter(path__in=paths).only("path", "name")


def _grid_rows(qs: QuerySet[Grid], day: dt.date) -> list[Grid]:
    return _decorate(list(qs.select_related("territory", "head_member").order_by("territory__path")), day)


def _readable_org(request: HttpRequest, code: str) -> tuple[Scope, Organization]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(scope.orgs(), code=code)


def _can_write_some_place(scope: Scope, org: Organization) -> bool:
    """Whether the user writes some place `org` holds (who sets up grids there)."""
    if scope.unrestricted:
        return True
    writable = tuple(scope.held_paths(write=True))
    return bool(writable) and any(p.startswith(writable) or any(w.startswith(p) for w in writable)
                                  for p in selectors.held_roots(org))


@login_required
@require_GET
def grid_mine(request: HttpRequest) -> HttpResponse:
    """The grids the user may read: a grid worker's own, an organizer's all in their places."""
    scope = scope_for(request.user)
    day = _today()
    rows = _grid_rows(selectors.visible(scope), day)
    return GRIDS.respond(request, rows, template="grids/grid_mine.html", context={"today": day})


@login_required
@require_GET
def grid_list(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _readable_org(request, code)
    day = _today()
    rows = _grid_rows(selectors.visible(scope).filter(pk__in=selectors.for_org(org).values("pk")), day)
    can_write = _can_write_some_place(scope, org) and org.revoked_on is None
    return GRIDS.respond(request, rows, template="grids/grid_list.html", org=org, context={
        "today": day, "can_write": can_write,
        "totals": {"grids": len(rows), "households": sum(g.households_now for g in rows),  # type: ignore[attr-defined]
                   "persons": sum(g.persons_now for g in rows),  # type: ignore[attr-defined]
                   "workers": len({w.user_id for g in rows for w in g.workers_now})}})  # type: ignore[attr-defined]


def _members_for(scope: Scope, org: Organization | None) -> QuerySet[Member]:
    qs = scope.members().filter(standing="active").order_by("name", "pk")
    return qs.filter(org__path__startswith=org.path) if org is not None else qs


def _write_page(request: HttpRequest, *, org: Organization | None, form: Any, heading: str, submit: str,
                back: str, status: int = 200, grid: Grid | None = None) -> HttpResponse:
    return render(request, "grids/grid_form.html", {"org": org, "grid": grid, "form": form, "heading": heading,
                                                    "submit": submit, "back": back}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def grid_setup(request: HttpRequest, code: str) -> HttpResponse:
    """Set up a grid on a place of kind grid or villager group that has no grid profile yet."""
    scope, org = _readable_org(request, code)
    if not _can_write_some_place(scope, org):
        raise PermissionDenied(_("You may not set up grids here."))
    places, members = selectors.places_to_set_up(scope, org), _members_for(scope, org)
    form = GridSetUpForm(request.POST if request.method == "POST" else None, places=places, members=members)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        grid = write_on_form(form, lambda: services.grid_setup(
            territory=d["territory"], head_name=d["head_name"], head_member=d["head_member"],
            head_phone=d["head_phone"], set_up_on=d["set_up_on"], note=d["note"]))
        if grid is not None:
            messages.success(request, _("Grid %(code)s set up.") % {"code": grid.territory.code})
            return redirect("grid-detail", pk=grid.pk)
    return _write_page(request, org=org, form=form, heading=_("Set up a grid"), submit=_("Set up"),
                       back=reverse("grid-list", args=[org.code]), status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def grid_new(request: HttpRequest, code: str) -> HttpResponse:
    """Draw a new grid in the territory tree under a community or village, with its profile."""
    scope, org = _readable_org(request, code)
    if not _can_write_some_place(scope, org):
        raise PermissionDenied(_("You may not set up grids here."))
    parents, members = selectors.places_for_new_grid(scope, org), _members_for(scope, org)
    form = GridNewForm(request.POST if request.method == "POST" else None, parents=parents, members=members)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        grid = write_on_form(form, lambda: services.grid_create(
            parent=d["parent"], code=d["code"], name=d["name"], kind=d["kind"], on=d["on"],
            head_name=d["head_name"], head_member=d["head_member"], head_phone=d["head_phone"], note=d["note"]))
        if grid is not None:
            messages.success(request, _("Grid %(code)s drawn and set up.") % {"code": grid.territory.code})
            return redirect("grid-detail", pk=grid.pk)
    return _write_page(request, org=org, form=form, heading=_("Draw a new grid"), submit=_("Save"),
                       back=reverse("grid-list", args=[org.code]), status=400 if form.is_bound else 200)


# --- one grid ------------------------------------------------------------------------------------------------

def _grid(request: HttpRequest, pk: int) -> tuple[Scope, Grid]:
    scope = scope_for(request.user)
    qs = selectors.visible(scope).select_related("territory", "head_member")
    return scope, get_object_or_404(qs, pk=pk)


def _household_url(pk: int, name: str = "household-detail") -> str:
    """The households app's page of a household (or of a place's households), where it has one."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


@login_required
@require_GET
def grid_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope, grid = _grid(request, pk)
    form = AsOfForm(request.GET or None)
    day = (form.cleaned_data.get("as_of") if form.is_valid() else None) or _today()
    place = grid.territory
    holder = services.holder(place, day)
    households = list(households_on(place, day).select_related("territory").order_by("territory__path", "code")[:2000])
    counts = selectors.counts_on([grid], day)[grid.pk]
    workers = list(grid.workers.select_related("user", "member").order_by("-started_on", "pk"))
    groups = list(grid.party_groups.select_related("org").order_by("-valid_from"))
    can_write = scope.can_write_territory(place)
    return render(request, "grids/grid_detail.html", {
        "grid": grid, "place": place, "day": day, "today": _today(), "form": form,
        "holder": holder, "holder_readable": holder is not None and scope.can_read_org(holder),
        "households": [{"h": h, "url": _household_url(h.pk), "phone": h.phone_masked} for h in households],
        "place_households_url": _household_url(place.pk, "household-place"),
        "household_count": counts[0], "person_count": counts[1],
        "workers": [{"w": w, "on": w.on(day)} for w in workers],
        "party_group": next((p.org for p in groups if (p.valid_from is None or p.valid_from <= day)
                             and (p.valid_to is None or p.valid_to > day)), None),
        "party_groups": groups,
        "can_write": can_write, "can_reveal": scope.can_write_place(place),
        "can_manage": holder is not None and can_manage_org(scope, holder),
        "can_assign": can_write and scope.can_write_place(place.get_parent() or place),
    })


def _writable(request: HttpRequest, pk: int) -> tuple[Scope, Grid, Organization | None]:
    scope, grid = _grid(request, pk)
    if not scope.can_write_territory(grid.territory):
        raise PermissionDenied(_("You may not change this grid."))
    return scope, grid, services.holder(grid.territory)


@login_required
@require_http_methods(["GET", "POST"])
def grid_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope, grid, holder = _writable(request, pk)
    members = _members_for(scope, holder)
    if request.method == "POST":
        form = GridEditForm(request.POST, members=members, masked_phone=grid.head_phone_masked)
        if form.is_valid():
            d = form.cleaned_data
            done = write_on_form(form, lambda: services.grid_edit(
                grid, version=d.get("version"), head_name=d["head_name"], head_member=d["head_member"],
                head_phone=form.phone(), set_up_on=d["set_up_on"], note=d["note"]))
            if done is not None:
                messages.success(request, _("Grid %(code)s saved.") % {"code": grid.territory.code})
                return redirect("grid-detail", pk=grid.pk)
    else:
        form = GridEditForm(members=members, masked_phone=grid.head_phone_masked, initial={
            "head_name": grid.head_name, "head_member": grid.head_member_id,
            "set_up_on": grid.set_up_on.isoformat() if grid.set_up_on else "", "note": grid.note,
            "version": grid.version})
    return _write_page(request, org=holder, grid=grid, form=form,
                       heading=_("Edit grid %(code)s") % {"code": grid.territory.code}, submit=_("Save"),
                       back=reverse("grid-detail", args=[grid.pk]), status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def grid_party_group(request: HttpRequest, pk: int) -> HttpResponse:
    scope, grid, holder = _writable(request, pk)
    groups = scope.orgs(write=True).filter(kind=OrgKind.PARTY_GROUP, revoked_on__isnull=True).order_by("path")
    form = PartyGroupForm(request.POST if request.method == "POST" else None, groups=groups,
                          initial={"on": _today().isoformat()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = write_on_form(form, lambda: services.set_party_group(grid, org=d["org"], on=d["on"]))
        if done is not None:
            messages.success(request, _("The grid's Party group is saved."))
            return redirect("grid-detail", pk=grid.pk)
    return _write_page(request, org=holder, grid=grid, form=form,
                       heading=_("Grid Party group of %(code)s") % {"code": grid.territory.code}, submit=_("Save"),
                       back=reverse("grid-detail", args=[grid.pk]), status=400 if form.is_bound else 200)


def _managed(request: HttpRequest, pk: int) -> tuple[Scope, Grid, Organization]:
    scope, grid = _grid(request, pk)
    holder = services.holder(grid.territory)
    if holder is None or not can_manage_org(scope, holder):
        raise PermissionDenied(_("Only an organizer of the organization holding the grid appoints its workers."))
    return scope, grid, holder


@login_required
@require_http_methods(["GET", "POST"])
def grid_worker_new(request: HttpRequest, pk: int) -> HttpResponse:
    scope, grid, holder = _managed(request, pk)
    form = AppointForm(request.POST if request.method == "POST" else None, members=_members_for(scope, holder),
                       initial={"started_on": _today().isoformat()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        made = write_on_form(form, lambda: services.appoint_worker(
            grid, started_on=d["started_on"], name=d["name"], username=d["username"], phone=d["phone"],
            member=d["member"]))
        if made is not None:
            worker, generated = made
            heading = _("%(name)s works grid %(code)s from %(date)s.") % {
                "name": worker.name, "code": grid.territory.code, "date": worker.started_on.isoformat()}
            if generated is None:
                messages.success(request, heading)
                return redirect("grid-detail", pk=grid.pk)
            response = render(request, "access/password_shown.html", {
                "account": worker.user, "password": generated, "heading": heading,
                "back": reverse("grid-detail", args=[grid.pk])})
            response["Cache-Control"] = "no-store"
            return response
    return _write_page(request, org=holder, grid=grid, form=form,
                       heading=_("Appoint a grid worker to %(code)s") % {"code": grid.territory.code},
                       submit=_("Appoint"), back=reverse("grid-detail", args=[grid.pk]),
                       status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def grid_worker_end(request: HttpRequest, pk: int) -> HttpResponse:
    scope, grid, holder = _managed(request, pk)
    open_posts = GridWorker.objects.filter(grid=grid, ended_on__isnull=True).select_related("user")
    form = EndWorkerForm(request.POST if request.method == "POST" else None, workers=open_posts,
                         initial={"on": _today().isoformat(), "worker": request.GET.get("worker")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = write_on_form(form, lambda: services.end_worker(d["worker"], on=d["on"], reason=d["reason"]))
        if done is not None:
            messages.success(request, _("%(name)s's post ended; the grid worker's role is withdrawn.")
                             % {"name": done.name})
            return redirect("grid-detail", pk=grid.pk)
    return _write_page(request, org=holder, grid=grid, form=form,
                       heading=_("End a grid worker's post in %(code)s") % {"code": grid.territory.code},
                       submit=_("End the post"), back=reverse("grid-detail", args=[grid.pk]),
                       status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def grid_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Assign households living in the grid's community or village (or another of its grids) to the grid from a
    day: all of them or none."""
    scope, grid = _grid(request, pk)
    place = grid.territory
    area = place.get_parent() or place
    if not (scope.can_write_territory(place) and scope.can_write_place(area)):
        raise PermissionDenied(_("Only a writer of %(place)s assigns its households to grids.") % {"place": area})
    candidates = (Household.objects.visible_to(scope, write=True)
                  .filter(territory__path__startswith=area.path, left_on__isnull=True).exclude(territory=place)
                  .select_related("territory").order_by("territory__path", "code"))
    form = AssignForm(request.POST if request.method == "POST" else None, households=candidates,
                      initial={"on": _today().isoformat()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        n = write_on_form(form, lambda: services.assign_households(grid, households=list(d["households"]),
                                                                   on=d["on"]))
        if n is not None:
            messages.success(request, _("%(n)d households assigned to grid %(code)s.")
                             % {"n": n, "code": place.code})
            return redirect("grid-detail", pk=grid.pk)
    return render(request, "grids/grid_assign.html", {
        "grid": grid, "place": place, "area": area, "form": form, "count": candidates.count(),
        "org": services.holder(place)}, status=400 if form.is_bound else 200)


@login_required
@require_POST
def grid_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The grid head's phone (or a worker's, `worker=<id>`) in full; the service checks and logs it."""
    scope, grid = _grid(request, pk)
    worker = None
    if request.POST.get("worker"):
        worker = get_object_or_404(GridWorker, pk=request.POST["worker"] if request.POST["worker"].isdigit()
                                   else 0, grid=grid)
    value = services.reveal_phone(grid, worker=worker)
    field = f"worker-{worker.pk}" if worker is not None else "head"
    if getattr(request, "htmx", None):
        return render(request, "ui/_revealed.html", {"field": field, "value": value})
    return render(request, "grids/grid_revealed.html", {"grid": grid, "value": value,
                                                        "masked": mask_phone(value), "worker": worker})
