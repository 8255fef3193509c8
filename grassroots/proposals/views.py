"""Proposal pages: an organization's proposals (filters by year and state; printable; .xlsx export with the
answers), entering one (a secretary on a representative's behalf, after the day), a proposal's page (its
proposers, the review, the answers of every round in parts, the rating, the reopening), and one page per action.

Thin: everything is read through `scope_for(request.user)` (out of scope: 404); every write goes through
`proposals.services`, a RuleError goes back onto the form's field, a refusal is left to the middleware (403); the
action forms carry the proposal's `version` (stale: 409).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.access.scope import Scope, scope_for
from grassroots.congress.models import PracticalProject
from grassroots.opinions.models import Category
from grassroots.orgs.models import Organization, Territory
from grassroots.ui.forms import write_form_page, write_on_form
from grassroots.ui.lists import Column, ListSpec

from . import forms as f
from . import selectors, services
from .models import Proposal, ProposalAttachment, ProposalState, Satisfaction


def _org(request: HttpRequest, code: str) -> tuple[Scope, Organization]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(scope.orgs(), code=code)


def _proposal(request: HttpRequest, pk: int) -> tuple[Scope, Proposal]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(Proposal.objects.visible_to(scope).select_related("org", "territory",
                                                                                     "project", "opinion",
                                                                                     "merged_into"), pk=pk)


def _require_write(scope: Scope, org: Organization) -> None:
    if not scope.can_write_org(org):
        raise PermissionDenied(_("You may not change the proposals of %(org)s.") % {"org": org})


def _names(p: Proposal) -> str:
    return "、".join(x.name for x in p.proposers.all())


def _territories(org: Organization) -> Any:
    qs = Territory.objects.filter(kind__in=services.SCOPE_KINDS, revoked_on__isnull=True)
    if org.territory_id is not None:
        top = Territory.objects.get(pk=org.territory_id)
        qs = qs.filter(path__startswith=top.path)
    return qs.order_by("path")


def _projects(org: Organization) -> Any:
    from grassroots.orgs.selectors import ancestor_paths

    return (PracticalProject.objects.filter(Q(org__path__startswith=org.path) | Q(org__path__in=ancestor_paths(org)))
            .order_by("-id"))


def _upload_page(request: HttpRequest, org: Organization, form: forms.Form, heading: str, submit: str,
                 back: str) -> HttpResponse:
    """A write form that may carry a file (`multipart/form-data`); 400 when it comes back with errors."""
    return render(request, "proposals/write.html", {"org": org, "form": form, "heading": heading, "submit": submit,
                                                    "back": back}, status=400 if request.method == "POST" else 200)


# --- an organization's proposals ------------------------------------------------------------------------------

def _last_answer(p: Proposal) -> Any:
    answers = list(p.answers.all())
    return answers[-1] if answers else None


PROPOSALS = ListSpec(
    title=gettext_lazy("Representatives' proposals"),
    columns=(
        Column("number", gettext_lazy("Number"), lambda p: p.number, link=lambda p: reverse("proposal-detail",
                                                                                           args=[p.pk])),
        Column("title", gettext_lazy("Matter"), lambda p: p.title),
        Column("proposers", gettext_lazy("Proposers"), _names),
        Column("received_on", gettext_lazy("Received on"), lambda p: p.received_on, css="num"),
        Column("state", gettext_lazy("State"), lambda p: p.get_state_display()),
        Column("lead_unit", gettext_lazy("Lead unit"), lambda p: p.lead_unit),
        Column("answer_due", gettext_lazy("Answer due"), lambda p: p.answer_due, css="num"),
        Column("answered_on", gettext_lazy("Answered on"), lambda p: p.answered_on, css="num"),
        Column("satisfaction", gettext_lazy("Satisfaction"), lambda p: p.get_satisfaction_display()),
    ),
    sheet_columns=(
        Column("category", gettext_lazy("Kind of matter"), lambda p: p.get_category_display()),
        Column("scope", gettext_lazy("Scope"), lambda p: p.territory.name if p.territory else ""),
        Column("co_handlers", gettext_lazy("Co-handlers"), lambda p: p.co_handlers),
        Column("project", gettext_lazy("Practical project"), lambda p: p.project.title if p.project else ""),
        Column("round", gettext_lazy("Answer round"), lambda p: p.round),
        Column("handling", gettext_lazy("Handling"), lambda p: a.handling if (a := _last_answer(p)) else ""),
        Column("handler", gettext_lazy("Handler"), lambda p: a.handler_name if (a := _last_answer(p)) else ""),
        Column("phone", gettext_lazy("Handler's office phone"),
               lambda p: a.handler_phone if (a := _last_answer(p)) else ""),
        Column("opinion", gettext_lazy("Turned into opinion"), lambda p: p.opinion.number if p.opinion else ""),
        Column("merged_into", gettext_lazy("Merged into"), lambda p: p.merged_into.number if p.merged_into else ""),
    ),
    export_name="proposals", table_id="proposals", export_link=True,
    empty=gettext_lazy("No proposal here."),
)


@login_required
@require_GET
def home(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    form = f.FilterForm(request.GET or None)
    rows = (selectors.proposals_of(org).select_related("opinion", "merged_into").prefetch_related("answers"))
    if form.is_valid():
        if form.cleaned_data.get("year"):
            rows = rows.filter(received_on__year=form.cleaned_data["year"])
        if form.cleaned_data.get("state"):
            rows = rows.filter(state=form.cleaned_data["state"])
    return PROPOSALS.respond(request, rows, template="proposals/home.html", form=form, org=org,
                             context={"can_write": scope.can_write_org(org), "filter_form": form,
                                      "count": rows.count()})


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code)
    _require_write(scope, org)
    form = f.ProposalForm(request.POST or None, request.FILES or None, territories=_territories(org),
                          projects=_projects(org), initial={"received_on": timezone.localdate().isoformat()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def write() -> Proposal:
            day = d["received_on"] or timezone.localdate()
            people = [selectors.match_proposer(org, n, day) for n in f.split_names(d["proposers"])]
            attachments = [(d["attachment"], d.get("caption") or "")] if d.get("attachment") else []
            return services.proposal_create(org=org, title=d["title"], text=d["text"], category=d["category"],
                                            received_on=d["received_on"], proposers=people,
                                            territory=d["territory"], project=d["project"], attachments=attachments)

        p = write_on_form(form, write, aliases={"file": "attachment"})
        if p is not None:
            messages.success(request, _("Proposal %(number)s entered.") % {"number": p.number})
            return redirect("proposal-detail", pk=p.pk)
    return _upload_page(request, org, form, _("Enter a proposal"), _("Enter"),
                        reverse("proposals-home", args=[org.code]))


# --- a proposal -----------------------------------------------------------------------------------------------

@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope, p = _proposal(request, pk)
    can_write = scope.can_write_org(p.org)
    return render(request, "proposals/detail.html", {
        "org": p.org, "p": p, "can_write": can_write, "proposers": list(p.proposers.select_related("seat__body")),
        "answers": list(selectors.answers_of(p)), "attachments": list(p.attachments.all()),
        "merged": list(p.merged.order_by("number")), "today": timezone.localdate(),
        "overdue": p.state == ProposalState.ACCEPTED and p.answer_due is not None
        and p.answer_due < timezone.localdate(),
        "can_reopen": p.state == ProposalState.RATED and p.satisfaction == Satisfaction.UNSATISFIED,
        "station": services.station_of(p.org) if p.state == ProposalState.RECEIVED else None})


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    a = get_object_or_404(ProposalAttachment.objects.visible_to(scope_for(request.user)), pk=pk)
    return FileResponse(a.file.open("rb"), as_attachment=True, filename=str(a.file.name).rsplit("/", 1)[-1])


def _action(request: HttpRequest, pk: int, *, make: Callable[[Proposal, Any, dict[str, Any]], forms.Form],
            write: Callable[[Proposal, dict[str, Any]], Any], heading: str, submit: str, done: str,
            aliases: dict[str, str] | None = None, danger: bool = False) -> HttpResponse:
    scope, p = _proposal(request, pk)
    _require_write(scope, p.org)
    initial = {"version": p.version, "on": timezone.localdate().isoformat(),
               "answered_on": timezone.localdate().isoformat()}
    form = make(p, request.POST or None, initial)
    if request.method == "POST" and form.is_valid():
        result = write_on_form(form, lambda: write(p, form.cleaned_data), aliases=aliases)
        if result is not None:
            messages.success(request, done % {"number": p.number})
            return redirect("proposal-detail", pk=p.pk)
    return write_form_page(request, p.org, form, f"{heading} · {p.number}", submit,
                           reverse("proposal-detail", args=[p.pk]), danger=danger)


@login_required
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, make=lambda p, data, initial: f.AcceptForm(data, initial=initial),
                   write=lambda p, d: services.accept(proposal=p, **d), heading=_("Accept and assign"),
                   submit=_("Accept"), done=_("Proposal %(number)s accepted."))


@login_required
@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    def make(p: Proposal, data: Any, initial: dict[str, Any]) -> forms.Form:
        others = (Proposal.objects.filter(org=p.org).exclude(pk=p.pk)
                  .exclude(state__in=(ProposalState.MERGED, ProposalState.CONVERTED)).order_by("-received_on"))
        return f.MergeForm(data, initial=initial, others=others)

    return _action(request, pk, make=make, write=lambda p, d: services.merge(proposal=p, **d),
                   heading=_("Merge with a duplicate"), submit=_("Merge"), done=_("Proposal %(number)s merged."))


@login_required
@require_http_methods(["GET", "POST"])
def convert(request: HttpRequest, pk: int) -> HttpResponse:
    def make(p: Proposal, data: Any, initial: dict[str, Any]) -> forms.Form:
        station = services.station_of(p.org)
        categories = (Category.objects.filter(org=station, active=True).order_by("code") if station
                      else Category.objects.none())
        return f.ConvertForm(data, initial=initial, categories=categories)

    return _action(request, pk, make=make, write=lambda p, d: services.convert(proposal=p, **d),
                   heading=_("Not accepted: turn it into a residents' opinion"), submit=_("Turn into an opinion"),
                   done=_("Proposal %(number)s turned into a residents' opinion."))


@login_required
@require_http_methods(["GET", "POST"])
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, make=lambda p, data, initial: f.ExtendForm(data, initial=initial),
                   write=lambda p, d: services.extend(proposal=p, **d), heading=_("Extend the deadline"),
                   submit=_("Extend"), done=_("The deadline of %(number)s was extended."))


@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, make=lambda p, data, initial: f.AnswerForm(data, initial=initial),
                   write=lambda p, d: services.answer(proposal=p, **d), heading=_("Answer"),
                   submit=_("Record the answer"), done=_("The answer to %(number)s was recorded."))


@login_required
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, make=lambda p, data, initial: f.RateForm(data, initial=initial),
                   write=lambda p, d: services.rate(proposal=p, **d), heading=_("The proposer's rating"),
                   submit=_("Record the rating"), done=_("The rating of %(number)s was recorded."))


@login_required
@require_http_methods(["GET", "POST"])
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, make=lambda p, data, initial: f.ReasonForm(data, initial=initial),
                   write=lambda p, d: services.reopen(proposal=p, **d), heading=_("Reopen for a new answer"),
                   submit=_("Reopen"), done=_("Proposal %(number)s reopened."))


@login_required
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, make=lambda p, data, initial: f.CloseForm(data, initial=initial),
                   write=lambda p, d: services.close(proposal=p, **d), heading=_("Close"), submit=_("Close"),
                   done=_("Proposal %(number)s closed."))


@login_required
@require_http_methods(["GET", "POST"])
def project(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk,
                   make=lambda p, data, initial: f.ProjectForm(data, initial={**initial, "project": p.project_id},
                                                               projects=_projects(p.org)),
                   write=lambda p, d: services.set_project(proposal=p, **d), heading=_("Practical project"),
                   submit=_("Save"), done=_("The project of %(number)s was saved."))


@login_required
@require_http_methods(["GET", "POST"])
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    scope, p = _proposal(request, pk)
    _require_write(scope, p.org)
    form = f.AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        a = write_on_form(form, lambda: services.attachment_add(proposal=p, **form.cleaned_data))
        if a is not None:
            messages.success(request, _("Attachment added."))
            return redirect("proposal-detail", pk=p.pk)
    return _upload_page(request, p.org, form, _("Attach a file") + f" · {p.number}", _("Attach"),
                        reverse("proposal-detail", args=[p.pk]))
