"""The organization tree's write pages: create a sub-organization, rename, move, upgrade, merge, revoke.

Thin: every write goes through `grassroots.orgs.services`. The organization comes from the user's *writable*
scope, so anything outside it is a 404; a service that still refuses (PermissionDeniedError) reaches the
middleware, which answers 403; a RuleError re-renders the form with its message on the named field (or at the
top) and nothing is written. Forms are shown by GET and written by POST only. The organization page itself is
the shell's frame (`grassroots.web`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.access.scope import Scope, scope_for
from grassroots.members.selectors import members_of_on
from grassroots.members.services import MEMBER_ORG_KINDS
from grassroots.ui import uploads
from grassroots.ui.forms import ImportFileForm, write_on_form

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

SESSION_ORG_IMPORTS = "org_imports"


def _may_import_orgs(scope: Scope) -> None:
    if not (scope.unrestricted or live_writable(scope).exists()):
        raise PermissionDenied(_("You may not import organizations."))


def _org_plan(saved: Path, filename: str) -> Any:
    with saved.open("rb") as fileobj:
        return org_importer.plan_import(fileobj, filename)


def _org_import_page(request: HttpRequest, form: Any, plan: Any = None, token: str = "", filename: str = "",
                     status: int = 200) -> HttpResponse:
    labels = {"create": pgettext("import action", "Create"), "update": _("Give its place"),
              "unchanged": _("Unchanged")}
    rows = []
    kinds = {**dict(OrgKind.choices), **dict(TerritoryKind.choices)}
    if plan is not None:
        for r in plan.rows:
            v = r.values
            rows.append({"row": r.row, "action": r.action, "action_label": labels.get(r.action, r.action),
                         "sheet": _("Places") if v["sheet"] == "place" else _("Organizations"),
                         "code": v["code"], "name": r.name, "kind": kinds.get(v["kind"], v["kind"]),
                         "parent": v["parent"], "date": v.get("founded_on") or v.get("since"),
                         "territory": v.get("territory", "")})
    counts = []
    if plan is not None:
        counts = [(f"{_('Organizations')} · {labels[k]}", n) for k, n in plan.org_counts.items() if n]
        counts += [(f"{_('Places')} · {labels[k]}", n) for k, n in plan.place_counts.items() if n]
    return render(request, "orgs/org_import.html", {
        "form": form, "plan": plan, "rows": rows, "counts": counts, "token": token, "filename": filename,
        "org_kinds": org_importer.accepted_kinds(org_importer.ORG_KIND_WORDS),
        "place_kinds": org_importer.accepted_kinds(org_importer.PLACE_KIND_WORDS),
        "date_formats": org_importer.DATE_FORMATS,
    }, status=status)


@login_required
@write_page
def org_import(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    _may_import_orgs(scope)
    if request.method == "POST" and request.POST.get("step") == "confirm":
        return _org_import_confirm(request)
    form = ImportFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        token, saved = uploads.keep(request, upload, session_key=SESSION_ORG_IMPORTS, prefix="orgs-")
        return _org_import_page(request, form, _org_plan(saved, upload.name), token, upload.name)
    return _org_import_page(request, form, status=400 if request.method == "POST" else 200)


def _org_import_confirm(request: HttpRequest) -> HttpResponse:
    token = request.POST.get("token", "")
    kept = uploads.pending(request, token, session_key=SESSION_ORG_IMPORTS)
    if kept is None:
        messages.error(request, _("That upload is no longer available; please upload the file again."))
        return redirect("org-import")
    info, saved = kept
    plan = _org_plan(saved, info["filename"])
    if plan.ok:
        plan = org_importer.apply_import(plan)  # re-checks and writes every row, or none
    if not plan.ok or not plan.applied:
        messages.error(request, _("The file has errors; nothing was imported."))
        return _org_import_page(request, ImportFileForm(), plan, token, info["filename"])
    uploads.discard(request, token, session_key=SESSION_ORG_IMPORTS)
    orgs, places = plan.org_counts, plan.place_counts
    messages.success(request, _("Imported: %(orgs)s organizations and %(places)s places created, %(given)s "
                                "organizations given their place, %(unchanged)s rows unchanged.") % {
        "orgs": orgs["create"], "places": places["create"], "given": orgs["update"],
        "unchanged": orgs["unchanged"] + places["unchanged"]})
    return redirect("org-tree")


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
