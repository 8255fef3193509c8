"""The assistance pages: an organization's ledger (filtered by year, kind, place and source, with its totals,
printable, as .xlsx), a household's assistance and the entry form, one entry and its correction, the local
kinds, the store's donations and stock, the distribution rounds with their list per household and the printable
receipt (签收单).

Thin: the ledger is read through the user's scope by place (`Assistance.objects.visible_to`), the store through
the organization scope; every write goes through `grassroots.assistance.services`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.access.scope import Scope, scope_for
from grassroots.core.errors import RuleError
from grassroots.households.models import Household
from grassroots.orgs.models import Organization
from grassroots.ui.forms import rule_error_on_form, write_on_form
from grassroots.ui.lists import Column, ListSpec

from . import selectors, services
from .forms import DonationForm, EntryForm, FilterForm, KindForm, LineForm, RoundForm, SignForm
from .models import Assistance, DistributionLine, DistributionRound


def _today() -> dt.date:
    return timezone.localdate()


def _amount(value: Any) -> Any:
    return value if value is not None else ""


LEDGER = ListSpec(
    title=gettext_lazy("Assistance ledger"), export_name="assistance", table_id="assistance",
    empty=gettext_lazy("No assistance matches."),
    columns=(
        Column("given_on", gettext_lazy("Date"), lambda a: a.given_on, css="num",
               link=lambda a: reverse("assistance-entry", args=[a.pk])),
        Column("household", gettext_lazy("Household"), lambda a: f"{a.household.code} {a.household.head_name}",
               link=lambda a: reverse("assistance-household", args=[a.household_id])),
        Column("place", gettext_lazy("Place"), lambda a: a.household.territory.name),
        Column("kind", gettext_lazy("Kind"), lambda a: selectors.kind_label(a)),
        Column("form", gettext_lazy("Form"), lambda a: a.get_form_display()),
        Column("amount", gettext_lazy("Amount (yuan)"), lambda a: _amount(a.amount), css="num"),
        Column("goods", gettext_lazy("Goods"), lambda a: f"{a.goods} {a.quantity.normalize() if a.quantity else ''}"
               .strip()),
        Column("source", gettext_lazy("Source"), lambda a: " ".join(
            x for x in (str(a.get_source_display()), a.source_name) if x)),
        Column("persons", gettext_lazy("Persons"), lambda a: a.persons_count, css="num"),
    ),
    sheet_columns=(Column("note", gettext_lazy("Note"), lambda a: a.note),),
)


def _readable_org(request: HttpRequest, code: str) -> tuple[Scope, Organization]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(scope.orgs(), code=code)


def _places(org: Organization) -> list[tuple[str, str]]:
    """The places the organization holds and those under them, for the place filter (2 queries)."""
    from django.db.models import Q

    from grassroots.orgs.models import Territory

    q = Q(pk__in=[])
    for p in selectors.place_paths(org):
        q |= Q(path__startswith=p)
    return [(t.code, t.name) for t in Territory.objects.filter(q, revoked_on__isnull=True).order_by("path")
            .only("code", "name")[:500]]


def _filtered(qs: QuerySet[Assistance], form: FilterForm) -> QuerySet[Assistance]:
    if not form.is_valid():
        return qs
    d = form.cleaned_data
    if d.get("year"):
        qs = qs.filter(given_on__year=d["year"])
    kind = d.get("kind") or ""
    if kind.startswith(selectors.LOCAL_PREFIX):
        qs = qs.filter(local_kind_id=int(kind[len(selectors.LOCAL_PREFIX):]))
    elif kind:
        qs = qs.filter(kind=kind)
    if d.get("place"):
        from grassroots.orgs.models import Territory

        place = Territory.objects.filter(code=d["place"]).first()
        qs = qs.filter(household__territory__path__startswith=place.path) if place else qs.none()
    if d.get("source"):
        qs = qs.filter(source=d["source"])
    return qs


@login_required
@require_GET
def ledger(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _readable_org(request, code)
    kinds = selectors.kind_choices(org)
    form = FilterForm(request.GET or None, kinds=kinds, places=_places(org))
    qs = _filtered(selectors.ledger_of(org, scope), form)
    rows = qs.select_related("household__territory", "local_kind").order_by("-given_on", "-id")
    extra: dict[str, Any] = {"filter_form": form, "today": _today(), "can_write": scope.can_write_org(org)}
    if not request.GET.get("format"):
        extra["totals"] = selectors.totals(qs)
    return LEDGER.respond(request, rows, template="assistance/ledger.html", form=form, org=org, context=extra)


# --- a household ---------------------------------------------------------------------------------------------

def _household(request: HttpRequest, pk: int, *, write: bool = False) -> tuple[Scope, Household]:
    scope = scope_for(request.user)
    qs = Household.objects.visible_to(scope, write=write).select_related("territory")
    return scope, get_object_or_404(qs, pk=pk)


def _holder(household: Household) -> Organization | None:
    from grassroots.orgs.selectors import holder_of

    return holder_of(household.territory, _today())


def _entry_form(household: Household, data: Any = None, **kw: Any) -> EntryForm:
    holder = _holder(household)
    persons = [(p.pk, p.name) for p in household.persons.filter(left_on__isnull=True).order_by("relation", "pk")]
    return EntryForm(data, kinds=selectors.kind_choices(holder), persons=persons, **kw)


@login_required
@require_GET
def household_page(request: HttpRequest, pk: int) -> HttpResponse:
    scope, household = _household(request, pk)
    entries = (Assistance.objects.filter(household=household).select_related("local_kind")
               .order_by("-given_on", "-id"))
    names = dict(selectors.statutory_kinds())
    rows = [(e, selectors.kind_label(e, names)) for e in entries]
    can_write = scope.can_write_place(household.territory)
    return render(request, "assistance/household.html", {
        "household": household, "rows": rows, "can_write": can_write, "totals": selectors.totals(entries),
        "today": _today()})


@login_required
@require_http_methods(["GET", "POST"])
def entry_new(request: HttpRequest, pk: int) -> HttpResponse:
    scope, household = _household(request, pk, write=True)
    if request.method == "POST":
        form = _entry_form(household, request.POST)
        if form.is_valid():
            d = form.cleaned_data
            entry = write_on_form(form, lambda: services.assistance_record(
                household=household, kind=d["kind"], form=d["form"], amount=d["amount"], goods=d["goods"],
                quantity=d["quantity"], given_on=d["given_on"], source=d["source"], source_name=d["source_name"],
                persons_count=d["persons_count"], persons=[int(x) for x in d["persons"]], note=d["note"]))
            if entry is not None:
                messages.success(request, _("Assistance recorded."))
                return redirect("assistance-household", pk=household.pk)
        status = 400
    else:
        form = _entry_form(household, initial={"given_on": _today().isoformat()})
        status = 200
    return render(request, "assistance/form.html", {
        "form": form, "heading": _("Record assistance"), "subject": household, "multipart": False,
        "back": reverse("assistance-household", args=[household.pk])}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def entry_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One entry, and its correction form for whoever writes the household's place."""
    scope = scope_for(request.user)
    entry = get_object_or_404(selectors.visible(scope).select_related("household__territory", "local_kind"), pk=pk)
    household = entry.household
    can_write = scope.can_write_place(household.territory)
    from_round = DistributionLine.objects.filter(assistance=entry).select_related("round").first()
    status = 200
    if request.method == "POST":
        form = _entry_form(household, request.POST)
        if form.is_valid():
            d = form.cleaned_data
            done = write_on_form(form, lambda: services.assistance_correct(
                entry, version=d.get("version"), kind=d["kind"], form=d["form"], amount=d["amount"],
                goods=d["goods"], quantity=d["quantity"], given_on=d["given_on"], source=d["source"],
                source_name=d["source_name"], persons_count=d["persons_count"],
                persons=[int(x) for x in d["persons"]], note=d["note"]))
            if done is not None:
                messages.success(request, _("The entry was corrected."))
                return redirect("assistance-entry", pk=entry.pk)
        status = 400
    else:
        form = _entry_form(household, initial={
            "kind": selectors.kind_value(entry), "form": entry.form, "amount": entry.amount, "goods": entry.goods,
            "quantity": entry.quantity, "given_on": entry.given_on.isoformat(), "source": entry.source,
            "source_name": entry.source_name, "persons_count": entry.persons_count,
            "persons": [p.pk for p in entry.persons.all()], "note": entry.note, "version": entry.version})
    return render(request, "assistance/entry.html", {
        "entry": entry, "household": household, "kind": selectors.kind_label(entry), "form": form,
        "can_write": can_write and from_round is None, "from_round": from_round,
        "persons": list(entry.persons.all())}, status=status)


