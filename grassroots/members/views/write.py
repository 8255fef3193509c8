"""The roster's write pages: add a member to an organization, record an event, edit a record.

Thin: every write goes through `grassroots.members.services`. Objects come from the user's *writable* scope, so
anything outside it is a 404; a service that still refuses (PermissionDeniedError) reaches the middleware, which
answers 403; a RuleError re-renders the form with its message on the named field (or at the top) and nothing is
written. Forms are shown by GET and written by POST only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from grassroots.access.scope import Scope, scope_for
from grassroots.core import idnumber
from grassroots.core.versions import parse_version
from grassroots.members import services as member_services
from grassroots.members.forms import EVENT_KINDS_WITH_ORG, MemberAddForm, MemberEditForm, MemberEventForm
from grassroots.members.models import Member
from grassroots.orgs.forms import chosen_org, live_writable, org_choices
from grassroots.orgs.models import Organization, OrgKind
from grassroots.ui.forms import write_on_form

write_page = require_http_methods(["GET", "POST"])
MEMBER_ORG_KINDS = [str(k) for k in member_services.MEMBER_ORG_KINDS]


def _writable_member(request: HttpRequest, pk: int) -> tuple[Scope, Member]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(scope.members(write=True).select_related("org", "party_group"), pk=pk)


def _page(request: HttpRequest, form: Any, *, heading: str, action: str, back: str, submit: str,
          org: Organization | None = None, member: Member | None = None, **extra: Any) -> HttpResponse:
    context = {"form": form, "heading": heading, "action": action, "back": back, "submit": submit,
               "org": org, "member": member, "danger": False, **extra}
    return render(request, "ui/write_form.html", context)


def _party_groups(scope: Scope, org: Organization | None) -> list[tuple[str, str]]:
    if org is None:
        return []
    return org_choices(live_writable(scope).filter(kind=OrgKind.PARTY_GROUP, path__startswith=org.path))


def _birth_from_id(number: str) -> Any:
    """The birth date an ID number encodes, or None when the number is not valid (the service says why)."""
    try:
        return idnumber.birth_date(idnumber.validate(number))
    except idnumber.IDNumberError:
        return None


@login_required
@write_page
def member_add(request: HttpRequest, code: str) -> HttpResponse:
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs(write=True), code=code)
    form = MemberAddForm(request.POST or None)
    form.set_org_choices({"party_group": _party_groups(scope, org)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        member = write_on_form(form, lambda: member_services.member_create(
            name=d["name"], sex=d["sex"], ethnicity=d["ethnicity"], id_number=d["id_number"],
            birth_date=d["birth_date"] or _birth_from_id(d["id_number"]), phone=d["phone"],
            education=d["education"], occupation=d["occupation"], org=org, joined_on=d["joined_on"],
            status=d["status"], converted_on=d["converted_on"], party_group=chosen_org(scope, d["party_group"])))
        if member is not None:
            messages.success(request, _("%(name)s was added.") % {"name": member.name})
            return redirect("member-detail", pk=member.pk)
    return _page(request, form, heading=_("Add a member"), action=reverse("org-member-add", args=[org.code]),
                 back=reverse("org-detail", args=[org.code]), submit=_("Add"), org=org)


def _member_page(request: HttpRequest, member: Member, form: Any, name: str, heading: str, submit: str,
                 **extra: Any) -> HttpResponse:
    return _page(request, form, heading=heading, action=reverse(name, args=[member.pk]),
                 back=reverse("member-detail", args=[member.pk]), submit=submit, member=member, **extra)


@login_required
@write_page
def member_event_add(request: HttpRequest, pk: int) -> HttpResponse:
    scope, member = _writable_member(request, pk)
    form = MemberEventForm(request.POST or None, initial={"education": member.education,
                                                          "occupation": member.occupation, "version": member.version})
    form.set_org_choices({"org": org_choices(live_writable(scope).filter(kind__in=MEMBER_ORG_KINDS))})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        version = parse_version(d["version"])  # checked for a change of education or occupation (an edit)
        done: object | None  # the updated member or the recorded event; None when a rule was broken
        if d["kind"] == "updated":
            changes = {f: d[f] for f in ("education", "occupation") if d[f] and d[f] != getattr(member, f)}
            if not changes:
                form.add_error(None, _("Choose a new education or occupation."))
                done = None
            else:
                done = write_on_form(form, lambda: member_services.member_update(member, on=d["date"], version=version,
                                                                                   **changes))
        else:
            org = chosen_org(scope, d["org"]) if d["kind"] in EVENT_KINDS_WITH_ORG else None
            done = write_on_form(form, lambda: member_services.member_record_event(
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
               "party_group": member.party_group.code if member.party_group else "", "version": member.version}
    form = MemberEditForm(request.POST or None, initial=initial)  # never the ID number or the phone
    form.set_org_choices({"party_group": _party_groups(scope, member.org)})
    if request.method == "POST" and form.is_valid():
        changes = _edit_changes(member, form.cleaned_data, chosen_org(scope, form.cleaned_data["party_group"]))
        if not changes:
            messages.info(request, _("Nothing was changed."))
            return redirect("member-detail", pk=member.pk)
        version = parse_version(form.cleaned_data["version"])
        if write_on_form(form, lambda: member_services.member_update(member, version=version, **changes)) is not None:
            messages.success(request, _("The record was saved."))
            return redirect("member-detail", pk=member.pk)
    return _member_page(request, member, form, "member-edit", _("Edit record"), _("Save"))
