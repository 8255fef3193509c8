"""Member points pages: a subtree's totals per member (printable, .xlsx), the proposals queue (propose from the
records, approve or decline in bulk), every entry of the year, the scheme set-up and the ranking switch, the
exemptions, manual entries, the ranking (only where turned on, only members who opted in), the import of manual
entries, and a member's statement (with their opt-in).

Thin: organizations and members come from `scope_for(request.user)` (outside it: 404), figures from
`points.selectors`, and every write goes through `points.services` (a RuleError back onto the form; a refusal
answered 403 by the middleware)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from grassroots.access.scope import Scope, scope_for
from grassroots.core.sheets import PlannedRow, Progress
from grassroots.members.models import Member
from grassroots.orgs.models import Organization
from grassroots.ui.forms import query_int, write_on_form
from grassroots.ui.imports import ImportFlow
from grassroots.ui.lists import Column, ListSpec, paginate, query_without
from grassroots.ui.xlsx import export_query, wanted

from . import importer, selectors, services
from .forms import DecideForm, ExemptionForm, GiveForm, RankingForm, SchemeForm
from .models import EntryStatus, PointEntry, PointExemption, PointOptIn, PointScheme
from .schemes import SchemeBook, item_label


def _org(request: HttpRequest, code: str) -> tuple[Scope, Organization]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(scope.orgs(), code=code)


def _year(request: HttpRequest) -> int:
    return query_int(request, "year", timezone.localdate().year, 1990, 2100)


def _members(scope: Scope, org: Organization) -> QuerySet[Member]:
    return scope.members(write=True).filter(org__path__startswith=org.path).order_by("name", "pk")


def _require_write(scope: Scope, org: Organization) -> None:
    if not scope.can_write_org(org):
        raise PermissionDenied(_("You may not change points here."))


# --- totals --------------------------------------------------------------------------------------------------

TOTALS = ListSpec(
    title=_lazy("Member points"),
    columns=(
        Column("name", _lazy("Name"), lambda r: r.name, link=lambda r: reverse("points-statement", args=[r.member_id])),
        Column("org", _lazy("Organization"), lambda r: r.org_name),
        Column("base", _lazy("Base"), lambda r: r.base, css="num"),
        Column("earned", _lazy("Earned"), lambda r: r.earned, css="num"),
        Column("deducted", _lazy("Deducted"), lambda r: r.deducted, css="num"),
        Column("total", _lazy("Total"), lambda r: r.total, css="num"),
        Column("pending", _lazy("Awaiting approval"), lambda r: r.pending, css="num"),
    ),
    export_name="points", table_id="points-totals", empty=_lazy("No members here this year."),
)


@login_required
@require_http_methods(["GET"])
def totals(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    year = _year(request)
    rows = selectors.totals(org, year, timezone.localdate())
    return TOTALS.respond(request, rows, template="points/points_totals.html", org=org, context={
        "year": year, "can_write": scope.can_write_org(org),
        "ranking_enabled": selectors.ranking_enabled(org),
        "waiting": selectors.proposals(org).count()})


# --- entries ---------------------------------------------------------------------------------------------------

ENTRIES = ListSpec(
    title=_lazy("Points entries"),
    columns=(
        Column("day", _lazy("Date"), lambda e: e.day, css="num"),
        Column("name", _lazy("Name"), lambda e: e.member.name,
               link=lambda e: reverse("points-statement", args=[e.member_id])),
        Column("item", _lazy("Item"), lambda e: item_label(e.item)),
        Column("what", _lazy("What"), lambda e: e.text, link=lambda e: e.url),
        Column("quantity", _lazy("Quantity"), lambda e: e.quantity, css="num"),
        Column("points", _lazy("Points"), lambda e: e.points, css="num"),
        Column("status", _lazy("Status"), lambda e: e.get_status_display()),
        Column("reason", _lazy("Reason"), lambda e: e.reason),
    ),
    sheet_columns=(Column("org", _lazy("Organization"), lambda e: e.org.name),
                   Column("scheme", _lazy("Scheme"), lambda e: e.scheme),
                   Column("decided_by", _lazy("Decided by"), lambda e: e.decided_by)),
    export_name="points-entries", table_id="points-entries", empty=_lazy("No entries this year."),
)


class EntryFilter(forms.Form):
    year = forms.IntegerField(label=_lazy("Year"), min_value=1990, max_value=2100, required=False)
    status = forms.ChoiceField(label=_lazy("Status"), required=False,
                               choices=[("", _lazy("Any")), *EntryStatus.choices])


@login_required
@require_http_methods(["GET"])
def entries(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    form = EntryFilter(request.GET or None)
    year = _year(request)
    qs = scope.by_org(PointEntry.objects.filter(org__path__startswith=org.path, year=year))
    if form.is_valid() and form.cleaned_data.get("status"):
        qs = qs.filter(status=form.cleaned_data["status"])
    qs = qs.select_related("member", "org").order_by("day", "id")
    return ENTRIES.respond(request, qs, template="points/points_entries.html", form=form, org=org,
                           context={"year": year})


# --- the proposals queue ----------------------------------------------------------------------------------------

def _posted_decisions(request: HttpRequest, org: Organization) -> list[tuple[PointEntry, Any]]:
    """The ticked proposals (`entry` = "<id>:<version>") of the subtree, each with the version the page showed."""
    wanted: dict[int, str] = {}
    for value in request.POST.getlist("entry"):
        pk, _sep, version = value.partition(":")
        if pk.isdigit():
            wanted[int(pk)] = version
    found = PointEntry.objects.filter(pk__in=wanted, org__path__startswith=org.path).select_related("org")
    return [(e, wanted[e.pk]) for e in found.order_by("day", "id")]


@login_required
@require_http_methods(["GET", "POST"])
def proposals(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    year = _year(request)
    can_write = scope.can_write_org(org)
    form = DecideForm()
    status = 200
    if request.method == "POST":
        _require_write(scope, org)
        if request.POST.get("action") == "propose":
            posted = request.POST.get("year", "")
            year = int(posted) if posted.isdigit() and 1990 <= int(posted) <= 2100 else year
            made = services.propose_points(org, year)
            messages.success(request, _("%(n)d proposals made from the records.") % {"n": len(made)})
            return redirect(f"{reverse('points-proposals', args=[org.code])}?year={year}")
        if request.POST.get("action") == "approve_all":
            approved = services.approve_all_proposals(org, year=year, until=timezone.localdate())
            messages.success(request, _("%(n)d proposals approved.") % {"n": approved})
            return redirect(f"{reverse('points-proposals', args=[org.code])}?year={year}")
        form = DecideForm(request.POST)
        if form.is_valid():
            approve = form.cleaned_data["decision"] == "approve"
            decisions = _posted_decisions(request, org)
            done = write_on_form(form, lambda: services.decide_entries(
                decisions, approve=approve, reason=form.cleaned_data.get("reason", "")), {"entries": "decision"})
            if done is not None:
                messages.success(request, (_("%(n)d proposals approved.") if approve
                                           else _("%(n)d proposals declined.")) % {"n": done})
                return redirect(f"{reverse('points-proposals', args=[org.code])}?year={year}")
        status = 400
    qs = scope.by_org(selectors.proposals(org))
    if request.method == "GET" and wanted(request):
        return ENTRIES.respond(request, qs, template="points/points_entries.html", org=org)
    page, show_all = paginate(request, qs)
    return render(request, "points/points_proposals.html", {
        "org": org, "year": year, "can_write": can_write, "page": page, "show_all": show_all, "form": form,
        "rows": [(e, item_label(e.item)) for e in page.object_list], "total": page.paginator.count,
        "page_query": query_without(request, "page", "all"), "export_query": export_query(request),
    }, status=status)


# --- manual entries -------------------------------------------------------------------------------------------

def _manual_items(org: Organization) -> list[tuple[str, str]]:
    scheme = SchemeBook().on(org, timezone.localdate())
    return [(code, item.label) for code, item in scheme.items.items() if item.manual]


@login_required
@require_http_methods(["GET", "POST"])
def give(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    _require_write(scope, org)
    members, items = _members(scope, org), _manual_items(org)
    form = GiveForm(request.POST or None, members=members, items=items,
                    initial={"day": timezone.localdate().isoformat()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        entry = write_on_form(form, lambda: services.give_points(d["member"], item=d["item"], day=d["day"],
                                                                points=d.get("points") or None, reason=d["reason"]))
        if entry is not None:
            messages.success(request, _("%(points)s points recorded for %(name)s.") % {
                "points": entry.points, "name": entry.member.name})
            return redirect("points-statement", pk=entry.member_id)
    return render(request, "ui/write_form.html", {
        "org": org, "form": form, "heading": _("Give or deduct points"), "submit": _("Record"),
        "action": reverse("points-give", args=[org.code]), "back": reverse("points-totals", args=[org.code]),
    }, status=400 if request.method == "POST" else 200)


# --- exemptions -------------------------------------------------------------------------------------------------

EXEMPTIONS = ListSpec(
    title=_lazy("Exemptions from points"),
    columns=(
        Column("name", _lazy("Name"), lambda e: e.member.name,
               link=lambda e: reverse("points-statement", args=[e.member_id])),
        Column("reason", _lazy("Reason"), lambda e: e.get_reason_display()),
        Column("start", _lazy("From"), lambda e: e.start, css="num"),
        Column("end", _lazy("To"), lambda e: e.end or "", css="num"),
        Column("note", _lazy("Note"), lambda e: e.note),
    ),
    export_name="points-exemptions", table_id="points-exemptions",
    empty=_lazy("No exemption recorded. Retired and mobile members are exempt by the members' data."),
)


@login_required
@require_http_methods(["GET", "POST"])
def exemptions(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    can_write = scope.can_write_org(org)
    form = ExemptionForm(members=_members(scope, org) if can_write else Member.objects.none())
    status = 200
    if request.method == "POST":
        _require_write(scope, org)
        form = ExemptionForm(request.POST, members=_members(scope, org))
        if form.is_valid():
            d = form.cleaned_data
            done = write_on_form(form, lambda: services.record_exemption(
                d["member"], reason=d["reason"], start=d["start"], end=d.get("end"), note=d.get("note", "")))
            if done is not None:
                messages.success(request, _("Exemption recorded for %(name)s.") % {"name": done.member.name})
                return redirect("points-exemptions", code=org.code)
        status = 400
    qs = (scope.by_org(PointExemption.objects.filter(org__path__startswith=org.path))
          .select_related("member").order_by("-start", "-id"))
    response = EXEMPTIONS.respond(request, qs, template="points/points_exemptions.html", org=org,
                                  context={"can_write": can_write, "exempt_form": form})
    response.status_code = status if response.status_code == 200 else response.status_code
    return response


# --- the scheme and the ranking switch ----------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def scheme(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    can_write = scope.can_write_org(org)
    today = timezone.localdate()
    current = SchemeBook().on(org, today)
    setting = services.setting_of(org)
    own = PointScheme.objects.filter(org=org).order_by("-effective_from")
    form = SchemeForm(initial={**SchemeForm.initial_from(current), "effective_from": today.isoformat()})
    ranking_form = RankingForm(initial={"enabled": setting.ranking_enabled, "version": setting.version})
    status = 200
    if request.method == "POST":
        _require_write(scope, org)
        if request.POST.get("action") == "ranking":
            ranking_form = RankingForm(request.POST)
            if ranking_form.is_valid():
                d = ranking_form.cleaned_data
                done = write_on_form(ranking_form, lambda: services.set_ranking(
                    org, enabled=d["enabled"], version=d.get("version") or None))
                if done is not None:
                    messages.success(request, _("The ranking page is on.") if done.ranking_enabled
                                     else _("The ranking page is off."))
                    return redirect("points-scheme", code=org.code)
        else:
            form = SchemeForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                saved = write_on_form(form, lambda: services.set_scheme(
                    org, effective_from=d["effective_from"], params=form.params(), note=d.get("note", ""),
                    version=d.get("version") or None), {"params": "base", "items": "manual"})
                if saved is not None:
                    messages.success(request, _("Scheme saved, in force from %(day)s.") % {
                        "day": saved.effective_from.isoformat()})
                    return redirect("points-scheme", code=org.code)
        status = 400
    return render(request, "points/points_scheme.html", {
        "org": org, "can_write": can_write, "current": current, "own": own, "form": form,
        "ranking_form": ranking_form, "setting": setting,
        "inherited": current.org_id not in (None, org.pk),
        "items": [(item.label, item) for item in current.items.values()],
    }, status=status)


# --- the ranking ----------------------------------------------------------------------------------------------

RANKING = ListSpec(
    title=_lazy("Points of the members who chose to be listed"),
    columns=(Column("name", _lazy("Name"), lambda r: r.name), Column("total", _lazy("Total"), lambda r: r.total,
                                                                    css="num")),
    export_name="points-ranking", table_id="points-ranking", empty=_lazy("No member has chosen to be listed."),
)


@login_required
@require_http_methods(["GET"])
def ranking(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    if not selectors.ranking_enabled(org):
        raise Http404(_("This organization has no ranking page."))
    year = _year(request)
    rows = selectors.ranking(org, year, timezone.localdate())
    return RANKING.respond(request, rows, template="points/points_ranking.html", org=org,
                           context={"year": year})


# --- a member's statement --------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def statement(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    member = get_object_or_404(scope.members().select_related("org"), pk=pk)
    year = _year(request)
    if request.method == "POST":
        if not (member.pk in scope.own_member_ids or scope.can_write_member(member)):
            raise PermissionDenied(_("You may not change this member's choice."))
        services.set_opt_in(member, opted_in=request.POST.get("opted_in") == "on")
        messages.success(request, _("Your choice is saved."))
        return redirect(f"{reverse('points-statement', args=[member.pk])}?year={year}")
    data = selectors.statement(member, year, timezone.localdate())
    opt_in = PointOptIn.objects.filter(member=member, opted_in=True).exists()
    return render(request, "points/points_statement.html", {
        "member": member, "year": year, "data": data, "opted_in": opt_in,
        "can_choose": member.pk in scope.own_member_ids or scope.can_write_member(member),
        "exempt_today": services.exemption_reason(member, timezone.localdate()),
        "can_read_org": member.org is not None and scope.can_read_org(member.org),
    })


# --- import of manual entries ------------------------------------------------------------------------------------

def _plan(saved: Path, filename: str, org: Organization | None, params: Any, progress: Progress) -> Any:
    with saved.open("rb") as fileobj:
        return importer.plan_import(fileobj, filename, within=org, progress=progress)


def _labels() -> dict[str, str]:
    return {"create": pgettext("import action", "Record"), "unchanged": _("Unchanged (already recorded)")}


def _describe(r: PlannedRow) -> dict[str, Any]:
    v = r.values
    return {"row": r.row, "action": r.action, "name": r.name, "id_number_masked": r.id_number_masked,
            "item": item_label(v.get("item", "")), "day": v["day"].isoformat() if v.get("day") else "",
            "points": str(v.get("points", "")), "reason": v.get("reason", "")}


def _upload_page(request: HttpRequest, org: Organization | None, form: forms.Form, status: int) -> HttpResponse:
    return render(request, "points/points_import.html", {"org": org, "form": form}, status=status)


def _summary(counts: dict[str, int]) -> str:
    return _("Imported: %(created)s entries recorded, %(unchanged)s already recorded.") % {
        "created": counts.get("create", 0), "unchanged": counts.get("unchanged", 0)}


def _done_link(job: Any) -> tuple[str, str]:
    return reverse("points-totals", kwargs={"code": job.org.code}), _("Member points")


IMPORT = ImportFlow(path="grassroots.points.views.IMPORT", title=_lazy("Import manual points entries"),
                    prefix="points-", url_name="points-import", plan=_plan, apply=importer.apply_import,
                    describe=_describe, rows_template="points/_import_rows.html", upload_page=_upload_page,
                    labels=_labels, summary=_summary, done_link=_done_link)


@csrf_exempt  # checked by ImportFlow.handle once the upload's size cap is in place
@login_required
@require_http_methods(["GET", "POST"])
def points_import(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    _require_write(scope, org)
    return IMPORT.handle(request, org)