# --- local kinds ---------------------------------------------------------------------------------------------

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
                return redirect("assistance-kinds", code=org.code)
        status = 400
    return render(request, "assistance/kinds.html", {
        "org": org, "form": form, "statutory": selectors.statutory_kinds(), "cite": selectors.kinds_cite(),
        "local": list(selectors.local_kinds_for(org)), "can_write": scope.can_write_org(org)}, status=status)


# --- the store -----------------------------------------------------------------------------------------------

DONATIONS = ListSpec(
    title=gettext_lazy("Donations received"), export_name="donations", table_id="donations",
    empty=gettext_lazy("No donation recorded."),
    columns=(
        Column("received_on", gettext_lazy("Received on"), lambda d: d.received_on, css="num"),
        Column("donor", gettext_lazy("Donor"), lambda d: d.donor),
        Column("item", gettext_lazy("Item"), lambda d: d.item.name if d.item_id else _("Cash")),
        Column("quantity", gettext_lazy("Quantity"), lambda d: f"{d.quantity.normalize()} {d.item.unit}"
               if d.item_id else "", css="num"),
        Column("value", gettext_lazy("Value (yuan)"), lambda d: d.value, css="num"),
        Column("org", gettext_lazy("Received by"), lambda d: d.org.name),
        Column("note", gettext_lazy("Note"), lambda d: d.note),
    ),
)


