"""The honours pages: an organization's honours of a year (by kind, printable, as .xlsx), its local kinds, a
household's honours with the proposal form, one honour with the steps its state allows, and the station's public
page of published honours (the head of household's name and the place's name only: no address, no phone)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.access.scope import Scope, scope_for
from grassroots.core.errors import RuleError
from grassroots.households.models import Household
from grassroots.orgs.models import Organization
from grassroots.ui.forms import rule_error_on_form, write_on_form
from grassroots.ui.lists import Column, ListSpec

from . import selectors, services
from .forms import KindForm, ProposeForm, StepForm, YearForm
from .models import Honour, State


def _today() -> dt.date:
    return timezone.localdate()


HONOURS = ListSpec(
    title=gettext_lazy("Model households"), export_name="honours", table_id="honours",
    empty=gettext_lazy("No honour matches."),
    columns=(
        Column("year", gettext_lazy("Year"), lambda h: h.year, css="num",
               link=lambda h: reverse("honours-detail", args=[h.pk])),
        Column("kind", gettext_lazy("Kind"), lambda h: selectors.kind_label(h)),
        Column("household", gettext_lazy("Household"), lambda h: f"{h.household.code} {h.household.head_name}",
               link=lambda h: reverse("honours-household", args=[h.household_id])),
        Column("place", gettext_lazy("Place"), lambda h: h.household.territory.name),
        Column("state", gettext_lazy("State"), lambda h: h.get_state_display()),
        Column("proposed_on", gettext_lazy("Proposed on"), lambda h: h.proposed_on, css="num"),
        Column("published_on", gettext_lazy("Published on"), lambda h: h.published_on, css="num"),
    ),
    sheet_columns=(Column("reason", gettext_lazy("Reason"), lambda h: h.reason),
                   Column("decline_reason", gettext_lazy("Reason for declining"), lambda h: h.decline_reason)),
)


def _readable_org(request: HttpRequest, code: str) -> tuple[Scope, Organization]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(scope.orgs(), code=code)


@login_required
@require_GET
def honour_list(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _readable_org(request, code)
    form = YearForm(request.GET or None, states=[(v, str(label)) for v, label in State.choices])
    qs = scope.by_place(selectors.of_org(org), place_field="household__territory")
    if form.is_valid():
        if form.cleaned_data.get("year"):
            qs = qs.filter(year=form.cleaned_data["year"])
        if form.cleaned_data.get("state"):
            qs = qs.filter(state=form.cleaned_data["state"])
    rows = qs.select_related("household__territory", "local_kind").order_by("-year", "kind", "household__code")
    extra: dict[str, Any] = {"filter_form": form, "today": _today(), "can_write": scope.can_write_org(org)}
    if not request.GET.get("format"):
        extra["by_kind"] = selectors.counts_by_kind(qs)
    return HONOURS.respond(request, rows, template="honours/list.html", form=form, org=org, context=extra)


@login_required
@require_http_methods(["GET", "POST"])
def kinds(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _readable_org(request, code)
    form = KindForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            done = write_on_form(form, lambda: services.kind_add(org, name=form.cleaned_data["name"]))
            if done is not None:
                messages.success(request, _("Kind added."))
                return redirect("honours-kinds", code=org.code)
        status = 400
    return render(request, "honours/kinds.html", {
        "org": org, "form": form, "model_kinds": selectors.model_kinds(),
        "local": list(selectors.local_kinds_for(org)), "can_write": scope.can_write_org(org)}, status=status)


def _household(request: HttpRequest, pk: int) -> tuple[Scope, Household]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(Household.objects.visible_to(scope).select_related("territory"), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def household_page(request: HttpRequest, pk: int) -> HttpResponse:
    scope, household = _household(request, pk)
    from grassroots.orgs.selectors import holder_of

    holder = holder_of(household.territory, _today())
    kinds = selectors.kind_choices(holder)
    can_write = scope.can_write_place(household.territory)
    form = ProposeForm(request.POST or None, kinds=kinds,
                       initial={"year": _today().year, "on": _today().isoformat()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            done = write_on_form(form, lambda: services.propose(household=household, year=d["year"], kind=d["kind"],
                                                                reason=d["reason"], on=d["on"]))
            if done is not None:
                messages.success(request, _("Honour proposed."))
                return redirect("honours-household", pk=household.pk)
        status = 400
    honours = list(Honour.objects.filter(household=household).select_related("local_kind").order_by("-year", "id"))
    names = dict(selectors.model_kinds())
    return render(request, "honours/household.html", {
        "household": household, "rows": [(h, selectors.kind_label(h, names)) for h in honours], "form": form,
        "can_write": can_write}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def honour_page(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    honour = get_object_or_404(selectors.visible(scope).select_related("household__territory", "local_kind"), pk=pk)
    can_decide = selectors.can_decide(scope, honour.household.territory)
    form = StepForm(request.POST or None, initial={"on": _today().isoformat(), "version": honour.version})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            steps = {"approve": lambda: services.approve(honour, on=d["on"], version=d.get("version")),
                     "publish": lambda: services.publish(honour, on=d["on"], version=d.get("version")),
                     "decline": lambda: services.decline(honour, reason=d["reason"], on=d["on"],
                                                         version=d.get("version"))}
            if d["step"] == "decline" and not d["reason"]:
                rule_error_on_form(form, RuleError(_("say why it is declined"), field="reason"))
            else:
                done = write_on_form(form, steps[d["step"]])
                if done is not None:
                    messages.success(request, _("Saved."))
                    return redirect("honours-detail", pk=honour.pk)
        status = 400
    return render(request, "honours/detail.html", {
        "honour": honour, "kind": selectors.kind_label(honour), "form": form, "can_decide": can_decide},
        status=status)


@require_GET
def public_honours(request: HttpRequest, station: str) -> HttpResponse:
    """The published honours of a year on the station's public pages: the head's name and the place's name."""
    org = Organization.objects.filter(code=station, revoked_on__isnull=True).first()
    if org is None or not selectors.has_published(org):
        raise Http404(_("No such station."))
    years = sorted(set(selectors.of_org(org).filter(state=State.PUBLISHED).values_list("year", flat=True)),
                   reverse=True)
    try:
        year = int(request.GET.get("year", "") or years[0])
    except ValueError:
        year = years[0]
    names = dict(selectors.model_kinds())
    page = Paginator(selectors.published(org, year), 100).get_page(request.GET.get("page"))
    items = [{"kind": selectors.kind_label(h, names), "head": h.household.head_name,
              "place": h.household.territory.name} for h in page.object_list]
    return render(request, "honours/public.html", {"station": org, "station_name": org.name, "year": year,
                                                   "years": years, "items": items, "page": page})
