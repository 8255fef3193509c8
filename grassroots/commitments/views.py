"""Public commitments pages: an organization's list by year (filters level and result; printable, .xlsx), a new
commitment (a secretary for a member: on their behalf), a member's commitments (the member enters their own),
one commitment (progress, edit, result, withdrawal), the printable public list (承诺公示), the public station
page and the import.

Thin: records are read through the user's scope (`selectors.visible`; out of scope: 404) and every write goes
through `services` (a RuleError goes back onto the form; a PermissionDeniedError reaches
`ui.errors.DomainErrorMiddleware`, a 403 page). The public pages show names, levels, texts, deadlines and results:
never a phone or an ID number.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.access.scope import Scope, scope_for
from grassroots.core.sheets import PlannedRow, Progress
from grassroots.members.models import Member
from grassroots.orgs.models import Organization
from grassroots.ui.forms import query_int, write_on_form
from grassroots.ui.imports import ImportFlow
from grassroots.ui.lists import Column, ListSpec

from . import importer, selectors, services
from .forms import CommitmentForm, EditForm, FilterForm, ProgressForm, ResultForm, WithdrawForm
from .models import Commitment, Level, Result, Theme
from .models import Progress as ProgressEntry


def _result_text(c: Commitment) -> str:
    if c.withdrawn_on is not None:
        return str(_("Withdrawn before the deadline"))
    return c.get_result_display() if c.result else str(_("No result yet"))


COMMITMENTS = ListSpec(
    title=_lazy("Public commitments"),
    columns=(
        Column("member", _lazy("Member"), lambda c: c.member.name,
               link=lambda c: reverse("commitment-detail", args=[c.pk])),
        Column("org", _lazy("Organization"), lambda c: c.org.name),
        Column("year", _lazy("Year"), lambda c: c.year, css="num"),
        Column("level", _lazy("Level"), lambda c: c.get_level_display()),
        Column("theme", _lazy("Theme"), lambda c: c.get_theme_display() if c.theme else ""),
        Column("text", _lazy("Commitment"), lambda c: c.text),
        Column("deadline", _lazy("Deadline"), lambda c: c.deadline, css="num"),
        Column("result", _lazy("Result"), _result_text),
    ),
    sheet_columns=(
        Column("made_on", _lazy("Made on"), lambda c: c.made_on),
        Column("on_behalf", _lazy("Entered on the member's behalf"),
               lambda c: _("yes") if c.on_behalf else _("no")),
        Column("result_note", _lazy("Result note"), lambda c: c.result_note),
        Column("result_on", _lazy("Result set on"), lambda c: c.result_on),
    ),
    export_name="commitments", table_id="commitments", empty=_lazy("No commitments match."), export_link=True,
)


def _readable_org(request: HttpRequest, code: str) -> tuple[Scope, Organization]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(scope.orgs(), code=code)


def _filtered(qs: QuerySet[Commitment], form: FilterForm) -> QuerySet[Commitment]:
    if not form.is_valid():
        return qs
    d = form.cleaned_data
    if d.get("level"):
        qs = qs.filter(level=d["level"])
    result = d.get("result")
    if result == "withdrawn":
        qs = qs.filter(withdrawn_on__isnull=False)
    elif result == "none":
        qs = qs.filter(withdrawn_on__isnull=True, result="")
    elif result:
        qs = qs.filter(withdrawn_on__isnull=True, result=result)
    return qs


@login_required
@require_GET
def commitments(request: HttpRequest, code: str) -> HttpResponse:
    """An organization's commitments of a year, with the year's counts (members, by level, by result)."""
    scope, org = _readable_org(request, code)
    today = timezone.localdate()
    year = query_int(request, "year", today.year, 1921, 2100)
    form = FilterForm(request.GET or None, initial={"year": year})
    qs = (selectors.of_subtree(selectors.visible(scope), org).filter(year=year)
          .select_related("member", "org").order_by("org__path", "member__name", "level", "id"))
    qs = _filtered(qs, form)
    return COMMITMENTS.respond(request, qs, template="commitments/commitment_list.html", form=form, org=org, context={
        "year": year, "figures": selectors.figures(org, year, today),
        "levels": Level.choices, "results": Result.choices, "themes": Theme.choices,
        "can_write": scope.can_write_org(org) and org.revoked_on is None,
        "years": selectors.public_years(org)})


def _make(form: CommitmentForm) -> Commitment | None:
    d = form.cleaned_data
    return write_on_form(form, lambda: services.commitment_make(
        d["member"], year=d["year"], level=d["level"], theme=d.get("theme") or "", text=d["text"],
        deadline=d["deadline"], made_on=d["made_on"]))


def _new_initial() -> dict[str, Any]:
    today = timezone.localdate()
    return {"year": today.year, "made_on": today.isoformat(), "deadline": f"{today.year}-12-31",
            "level": Level.COMMON}


@login_required
@require_http_methods(["GET", "POST"])
def commitment_new(request: HttpRequest, code: str) -> HttpResponse:
    """A secretary enters a member's commitment on their behalf (recorded as such)."""
    scope, org = _readable_org(request, code)
    if not scope.can_write_org(org) or org.revoked_on is not None:
        raise PermissionDenied(_("You may not enter commitments here."))
    members = scope.members(write=True).filter(org__path__startswith=org.path).order_by("name", "pk")
    form = CommitmentForm(request.POST or None, members=members, initial=_new_initial())
    if request.method == "POST" and form.is_valid():
        made = _make(form)
        if made is not None:
            messages.success(request, _("Commitment of %(name)s recorded.") % {"name": made.member.name})
            return redirect("commitment-detail", pk=made.pk)
    return render(request, "ui/write_form.html", {
        "heading": _("New commitment (on a member's behalf)"), "org": org, "form": form,
        "back": reverse("commitments", args=[org.code]), "action": request.path,
        "submit": _("Record the commitment")}, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def member_commitments(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's commitments by year; the member (own account) or a secretary enters a new one here."""
    scope = scope_for(request.user)
    member = get_object_or_404(scope.members().select_related("org"), pk=pk)
    own = member.pk in scope.own_member_ids
    can_write = own or scope.can_write_member(member)
    if request.method == "POST" and not can_write:
        raise PermissionDenied(_("You may not enter commitments for this member."))
    form = None
    if can_write:
        members = Member.objects.filter(pk=member.pk)
        form = CommitmentForm(request.POST or None, members=members, initial={**_new_initial(), "member": member.pk})
        if request.method == "POST" and form.is_valid():
            made = _make(form)
            if made is not None:
                messages.success(request, _("Commitment recorded."))
                return redirect("commitment-detail", pk=made.pk)
    items = list(Commitment.objects.filter(member=member).select_related("org").order_by("-year", "level", "id"))
    return render(request, "commitments/member_commitments.html", {
        "member": member, "items": items, "form": form, "own": own,
        "can_read_org": member.org is not None and scope.can_read_org(member.org)},
        status=400 if request.method == "POST" else 200)


# --- one commitment -----------------------------------------------------------------------------------------

def _commitment_for(request: HttpRequest, pk: int) -> tuple[Scope, Commitment]:
    scope = scope_for(request.user)
    qs = selectors.visible(scope).select_related("member__org", "org", "recorded_by", "result_by")
    return scope, get_object_or_404(qs, pk=pk)


ACTIONS = ("progress", "edit", "result", "withdraw")


def _forms(c: Commitment, data: Any = None, files: Any = None, action: str = "") -> dict[str, forms.Form]:
    today = timezone.localdate().isoformat()

    def bound(name: str) -> tuple[Any, Any]:
        return (data, files) if action == name else (None, None)

    return {
        "progress": ProgressForm(*bound("progress"), prefix="progress", initial={"date": today}),
        "edit": EditForm(*bound("edit")[:1], prefix="edit", initial={
            "version": c.version, "level": c.level, "theme": c.theme, "text": c.text,
            "deadline": c.deadline.isoformat()}),
        "result": ResultForm(*bound("result")[:1], prefix="result", initial={
            "version": c.version, "result": c.result or Result.KEPT, "note": c.result_note,
            "on": (c.result_on.isoformat() if c.result_on else today)}),
        "withdraw": WithdrawForm(*bound("withdraw")[:1], prefix="withdraw", initial={
            "version": c.version, "on": today}),
    }


def _write(c: Commitment, action: str, form: forms.Form) -> Any:
    d = form.cleaned_data
    if action == "progress":
        return write_on_form(form, lambda: services.progress_add(c, date=d["date"], text=d["text"],
                                                                 photo=d.get("photo")), {"file": "photo"})
    if action == "edit":
        return write_on_form(form, lambda: services.commitment_edit(
            c, version=d["version"], level=d["level"], theme=d.get("theme") or "", text=d["text"],
            deadline=d["deadline"]))
    if action == "result":
        return write_on_form(form, lambda: services.result_set(c, version=d["version"], result=d["result"],
                                                               note=d.get("note", ""), on=d["on"]))
    return write_on_form(form, lambda: services.commitment_withdraw(c, version=d["version"], reason=d["reason"],
                                                                    on=d["on"]))


SUCCESS = {"progress": _lazy("Progress recorded."), "edit": _lazy("Commitment changed."),
           "result": _lazy("Result recorded."), "withdraw": _lazy("Commitment withdrawn.")}


@login_required
@require_http_methods(["GET", "POST"])
def commitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope, c = _commitment_for(request, pk)
    own = c.member_id in scope.own_member_ids
    can_member = own or scope.can_write_member(c.member)
    can_review = scope.can_write_org(c.org)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST":
        allowed = can_review if action == "result" else can_member
        if action not in ACTIONS or not allowed:
            raise PermissionDenied(_("You may not change this commitment."))
    all_forms = _forms(c, request.POST, request.FILES, action)
    if action:
        form = all_forms[action]
        if form.is_valid() and _write(c, action, form) is not None:
            messages.success(request, str(SUCCESS[action]))
            return redirect("commitment-detail", pk=c.pk)
    is_open = c.withdrawn_on is None and not c.result
    return render(request, "commitments/commitment_detail.html", {
        "c": c, "progress": list(c.progress.select_related("recorded_by").order_by("date", "id")),
        "forms": all_forms, "action": action, "own": own, "is_open": is_open,
        "can_member": can_member and is_open, "can_review": can_review and c.withdrawn_on is None,
        "can_withdraw": can_member and is_open and timezone.localdate() <= c.deadline,
        "can_read_org": scope.can_read_org(c.org)}, status=400 if action else 200)


@login_required
@require_GET
def progress_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A progress entry's photo, for whoever may read its commitment."""
    from grassroots.ui import uploads

    scope = scope_for(request.user)
    item = get_object_or_404(ProgressEntry.objects.exclude(photo="").filter(
        commitment__in=selectors.visible(scope)), pk=pk)
    return uploads.stored_file(item.photo)


# --- the public list -----------------------------------------------------------------------------------------

def _public_context(org: Organization, year: int) -> dict[str, Any]:
    rows = list(selectors.public_list(org, year))
    return {"year": year, "rows": rows, "years": selectors.public_years(org),
            "figures": selectors.figures(org, year, timezone.localdate())}


@login_required
@require_GET
def commitments_notice(request: HttpRequest, code: str) -> HttpResponse:
    """The printable public list (承诺公示) of an organization's year: name, level, text, deadline, result."""
    _scope, org = _readable_org(request, code)
    year = query_int(request, "year", timezone.localdate().year, 1921, 2100)
    return render(request, "commitments/commitment_notice.html", {"org": org, **_public_context(org, year)})


@require_GET
def public_commitments(request: HttpRequest, station: str) -> HttpResponse:
    """The station's public list, no account needed: names, levels, texts, deadlines, results; no contact."""
    org = Organization.objects.filter(code=station).first()
    if org is None or not selectors.has_public(org):
        raise Http404(_("No such station."))
    years = selectors.public_years(org)
    year = query_int(request, "year", years[0], 1921, 2100)
    return render(request, "commitments/public_commitments.html", {"station": org, **_public_context(org, year)})


# --- import --------------------------------------------------------------------------------------------------

def _plan(saved: Path, filename: str, org: Organization | None, params: Any, progress: Progress) -> Any:
    with saved.open("rb") as fileobj:
        return importer.plan_import(fileobj, filename, within=org, progress=progress)


def _labels() -> dict[str, str]:
    return {"create": _("Record"), "unchanged": _("Unchanged (already recorded)")}


def _describe(r: PlannedRow) -> dict[str, Any]:
    v = r.values
    return {"row": r.row, "action": r.action, "name": r.name, "id_number_masked": r.id_number_masked,
            "year": v.get("year"), "level": str(Level(v["level"]).label) if v.get("level") else "",
            "text": v.get("text", ""), "deadline": v["deadline"].isoformat() if v.get("deadline") else "",
            "result": str(Result(v["result"]).label) if v.get("result") else ""}


def _upload_page(request: HttpRequest, org: Organization | None, form: forms.Form, status: int) -> HttpResponse:
    return render(request, "commitments/commitment_import.html", {"org": org, "form": form}, status=status)


def _summary(counts: dict[str, int]) -> str:
    return _("Imported: %(created)s commitments recorded, %(unchanged)s already recorded.") % {
        "created": counts.get("create", 0), "unchanged": counts.get("unchanged", 0)}


def _done_link(job: Any) -> tuple[str, str]:
    return reverse("commitments", kwargs={"code": job.org.code}), _("Public commitments")


IMPORT = ImportFlow(path="grassroots.commitments.views.IMPORT", title=_lazy("Import commitments"),
                    prefix="commitments-", url_name="commitments-import", plan=_plan, apply=importer.apply_import,
                    describe=_describe, rows_template="commitments/_import_rows.html", upload_page=_upload_page,
                    labels=_labels, summary=_summary, done_link=_done_link)


@csrf_exempt  # checked by ImportFlow.handle once the upload's size cap is in place
@login_required
@require_http_methods(["GET", "POST"])
def commitments_import(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _readable_org(request, code)
    if not scope.can_write_org(org):
        raise PermissionDenied(_("You may not import commitments here."))
    return IMPORT.handle(request, org)
