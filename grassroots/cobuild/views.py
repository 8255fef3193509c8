"""Co-construction pages: the organization's hub (figures and links), the lists of units, agreements, needs,
projects and contributions (each prints and exports), and the pages of a unit (its reports, resources,
agreements and contributions), an agreement (its three lists, contributions, files, renewal and early end), a
need (claim, withdraw) and a project (start, done with outcome and optional evidence, drop).

Thin: organizations and records are read through `scope_for(request.user)` (out of scope: 404); every write goes
through `cobuild.services`, a RuleError goes back onto the form's field (400), a refusal (PermissionDeniedError)
is left to the middleware (403 with its reason). Phones are masked; a reveal is a logged POST.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Q, QuerySet, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.access.scope import Scope, scope_for
from grassroots.core.idnumber import mask_phone
from grassroots.orgs.models import Organization
from grassroots.rules import stored
from grassroots.rules.findings import findings_for
from grassroots.ui.forms import write_form_page, write_on_form
from grassroots.ui.lists import Column, ListSpec
from grassroots.ui.uploads import stored_file

from . import selectors, services
from .forms import (
    AgreementFilterForm,
    AgreementForm,
    ClaimForm,
    ContributionForm,
    DayForm,
    DoneForm,
    DropForm,
    EndForm,
    FileForm,
    NeedFilterForm,
    NeedForm,
    ProjectFilterForm,
    ProjectForm,
    RenewForm,
    ReportForm,
    ResourceForm,
    UnitFilterForm,
    UnitForm,
    VersionForm,
    YearFilterForm,
)
from .models import (
    Agreement,
    AgreementFile,
    Contribution,
    Need,
    Project,
    ProjectEvidence,
    ProjectState,
    ResidentUnit,
    Resource,
    UnitReport,
)


def _org(request: HttpRequest, code: str) -> tuple[Scope, Organization]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(scope.orgs(), code=code)


def _writer(scope: Scope, org: Organization) -> None:
    if not scope.can_write_org(org):
        raise PermissionDenied(_("You may not change the co-construction records of %(org)s.") % {"org": org.name})


def _d(day: Any) -> str:
    return day.isoformat() if day else ""


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, f"cobuild/{template}", context, status=status)


def _term(a: Agreement) -> str:
    return f"{_d(a.starts_on)} – {_d(a.ends_on)}"


def _agreement_state(a: Agreement) -> str:
    day = timezone.localdate()
    if a.ended_on is not None and a.ended_on < day:
        return _("Ended early on %(date)s") % {"date": _d(a.ended_on)}
    if a.starts_on > day:
        return _("Not yet in force")
    if a.ends_on is not None and a.ends_on < day:
        return _("Renewed") if getattr(a, "renewed", 0) else _("Lapsed")
    return _("In force")


# --- the hub --------------------------------------------------------------------------------------------------

@login_required
@require_GET
def home(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    day = timezone.localdate()
    # a small subtree's findings are computed here (two queries); a larger one's are on its to-do page, kept
    live = stored.live_allowed(org)
    found = list(findings_for(org, day, only=["cobuild"])) if live else []
    return _page(request, "home.html", {"org": org, "figures": selectors.figures(org, day.year, day),
                                        "findings": found, "findings_live": live,
                                        "can_write": scope.can_write_org(org), "day": day})


# --- units ----------------------------------------------------------------------------------------------------

UNITS = ListSpec(
    title=gettext_lazy("Resident units"),
    columns=(
        Column("name", gettext_lazy("Unit name"), lambda u: u.name, link=lambda u: reverse("cobuild-unit", args=[u.pk])),
        Column("kind", gettext_lazy("Type"), lambda u: u.get_kind_display()),
        Column("industry", gettext_lazy("Industry"), lambda u: u.industry),
        Column("org", gettext_lazy("Kept by"), lambda u: u.org.name),
        Column("contact", gettext_lazy("Contact person"), lambda u: u.contact_name),
        Column("phone", gettext_lazy("Contact's phone"), lambda u: mask_phone(u.contact_phone), css="num"),
        Column("party", gettext_lazy("Its Party organization"),
               lambda u: (u.party_org.name if u.party_org else _("yes")) if u.has_party_org else _("no")),
        Column("members", gettext_lazy("Party members"), lambda u: u.party_members, css="num"),
        Column("agreements", gettext_lazy("Agreements in force"), lambda u: u.in_force, css="num"),
        Column("left", gettext_lazy("Left on"), lambda u: _d(u.left_on), css="num"),
    ),
    sheet_columns=(Column("address", gettext_lazy("Address"), lambda u: u.address),),
    export_name="resident-units", table_id="units", export_link=True,
    empty=gettext_lazy("No resident unit is recorded here yet."),
)


def filtered_units(org: Organization, form: UnitFilterForm) -> QuerySet[ResidentUnit]:
    day = timezone.localdate()
    units = selectors.units_of(org)
    if form.is_valid():
        if form.cleaned_data.get("kind"):
            units = units.filter(kind=form.cleaned_data["kind"])
        if not form.cleaned_data.get("left"):
            units = units.filter(left_on__isnull=True)
    in_force = Agreement.objects.filter(selectors.in_force_on(day))
    return (units.select_related("org", "party_org")
            .annotate(in_force=Count("agreements", filter=Q(agreements__in=in_force), distinct=True))
            .order_by("org__path", "name", "pk"))


@login_required
@require_GET
def units(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    form = UnitFilterForm(request.GET or None)
    rows = filtered_units(org, form)
    return UNITS.respond(request, rows, template="cobuild/list.html", form=form, org=org, context={
        "filter_form": form, "count": rows.count(), "can_write": scope.can_write_org(org), "heading": UNITS.title,
        "new_url": reverse("cobuild-unit-new", args=[org.code]),
        "import_url": reverse("cobuild-units-import", args=[org.code])})


def _unit_form(scope: Scope, org: Organization, *args: Any, **kwargs: Any) -> UnitForm:
    return UnitForm(*args, territories=scope.territories().order_by("path"),
                    orgs=scope.orgs().exclude(pk=org.pk).order_by("path"), **kwargs)


def _unit_args(d: dict[str, Any]) -> dict[str, Any]:
    return {k: d.get(k) for k in ("name", "kind", "industry", "address", "territory", "contact_name",
                                  "contact_phone", "has_party_org", "party_members", "party_org", "joined_on",
                                  "note")}


@login_required
@require_http_methods(["GET", "POST"])
def unit_new(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    _writer(scope, org)
    form = _unit_form(scope, org, request.POST or None)
    if request.method == "POST" and form.is_valid():
        unit = write_on_form(form, lambda: services.unit_create(org=org, **_unit_args(form.cleaned_data)))
        if unit is not None:
            messages.success(request, _("%(name)s recorded.") % {"name": unit.name})
            return redirect("cobuild-unit", pk=unit.pk)
    return write_form_page(request, org=org, form=form, heading=_("Record a resident unit"), submit=_("Record"),
                      back=reverse("cobuild-units", args=[org.code]))


def _unit(request: HttpRequest, pk: int) -> tuple[Scope, ResidentUnit]:
    scope = scope_for(request.user)
    unit = get_object_or_404(ResidentUnit.objects.visible_to(scope).select_related("org", "party_org", "territory"),
                             pk=pk)
    return scope, unit


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope, unit = _unit(request, pk)
    _writer(scope, unit.org)
    initial = {k: getattr(unit, k) for k in ("name", "kind", "industry", "address", "contact_name",
                                             "has_party_org", "party_members", "note", "version")}
    initial.update(territory=unit.territory_id, party_org=unit.party_org_id, joined_on=_d(unit.joined_on))
    form = _unit_form(scope, unit.org, request.POST or None, initial=initial)
    form.fields["contact_phone"].help_text = _("Blank keeps the phone recorded (%(masked)s).") % {
        "masked": mask_phone(unit.contact_phone) or "—"}
    if request.method == "POST" and form.is_valid():
        args = _unit_args(form.cleaned_data)
        args["contact_phone"] = args["contact_phone"] or unit.contact_phone  # never shown: blank keeps it
        done = write_on_form(form, lambda: services.unit_update(unit, version=form.cleaned_data.get("version"),
                                                                **args))
        if done is not None:
            messages.success(request, _("%(name)s changed.") % {"name": done.name})
            return redirect("cobuild-unit", pk=unit.pk)
    return write_form_page(request, org=unit.org, form=form, heading=_("Change the resident unit"), submit=_("Save"),
                      back=reverse("cobuild-unit", args=[unit.pk]))


def _unit_detail(request: HttpRequest, scope: Scope, unit: ResidentUnit, bound: dict[str, forms.Form] | None = None,
                 revealed: dict[str, str] | None = None) -> HttpResponse:
    can_write = scope.can_write_org(unit.org)
    agreements = Agreement.objects.filter(unit=unit)
    forms_: dict[str, forms.Form] = {}
    if can_write and unit.left_on is None:
        forms_ = {"report": ReportForm(prefix="report", initial={"reported_on": _d(timezone.localdate())}),
                  "resource": ResourceForm(prefix="resource", agreements=agreements),
                  "contribution": ContributionForm(prefix="contribution", agreements=agreements),
                  "leave": DayForm(prefix="leave", initial={"version": unit.version})}
        forms_.update(bound or {})
    return _page(request, "unit_detail.html", {
        "unit": unit, "org": unit.org, "can_write": can_write, "forms": forms_,
        "phone_masked": mask_phone(unit.contact_phone), "revealed": revealed or {},
        "reports": list(unit.reports.order_by("-reported_on", "-pk")),
        "resources": list(unit.resources.select_related("agreement").order_by("-listed_on", "-pk")),
        "agreements": list(agreements.order_by("-signed_on", "-pk")),
        "projects": list(unit.projects.order_by("-started_on", "-pk")),
        "contributions": list(unit.contributions.select_related("agreement", "project").order_by("-given_on",
                                                                                                   "-pk"))},
        status=400 if bound else 200)


@login_required
@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope, unit = _unit(request, pk)
    return _unit_detail(request, scope, unit)


@login_required
@require_POST
def unit_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    if field != "contact_phone":
        raise Http404
    scope, unit = _unit(request, pk)
    value = services.unit_reveal(unit, field=field)
    if getattr(request, "htmx", None):
        return render(request, "ui/_revealed.html", {"field": field, "value": value})
    return _unit_detail(request, scope, unit, revealed={"contact_phone": value})


def _write_on_page[R: (ResidentUnit, Agreement, Project)](
        request: HttpRequest, scope: Scope, record: R, name: str, form: forms.Form,
        write: Callable[[R, dict[str, Any]], Any], message: str, done_to: Callable[[Any], HttpResponse],
        page: Callable[..., HttpResponse]) -> HttpResponse:
    """A form posted from a record's page (a unit's, an agreement's, a project's): written through its service,
    then `done_to` the service's answer; else the record's `page` again with the form and its errors as `name`."""
    _writer(scope, record.org)
    if form.is_valid():
        done = write_on_form(form, lambda: write(record, form.cleaned_data))
        if done is not None:
            messages.success(request, message)
            return done_to(done)
    return page(request, scope, record, bound={name: form})


def _unit_write(request: HttpRequest, pk: int, name: str, make: Callable[[ResidentUnit], forms.Form],
                write: Callable[[ResidentUnit, dict[str, Any]], Any], message: str) -> HttpResponse:
    scope, unit = _unit(request, pk)
    return _write_on_page(request, scope, unit, name, make(unit), write, message,
                          lambda _done: redirect("cobuild-unit", pk=unit.pk), _unit_detail)


@login_required
@require_POST
def unit_report(request: HttpRequest, pk: int) -> HttpResponse:
    return _unit_write(request, pk, "report", lambda u: ReportForm(request.POST, prefix="report"),
                       lambda u, d: services.report_create(unit=u, reported_on=d["reported_on"], offers=d["offers"]),
                       _("The report is recorded: accept it below."))


@login_required
@require_POST
def unit_resource(request: HttpRequest, pk: int) -> HttpResponse:
    return _unit_write(request, pk, "resource", lambda u: ResourceForm(
        request.POST, prefix="resource", agreements=Agreement.objects.filter(unit=u)),
        lambda u, d: services.resource_create(unit=u, title=d["title"], detail=d["detail"],
                                              listed_on=d["listed_on"], agreement=d.get("agreement")),
        _("Resource listed."))


@login_required
@require_POST
def unit_contribution(request: HttpRequest, pk: int) -> HttpResponse:
    return _unit_write(request, pk, "contribution", lambda u: ContributionForm(
        request.POST, prefix="contribution", agreements=Agreement.objects.filter(unit=u)),
        lambda u, d: services.contribution_create(unit=u, kind=d["kind"], given_on=d["given_on"],
                                                  amount=d["amount"], goods=d["goods"],
                                                  agreement=d.get("agreement")),
        _("Contribution recorded."))


@login_required
@require_POST
def unit_leave(request: HttpRequest, pk: int) -> HttpResponse:
    return _unit_write(request, pk, "leave", lambda u: DayForm(request.POST, prefix="leave"),
                       lambda u, d: services.unit_leave(u, version=d["version"], on=d.get("on")),
                       _("The unit's leaving is recorded."))


@login_required
@require_POST
def report_accept(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    report = get_object_or_404(UnitReport.objects.visible_to(scope).select_related("unit__org"), pk=pk)
    form = VersionForm(request.POST)
    if form.is_valid():
        done = write_on_form(form, lambda: services.report_accept(report, version=form.cleaned_data["version"]))
        if done is not None:
            messages.success(request, _("Report accepted."))
            return redirect("cobuild-unit", pk=report.unit_id)
    for errors in form.errors.values():
        for e in errors:
            messages.error(request, str(e))
    return redirect("cobuild-unit", pk=report.unit_id)


@login_required
@require_POST
def resource_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    resource = get_object_or_404(scope_resources(scope), pk=pk)
    form = DayForm(request.POST)
    if form.is_valid():
        done = write_on_form(form, lambda: services.resource_withdraw(resource, version=form.cleaned_data["version"],
                                                                      on=form.cleaned_data.get("on")))
        if done is not None:
            messages.success(request, _("Resource withdrawn."))
    for errors in form.errors.values():
        for e in errors:
            messages.error(request, str(e))
    return redirect("cobuild-unit", pk=resource.unit_id)


def scope_resources(scope: Scope) -> QuerySet[Resource]:
    return Resource.objects.visible_to(scope).select_related("unit__org")


# --- agreements -----------------------------------------------------------------------------------------------

AGREEMENTS = ListSpec(
    title=gettext_lazy("Co-construction agreements"),
    columns=(
        Column("title", gettext_lazy("Title"), lambda a: a.title,
               link=lambda a: reverse("cobuild-agreement", args=[a.pk])),
        Column("unit", gettext_lazy("Unit"), lambda a: a.unit.name),
        Column("org", gettext_lazy("Organization"), lambda a: a.org.name),
        Column("signed", gettext_lazy("Signed on"), lambda a: _d(a.signed_on), css="num"),
        Column("term", gettext_lazy("Term"), _term, css="num"),
        Column("state", gettext_lazy("State"), _agreement_state),
        Column("needs", gettext_lazy("Needs"), lambda a: a.n_needs, css="num"),
        Column("resources", gettext_lazy("Resources"), lambda a: a.n_resources, css="num"),
        Column("projects", gettext_lazy("Projects"), lambda a: a.n_projects, css="num"),
        Column("given", gettext_lazy("Given (yuan)"), lambda a: a.given or 0, css="num"),
    ),
    export_name="cobuild-agreements", table_id="agreements", export_link=True,
    empty=gettext_lazy("No agreement is recorded here yet."),
)


def filtered_agreements(org: Organization, form: AgreementFilterForm) -> QuerySet[Agreement]:
    rows = selectors.agreements_of(org)
    if form.is_valid():
        if form.cleaned_data.get("in_force"):
            rows = rows.filter(selectors.in_force_on(timezone.localdate()))
        if form.cleaned_data.get("unit"):
            rows = rows.filter(unit__name__contains=form.cleaned_data["unit"])
    given = Contribution.objects.filter(agreement=OuterRef("pk")).values("agreement").annotate(
        s=Sum("amount")).values("s")
    return (rows.select_related("org", "unit")
            .annotate(n_needs=Count("needs", distinct=True), n_resources=Count("resources", distinct=True),
                      n_projects=Count("projects", distinct=True), renewed=Count("renewals", distinct=True),
                      given=given)
            .order_by("-signed_on", "-pk"))


@login_required
@require_GET
def agreements(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    form = AgreementFilterForm(request.GET or None)
    rows = filtered_agreements(org, form)
    return AGREEMENTS.respond(request, rows, template="cobuild/list.html", form=form, org=org, context={
        "filter_form": form, "count": rows.count(), "can_write": scope.can_write_org(org),
        "heading": AGREEMENTS.title, "new_url": reverse("cobuild-agreement-new", args=[org.code]),
        "import_url": reverse("cobuild-agreements-import", args=[org.code])})


def _agreement_args(d: dict[str, Any]) -> dict[str, Any]:
    return {k: d.get(k) for k in ("title", "signed_on", "starts_on", "ends_on", "terms")}


@login_required
@require_http_methods(["GET", "POST"])
def agreement_new(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    _writer(scope, org)
    units_ = ResidentUnit.objects.filter(org=org, left_on__isnull=True).order_by("name")
    initial = {"unit": request.GET.get("unit", "")}
    form = AgreementForm(request.POST or None, units=units_, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        made = write_on_form(form, lambda: services.agreement_create(org=org, unit=d["unit"], **_agreement_args(d)))
        if made is not None:
            messages.success(request, _("Agreement %(title)s recorded.") % {"title": made.title})
            return redirect("cobuild-agreement", pk=made.pk)
    return write_form_page(request, org=org, form=form, heading=_("Record an agreement"), submit=_("Record"),
                      back=reverse("cobuild-agreements", args=[org.code]))


def _agreement(request: HttpRequest, pk: int) -> tuple[Scope, Agreement]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(Agreement.objects.visible_to(scope).select_related("org", "unit", "renews"),
                                    pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope, agreement = _agreement(request, pk)
    _writer(scope, agreement.org)
    form = AgreementForm(request.POST or None, initial={
        "title": agreement.title, "signed_on": _d(agreement.signed_on), "starts_on": _d(agreement.starts_on),
        "ends_on": _d(agreement.ends_on), "terms": agreement.terms, "version": agreement.version})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = write_on_form(form, lambda: services.agreement_update(agreement, version=d.get("version"),
                                                                     **_agreement_args(d)))
        if done is not None:
            messages.success(request, _("Agreement %(title)s changed.") % {"title": done.title})
            return redirect("cobuild-agreement", pk=agreement.pk)
    return write_form_page(request, org=agreement.org, form=form, heading=_("Change the agreement"), submit=_("Save"),
                      back=reverse("cobuild-agreement", args=[agreement.pk]))


def _agreement_detail(request: HttpRequest, scope: Scope, agreement: Agreement,
                      bound: dict[str, forms.Form] | None = None) -> HttpResponse:
    can_write = scope.can_write_org(agreement.org)
    renewals = list(agreement.renewals.order_by("signed_on"))
    agreement.renewed = len(renewals)  # type: ignore[attr-defined]  # for _agreement_state
    own = Agreement.objects.filter(pk=agreement.pk)
    forms_: dict[str, forms.Form] = {}
    if can_write:
        forms_ = {"need": NeedForm(prefix="need", agreements=own, initial={
                      "agreement": agreement.pk, "listed_on": _d(timezone.localdate())}),
                  "project": ProjectForm(prefix="project", units=ResidentUnit.objects.filter(pk=agreement.unit_id),
                                         agreements=own, initial={"agreement": agreement.pk,
                                                                  "unit": agreement.unit_id,
                                                                  "started_on": _d(timezone.localdate())}),
                  "file": FileForm(prefix="file")}
        if agreement.ended_on is None and not renewals:
            forms_["renew"] = RenewForm(prefix="renew", initial={"version": agreement.version,
                                                                 "signed_on": _d(timezone.localdate())})
            forms_["end"] = EndForm(prefix="end", initial={"version": agreement.version})
        forms_.update(bound or {})
    return _page(request, "agreement_detail.html", {
        "agreement": agreement, "org": agreement.org, "can_write": can_write, "forms": forms_,
        "state": _agreement_state(agreement), "renewals": renewals,
        "needs": list(agreement.needs.select_related("claimed_by").order_by("-listed_on", "-pk")),
        "resources": list(agreement.resources.order_by("-listed_on", "-pk")),
        "projects": list(agreement.projects.select_related("unit").order_by("-started_on", "-pk")),
        "contributions": list(agreement.contributions.order_by("-given_on", "-pk")),
        "files": list(agreement.files.order_by("pk"))}, status=400 if bound else 200)


@login_required
@require_GET
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope, agreement = _agreement(request, pk)
    return _agreement_detail(request, scope, agreement)


def _agreement_write(request: HttpRequest, pk: int, name: str, make: Callable[[Agreement], forms.Form],
                     write: Callable[[Agreement, dict[str, Any]], Any], message: str,
                     to: Callable[[Any], HttpResponse] | None = None) -> HttpResponse:
    scope, agreement = _agreement(request, pk)
    return _write_on_page(request, scope, agreement, name, make(agreement), write, message,
                          to or (lambda _done: redirect("cobuild-agreement", pk=agreement.pk)), _agreement_detail)


@login_required
@require_POST
def agreement_renew(request: HttpRequest, pk: int) -> HttpResponse:
    return _agreement_write(request, pk, "renew", lambda a: RenewForm(request.POST, prefix="renew"),
                            lambda a, d: services.agreement_renew(a, version=d["version"], signed_on=d["signed_on"],
                                                                  starts_on=d.get("starts_on"), ends_on=d["ends_on"]),
                            _("Agreement renewed."), to=lambda new: redirect("cobuild-agreement", pk=new.pk))


@login_required
@require_POST
def agreement_end(request: HttpRequest, pk: int) -> HttpResponse:
    return _agreement_write(request, pk, "end", lambda a: EndForm(request.POST, prefix="end"),
                            lambda a, d: services.agreement_end(a, version=d["version"], on=d["on"],
                                                                reason=d["reason"]),
                            _("The agreement's early end is recorded."))


@login_required
@require_POST
def agreement_file(request: HttpRequest, pk: int) -> HttpResponse:
    return _agreement_write(request, pk, "file", lambda a: FileForm(request.POST, request.FILES, prefix="file"),
                            lambda a, d: services.agreement_file_add(agreement=a, file=d["file"],
                                                                     caption=d["caption"]),
                            _("File attached."))


@login_required
@require_POST
def agreement_need(request: HttpRequest, pk: int) -> HttpResponse:
    return _agreement_write(request, pk, "need", lambda a: NeedForm(
        request.POST, prefix="need", agreements=Agreement.objects.filter(pk=a.pk)),
        lambda a, d: services.need_create(org=a.org, title=d["title"], detail=d["detail"], listed_on=d["listed_on"],
                                          agreement=a), _("Need listed."))


@login_required
@require_POST
def agreement_project(request: HttpRequest, pk: int) -> HttpResponse:
    return _agreement_write(request, pk, "project", lambda a: ProjectForm(
        request.POST, prefix="project", units=ResidentUnit.objects.filter(pk=a.unit_id),
        agreements=Agreement.objects.filter(pk=a.pk)),
        lambda a, d: services.project_create(org=a.org, title=d["title"], detail=d["detail"], source="agreement",
                                             agreement=a, unit=d.get("unit"), owner=d["owner"],
                                             started_on=d["started_on"], due_on=d.get("due_on")),
        _("Project recorded."))


@login_required
@require_GET
def agreement_file_download(request: HttpRequest, pk: int) -> FileResponse:
    return _download(request, AgreementFile, pk)


def _download[Kept: (AgreementFile, ProjectEvidence)](request: HttpRequest, model: type[Kept], pk: int) -> FileResponse:
    """A kept file (a signed scan, a project's evidence) to a reader of the record it belongs to."""
    made: Kept = get_object_or_404(model.objects.visible_to(scope_for(request.user)), pk=pk)
    return stored_file(made.file)


# --- needs ----------------------------------------------------------------------------------------------------

NEEDS = ListSpec(
    title=gettext_lazy("Needs"),
    columns=(
        Column("title", gettext_lazy("Need"), lambda n: n.title, link=lambda n: reverse("cobuild-need", args=[n.pk])),
        Column("org", gettext_lazy("Organization"), lambda n: n.org.name),
        Column("listed", gettext_lazy("Listed on"), lambda n: _d(n.listed_on), css="num"),
        Column("claimed_by", gettext_lazy("Claimed by"), lambda n: n.claimed_by.name if n.claimed_by else ""),
        Column("claimed_on", gettext_lazy("Claimed on"), lambda n: _d(n.claimed_on), css="num"),
        Column("withdrawn", gettext_lazy("Withdrawn on"), lambda n: _d(n.withdrawn_on), css="num"),
    ),
    sheet_columns=(Column("detail", gettext_lazy("Detail"), lambda n: n.detail),),
    export_name="cobuild-needs", table_id="needs", export_link=True,
    empty=gettext_lazy("No need is listed here yet."),
)


@login_required
@require_http_methods(["GET", "POST"])
def needs(request: HttpRequest, code: str) -> HttpResponse:
    """The needs list (需求清单), with the form to list one for a writer."""
    scope, org = _org(request, code)
    can_write = scope.can_write_org(org)
    agreements_ = Agreement.objects.filter(org=org).select_related("unit").order_by("-signed_on")
    form = NeedForm(prefix="need", agreements=agreements_, initial={"listed_on": _d(timezone.localdate())})
    status = 200
    if request.method == "POST":
        _writer(scope, org)
        form = NeedForm(request.POST, prefix="need", agreements=agreements_)
        if form.is_valid():
            d = form.cleaned_data
            made = write_on_form(form, lambda: services.need_create(org=org, title=d["title"], detail=d["detail"],
                                                                    listed_on=d["listed_on"],
                                                                    agreement=d.get("agreement")))
            if made is not None:
                messages.success(request, _("Need listed."))
                return redirect("cobuild-needs", code=org.code)
        status = 400
    filter_form = NeedFilterForm(request.GET or None)
    rows = selectors.needs_of(org)
    if filter_form.is_valid() and filter_form.cleaned_data.get("open"):
        rows = rows.filter(claimed_by__isnull=True, withdrawn_on__isnull=True)
    rows = rows.select_related("org", "claimed_by").order_by("-listed_on", "-pk")
    response = NEEDS.respond(request, rows, template="cobuild/list.html", form=filter_form, org=org, context={
        "filter_form": filter_form, "count": rows.count(), "can_write": can_write, "heading": NEEDS.title,
        "write_form": form if can_write else None})
    if status != 200:
        response.status_code = status
    return response


def _need(request: HttpRequest, pk: int) -> tuple[Scope, Need]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(Need.objects.visible_to(scope).select_related("org", "agreement", "claimed_by"),
                                    pk=pk)


def _need_detail(request: HttpRequest, scope: Scope, need: Need, bound: dict[str, forms.Form] | None = None
                 ) -> HttpResponse:
    can_write = scope.can_write_org(need.org)
    forms_: dict[str, forms.Form] = {}
    if can_write and need.withdrawn_on is None:
        if need.claimed_by_id is None:
            forms_["claim"] = ClaimForm(prefix="claim", units=ResidentUnit.objects.filter(
                org=need.org, left_on__isnull=True).order_by("name"), initial={"version": need.version})
        forms_["withdraw"] = DayForm(prefix="withdraw", initial={"version": need.version})
        forms_.update(bound or {})
    project = Project.objects.filter(need=need).first()
    return _page(request, "need_detail.html", {"need": need, "org": need.org, "can_write": can_write,
                                               "forms": forms_, "project": project}, status=400 if bound else 200)


@login_required
@require_GET
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope, need = _need(request, pk)
    return _need_detail(request, scope, need)


@login_required
@require_POST
def need_claim(request: HttpRequest, pk: int) -> HttpResponse:
    scope, need = _need(request, pk)
    _writer(scope, need.org)
    form = ClaimForm(request.POST, prefix="claim", units=ResidentUnit.objects.filter(org=need.org))
    if form.is_valid():
        d = form.cleaned_data
        project = write_on_form(form, lambda: services.need_claim(need, version=d["version"], unit=d["unit"],
                                                                  on=d.get("on"), due_on=d.get("due_on"),
                                                                  owner=d["owner"]))
        if project is not None:
            messages.success(request, _("%(unit)s claimed the need: project %(title)s is planned.")
                             % {"unit": d["unit"].name, "title": project.title})
            return redirect("cobuild-project", pk=project.pk)
    return _need_detail(request, scope, need, bound={"claim": form})


@login_required
@require_POST
def need_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    scope, need = _need(request, pk)
    _writer(scope, need.org)
    form = DayForm(request.POST, prefix="withdraw")
    if form.is_valid():
        d = form.cleaned_data
        done = write_on_form(form, lambda: services.need_withdraw(need, version=d["version"], on=d.get("on")))
        if done is not None:
            messages.success(request, _("Need withdrawn."))
            return redirect("cobuild-need", pk=need.pk)
    return _need_detail(request, scope, need, bound={"withdraw": form})


# --- projects -------------------------------------------------------------------------------------------------

PROJECTS = ListSpec(
    title=gettext_lazy("Co-construction projects"),
    columns=(
        Column("title", gettext_lazy("Project"), lambda p: p.title,
               link=lambda p: reverse("cobuild-project", args=[p.pk])),
        Column("source", gettext_lazy("From"), lambda p: p.get_source_display()),
        Column("unit", gettext_lazy("Unit"), lambda p: p.unit.name if p.unit else ""),
        Column("owner", gettext_lazy("Owner"), lambda p: p.owner),
        Column("org", gettext_lazy("Organization"), lambda p: p.org.name),
        Column("started", gettext_lazy("Started on"), lambda p: _d(p.started_on), css="num"),
        Column("due", gettext_lazy("Deadline"), lambda p: _d(p.due_on), css="num"),
        Column("state", gettext_lazy("State"), lambda p: p.get_state_display()),
        Column("done", gettext_lazy("Done on"), lambda p: _d(p.done_on), css="num"),
        Column("evidence", gettext_lazy("Evidence"), lambda p: p.n_evidence, css="num"),
    ),
    sheet_columns=(Column("outcome", gettext_lazy("What was done"), lambda p: p.outcome),),
    export_name="cobuild-projects", table_id="projects", export_link=True,
    empty=gettext_lazy("No project is recorded here yet."),
)


def filtered_projects(org: Organization, form: ProjectFilterForm) -> QuerySet[Project]:
    rows = selectors.projects_of(org)
    if form.is_valid():
        if form.cleaned_data.get("state"):
            rows = rows.filter(state=form.cleaned_data["state"])
        if form.cleaned_data.get("year"):
            rows = rows.filter(started_on__year=form.cleaned_data["year"])
    return (rows.select_related("org", "unit").annotate(n_evidence=Count("evidence"))
            .order_by("-started_on", "-pk"))


@login_required
@require_GET
def projects(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    form = ProjectFilterForm(request.GET or None)
    rows = filtered_projects(org, form)
    return PROJECTS.respond(request, rows, template="cobuild/list.html", form=form, org=org, context={
        "filter_form": form, "count": rows.count(), "can_write": scope.can_write_org(org),
        "heading": PROJECTS.title, "new_url": reverse("cobuild-project-new", args=[org.code])})


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    _writer(scope, org)
    form = ProjectForm(request.POST or None, units=ResidentUnit.objects.filter(org=org).order_by("name"),
                       agreements=Agreement.objects.filter(org=org).order_by("-signed_on"),
                       initial={"started_on": _d(timezone.localdate())})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        made = write_on_form(form, lambda: services.project_create(
            org=org, title=d["title"], detail=d["detail"], source="agreement" if d.get("agreement") else "other",
            agreement=d.get("agreement"), unit=d.get("unit"), owner=d["owner"], started_on=d["started_on"],
            due_on=d.get("due_on")))
        if made is not None:
            messages.success(request, _("Project recorded."))
            return redirect("cobuild-project", pk=made.pk)
    return write_form_page(request, org=org, form=form, heading=_("Record a project"), submit=_("Record"),
                      back=reverse("cobuild-projects", args=[org.code]))


def _project(request: HttpRequest, pk: int) -> tuple[Scope, Project]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(Project.objects.visible_to(scope).select_related("org", "unit", "agreement",
                                                                                      "need"), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope, project = _project(request, pk)
    _writer(scope, project.org)
    form = ProjectForm(request.POST or None, units=ResidentUnit.objects.filter(org=project.org).order_by("name"),
                       agreements=None, initial={"title": project.title, "detail": project.detail,
                                                 "unit": project.unit_id, "owner": project.owner,
                                                 "due_on": _d(project.due_on), "version": project.version})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = write_on_form(form, lambda: services.project_update(project, version=d.get("version"),
                                                                   title=d["title"], detail=d["detail"],
                                                                   owner=d["owner"], due_on=d.get("due_on"),
                                                                   unit=d.get("unit")))
        if done is not None:
            messages.success(request, _("Project changed."))
            return redirect("cobuild-project", pk=project.pk)
    return write_form_page(request, org=project.org, form=form, heading=_("Change the project"), submit=_("Save"),
                      back=reverse("cobuild-project", args=[project.pk]))


def _project_detail(request: HttpRequest, scope: Scope, project: Project,
                    bound: dict[str, forms.Form] | None = None) -> HttpResponse:
    can_write = scope.can_write_org(project.org)
    forms_: dict[str, forms.Form] = {}
    if can_write:
        v = {"version": project.version}
        if project.state == ProjectState.PLANNED:
            forms_["start"] = VersionForm(prefix="start", initial=v)
        if project.state in (ProjectState.PLANNED, ProjectState.UNDER_WAY):
            forms_["done"] = DoneForm(prefix="done", initial={**v, "on": _d(timezone.localdate())})
            forms_["drop"] = DropForm(prefix="drop", initial=v)
        forms_["evidence"] = FileForm(prefix="evidence")
        forms_.update(bound or {})
    return _page(request, "project_detail.html", {
        "project": project, "org": project.org, "can_write": can_write, "forms": forms_,
        "evidence": list(project.evidence.order_by("pk")),
        "contributions": list(project.contributions.select_related("unit").order_by("-given_on", "-pk"))},
        status=400 if bound else 200)


@login_required
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope, project = _project(request, pk)
    return _project_detail(request, scope, project)


def _project_write(request: HttpRequest, pk: int, name: str, make: Callable[[], forms.Form],
                   write: Callable[[Project, dict[str, Any]], Any], message: str) -> HttpResponse:
    scope, project = _project(request, pk)
    return _write_on_page(request, scope, project, name, make(), write, message,
                          lambda _done: redirect("cobuild-project", pk=project.pk), _project_detail)


@login_required
@require_POST
def project_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _project_write(request, pk, "start", lambda: VersionForm(request.POST, prefix="start"),
                          lambda p, d: services.project_start(p, version=d["version"]), _("The project is under way."))


@login_required
@require_POST
def project_done(request: HttpRequest, pk: int) -> HttpResponse:
    return _project_write(request, pk, "done", lambda: DoneForm(request.POST, request.FILES, prefix="done"),
                          lambda p, d: services.project_done(p, version=d["version"], on=d.get("on"),
                                                             outcome=d["outcome"], evidence=d.get("evidence"),
                                                             caption=d.get("caption")),
                          _("The project is done."))


@login_required
@require_POST
def project_drop(request: HttpRequest, pk: int) -> HttpResponse:
    return _project_write(request, pk, "drop", lambda: DropForm(request.POST, prefix="drop"),
                          lambda p, d: services.project_drop(p, version=d["version"], reason=d["reason"]),
                          _("The project is dropped."))


@login_required
@require_POST
def project_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    return _project_write(request, pk, "evidence", lambda: FileForm(request.POST, request.FILES, prefix="evidence"),
                          lambda p, d: services.evidence_add(project=p, file=d["file"], caption=d["caption"]),
                          _("Evidence attached."))


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    return _download(request, ProjectEvidence, pk)


# --- contributions --------------------------------------------------------------------------------------------

CONTRIBUTIONS = ListSpec(
    title=gettext_lazy("Contributions"),
    columns=(
        Column("given", gettext_lazy("Given on"), lambda c: _d(c.given_on), css="num"),
        Column("unit", gettext_lazy("Unit"), lambda c: c.unit.name,
               link=lambda c: reverse("cobuild-unit", args=[c.unit_id])),
        Column("kind", gettext_lazy("Kind"), lambda c: c.get_kind_display()),
        Column("amount", gettext_lazy("Amount or estimated value (yuan)"), lambda c: c.amount, css="num"),
        Column("goods", gettext_lazy("Goods"), lambda c: c.goods),
        Column("agreement", gettext_lazy("Agreement"), lambda c: c.agreement.title if c.agreement else ""),
        Column("project", gettext_lazy("Project"), lambda c: c.project.title if c.project else ""),
    ),
    export_name="cobuild-contributions", table_id="contributions", export_link=True,
    empty=gettext_lazy("No contribution is recorded here yet."),
)


@login_required
@require_GET
def contributions(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    form = YearFilterForm(request.GET or None)
    rows = selectors.contributions_of(org)
    if form.is_valid() and form.cleaned_data.get("year"):
        rows = rows.filter(given_on__year=form.cleaned_data["year"])
    rows = rows.select_related("unit", "agreement", "project").order_by("-given_on", "-pk")
    totals = rows.aggregate(total=Sum("amount"))
    return CONTRIBUTIONS.respond(request, rows, template="cobuild/list.html", form=form, org=org, context={
        "filter_form": form, "count": rows.count(), "can_write": scope.can_write_org(org),
        "heading": CONTRIBUTIONS.title, "total": totals["total"] or 0})


@login_required
@require_http_methods(["GET", "POST"])
def contribution_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a contribution typed wrong (for whoever writes the unit's organization)."""
    scope = scope_for(request.user)
    made = get_object_or_404(Contribution.objects.visible_to(scope).select_related("unit__org"), pk=pk)
    unit = made.unit
    _writer(scope, unit.org)
    form = ContributionForm(request.POST or None, agreements=Agreement.objects.filter(unit=unit),
                            initial={"kind": made.kind, "given_on": _d(made.given_on), "amount": made.amount,
                                     "goods": made.goods, "agreement": made.agreement_id, "version": made.version})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = write_on_form(form, lambda: services.contribution_update(
            made, version=d.get("version"), kind=d["kind"], given_on=d["given_on"], amount=d["amount"],
            goods=d["goods"], agreement=d.get("agreement")))
        if done is not None:
            messages.success(request, _("Contribution corrected."))
            return redirect(reverse("cobuild-unit", args=[unit.pk]) + "#contributions")
    return write_form_page(request, org=unit.org, form=form, heading=_("Correct the contribution of %(unit)s")
                      % {"unit": unit.name}, submit=_("Save"),
                      back=reverse("cobuild-unit", args=[unit.pk]) + "#contributions")
