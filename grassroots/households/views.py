"""Pages of households: an organization's households (the households in the places it holds, as of a date,
filtered by place and situation, households and persons counted apart), a place's households (what a grid worker
uses for their grid), one household (its persons, situations, where it lived and when, and the other modules'
links), and the forms of every change. Printable; every list exports .xlsx, masked.

Thin: households are read through the user's scope by place (`selectors.visible`: out of reach is a 404), every
write goes through `grassroots.households.services` (a RuleError goes back onto the field it names, a refusal to
the error middleware's 403). ID numbers, phones and the special fields are masked everywhere; a reveal is a POST,
logged by the service. The special fields are on no page where their switch is off."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.access.scope import Scope, can_manage_org, scope_for
from grassroots.core.idnumber import mask, mask_phone
from grassroots.orgs.models import Organization, Territory
from grassroots.ui.forms import write_on_form
from grassroots.ui.links import household_links
from grassroots.ui.lists import Column, ListSpec

from . import relations, selectors, services
from .forms import (
    FilterForm,
    HeadForm,
    HouseholdEditForm,
    HouseholdForm,
    LeaveForm,
    MoveForm,
    PersonForm,
    PersonLeaveForm,
    SituationEndForm,
    SituationForm,
    SpecialFieldsForm,
)
from .models import SPECIAL_FIELDS, Household, Person, Situation, SpecialFields

MASK = "●●●"  # a special field's value on a page: recorded, not shown


def _today() -> dt.date:
    return timezone.localdate()


def _household_link(h: Household) -> str:
    return reverse("household-detail", args=[h.pk])


def _situations(h: Household) -> str:
    labels = getattr(h, "kind_labels", {})
    return "、".join(dict.fromkeys(labels.get(s.kind, s.kind) for s in h.situations_on))  # type: ignore[attr-defined]


HOUSEHOLDS = ListSpec(
    title=gettext_lazy("Households"), export_name="households", table_id="households",
    empty=gettext_lazy("No household matches."),
    columns=(
        Column("code", gettext_lazy("Household number"), lambda h: h.code, link=_household_link),
        Column("head", gettext_lazy("Head of household"), lambda h: h.head_name),
        Column("place", gettext_lazy("Place"), lambda h: h.territory.name),
        Column("address", gettext_lazy("Address"), lambda h: h.address_text),
        Column("persons", gettext_lazy("Persons"), lambda h: h.persons_now, css="num"),
        Column("situations", gettext_lazy("Situations"), _situations),
        Column("phone", gettext_lazy("Phone"), lambda h: h.phone_masked),
    ),
    sheet_columns=(
        Column("registered_on", gettext_lazy("Living here since"), lambda h: h.registered_on),
        Column("left_on", gettext_lazy("Left on"), lambda h: h.left_on),
    ),
)


def _annotated(qs: QuerySet[Household], day: dt.date, labels: dict[str, str]) -> QuerySet[Household]:
    living = (Q(persons__joined_on__isnull=True) | Q(persons__joined_on__lte=day)) & (
        Q(persons__left_on__isnull=True) | Q(persons__left_on__gt=day))
    qs = (qs.select_related("territory").annotate(persons_now=Count("persons", filter=living, distinct=True))
          .prefetch_related(Prefetch("situations", queryset=Situation.objects.on(day), to_attr="situations_on")))
    return qs


def _place_choices(paths: list[str]) -> list[tuple[str, str]]:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(path__startswith=p)
    places = Territory.objects.filter(q, revoked_on__isnull=True, kind__in=services.PLACE_KINDS).order_by("path")
    return [(str(t.pk), t.name) for t in places[:500]]


def _filtered(request: HttpRequest, scope: Scope, paths: list[str], org: Organization | None
              ) -> tuple[FilterForm, dt.date, list[str], QuerySet[Household], list[selectors.Kind]]:
    kinds = selectors.situation_kinds(org)
    form = FilterForm(request.GET or None, places=_place_choices(paths),
                      kinds=[(k.code, k.label) for k in kinds])
    day = _today()
    chosen = paths
    d = form.cleaned_data if form.is_valid() else {}
    if d.get("as_of"):
        day = d["as_of"]
    if d.get("place"):
        place = Territory.objects.filter(pk=d["place"]).first()
        if place is not None and any(place.path.startswith(p) for p in paths):
            chosen = [place.path]
    qs = selectors.households_under(chosen, day)
    qs = Household.objects.visible_to(scope).filter(pk__in=qs.values("pk"))
    if d.get("situation"):
        qs = qs.filter(pk__in=Situation.objects.on(day).filter(kind=d["situation"]).values("household_id"))
    if d.get("q"):
        qs = qs.filter(Q(code__icontains=d["q"]) | Q(head_name__icontains=d["q"]))
    return form, day, chosen, qs, kinds


def _list(request: HttpRequest, scope: Scope, paths: list[str], *, org: Organization | None,
          place: Territory | None) -> HttpResponse:
    form, day, chosen, qs, kinds = _filtered(request, scope, paths, org)
    labels = selectors.kind_labels(kinds)
    rows = _annotated(qs, day, labels).order_by("territory__path", "code")
    persons = Person.objects.on(day).filter(household__in=qs).count()
    households = qs.count()
    counts = selectors.situation_counts(chosen, day, kinds)
    writable = [p for p in paths if scope.can_write_place(Territory(path=p))]
    response_rows = _LabelledQS(rows, labels)
    ctx = {"place": place, "filter_form": form, "as_of": day, "today": _today(),
           "household_count": households, "person_count": persons, "counts": counts,
           "can_write": bool(writable), "can_import": org is not None and scope.can_write_org(org),
           "can_switch": org is not None and can_manage_org(scope, org),
           "special_on": selectors.special_fields_on(org) if org is not None else None,
           "new_place": place if place is not None else _root_place(paths)}
    return HOUSEHOLDS.respond(request, response_rows, template=  # type: ignore[arg-type]
                              "households/household_list.html", form=form,
                              org=org, context=ctx)


class _LabelledQS:
    """The list's rows: a queryset whose rows learn the situation kinds' labels as they are read."""

    def __init__(self, qs: QuerySet[Household], labels: dict[str, str]) -> None:
        self.qs, self.labels = qs, labels

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.qs.count()

    def __getitem__(self, index: Any) -> Any:
        rows = self.qs[index]
        if isinstance(index, slice):
            rows = list(rows)
            for h in rows:
                h.kind_labels = self.labels
            return rows
        rows.kind_labels = self.labels
        return rows

    def __iter__(self) -> Any:
        for h in self.qs:
            h.kind_labels = self.labels  # type: ignore[attr-defined]
            yield h


def _root_place(paths: list[str]) -> Territory | None:
    return Territory.objects.filter(path__in=paths).order_by("path").first() if paths else None


def _readable_org(request: HttpRequest, code: str) -> tuple[Scope, Organization]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(scope.orgs(), code=code)


@login_required
@require_GET
def org_households(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _readable_org(request, code)
    return _list(request, scope, selectors.org_paths(org), org=org, place=None)


def _readable_place(request: HttpRequest, pk: int) -> tuple[Scope, Territory]:
    scope = scope_for(request.user)
    place = get_object_or_404(Territory, pk=pk)
    if not scope.can_read_place(place):
        raise Http404
    return scope, place


@login_required
@require_GET
def place_households(request: HttpRequest, pk: int) -> HttpResponse:
    scope, place = _readable_place(request, pk)
    return _list(request, scope, [place.path], org=None, place=place)


def _form_page(request: HttpRequest, form: forms.Form, *, heading: str, back: str, household: Household | None = None,
               place: Territory | None = None, status: int = 200) -> HttpResponse:
    return render(request, "households/household_form.html", {
        "form": form, "heading": heading, "back": back, "household": household, "place": place,
        "submit": _("Save")}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def household_new(request: HttpRequest, pk: int) -> HttpResponse:
    scope, place = _readable_place(request, pk)
    if not scope.can_write_place(place):
        raise Http404
    places = _place_choices([place.path])
    back = reverse("household-place", args=[place.pk])
    if request.method == "POST":
        form = HouseholdForm(request.POST, places=places)
        if form.is_valid():
            d = form.cleaned_data
            territory = get_object_or_404(Territory, pk=d["territory"])
            head = {"sex": d["sex"], "birth_date": d["birth_date"], "id_number": d["id_number"]}
            household = write_on_form(form, lambda: services.household_create(
                territory=territory, head_name=d["head_name"], registered_on=d["registered_on"], code=d["code"],
                building=d["building"], unit=d["unit"], flat=d["flat"], address=d["address"], phone=d["phone"],
                note=d["note"], head=head))
            if household is not None:
                messages.success(request, _("Household %(code)s recorded.") % {"code": household.code})
                return redirect("household-detail", pk=household.pk)
        return _form_page(request, form, heading=_("New household"), back=back, place=place, status=400)
    form = HouseholdForm(places=places, initial={"territory": str(place.pk)})
    return _form_page(request, form, heading=_("New household"), back=back, place=place)


# --- one household ----------------------------------------------------------------------------------------------

def _household(request: HttpRequest, pk: int, *, write: bool = False) -> tuple[Scope, Household]:
    scope = scope_for(request.user)
    household = get_object_or_404(selectors.visible(scope).select_related("territory"), pk=pk)
    if write and not scope.can_write_place(household.territory):
        raise Http404
    return scope, household


def _special_value(person: Person, field: str) -> str:
    value = getattr(person, field)
    return MASK if value else ""


@login_required
@require_GET
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope, household = _household(request, pk)
    return _detail(request, scope, household)


def _detail(request: HttpRequest, scope: Scope, household: Household, *, revealed: dict[str, str] | None = None,
            status: int = 200) -> HttpResponse:
    today = _today()
    can_write = scope.can_write_place(household.territory)
    special = selectors.special_fields_for_place(household.territory)
    kinds = selectors.situation_kinds_for_place(household.territory)
    labels = selectors.kind_labels(kinds)
    persons = list(household.persons.select_related("member").order_by("left_on", "relation", "pk"))
    for p in persons:
        p.relation_label = relations.name_zh(p.relation)  # type: ignore[attr-defined]
        p.special_masked = {f: _special_value(p, f) for f in SPECIAL_FIELDS} if special else {}  # type: ignore[attr-defined]
    situations = list(household.situations.select_related("person").order_by("-started_on", "pk"))
    for s in situations:
        s.label = labels.get(s.kind, s.kind)  # type: ignore[attr-defined]
    return render(request, "households/household_detail.html", {
        "household": household, "persons": persons, "situations": situations, "today": today,
        "places": household.places.select_related("territory").order_by("valid_from"),
        "can_write": can_write, "special": special, "revealed": revealed or {},
        "links": household_links(household, can_write=can_write),
        "living": [p for p in persons if p.left_on is None],
    }, status=status)


@login_required
@require_POST
def household_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    if field != "phone":
        raise Http404
    scope, household = _household(request, pk)
    value = services.household_reveal(household, field=field)
    if getattr(request, "htmx", None):
        return render(request, "ui/_revealed.html", {"field": field, "value": value})
    return _detail(request, scope, household, revealed={"household-phone": value})


@login_required
@require_POST
def person_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    if field not in services.REVEALABLE:
        raise Http404
    scope = scope_for(request.user)
    person = get_object_or_404(Person.objects.filter(household__in=selectors.visible(scope))
                               .select_related("household__territory"), pk=pk)
    value = services.person_reveal(person, field=field)
    if getattr(request, "htmx", None):
        return render(request, "ui/_revealed.html", {"field": field, "value": value})
    return _detail(request, scope, person.household, revealed={f"{person.pk}-{field}": value})


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _scope, household = _household(request, pk, write=True)
    back = reverse("household-detail", args=[household.pk])
    if request.method == "POST":
        form = HouseholdEditForm(request.POST)
        if form.is_valid():
            d = dict(form.cleaned_data)
            version = d.pop("version")
            if not d["phone"]:
                d.pop("phone")
            if write_on_form(form, lambda: services.household_edit(household, version=version, **d)) is not None:
                messages.success(request, _("Household %(code)s saved.") % {"code": household.code})
                return redirect(back)
        return _form_page(request, form, heading=_("Edit the household"), back=back, household=household, status=400)
    form = HouseholdEditForm(initial={"building": household.building, "unit": household.unit, "flat": household.flat,
                                      "address": household.address, "note": household.note,
                                      "version": household.version})
    return _form_page(request, form, heading=_("Edit the household"), back=back, household=household)


def _writable_places(scope: Scope) -> list[tuple[str, str]]:
    return _place_choices(scope.place_paths(write=True)) if not scope.unrestricted else _place_choices([""])


@login_required
@require_http_methods(["GET", "POST"])
def household_move(request: HttpRequest, pk: int) -> HttpResponse:
    scope, household = _household(request, pk, write=True)
    back = reverse("household-detail", args=[household.pk])
    places = _writable_places(scope)
    if request.method == "POST":
        form = MoveForm(request.POST, places=places)
        if form.is_valid():
            d = form.cleaned_data
            territory = get_object_or_404(Territory, pk=d["territory"])
            if write_on_form(form, lambda: services.household_move(household, territory=territory,
                                                                   on=d["on"])) is not None:
                messages.success(request, _("The move is recorded."))
                return redirect(back)
        return _form_page(request, form, heading=_("Move to another place"), back=back, household=household,
                          status=400)
    form = MoveForm(places=places, initial={"on": _today().isoformat()})
    return _form_page(request, form, heading=_("Move to another place"), back=back, household=household)


@login_required
@require_http_methods(["GET", "POST"])
def household_leave(request: HttpRequest, pk: int) -> HttpResponse:
    _scope, household = _household(request, pk, write=True)
    back = reverse("household-detail", args=[household.pk])
    if request.method == "POST":
        form = LeaveForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            if write_on_form(form, lambda: services.household_leave(household, on=d["on"],
                                                                    reason=d["reason"])) is not None:
                messages.success(request, _("The household's leaving is recorded."))
                return redirect(back)
        return _form_page(request, form, heading=_("The household leaves"), back=back, household=household,
                          status=400)
    form = LeaveForm(initial={"on": _today().isoformat()})
    return _form_page(request, form, heading=_("The household leaves"), back=back, household=household)


def _living_choices(household: Household, *, exclude: int | None = None) -> list[tuple[str, str]]:
    return [(str(p.pk), f"{p.name} ({relations.name_zh(p.relation)})")
            for p in household.persons.filter(left_on__isnull=True).exclude(pk=exclude or 0).order_by("relation", "pk")]


@login_required
@require_http_methods(["GET", "POST"])
def household_head(request: HttpRequest, pk: int) -> HttpResponse:
    _scope, household = _household(request, pk, write=True)
    back = reverse("household-detail", args=[household.pk])
    persons = _living_choices(household)
    if request.method == "POST":
        form = HeadForm(request.POST, persons=persons)
        if form.is_valid():
            d = form.cleaned_data
            person = get_object_or_404(household.persons, pk=d["person"])
            if write_on_form(form, lambda: services.head_change(household, person=person, on=d["on"],
                                                                former_relation=d["former_relation"])) is not None:
                messages.success(request, _("%(name)s is the head of the household.") % {"name": person.name})
                return redirect(back)
        return _form_page(request, form, heading=_("Change the head"), back=back, household=household, status=400)
    form = HeadForm(persons=persons, initial={"on": _today().isoformat()})
    return _form_page(request, form, heading=_("Change the head"), back=back, household=household)


# --- persons -----------------------------------------------------------------------------------------------------

def _person_values(d: dict[str, Any], *, editing: bool) -> dict[str, Any]:
    values = {k: v for k, v in d.items() if k != "version"}
    if editing:
        for name in ("id_number", "phone", "health"):
            if name in values and not values[name]:
                values.pop(name)  # blank keeps what is recorded (the form never shows it)
    return values


@login_required
@require_http_methods(["GET", "POST"])
def person_add(request: HttpRequest, pk: int) -> HttpResponse:
    _scope, household = _household(request, pk, write=True)
    back = reverse("household-detail", args=[household.pk])
    special = selectors.special_fields_for_place(household.territory)
    if request.method == "POST":
        form = PersonForm(request.POST, special=special)
        if form.is_valid():
            values = _person_values(form.cleaned_data, editing=False)
            person = write_on_form(form, lambda: services.person_add(household=household, **values))
            if person is not None:
                messages.success(request, _("%(name)s added.") % {"name": person.name})
                return redirect(back)
        return _form_page(request, form, heading=_("Add a person"), back=back, household=household, status=400)
    form = PersonForm(special=special, initial={"relation": "20"})
    return _form_page(request, form, heading=_("Add a person"), back=back, household=household)


def _person(request: HttpRequest, pk: int) -> Person:
    scope = scope_for(request.user)
    person = get_object_or_404(Person.objects.filter(household__in=selectors.visible(scope))
                               .select_related("household__territory"), pk=pk)
    if not scope.can_write_place(person.household.territory):
        raise Http404
    return person


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    household = person.household
    back = reverse("household-detail", args=[household.pk])
    special = selectors.special_fields_for_place(household.territory)
    if request.method == "POST":
        form = PersonForm(request.POST, special=special, editing=True, initial={"relation": person.relation})
        if form.is_valid():
            values = _person_values(form.cleaned_data, editing=True)
            version = form.cleaned_data.get("version")
            if write_on_form(form, lambda: services.person_edit(person, version=version, **values)) is not None:
                messages.success(request, _("%(name)s saved.") % {"name": person.name})
                return redirect(back)
        return _form_page(request, form, heading=_("Edit a person"), back=back, household=household, status=400)
    initial: dict[str, Any] = {"name": person.name, "relation": person.relation, "sex": person.sex,
                               "birth_date": person.birth_date.isoformat() if person.birth_date else "",
                               "joined_on": person.joined_on.isoformat() if person.joined_on else "",
                               "version": person.version}
    if special:
        initial.update(special_population=person.special_population, disability_grade=person.disability_grade)
    form = PersonForm(special=special, editing=True, initial=initial)
    return _form_page(request, form, heading=_("Edit a person"), back=back, household=household)


@login_required
@require_http_methods(["GET", "POST"])
def person_leave(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    household = person.household
    back = reverse("household-detail", args=[household.pk])
    heads = _living_choices(household, exclude=person.pk) if person.relation == relations.HEAD else []
    if request.method == "POST":
        form = PersonLeaveForm(request.POST, heads=heads)
        if form.is_valid():
            d = form.cleaned_data
            new_head = household.persons.filter(pk=d["new_head"]).first() if d.get("new_head") else None
            if write_on_form(form, lambda: services.person_leave(person, on=d["on"], reason=d["reason"],
                                                                 new_head=new_head,
                                                                 version=d.get("version"))) is not None:
                messages.success(request, _("%(name)s's leaving is recorded.") % {"name": person.name})
                return redirect(back)
        return _form_page(request, form, heading=_("A person leaves"), back=back, household=household, status=400)
    form = PersonLeaveForm(heads=heads, initial={"on": _today().isoformat(), "version": person.version})
    return _form_page(request, form, heading=_("A person leaves"), back=back, household=household)


# --- situations ------------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def situation_start(request: HttpRequest, pk: int) -> HttpResponse:
    _scope, household = _household(request, pk, write=True)
    back = reverse("household-detail", args=[household.pk])
    kinds = [(k.code, k.label) for k in selectors.situation_kinds_for_place(household.territory)]
    persons = _living_choices(household)
    if request.method == "POST":
        form = SituationForm(request.POST, kinds=kinds, persons=persons)
        if form.is_valid():
            d = form.cleaned_data
            person = household.persons.filter(pk=d["person"]).first() if d["person"] else None
            if write_on_form(form, lambda: services.situation_start(
                    household, kind=d["kind"], started_on=d["started_on"], person=person, note=d["note"])):
                messages.success(request, _("The situation is recorded."))
                return redirect(back)
        return _form_page(request, form, heading=_("Record a situation"), back=back, household=household,
                          status=400)
    form = SituationForm(kinds=kinds, persons=persons, initial={"started_on": _today().isoformat()})
    return _form_page(request, form, heading=_("Record a situation"), back=back, household=household)


def _situation(request: HttpRequest, pk: int) -> Situation:
    scope = scope_for(request.user)
    situation = get_object_or_404(Situation.objects.filter(household__in=selectors.visible(scope))
                                  .select_related("household__territory"), pk=pk)
    if not scope.can_write_place(situation.household.territory):
        raise Http404
    return situation


@login_required
@require_http_methods(["GET", "POST"])
def situation_end(request: HttpRequest, pk: int) -> HttpResponse:
    situation = _situation(request, pk)
    household = situation.household
    back = reverse("household-detail", args=[household.pk])
    if request.method == "POST":
        form = SituationEndForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            if write_on_form(form, lambda: services.situation_end(situation, on=d["on"], note=d["note"],
                                                                  version=d.get("version"))):
                messages.success(request, _("The situation is ended."))
                return redirect(back)
        return _form_page(request, form, heading=_("End a situation"), back=back, household=household, status=400)
    form = SituationEndForm(initial={"on": _today().isoformat(), "version": situation.version})
    return _form_page(request, form, heading=_("End a situation"), back=back, household=household)


@login_required
@require_POST
def situation_review(request: HttpRequest, pk: int) -> HttpResponse:
    situation = _situation(request, pk)
    form = SituationEndForm(request.POST)
    if form.is_valid() and write_on_form(form, lambda: services.situation_review(
            situation, on=form.cleaned_data["on"], version=form.cleaned_data.get("version"))) is not None:
        messages.success(request, _("The review is recorded."))
    else:
        messages.error(request, " ".join(str(m) for errs in form.errors.values() for m in errs))
    return redirect("household-detail", pk=situation.household_id)


# --- the special fields' switch -----------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def special_fields(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _readable_org(request, code)
    if not can_manage_org(scope, org):
        raise Http404
    switch = SpecialFields.objects.filter(org=org).first()
    back = reverse("household-org", args=[org.code])
    if request.method == "POST":
        form = SpecialFieldsForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            if write_on_form(form, lambda: services.special_fields_set(org, enabled=d["enabled"],
                                                                       version=d.get("version"))):
                messages.success(request, _("The special fields are switched on.") if d["enabled"]
                                 else _("The special fields are switched off."))
                return redirect(back)
        status = 400
    else:
        form = SpecialFieldsForm(initial={"enabled": selectors.special_fields_on(org),
                                          "version": switch.version if switch else None})
        status = 200
    return render(request, "households/special_fields.html", {
        "org": org, "form": form, "back": back, "own": switch is not None}, status=status)


def _masked_id(p: Person) -> str:
    return mask(p.id_number) if p.id_number else ""


PERSONS = ListSpec(
    title=gettext_lazy("Persons"), export_name="household-persons", table_id="persons",
    columns=(
        Column("household", gettext_lazy("Household number"), lambda p: p.household.code),
        Column("name", gettext_lazy("Name"), lambda p: p.name),
        Column("relation", gettext_lazy("Relation to the head"), lambda p: relations.name_zh(p.relation)),
        Column("sex", gettext_lazy("Sex"), lambda p: p.sex),
        Column("birth_date", gettext_lazy("Birth date"), lambda p: p.birth_date),
        Column("id_number", gettext_lazy("ID number"), _masked_id),
        Column("phone", gettext_lazy("Phone"), lambda p: mask_phone(p.phone)),
        Column("place", gettext_lazy("Place"), lambda p: p.household.territory.name),
    ),
)


@login_required
@require_GET
def org_persons_export(request: HttpRequest, code: str) -> HttpResponse:
    """The persons living in the organization's places on the day, as .xlsx (masked)."""
    scope, org = _readable_org(request, code)
    _form, day, chosen, qs, _kinds = _filtered(request, scope, selectors.org_paths(org), org)
    persons = (Person.objects.on(day).filter(household__in=qs).select_related("household__territory")
               .order_by("household__territory__path", "household__code", "relation", "pk"))
    from grassroots.ui.lists import PRINT_LIMIT

    return PERSONS.sheet(list(persons[:PRINT_LIMIT]), total=persons.count(), org=org, form=_form)
