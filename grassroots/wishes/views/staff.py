"""Staff and member pages of micro-wishes: an organization's wishes (filtered by state and lateness, paginated,
printable, exported to .xlsx), the staff entry form, the intake set-up, one wish with its history and the
actions its state allows, the published wishes a member may claim from the phone, and a member's claimed wishes
(where a secretary acts on the member's behalf).

Thin: wishes are read through the user's scope (`selectors.visible` for the staff pages, `selectors.actionable`
for an action: out of reach is a 404), every write goes through `grassroots.wishes.services` (a RuleError goes
back onto the field it names, a refusal to `ui.errors.DomainErrorMiddleware`'s 403).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.access.scope import Scope, can_manage_org, scope_for
from grassroots.core.idnumber import mask_phone
from grassroots.members.models import Member
from grassroots.orgs.models import Organization
from grassroots.ui.forms import write_on_form
from grassroots.ui.lists import Column, ListSpec
from grassroots.wishes import selectors, services
from grassroots.wishes.forms import (
    ClaimForm,
    ConfirmForm,
    DayForm,
    DeclineForm,
    FulfilForm,
    IntakeForm,
    MemberClaimForm,
    ReleaseForm,
    WishEntryForm,
    WishFilterForm,
)
from grassroots.wishes.models import CLAIMED_OR_LATER, State, Wish, WishIntake
from grassroots.wishes.selectors import mask_name

STATE_TONES: dict[str, str] = {State.COLLECTED: "info", State.PUBLISHED: "info", State.DECLINED: "muted", State.CLAIMED: "warn",
               State.FULFILLED: "ok", State.CONFIRMED: "ok"}
REVEALABLE = {"name": "resident_name", "phone": "resident_phone"}


def _today() -> dt.date:
    return timezone.localdate()


def _wish_link(w: Wish) -> str:
    return reverse("wish-detail", args=[w.pk])


WISHES = ListSpec(
    title=gettext_lazy("Micro-wishes"), export_name="wishes", table_id="wishes",
    empty=gettext_lazy("No wish matches."),
    columns=(
        Column("number", gettext_lazy("Number"), lambda w: w.number, link=_wish_link),
        Column("collected_on", gettext_lazy("Collected on"), lambda w: w.collected_on, css="num"),
        Column("org", gettext_lazy("Collected by"), lambda w: w.org.name),
        Column("text", gettext_lazy("Wish"), lambda w: w.text),
        Column("category", gettext_lazy("Category"), lambda w: w.get_category_display()),
        Column("resident", gettext_lazy("Resident"), lambda w: mask_name(w.resident_name)),  # masked, sheet too
        Column("phone", gettext_lazy("Phone"), lambda w: mask_phone(w.resident_phone)),
        Column("state", gettext_lazy("State"), lambda w: w.get_state_display()),
        Column("claimant", gettext_lazy("Claimed by"), lambda w: w.claimant_name),
        Column("fulfilled_on", gettext_lazy("Fulfilled on"), lambda w: w.fulfilled_on, css="num"),
    ),
    sheet_columns=(
        Column("channel", gettext_lazy("Channel"), lambda w: w.get_channel_display()),
        Column("place", gettext_lazy("Place"), lambda w: w.place),
        Column("published_on", gettext_lazy("Published on"), lambda w: w.published_on),
        Column("claimed_on", gettext_lazy("Claimed on"), lambda w: w.claimed_on),
        Column("fulfil_note", gettext_lazy("How it was fulfilled"), lambda w: w.fulfil_note),
        Column("confirmed_on", gettext_lazy("Confirmed on"), lambda w: w.confirmed_on),
    ),
)


def filtered(qs: QuerySet[Wish], form: WishFilterForm, day: dt.date) -> QuerySet[Wish]:
    """The list's filters; the annual summary's counters are these filters' counts."""
    if not form.is_valid():
        return qs
    d = form.cleaned_data
    if d.get("state"):
        qs = qs.filter(state=d["state"])
    if d.get("overdue") == "1":
        qs = qs.filter(selectors.overdue_q(day))
    if d.get("year"):
        qs = selectors.collected_in(qs, d["year"], day)
    if d.get("claimed") == "1":
        qs = qs.filter(state__in=CLAIMED_OR_LATER)
    if d.get("fulfilled_year"):
        qs = selectors.fulfilled_in(qs, d["fulfilled_year"], day)
    return qs


def _readable_org(request: HttpRequest, code: str) -> tuple[Scope, Organization]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(scope.orgs(), code=code)


