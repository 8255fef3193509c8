"""The organization tree's write pages: create a sub-organization, rename, move, upgrade, merge, revoke.

Thin: every write goes through `grassroots.orgs.services`. The organization comes from the user's *writable*
scope, so anything outside it is a 404; a service that still refuses (PermissionDeniedError) reaches the
middleware, which answers 403; a RuleError re-renders the form with its message on the named field (or at the
top) and nothing is written. Forms are shown by GET and written by POST only. The organization page itself is
the shell's frame (`grassroots.web`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from grassroots.access.scope import Scope, scope_for
from grassroots.members.selectors import members_of_on
from grassroots.members.services import MEMBER_ORG_KINDS
from grassroots.ui.forms import write_on_form

from . import services as org_services
from .forms import (
    UPGRADE_ORDER,
    OrgCreateChildForm,
    OrgMergeForm,
    OrgMoveForm,
    OrgRenameForm,
    OrgRevokeForm,
    OrgUpgradeForm,
    chosen_org,
    kind_choices,
    live_writable,
    org_choices,
)
from .models import Organization, OrgKind

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
    form = OrgCreateChildForm(request.POST or None, kind_choices=kind_choices(kinds))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        child = write_on_form(form, lambda: org_services.org_create(
            code=d["code"], name=d["name"], kind=d["kind"], founded_on=d["founded_on"], parent=org,
            note=d["note"]), aliases={"date": "founded_on", "parent": "kind"})
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