@login_required
@require_http_methods(["GET", "POST"])
def donations(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _readable_org(request, code)
    form = DonationForm(request.POST or None, initial={"received_on": _today().isoformat()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            done = write_on_form(form, lambda: services.donation_receive(
                org, donor=d["donor"], donor_is_unit=d["donor_is_unit"], received_on=d["received_on"],
                item=d["item"], unit=d["unit"], quantity=d["quantity"], value=d["value"], note=d["note"]))
            if done is not None:
                messages.success(request, _("Donation recorded."))
                return redirect("assistance-donations", code=org.code)
        status = 400
    rows = selectors.donations_of(org).select_related("org", "item").order_by("-received_on", "-id")
    if request.method == "POST":
        return render(request, "assistance/donations.html", {
            **DONATIONS.context(request, rows), "org": org, "donation_form": form, "stock": selectors.stock(org),
            "can_write": scope.can_write_org(org), "today": _today()}, status=status)
    return DONATIONS.respond(request, rows, template="assistance/donations.html", org=org, context={
        "donation_form": form, "stock": selectors.stock(org), "can_write": scope.can_write_org(org),
        "today": _today()})


def _round_kind_names(rounds: Sequence[DistributionRound]) -> dict[int, str]:
    names = dict(selectors.statutory_kinds())
    return {r.pk: selectors.kind_label(r, names) for r in rounds}


@login_required
@require_http_methods(["GET", "POST"])
def rounds(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _readable_org(request, code)
    form = RoundForm(request.POST or None, kinds=selectors.kind_choices(org),
                     initial={"held_on": _today().isoformat()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            done = write_on_form(form, lambda: services.round_create(org, title=d["title"], held_on=d["held_on"],
                                                                     kind=d["kind"], note=d["note"]))
            if done is not None:
                return redirect("assistance-round", pk=done.pk)
        status = 400
    from django.db.models import Count, Sum

    listed = list(selectors.rounds_of(org).select_related("org", "local_kind")
                  .annotate(households=Count("lines__household", distinct=True), total=Sum("lines__quantity"))
                  .order_by("-held_on", "-id")[:200])
    names = _round_kind_names(listed)
    return render(request, "assistance/rounds.html", {
        "org": org, "form": form, "rounds": [(r, names[r.pk]) for r in listed],
        "can_write": scope.can_write_org(org)}, status=status)


def _round(request: HttpRequest, pk: int) -> tuple[Scope, DistributionRound]:
    scope = scope_for(request.user)
    qs = DistributionRound.objects.visible_to(scope).select_related("org", "local_kind")
    return scope, get_object_or_404(qs, pk=pk)


def _round_lines(rnd: DistributionRound) -> list[DistributionLine]:
    return list(rnd.lines.select_related("household__territory", "item").order_by("household__code", "id"))


@login_required
@require_http_methods(["GET", "POST"])
def round_page(request: HttpRequest, pk: int) -> HttpResponse:
    scope, rnd = _round(request, pk)
    can_write = scope.can_write_org(rnd.org) and not rnd.signed
    households = [(h.pk, f"{h.code} {h.head_name}") for h in
                  selectors.households_of(rnd.org).filter(left_on__isnull=True).order_by("code")[:2000]]
    stock = selectors.stock(rnd.org)
    items = [(s.item.pk, f"{s.item.name}（{s.on_hand.normalize()}{s.item.unit}）") for s in stock if s.on_hand > 0]
    line_form = LineForm(None, households=households, items=items)
    sign_form = SignForm(None, initial={"signed_on": _today().isoformat(), "version": rnd.version})
    status = 200
    if request.method == "POST":
        if request.POST.get("step") == "sign":
            sign_form = SignForm(request.POST, request.FILES)
            if sign_form.is_valid():
                d = sign_form.cleaned_data
                done = write_on_form(sign_form, lambda: services.round_sign(
                    rnd, signed_on=d["signed_on"], photo=d.get("photo"), version=d.get("version")))
                if done is not None:
                    messages.success(request, _("The round was signed for."))
                    return redirect("assistance-round", pk=rnd.pk)
        else:
            line_form = LineForm(request.POST, households=households, items=items)
            if line_form.is_valid():
                d = line_form.cleaned_data
                household = selectors.households_of(rnd.org).filter(pk=int(d["household"])).first()
                item = rnd.org.stock_items.filter(pk=int(d["item"])).first()
                if household is None or item is None:
                    rule_error_on_form(line_form, RuleError(_("choose a household and an item"), field="household"))
                else:
                    done_line = write_on_form(line_form, lambda: services.line_add(
                        rnd, household=household, item=item, quantity=d["quantity"],
                        persons_count=d["persons_count"]))
                    if done_line is not None:
                        messages.success(request, _("Added to the list."))
                        return redirect("assistance-round", pk=rnd.pk)
        status = 400
    return render(request, "assistance/round.html", {
        "round": rnd, "kind": selectors.kind_label(rnd), "lines": _round_lines(rnd), "line_form": line_form,
        "sign_form": sign_form, "can_write": can_write, "stock": stock}, status=status)


@login_required
@require_POST
def line_remove(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    line = get_object_or_404(DistributionLine.objects.filter(
        round__in=DistributionRound.objects.visible_to(scope)).select_related("round__org"), pk=pk)
    try:
        services.line_remove(line)
    except RuleError as exc:
        messages.error(request, exc.message)
        return redirect("assistance-round", pk=line.round_id)
    messages.success(request, _("Taken off the list."))
    return redirect("assistance-round", pk=line.round_id)


@login_required
@require_GET
def round_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable list per household with a signature column (签收单)."""
    _scope, rnd = _round(request, pk)
    return render(request, "assistance/receipt.html", {"round": rnd, "kind": selectors.kind_label(rnd),
                                                        "lines": _round_lines(rnd)})

