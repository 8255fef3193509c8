"""The write pages: organization changes and member records. Thin: every write goes through a service.

Objects come from the user's *writable* scope, so anything outside it is a 404; a service that still
refuses (PermissionDeniedError) gives a 403; a RuleError re-renders the form with its message on the named
field (or at the top) and nothing is written. Forms are shown by GET and written by POST only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from grassroots.access.scope import Scope, scope_for
from grassroots.core import idnumber
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.members import services as member_services
from grassroots.members.models import Member
from grassroots.members.selectors import members_of_on
from grassroots.orgs import services as org_services
from grassroots.orgs.models import Organization, OrgKind
from grassroots.ui.forms import rule_error_on_form

from .forms import (
    EVENT_KINDS_WITH_ORG,
    UPGRADE_ORDER,
    MemberAddForm,
    MemberEditForm,
    MemberEventForm,
    OrgCreateChildForm,
    OrgMergeForm,
    OrgMoveForm,
    OrgRenameForm,
    OrgRevokeForm,
    OrgUpgradeForm,
)

write_page = require_http_methods(["GET", "POST"])
MEMBER_ORG_KINDS = [str(k) for k in member_services.MEMBER_ORG_KINDS]


# --- helpers -------------------------------------------------------------------------------------

def _writable_org(request: HttpRequest, code: str) -> tuple[Scope, Organization]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(scope.orgs(write=True), code=code)


def _writable_member(request: HttpRequest, pk: int) -> tuple[Scope, Member]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(scope.members(write=True).select_related("org", "party_group"), pk=pk)


def _live(scope: Scope) -> QuerySet[Organization]:
    """The live organizations the user may write, in tree order."""
    return scope.orgs(write=True).filter(revoked_on__isnull=True).order_by("path")


def _choices(qs: QuerySet[Organization]) -> list[tuple[str, str]]:
    return [(o.code, f"{o.name} ({o.code})") for o in qs]


def _chosen(scope: Scope, code: str | None) -> Organization | None:
    """The organization a valid form chose, if any (its choices came from `_live`, so it is there)."""
    return _live(scope).get(code=code) if code else None


def _required(scope: Scope, code: str) -> Organization:
    return _live(scope).get(code=code)


def _kind_choices(kinds: list[str]) -> list[tuple[str, str]]:
    return [(k, str(OrgKind(k).label)) for k in kinds]


def _attempt(form: Any, write: Callable[[], Any], aliases: dict[str, str] | None = None) -> Any:
    """Run the service call; None (with the message on the form) when it broke a rule."""
    try:
        return write()
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except RuleError as exc:
        rule_error_on_form(form, exc, aliases)
        return None


def _page(request: HttpRequest, form: Any, *, heading: str, action: str, back: str, submit: str,
          org: Organization | None = None, member: Member | None = None, danger: bool = False,
          **extra: Any) -> HttpResponse:
    context = {"form": form, "heading": heading, "action": action, "back": back, "submit": submit,
               "org": org, "member": member, "danger": danger, **extra}
    return render(request, "web/write_form.html", context)


def _org_page(request: HttpRequest, org: Organization, form: Any, name: str, heading: str, submit: str,
              **extra: Any) -> HttpResponse:
    return _page(request, form, heading=heading, action=reverse(name, args=[org.code]),
                 back=reverse("org-detail", args=[org.code]), submit=submit, org=org, **extra)


# --- organization changes ------------------------------------------------------------------------

@login_required
@write_page
def org_create_child(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _writable_org(request, code)
    kinds = [k for k in OrgKind.values if org.kind in org_services.ALLOWED_PARENTS[OrgKind(k)]]
    form = OrgCreateChildForm(request.POST or None, kind_choices=_kind_choices(kinds))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        child = _attempt(form, lambda: org_services.org_create(
            code=d["code"], name=d["name"], kind=d["kind"], founded_on=d["founded_on"], parent=org,
            note=d["note"]), aliases={"date": "founded_on", "parent": "kind"})
        if child is not None:
            messages.success(request, _("%(name)s was created.") % {"name": child.name})
            return redirect("org-detail", code=child.code)
    return _org_page(request, org, form, "org-create-child", _("Create a sub-organization"), _("Create"))


@login_required
@write_page
def org_rename(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _writable_org(request, code)
    form = OrgRenameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _attempt(form, lambda: org_services.org_rename(org, name=d["name"], on=d["date"], note=d["note"]))
        if done is not None:
            messages.success(request, _("Renamed to %(name)s.") % {"name": done.name})
            return redirect("org-detail", code=done.code)
    return _org_page(request, org, form, "org-rename", _("Rename"), _("Rename"))


@login_required
@write_page
def org_move(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _writable_org(request, code)
    parent = org.get_parent()
    targets = _live(scope).exclude(path__startswith=org.path).exclude(kind=OrgKind.PARTY_GROUP)
    if parent is not None:
        targets = targets.exclude(pk=parent.pk)
    form = OrgMoveForm(request.POST or None)
    form.set_org_choices({"parent": _choices(targets)}, blank="—")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _attempt(form, lambda: org_services.org_move(
            org, parent=_required(scope, d["parent"]), on=d["date"], note=d["note"]))
        if done is not None:
            messages.success(request, _("%(name)s was moved.") % {"name": done.name})
            return redirect("org-detail", code=done.code)
    return _org_page(request, org, form, "org-move", _("Move under another organization"), _("Move"),
                     current_parent=parent)


@login_required
@write_page
def org_upgrade(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _writable_org(request, code)
    higher = list(UPGRADE_ORDER[UPGRADE_ORDER.index(org.kind) + 1:]) if org.kind in UPGRADE_ORDER else []
    form = OrgUpgradeForm(request.POST or None, kind_choices=_kind_choices(higher),
                          initial={"kind": OrgKind.GENERAL_BRANCH})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _attempt(form, lambda: org_services.org_upgrade(org, kind=d["kind"], on=d["date"], note=d["note"]),
                        aliases={"parent": "kind"})
        if done is not None:
            messages.success(request, _("%(name)s is now a %(kind)s.") % {"name": done.name,
                                                                        "kind": done.get_kind_display()})
            return redirect("org-detail", code=done.code)
    return _org_page(request, org, form, "org-upgrade", _("Upgrade"), _("Upgrade"))


@login_required
@write_page
def org_merge(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _writable_org(request, code)
    targets = _live(scope).exclude(path__startswith=org.path).exclude(kind=OrgKind.PARTY_GROUP)
    form = OrgMergeForm(request.POST or None)
    form.set_org_choices({"into": _choices(targets)}, blank="—")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        into = _required(scope, d["into"])
        done = _attempt(form, lambda: org_services.org_merge(org, into=into, on=d["date"], note=d["note"]))
        if done is not None:
            messages.success(request, _("%(name)s was merged into %(into)s.") % {"name": done.name, "into": into.name})
            return redirect("org-detail", code=into.code)
    return _org_page(request, org, form, "org-merge", _("Merge into another organization"), _("Merge"),
                     danger=True)


@login_required
@write_page
def org_revoke(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _writable_org(request, code)
    targets = _live(scope).exclude(path__startswith=org.path).filter(kind__in=MEMBER_ORG_KINDS)
    form = OrgRevokeForm(request.POST or None)
    form.set_org_choices({"members_to": _choices(targets)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _attempt(form, lambda: org_services.org_revoke(
            org, on=d["date"], members_to=_chosen(scope, d["members_to"]), note=d["note"]))
        if done is not None:
            messages.success(request, _("%(name)s was revoked.") % {"name": done.name})
            return redirect("org-detail", code=done.code)
    members_now = members_of_on(org, timezone.localdate()).count()
    return _org_page(request, org, form, "org-revoke", _("Revoke"), _("Revoke"), danger=True,
                     members_now=members_now)


# --- members -------------------------------------------------------------------------------------

def _party_groups(scope: Scope, org: Organization | None) -> list[tuple[str, str]]:
    if org is None:
        return []
    return _choices(_live(scope).filter(kind=OrgKind.PARTY_GROUP, path__startswith=org.path))


def _birth_from_id(number: str) -> Any:
    """The birth date an ID number encodes, or None when the number is not valid (the service says why)."""
    try:
        return idnumber.birth_date(idnumber.validate(number))
    except idnumber.IDNumberError:
        return None


@login_required
@write_page
def member_add(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _writable_org(request, code)
    form = MemberAddForm(request.POST or None)
    form.set_org_choices({"party_group": _party_groups(scope, org)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        member = _attempt(form, lambda: member_services.member_create(
            name=d["name"], sex=d["sex"], ethnicity=d["ethnicity"], id_number=d["id_number"],
            birth_date=d["birth_date"] or _birth_from_id(d["id_number"]), phone=d["phone"],
            education=d["education"], occupation=d["occupation"], org=org, joined_on=d["joined_on"],
            status=d["status"], converted_on=d["converted_on"], party_group=_chosen(scope, d["party_group"])))
        if member is not None:
            messages.success(request, _("%(name)s was added.") % {"name": member.name})
            return redirect("member-detail", pk=member.pk)
    return _org_page(request, org, form, "org-member-add", _("Add a member"), _("Add"))


def _member_page(request: HttpRequest, member: Member, form: Any, name: str, heading: str, submit: str,
                 **extra: Any) -> HttpResponse:
    return _page(request, form, heading=heading, action=reverse(name, args=[member.pk]),
                 back=reverse("member-detail", args=[member.pk]), submit=submit, member=member, **extra)


@login_required
@write_page
def member_event_add(request: HttpRequest, pk: int) -> HttpResponse:
    scope, member = _writable_member(request, pk)
    form = MemberEventForm(request.POST or None,
                           initial={"education": member.education, "occupation": member.occupation})
    form.set_org_choices({"org": _choices(_live(scope).filter(kind__in=MEMBER_ORG_KINDS))})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if d["kind"] == "updated":
            changes = {f: d[f] for f in ("education", "occupation") if d[f] and d[f] != getattr(member, f)}
            if not changes:
                form.add_error(None, _("Choose a new education or occupation."))
                done = None
            else:
                done = _attempt(form, lambda: member_services.member_update(member, on=d["date"], **changes))
        else:
            org = _chosen(scope, d["org"]) if d["kind"] in EVENT_KINDS_WITH_ORG else None
            done = _attempt(form, lambda: member_services.member_record_event(
                member, kind=d["kind"], on=d["date"], org=org, note=d["note"]))
        if done is not None:
            messages.success(request, _("The event was recorded."))
            return redirect("member-detail", pk=member.pk)
    events = member.events.select_related("org").order_by("-date", "-id")[:5]
    return _member_page(request, member, form, "member-event-add", _("Record an event"), _("Record the event"),
                        events=events, kinds_with_org=" ".join(EVENT_KINDS_WITH_ORG))


def _edit_changes(member: Member, d: dict[str, Any], party_group: Organization | None) -> dict[str, Any]:
    """What the edit form changes: only fields that differ; an empty ID number or phone keeps the old one."""
    changes: dict[str, Any] = {f: d[f] for f in ("name", "sex", "ethnicity") if d[f] != getattr(member, f)}
    number = idnumber.normalize(d["id_number"])
    if number and number != member.id_number:
        changes["id_number"] = number
    birth = d["birth_date"]
    if "id_number" in changes and birth in (None, member.birth_date):
        birth = _birth_from_id(number) or birth  # a new number with the old, untouched birth date
    if birth is not None and birth != member.birth_date:
        changes["birth_date"] = birth
    phone = d["phone"].strip()
    if phone and phone != member.phone:
        changes["phone"] = phone
    if (party_group.pk if party_group else None) != member.party_group_id:
        changes["party_group"] = party_group
    return changes


@login_required
@write_page
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope, member = _writable_member(request, pk)
    initial = {"name": member.name, "sex": member.sex, "ethnicity": member.ethnicity,
               "birth_date": member.birth_date,
               "party_group": member.party_group.code if member.party_group else ""}
    form = MemberEditForm(request.POST or None, initial=initial)  # never the ID number or the phone
    form.set_org_choices({"party_group": _party_groups(scope, member.org)})
    if request.method == "POST" and form.is_valid():
        changes = _edit_changes(member, form.cleaned_data, _chosen(scope, form.cleaned_data["party_group"]))
        if not changes:
            messages.info(request, _("Nothing was changed."))
            return redirect("member-detail", pk=member.pk)
        if _attempt(form, lambda: member_services.member_update(member, **changes)) is not None:
            messages.success(request, _("The record was saved."))
            return redirect("member-detail", pk=member.pk)
    return _member_page(request, member, form, "member-edit", _("Edit record"), _("Save"))