@login_required
@require_GET
def wish_list(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _readable_org(request, code)
    form = WishFilterForm(request.GET or None)
    qs = (selectors.visible(scope).filter(org__path__startswith=org.path)
          .select_related("org", "claimant_member", "claimant_org").order_by("-collected_on", "-id"))
    qs = filtered(qs, form, _today())
    intake = WishIntake.objects.filter(org=org).first()
    return WISHES.respond(request, qs, template="wishes/wish_list.html", form=form, org=org, context={
        "filter_form": form, "can_write": scope.can_write_org(org) and org.revoked_on is None,
        "can_set_up": can_manage_org(scope, org), "intake": intake, "today": _today()})


@login_required
@require_http_methods(["GET", "POST"])
def wish_new(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _readable_org(request, code)
    if request.method == "POST":
        form = WishEntryForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            wish = write_on_form(form, lambda: services.record_wish(
                org, text=d["text"], resident_name=d["resident_name"], resident_phone=d["resident_phone"],
                category=d["category"], place=d["place"], collected_on=d["collected_on"], channel=d["channel"],
                visit_ref=d["visit_ref"]))
            if wish is not None:
                messages.success(request, _("Wish %(number)s recorded.") % {"number": wish.number})
                return redirect("wish-detail", pk=wish.pk)
        status = 400
    else:
        services.require_wish_writer(org)  # a reader who may not write sees the refusal, not a form they cannot send
        form = WishEntryForm(initial={"collected_on": _today().isoformat()})
        status = 200
    return render(request, "wishes/wish_form.html", {
        "org": org, "form": form, "heading": _("Enter a wish"), "submit": _("Save"),
        "back": reverse("wish-list", args=[org.code])}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def wish_intake(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _readable_org(request, code)
    intake = WishIntake.objects.filter(org=org).first()
    if request.method == "POST":
        form = IntakeForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            done = write_on_form(form, lambda: services.set_intake(
                org, enabled=d["enabled"], intro=d["intro"], version=d.get("version") or None))
            if done is not None:
                messages.success(request, _("The wish intake is switched on.") if done.enabled
                                 else _("The wish intake is switched off."))
                return redirect("wish-intake", code=org.code)
        status = 400
    else:
        form = IntakeForm(initial={"enabled": intake.enabled if intake else False,
                                   "intro": intake.intro if intake else "",
                                   "version": intake.version if intake else None})
        status = 200
    return render(request, "wishes/wish_intake.html", {
        "org": org, "form": form, "intake": intake, "can_set_up": can_manage_org(scope, org)}, status=status)


# --- one wish ----------------------------------------------------------------------------------------------

def _detail_wish(request: HttpRequest, pk: int) -> tuple[Scope, Wish]:
    scope = scope_for(request.user)
    qs = selectors.visible(scope).select_related("org", "claimant_member", "claimant_org", "recorded_by")
    return scope, get_object_or_404(qs, pk=pk)


def _actionable(request: HttpRequest, pk: int) -> tuple[Scope, Wish]:
    scope = scope_for(request.user)
    qs = selectors.actionable(scope).select_related("org", "claimant_member", "claimant_org")
    return scope, get_object_or_404(qs, pk=pk)


def _claim_choices(scope: Scope, wish: Wish) -> tuple[QuerySet[Member], QuerySet[Organization]]:
    members = (scope.members(write=True).filter(org__path__startswith=wish.org.path, standing="active")
               .order_by("name", "pk"))
    orgs = scope.orgs().filter(revoked_on__isnull=True).order_by("path")
    return members, orgs


def _forms(scope: Scope, wish: Wish, bound: dict[str, forms.Form] | None = None) -> dict[str, forms.Form]:
    today = _today().isoformat()
    initial = {"on": today, "version": wish.version}
    members, orgs = _claim_choices(scope, wish)
    made: dict[str, forms.Form] = {
        "publish": DayForm(initial=initial, prefix="publish"),
        "decline": DeclineForm(initial=initial, prefix="decline"),
        "claim": ClaimForm(initial=initial, prefix="claim", members=members, orgs=orgs),
        "release": ReleaseForm(initial=initial, prefix="release"),
        "confirm": ConfirmForm(initial=initial, prefix="confirm"),
    }
    made.update(bound or {})
    return made


def _detail(request: HttpRequest, scope: Scope, wish: Wish, *, revealed: dict[str, str] | None = None,
            bound: dict[str, forms.Form] | None = None, status: int = 200) -> HttpResponse:
    can_write = scope.can_write_org(wish.org)
    lim = selectors.limits(_today())
    return render(request, "wishes/wish_detail.html", {
        "wish": wish, "org": wish.org, "events": wish.events.select_related("member"),
        "can_write": can_write, "forms": _forms(scope, wish, bound) if can_write else {},
        "masked_name": mask_name(wish.resident_name), "masked_phone": mask_phone(wish.resident_phone),
        "revealed": revealed or {}, "state_tone": STATE_TONES.get(wish.state, "info"),
        "due": selectors.due_day(wish, lim), "today": _today(),
    }, status=status)


@login_required
@require_GET
def wish_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope, wish = _detail_wish(request, pk)
    return _detail(request, scope, wish)


@login_required
@require_POST
def wish_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    if field not in REVEALABLE:
        raise Http404
    scope, wish = _detail_wish(request, pk)
    value = services.reveal_contact(wish, field=REVEALABLE[field])
    if getattr(request, "htmx", None):
        return render(request, "ui/_revealed.html", {"field": field, "value": value})
    return _detail(request, scope, wish, revealed={field: value})


def _back(request: HttpRequest, wish: Wish) -> HttpResponse:
    """Back where the action was sent from (a member's page, the open wishes), else the wish's page."""
    target = request.POST.get("next", "")
    allowed = {reverse("wish-open")}
    if wish.claimant_member_id:
        allowed.add(reverse("wish-member", args=[wish.claimant_member_id]))
    if target.startswith("/members/") and target.endswith("/wishes/"):
        allowed.add(target)
    if target in allowed:
        return redirect(target)
    scope = scope_for(request.user)
    if selectors.visible(scope).filter(pk=wish.pk).exists():
        return redirect("wish-detail", pk=wish.pk)
    return redirect("wish-open")


def _staff_action(request: HttpRequest, pk: int, name: str, form_class: type[forms.Form],
                  write: Any, done: str) -> HttpResponse:
    scope, wish = _detail_wish(request, pk)
    form = form_class(request.POST, prefix=name)
    if form.is_valid():
        d = form.cleaned_data
        result = write_on_form(form, lambda: write(wish, d), {"on": "on"})
        if result is not None:
            messages.success(request, done % {"number": wish.number})
            return redirect("wish-detail", pk=wish.pk)
    return _detail(request, scope, wish, bound={name: form}, status=400)


@login_required
@require_POST
def wish_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(request, pk, "publish", DayForm,
                         lambda w, d: services.publish(w, on=d["on"], version=d.get("version")),
                         _("Wish %(number)s published."))


@login_required
@require_POST
def wish_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(request, pk, "decline", DeclineForm,
                         lambda w, d: services.decline(w, reason=d["reason"], on=d["on"], version=d.get("version")),
                         _("Wish %(number)s declined."))


@login_required
@require_POST
def wish_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(request, pk, "confirm", ConfirmForm,
                         lambda w, d: services.confirm_for_resident(w, on=d["on"], note=d["note"],
                                                                    version=d.get("version")),
                         _("Wish %(number)s confirmed on the resident's behalf."))


@login_required
@require_POST
def wish_claim(request: HttpRequest, pk: int) -> HttpResponse:
    """A claim: by a member for themselves (from the open wishes), or entered by staff (from the wish's page)."""
    scope, wish = _actionable(request, pk)
    if "claim-on" not in request.POST:  # the member's one-button claim
        own = Member.objects.filter(pk__in=scope.own_member_ids)
        form = MemberClaimForm(request.POST, members=own)
        if not form.is_valid():
            messages.error(request, _("Choose who claims the wish."))
            return redirect("wish-open")
        member = form.cleaned_data["member"]
        result = write_on_form(form, lambda: services.claim(wish, member=member,
                                                            version=form.cleaned_data.get("version")))
        if result is None:
            messages.error(request, " ".join(str(e) for e in form.non_field_errors() or
                                             [m for errs in form.errors.values() for m in errs]))
            return redirect("wish-open")
        messages.success(request, _("You claimed wish %(number)s.") % {"number": wish.number})
        return redirect("wish-member", pk=member.pk)
    if not selectors.visible(scope).filter(pk=wish.pk).exists():
        raise Http404
    members, orgs = _claim_choices(scope, wish)
    claim_form = ClaimForm(request.POST, prefix="claim", members=members, orgs=orgs)
    if claim_form.is_valid():
        d = claim_form.cleaned_data
        result = write_on_form(claim_form, lambda: services.claim(
            wish, member=d["member"], org=d["claimant_org"], unit=d["unit"], on=d["on"],
            version=d.get("version")), {"claimant_org": "claimant_org"})
        if result is not None:
            messages.success(request, _("Wish %(number)s claimed by %(name)s.") % {
                "number": wish.number, "name": result.claimant_name})
            return redirect("wish-detail", pk=wish.pk)
    return _detail(request, scope, wish, bound={"claim": claim_form}, status=400)


@login_required
@require_POST
def wish_release(request: HttpRequest, pk: int) -> HttpResponse:
    scope, wish = _actionable(request, pk)
    form = ReleaseForm(request.POST, prefix="release")
    if form.is_valid():
        d = form.cleaned_data
        if write_on_form(form, lambda: services.release(wish, on=d["on"], reason=d["reason"],
                                                        version=d.get("version"))) is not None:
            messages.success(request, _("The claim of wish %(number)s was released.") % {"number": wish.number})
            return _back(request, wish)
    if selectors.visible(scope).filter(pk=wish.pk).exists():
        return _detail(request, scope, wish, bound={"release": form}, status=400)
    messages.error(request, " ".join(str(m) for errs in form.errors.values() for m in errs))
    return _back(request, wish)


@login_required
@require_http_methods(["GET", "POST"])
def wish_fulfil(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a claimed wish fulfilled: the claimant, or a secretary on the member's behalf. A photo is optional."""
    scope, wish = _actionable(request, pk)
    if wish.state != State.CLAIMED:
        messages.error(request, _("Wish %(number)s is not claimed: it cannot be marked fulfilled.")
                       % {"number": wish.number})
        return redirect("wish-detail", pk=wish.pk) if selectors.visible(scope).filter(pk=pk).exists() \
            else redirect("wish-open")
    member = wish.claimant_member
    on_behalf = member is not None and member.pk not in scope.own_member_ids
    if request.method == "POST":
        form = FulfilForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            if write_on_form(form, lambda: services.fulfil(wish, note=d["note"], on=d["on"], photo=d["photo"],
                                                           version=d.get("version"))) is not None:
                messages.success(request, _("Wish %(number)s is marked fulfilled.") % {"number": wish.number})
                return _back(request, wish)
        status = 400
    else:
        form = FulfilForm(initial={"on": _today().isoformat(), "version": wish.version})
        status = 200
    return render(request, "wishes/wish_fulfil.html", {
        "wish": wish, "form": form, "member": member, "on_behalf": on_behalf,
        "next": request.GET.get("next", "") or request.POST.get("next", "")}, status=status)


# --- members ------------------------------------------------------------------------------------------------

@login_required
@require_GET
def wish_open(request: HttpRequest) -> HttpResponse:
    """The published wishes the user's own member records may claim: the member's page on the phone."""
    scope = scope_for(request.user)
    own = list(Member.objects.filter(pk__in=scope.own_member_ids).select_related("org"))
    items: list[Wish] = []
    seen: set[int] = set()
    for member in own:
        for wish in selectors.claimable_by(member).select_related("org").order_by("published_on", "id")[:200]:
            if wish.pk not in seen:
                seen.add(wish.pk)
                wish.claim_as = member  # type: ignore[attr-defined]
                items.append(wish)
    return render(request, "wishes/wish_open.html", {"items": items, "own": own})


MEMBER_WISHES = ListSpec(
    title=gettext_lazy("Wishes claimed"), export_name="wishes-claimed", table_id="claimed",
    empty=gettext_lazy("No wish claimed yet."),
    columns=(
        Column("number", gettext_lazy("Number"), lambda w: w.number),
        Column("text", gettext_lazy("Wish"), lambda w: w.text),
        Column("org", gettext_lazy("Collected by"), lambda w: w.org.name),
        Column("claimed_on", gettext_lazy("Claimed on"), lambda w: w.claimed_on, css="num"),
        Column("state", gettext_lazy("State"), lambda w: w.get_state_display()),
        Column("fulfilled_on", gettext_lazy("Fulfilled on"), lambda w: w.fulfilled_on, css="num"),
    ),
)


@login_required
@require_GET
def wish_member(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's claimed wishes: theirs to fulfil or give back, or a secretary's to record for them."""
    scope = scope_for(request.user)
    member = get_object_or_404(scope.members().select_related("org"), pk=pk)
    qs = selectors.claimed_by(member).select_related("org").order_by("-claimed_on", "-id")
    own = member.pk in scope.own_member_ids
    return MEMBER_WISHES.respond(request, qs, template="wishes/wish_member.html", context={
        "member": member, "own": own, "can_act": own or scope.can_write_member(member),
        "today": _today(), "open_wishes": list(qs.filter(state=State.CLAIMED))})
