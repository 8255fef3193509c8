"""The organization tree's write pages: create a sub-organization, rename, move, upgrade, merge, revoke.

Thin: every write goes through `grassroots.orgs.services`. The organization comes from the user's *writable*
scope, so anything outside it is a 404; a service that still refuses (PermissionDeniedError) reaches the
middleware, which answers 403; a RuleError re-renders the form with its message on the named field (or at the
top) and nothing is written. Forms are shown by GET and written by POST only. The organization page itself is
the shell's frame (`grassroots.web`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.access.scope import Scope, scope_for
from grassroots.core.sheets import PlannedRow, Progress
from grassroots.members.selectors import members_of_on
from grassroots.members.services import MEMBER_ORG_KINDS
from grassroots.ui.forms import write_on_form
from grassroots.ui.imports import ImportFlow

from . import importer as org_importer
from . import services as org_services
from .forms import (
    UPGRADE_ORDER,
    OrgCreateChildForm,
    OrgMergeForm,
    OrgMoveForm,
    OrgRenameForm,
    OrgRevokeForm,
    OrgUpgradeForm,
    PlaceAddForm,
    PlaceHoldForm,
    chosen_org,
    kind_choices,
    live_writable,
    org_choices,
    place_choices,
)
from .models import Organization, OrgKind, Territory, TerritoryKind
from .selectors import free_places_under, holders_of, places_held_by, places_since

write_page = require_http_methods(["GET", "POST"])


def _writable_org(request: HttpRequest, code: str) -> tuple[Scope, Organization]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(scope.orgs(write=True), code=code)


def _page(request: HttpRequest, org: Organization, form: Any, name: str, heading: str, submit: str,
          danger: bool = False, **extra: Any) -> HttpResponse:
    context = {"form": form, "heading": heading, "action": reverse(name, args=[org.code]),
               "back": reverse("org-detail", args=[org.code]), "submit": submit, "org": org, "member": None,
               "danger": danger, **extra}
    return render(request, "ui/write_form.html", context)


def _required(scope: Scope, code: str) -> Organization:
    return live_writable(scope).get(code=code)


@login_required
@write_page
def org_create_child(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _writable_org(request, code)
    kinds = [k for k in OrgKind.values if org.kind in org_services.ALLOWED_PARENTS[OrgKind(k)]]
    free = free_places_under(org).filter(pk__in=scope.territories(write=True).values("pk"))
    form = OrgCreateChildForm(request.POST or None, kind_choices=kind_choices(kinds),
                              place_choices=place_choices(free))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        place = free.get(code=d["territory"]) if d.get("territory") else None
        child = write_on_form(form, lambda: org_services.org_create(
            code=d["code"], name=d["name"], kind=d["kind"], founded_on=d["founded_on"], parent=org,
            territory=place, note=d["note"]), aliases={"date": "founded_on", "parent": "kind"})
        if child is not None:
            messages.success(request, _("%(name)s was created.") % {"name": child.name})
            return redirect("org-detail", code=child.code)
    return _page(request, org, form, "org-create-child", _("Create a sub-organization"), _("Create"))


@login_required
@write_page
def org_rename(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _writable_org(request, code)
    form = OrgRenameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = write_on_form(form, lambda: org_services.org_rename(org, name=d["name"], on=d["date"],
                                                                    note=d["note"]))
        if done is not None:
            messages.success(request, _("Renamed to %(name)s.") % {"name": done.name})
            return redirect("org-detail", code=done.code)
    return _page(request, org, form, "org-rename", _("Rename"), _("Rename"))


@login_required
@write_page
def org_move(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _writable_org(request, code)
    parent = org.get_parent()
    targets = live_writable(scope).exclude(path__startswith=org.path).exclude(kind=OrgKind.PARTY_GROUP)
    if parent is not None:
        targets = targets.exclude(pk=parent.pk)
    form = OrgMoveForm(request.POST or None)
    form.set_org_choices({"parent": org_choices(targets)}, blank="—")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = write_on_form(form, lambda: org_services.org_move(
            org, parent=_required(scope, d["parent"]), on=d["date"], note=d["note"]))
        if done is not None:
            messages.success(request, _("%(name)s was moved.") % {"name": done.name})
            return redirect("org-detail", code=done.code)
    return _page(request, org, form, "org-move", _("Move under another organization"), _("Move"),
                 current_parent=parent)


@login_required
@write_page
def org_upgrade(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _writable_org(request, code)
    higher = list(UPGRADE_ORDER[UPGRADE_ORDER.index(org.kind) + 1:]) if org.kind in UPGRADE_ORDER else []
    form = OrgUpgradeForm(request.POST or None, kind_choices=kind_choices(higher),
                          initial={"kind": OrgKind.GENERAL_BRANCH})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = write_on_form(form, lambda: org_services.org_upgrade(org, kind=d["kind"], on=d["date"],
                                                                     note=d["note"]),
                             aliases={"parent": "kind"})
        if done is not None:
            messages.success(request, _("%(name)s is now a %(kind)s.") % {"name": done.name,
                                                                        "kind": done.get_kind_display()})
            return redirect("org-detail", code=done.code)
    return _page(request, org, form, "org-upgrade", _("Upgrade"), _("Upgrade"))


@login_required
@write_page
def org_merge(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _writable_org(request, code)
    targets = live_writable(scope).exclude(path__startswith=org.path).exclude(kind=OrgKind.PARTY_GROUP)
    form = OrgMergeForm(request.POST or None)
    form.set_org_choices({"into": org_choices(targets)}, blank="—")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        into = _required(scope, d["into"])
        done = write_on_form(form, lambda: org_services.org_merge(org, into=into, on=d["date"], note=d["note"]))
        if done is not None:
            messages.success(request, _("%(name)s was merged into %(into)s.") % {"name": done.name, "into": into.name})
            return redirect("org-detail", code=into.code)
    return _page(request, org, form, "org-merge", _("Merge into another organization"), _("Merge"), danger=True)


@login_required
@write_page
def org_revoke(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _writable_org(request, code)
    targets = live_writable(scope).exclude(path__startswith=org.path).filter(
        kind__in=[str(k) for k in MEMBER_ORG_KINDS])
    form = OrgRevokeForm(request.POST or None)
    form.set_org_choices({"members_to": org_choices(targets)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = write_on_form(form, lambda: org_services.org_revoke(
            org, on=d["date"], members_to=chosen_org(scope, d["members_to"]), note=d["note"]))
        if done is not None:
            messages.success(request, _("%(name)s was revoked.") % {"name": done.name})
            return redirect("org-detail", code=done.code)
    members_now = members_of_on(org, timezone.localdate()).count()
    return _page(request, org, form, "org-revoke", _("Revoke"), _("Revoke"), danger=True, members_now=members_now)


# --- the organization and territory import ------------------------------------------------------------------
# Site-level, not one organization's: each row names its parent (the site administrator may create top
# organizations), so it takes the two steps itself, as the member import does, rather than `ui.imports.ImportFlow`,
# which serves one organization's imports. Both steps plan from the kept file (never from what the client sends).



def _may_import_orgs(scope: Scope) -> None:
    if not (scope.unrestricted or live_writable(scope).exists()):
        raise PermissionDenied(_("You may not import organizations."))


def _org_plan(saved: Path, filename: str, org: Organization | None, params: Mapping[str, Any],
              progress: Progress) -> Any:
    with saved.open("rb") as fileobj:
        return org_importer.plan_import(fileobj, filename, progress=progress)


def _org_labels() -> dict[str, str]:
    return {"create": pgettext("import action", "Create"), "update": _("Give its place"), "unchanged": _("Unchanged")}


def _org_describe(r: PlannedRow) -> dict[str, Any]:
    """One row of the preview, as JSON keeps it."""
    v = r.values
    kinds = {**dict(OrgKind.choices), **dict(TerritoryKind.choices)}
    day = v.get("founded_on") or v.get("since")
    return {"row": r.row, "action": r.action, "sheet": _("Places") if v["sheet"] == "place" else _("Organizations"),
            "code": v["code"], "name": r.name, "kind": str(kinds.get(v["kind"], v["kind"])),
            "parent": v["parent"], "date": day.isoformat() if day else "", "territory": v.get("territory") or ""}


def _org_import_page(request: HttpRequest, org: Organization | None, form: forms.Form, status: int) -> HttpResponse:
    return render(request, "orgs/org_import.html", {
        "form": form,
        "org_kinds": org_importer.accepted_kinds(org_importer.ORG_KIND_WORDS),
        "place_kinds": org_importer.accepted_kinds(org_importer.PLACE_KIND_WORDS),
        "date_formats": org_importer.DATE_FORMATS,
    }, status=status)


def _org_summary(counts: dict[str, int]) -> str:
    return _("Imported: %(orgs)s organizations and %(places)s places created, %(given)s organizations given their "
             "place, %(unchanged)s rows unchanged.") % {
        "orgs": counts.get("org_create", 0), "places": counts.get("place_create", 0),
        "given": counts.get("org_update", 0), "unchanged": counts.get("unchanged", 0)}


def _org_done_link(job: Any) -> tuple[str, str]:
    return reverse("org-tree"), _("Organizations")


IMPORT = ImportFlow(path="grassroots.orgs.views.IMPORT", title=gettext_lazy("Import organizations and places"),
                    prefix="orgs-", url_name="org-import", plan=_org_plan, apply=org_importer.apply_import,
                    describe=_org_describe, rows_template="orgs/_import_rows.html", upload_page=_org_import_page,
                    labels=_org_labels, summary=_org_summary, done_link=_org_done_link)


@csrf_exempt  # checked by ImportFlow.handle once the upload's size cap is in place
@login_required
@require_http_methods(["GET", "POST"])
def org_import(request: HttpRequest) -> HttpResponse:
    _may_import_orgs(scope_for(request.user))
    return IMPORT.handle(request)


@login_required
@require_GET
def org_import_template(request: HttpRequest) -> HttpResponse:
    _may_import_orgs(scope_for(request.user))
    response = HttpResponse(org_importer.template_xlsx(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="organizations-template.xlsx"'
    return response


# --- an organization's territory --------------------------------------------------------------------------------

@login_required
@write_page
def org_territory(request: HttpRequest, code: str) -> HttpResponse:
    """The places an organization holds, with everything under them: kind, who holds each today, since when;
    and, for those who may change them, forms to add a place under one of them and to give one to an organization
    of the subtree (a grid to the branch that looks after it)."""
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs(), code=code)
    today = timezone.localdate()
    places = list(places_held_by(org).filter(pk__in=scope.territories().values("pk")))
    writable = [p for p in places if scope.can_write_territory(p)]
    form = hold_form = None
    if writable:
        step = request.POST.get("step", "add") if request.method == "POST" else ""
        form = PlaceAddForm(request.POST if step == "add" else None, parent_choices=place_choices(writable))
        hold_form = PlaceHoldForm(request.POST if step == "hold" else None, prefix="hold",
                                  place_choices=place_choices(writable))
        holders = live_writable(scope).filter(path__startswith=org.path).exclude(kind=OrgKind.PARTY_GROUP)
        hold_form.set_org_choices({"holder": org_choices(holders)})
        if step == "add" and form.is_valid():
            d = form.cleaned_data
            parent = next(p for p in writable if p.code == d["parent"])
            made = write_on_form(form, lambda: org_services.territory_create(
                code=d["code"], name=d["name"], kind=d["kind"], parent=parent, on=d["since"], note=d["note"]),
                aliases={"date": "since"})
            if made is not None:
                messages.success(request, _("%(name)s was added.") % {"name": made.name})
                return redirect("org-territory", code=org.code)
        if step == "hold" and hold_form.is_valid():
            d = hold_form.cleaned_data
            place = next(p for p in writable if p.code == d["place"])
            holder = chosen_org(scope, d["holder"])
            done = write_on_form(hold_form, lambda: org_services.territory_hold(
                place, holder=holder, on=d["date"], note=d["note"]))
            if done is not None:
                messages.success(request, _("%(place)s is now held by %(org)s.") % {
                    "place": place.name, "org": holder.name if holder else _("the organizations whose place it is")})
                return redirect("org-territory", code=org.code)
    elif request.method == "POST":
        raise PermissionDenied(_("You may not add places here."))
    since = places_since(Territory.objects.filter(pk__in=[p.pk for p in places]))
    top = min((p.depth for p in places), default=1)
    rows = []
    held_by = holders_of(places, today)
    for p in places:
        holder = held_by[p.pk]
        rows.append({"place": p, "indent": p.depth - top, "holder": holder,
                     "holder_readable": holder is not None and scope.can_read_org(holder),
                     "since": since.get(p.pk)})
    return render(request, "orgs/org_territory.html", {"org": org, "rows": rows, "form": form,
                                                        "hold_form": hold_form, "today": today},
                  status=400 if request.method == "POST" else 200)
