"""Staff pages for residents' opinions (the "people's feelings express station", 民情快递站): an organization's
opinions (filtered, paginated, printable, exported to .xlsx), the staff entry form (outlet, phone, visit), one
opinion with its history, routing and written replies, and the monthly statistics with their chart.

Thin: opinions are read through `selectors.visible(scope_for(request.user))` (out of scope: 404), organizations
through `scope.orgs()`, figures come from `grassroots.opinions.selectors`, and every write goes through
`grassroots.opinions.services` (a RuleError goes back onto the field it names; a PermissionDeniedError reaches
`ui.errors.DomainErrorMiddleware`, a 403 page with its reason). Actions are shown only to the handling roles
(`services.can_handle`); the services check again. The forms are in `grassroots.opinions.forms`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.access.scope import Scope, scope_for
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.opinions import selectors as opinion_selectors
from grassroots.opinions import services as opinion_services
from grassroots.opinions.forms import (
    REPLY_PARTS,
    AssignForm,
    AttachmentForm,
    EscalateForm,
    OpinionEntryForm,
    OpinionFilterForm,
    RatingEntryForm,
    ReplyForm,
    StatsForm,
    local_name,
    station_paths,
)
from grassroots.opinions.models import (
    COMPLETED,
    OPEN,
    Assignment,
    Category,
    Channel,
    Department,
    Opinion,
    OpinionAttachment,
    OpinionChange,
    OpinionRating,
    Outlet,
    State,
)
from grassroots.orgs.models import Organization
from grassroots.ui import uploads, xlsx
from grassroots.ui.forms import query_int, rule_error_on_form
from grassroots.ui.lists import PRINT_LIMIT, paginate, query_without

# Revealable contacts: the URL's short name -> the opinion's field (services.reveal_contact logs each reveal).
REVEALABLE = {"phone": "submitter_phone", "email": "submitter_email"}
# Filters by a group of states (the statistics link to these).
STATE_GROUPS: dict[str, tuple[str, ...]] = {
    "open": tuple(OPEN),
    "completed": tuple(COMPLETED),
    "counted": tuple(s for s in State.values if s != State.DUPLICATE),
}


def _today() -> dt.date:
    return timezone.localdate()


def _handler(opinion: Opinion) -> str:
    return local_name(opinion.department) if opinion.department_id else opinion.handler_org.name


def _place(opinion: Opinion) -> str:
    parts = [opinion.territory.name if opinion.territory_id and opinion.territory else "", opinion.address]
    return " · ".join(p for p in parts if p)


def _state_class(state: str) -> str:
    if state in COMPLETED:
        return "ok"
    if state == State.DUPLICATE:
        return "muted"
    if state == State.REOPENED:
        return "warn"
    return "info"


def _readable_org(request: HttpRequest, code: str) -> tuple[Scope, Organization]:
    scope = scope_for(request.user)
    return scope, get_object_or_404(scope.orgs(), code=code)


def _visible(scope: Scope) -> QuerySet[Opinion]:
    return opinion_selectors.visible(scope)


def _opinion_for(request: HttpRequest, pk: int) -> tuple[Scope, Opinion]:
    scope = scope_for(request.user)
    qs = _visible(scope).select_related("station", "category", "territory", "outlet", "handler_org", "department",
                                        "duplicate_of", "recorded_by")
    return scope, get_object_or_404(qs, pk=pk)


# --- the list --------------------------------------------------------------------------------------

def _month_range(value: str) -> tuple[dt.date, dt.date]:
    year, month = (int(x) for x in value.split("-"))
    start = dt.date(year, month, 1)
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return start, end


def _apply_filters(qs: QuerySet[Opinion], data: dict[str, Any], today: dt.date) -> QuerySet[Opinion]:
    """The valid filters of the form (an invalid one is shown on the form and left out)."""
    state = data.get("state") or ""
    if state in STATE_GROUPS:
        qs = qs.filter(state__in=STATE_GROUPS[state])
    elif state:
        qs = qs.filter(state=state)
    if data.get("category"):
        qs = qs.filter(category__code=data["category"])
    department = data.get("department") or ""
    if department == "none":
        qs = qs.filter(department__isnull=True)
    elif department:
        qs = qs.filter(department_id=int(department))
    if data.get("handler"):
        qs = qs.filter(handler_org__code=data["handler"])
    if data.get("month"):
        start, end = _month_range(data["month"])
        qs = qs.filter(received_on__gte=start, received_on__lte=end)
    if data.get("year"):
        qs = qs.filter(received_on__gte=dt.date(data["year"], 1, 1), received_on__lte=dt.date(data["year"], 12, 31))
    if data.get("overdue"):
        qs = qs.filter(state__in=OPEN, deadline__lt=today)
    if data.get("on_time"):
        qs = qs.filter(state__in=COMPLETED, closed_on__lte=F("deadline"))
    if data.get("rated"):
        qs = qs.filter(Exists(OpinionRating.objects.filter(opinion=OuterRef("pk"))))
    text = (data.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(text__icontains=text) | Q(number__icontains=text) | Q(address__icontains=text))
    return qs


def _filtered(request: HttpRequest, scope: Scope, org: Organization) -> tuple[OpinionFilterForm, QuerySet[Opinion]]:
    """The organization's opinions the user may read, filtered as the query string says, newest first, each with
    its latest rating (`latest_rating`)."""
    base = opinion_selectors.for_org(org) & _visible(scope)
    form = OpinionFilterForm(request.GET or None, base=base)
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
    latest = OpinionRating.objects.filter(opinion=OuterRef("pk")).order_by("-on", "-id").values("score")[:1]
    qs = (_apply_filters(base, data, _today())
          .select_related("category", "department", "handler_org", "territory")
          .annotate(latest_rating=Subquery(latest))
          .order_by("-received_on", "-id"))
    return form, qs


def _decorate(opinions: Iterable[Opinion], today: dt.date) -> list[Opinion]:
    rows = []
    for o in opinions:
        o.category_label = local_name(o.category)  # type: ignore[attr-defined]
        o.handler_label = _handler(o)  # type: ignore[attr-defined]
        o.place_label = _place(o)  # type: ignore[attr-defined]
        o.overdue = o.state in OPEN and o.deadline < today  # type: ignore[attr-defined]
        o.state_class = _state_class(o.state)  # type: ignore[attr-defined]
        rows.append(o)
    return rows


def _entry_stations(org: Organization) -> list[Organization]:
    """The stations a new opinion about `org` can be entered for: org itself or the organizations above it that
    have categories, nearest first, where the user may enter opinions."""
    stations = (Organization.objects.filter(path__in=station_paths(org), revoked_on__isnull=True)
                .filter(Exists(Category.objects.filter(org=OuterRef("pk"), active=True))).order_by("-depth"))
    return [s for s in stations if opinion_services.can_enter_for(s)]


def _filter_summary(form: OpinionFilterForm) -> list[tuple[str, str]]:
    """The filters in use, as (label, value) for the printed page."""
    if not form.is_bound:
        return []
    out = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, "", False):
            continue
        if isinstance(field, forms.ChoiceField):
            value = {str(k): v for k, v in field.choices}.get(value, value)  # type: ignore[union-attr,misc]
        elif value is True:
            value = _("yes")
        out.append((str(field.label), str(value)))
    return out


@login_required
@require_GET
def opinion_list(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _readable_org(request, code)
    form, qs = _filtered(request, scope, org)
    today = _today()
    if xlsx.wanted(request):
        return _list_xlsx(org, _decorate(qs[:PRINT_LIMIT], today), total=qs.count(), filters=_filter_summary(form))
    page, show_all = paginate(request, qs)
    page.object_list = _decorate(page.object_list, today)
    return render(request, "opinions/opinion_list.html", {
        "org": org, "filter_form": form, "page": page, "show_all": show_all, "today": today,
        "page_query": query_without(request, "page", "all"),
        "export_query": xlsx.export_query(request),
        "filters_used": _filter_summary(form), "stations": _entry_stations(org),
        "can_import": scope.can_write_org(org) and Category.objects.filter(org=org, active=True).exists(),
        "outlets": list(Outlet.objects.filter(org=org, active=True).order_by("code")),
        "can_set_up": scope.can_write_org(org),
        "is_station": Category.objects.filter(org=org, active=True).exists(),
    })


def _list_xlsx(org: Organization, rows: list[Opinion], *, total: int, filters: list[tuple[str, str]]
               ) -> HttpResponse:
    headers = [_("Number"), _("Received on"), _("Channel"), pgettext("opinion", "Category"), _("Place"), _("Opinion"),
               _("Phone"), _("Email"), _("Handled by"), _("State"), _("Reply due"), _("Overdue"), _("Closed on"),
               _("Latest rating")]
    data = [[o.number, o.received_on, o.get_channel_display(), o.category_label,  # type: ignore[attr-defined]
             o.place_label, o.text, o.phone_masked, o.email_masked,  # type: ignore[attr-defined]
             o.handler_label, o.get_state_display(), o.deadline,  # type: ignore[attr-defined]
             _("yes") if o.overdue else "", o.closed_on, o.latest_rating]  # type: ignore[attr-defined]
            for o in rows]
    return xlsx.export(_("Opinions"), headers, data, name=xlsx.filename("opinions", org.code, _today()), org=org,
                       filters=filters, total=total, limit=PRINT_LIMIT,
                       widths={1: 16, 2: 12, 3: 12, 4: 14, 5: 24, 6: 50, 7: 14, 8: 20, 9: 18, 10: 12, 11: 12,
                               12: 12, 13: 12, 14: 12})


# --- staff entry -----------------------------------------------------------------------------------

def _station_for_entry(request: HttpRequest, code: str) -> Organization:
    """The station of the URL: 404 when the user can neither read it nor enter for it, 403 when they can only read."""
    scope = scope_for(request.user)
    station = get_object_or_404(Organization, code=code)
    may_enter = opinion_services.can_enter_for(station)
    if not may_enter:
        if scope.can_read_org(station):
            raise PermissionDenied(_("You may not enter opinions here."))
        raise Http404
    return station


@login_required
@require_http_methods(["GET", "POST"])
def opinion_new(request: HttpRequest, code: str) -> HttpResponse:
    station = _station_for_entry(request, code)
    has_categories = Category.objects.filter(org=station, active=True).exists()
    form = None
    if has_categories:
        if request.method == "POST":
            form = OpinionEntryForm(request.POST, request.FILES, station=station)
            if form.is_valid():
                opinion = _enter(form, station)
                if opinion is not None:
                    return _after_entry(request, station, opinion)
        else:
            form = OpinionEntryForm(station=station, initial={"received_on": _today().isoformat(),
                                                              "channel": Channel.OUTLET})
    return render(request, "opinions/opinion_new.html", {
        "station": station, "form": form, "has_categories": has_categories,
        "can_read_station": scope_for(request.user).can_read_org(station),
        "can_set_up": opinion_services.can_set_up(station),
    }, status=400 if request.method == "POST" else 200)


def _enter(form: OpinionEntryForm, station: Organization) -> Opinion | None:
    """Submit the opinion and its attachment (both or neither); a RuleError goes onto the form."""
    data = form.cleaned_data
    try:
        with transaction.atomic():
            opinion = opinion_services.submit_opinion(
                station, text=data["text"], category=data["category"], channel=data["channel"],
                received_on=data["received_on"], territory=data.get("territory"), address=data.get("address", ""),
                outlet=data.get("outlet"), submitter_name=data.get("submitter_name", ""),
                submitter_phone=data.get("submitter_phone", ""), submitter_email=data.get("submitter_email", ""))
            if data.get("attachment"):
                # Whoever entered the opinion may attach the photo of the paper form, even when it was routed
                # elsewhere at once (the service allows the one who entered it).
                opinion_services.add_attachment(opinion, file=data["attachment"],
                                                caption=data.get("caption", "").strip())
    except PermissionDeniedError:
        raise  # the middleware's 403, not an error on the form
    except RuleError as exc:
        rule_error_on_form(form, exc, {"file": "attachment"})
        return None
    return opinion


def _after_entry(request: HttpRequest, station: Organization, opinion: Opinion) -> HttpResponse:
    messages.success(request, _("Opinion %(number)s entered. Tracking code for the person who asked (to follow "
                                "and rate the reply): %(code)s") % {"number": opinion.number,
                                                                   "code": opinion.tracking_code})
    if _visible(scope_for(request.user)).filter(pk=opinion.pk).exists():
        return redirect("opinion-detail", pk=opinion.pk)
    messages.info(request, _("It is handled by %(handler)s, outside what you can read.") % {
        "handler": opinion.handler_org.name})
    return redirect("opinion-new", code=station.code)


# --- one opinion -----------------------------------------------------------------------------------

def _required_parts(opinion: Opinion) -> list[tuple[str, list[str]]]:
    """For each state the opinion may move to, the labels of the parts its reply needs."""
    labels = {name: str(field.label) for name, field in ReplyForm.base_fields.items()}
    return [(str(State(s).label), [labels.get(p, p) for p in opinion_services.REQUIRED.get(s, ())])
            for s in opinion_services.MOVES[opinion.state]]


def _history(opinion: Opinion, *, drafts: bool) -> list[dict[str, Any]]:
    items = opinion_selectors.history(opinion, drafts=drafts)
    user_ids = {i for x in items if (i := getattr(x, "written_by_id", None) or getattr(x, "by_id", None))}
    users: dict[int | None, str] = dict(get_user_model().objects.filter(pk__in=user_ids)
                                        .values_list("pk", "username"))
    ratings = {r.change_id: r for r in OpinionRating.objects.filter(opinion=opinion)}
    rows = []
    for item in items:
        if isinstance(item, Assignment):
            rows.append({"kind": "assignment", "item": item, "by": users.get(item.by_id, ""),
                         "to": local_name(item.to_department) if item.to_department_id else item.to_org.name})
        else:
            assert isinstance(item, OpinionChange)
            parts = [(str(ReplyForm.base_fields[name].label), getattr(item, name))
                     for name in ("background", "solution", "remaining", "measures", "reason")
                     if getattr(item, name) and not (name == "reason" and item.by_rating)]
            if item.by_rating:  # the reason is the score, "2/5"; the page words it
                score = item.reason.split("/", 1)[0]
                parts.append((str(ReplyForm.base_fields["reason"].label),
                              _("rated %(score)s of 5 by the person who asked") % {"score": score}))
            rows.append({"kind": "change", "item": item, "by": users.get(item.written_by_id, ""), "parts": parts,
                         "rating": ratings.get(item.pk), "state_class": _state_class(item.to_state)})
    return rows


def _detail(request: HttpRequest, scope: Scope, opinion: Opinion, *, bound: dict[str, forms.Form] | None = None,
            revealed: dict[str, str] | None = None, draft_errors: dict[int, str] | None = None,
            status: int = 200) -> HttpResponse:
    can_handle = opinion_services.can_handle(opinion)
    today = _today()
    context: dict[str, Any] = {
        "opinion": opinion, "can_handle": can_handle, "today": today, "handler": _handler(opinion),
        "category": local_name(opinion.category), "place": _place(opinion),
        "overdue": opinion.state in OPEN and opinion.deadline < today, "state_class": _state_class(opinion.state),
        "email_masked": opinion.email_masked, "revealed": revealed or {},
        "history": _history(opinion, drafts=can_handle), "draft_errors": draft_errors or {},
        "attachments": list(opinion.attachments.order_by("uploaded_at", "id")),
        "can_read_station": scope.can_read_org(opinion.station),
        "can_read_handler": scope.can_read_org(opinion.handler_org),
    }
    if can_handle:
        initial = {"on": today.isoformat()}
        forms_: dict[str, forms.Form] = {"reply_form": ReplyForm(prefix="reply", opinion=opinion, initial=initial),
                                         "attachment_form": AttachmentForm(prefix="attach")}
        if opinion_services.rateable_change(opinion) is not None:
            forms_["rating_form"] = RatingEntryForm(prefix="rating", initial=initial)
        if opinion.state in opinion_services.ROUTABLE:
            forms_["assign_form"] = AssignForm(prefix="assign", opinion=opinion, scope=scope, initial=initial)
            forms_["escalate_form"] = EscalateForm(prefix="escalate", initial=initial)
        forms_.update(bound or {})
        context.update(forms_)
        context["required_parts"] = _required_parts(opinion)
    return render(request, "opinions/opinion_detail.html", context, status=status)


@login_required
@require_GET
def opinion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope, opinion = _opinion_for(request, pk)
    return _detail(request, scope, opinion)


def _handling(request: HttpRequest, pk: int) -> tuple[Scope, Opinion]:
    """The opinion of a write action: 404 outside the user's scope, 403 for those who may not handle it."""
    scope, opinion = _opinion_for(request, pk)
    if not opinion_services.can_handle(opinion):
        raise PermissionDenied(_("You may not handle this opinion."))
    return scope, opinion


def _done(request: HttpRequest, opinion: Opinion, message: str, anchor: str = "") -> HttpResponse:
    messages.success(request, message)
    return redirect(reverse("opinion-detail", args=[opinion.pk]) + (f"#{anchor}" if anchor else ""))


def _run(form: forms.Form, call: Any, aliases: dict[str, str] | None = None) -> Any:
    """Call the service; a RuleError goes onto the form (None returned), a PermissionDeniedError goes on to the
    middleware (a 403)."""
    try:
        return call()
    except PermissionDeniedError:
        raise
    except RuleError as exc:
        rule_error_on_form(form, exc, aliases)
        return None


@login_required
@require_POST
def opinion_assign(request: HttpRequest, pk: int) -> HttpResponse:
    scope, opinion = _handling(request, pk)
    form = AssignForm(request.POST, prefix="assign", opinion=opinion, scope=scope)
    if form.is_valid():
        to_org, department = form.target(opinion)
        done = _run(form, lambda: opinion_services.assign(
            opinion, to_org=to_org, department=department, on=form.cleaned_data["on"],
            note=form.cleaned_data.get("note", "").strip()), {"to_org": "to", "department": "to", "state": ""})
        if done is not None:
            target = local_name(department) if department else to_org.name
            return _done(request, opinion, _("Handed to %(to)s.") % {"to": target}, "history")
    return _detail(request, scope, opinion, bound={"assign_form": form}, status=400)


@login_required
@require_POST
def opinion_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    scope, opinion = _handling(request, pk)
    form = EscalateForm(request.POST, prefix="escalate")
    if form.is_valid():
        done = _run(form, lambda: opinion_services.escalate(opinion, on=form.cleaned_data["on"],
                                                            note=form.cleaned_data["note"].strip()),
                    {"to_org": "", "state": ""})
        if done is not None:
            return _done(request, opinion, _("Escalated to %(to)s.") % {"to": done.to_org.name}, "history")
    return _detail(request, scope, opinion, bound={"escalate_form": form}, status=400)


@login_required
@require_POST
def opinion_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """Write a reply: saved as a draft, or published at once (the opinion then moves to its state)."""
    scope, opinion = _handling(request, pk)
    form = ReplyForm(request.POST, prefix="reply", opinion=opinion)
    publish = request.POST.get("publish") == "1"
    if form.is_valid():
        data = form.cleaned_data
        reply: dict[str, Any] = {name: data.get(name, "") for name in REPLY_PARTS}
        number = data.get("duplicate_of", "").strip()
        if number:
            original = Opinion.objects.filter(station=opinion.station_id, number=number).first()
            if original is None:
                form.add_error("duplicate_of", _("No opinion of this station has the number %(number)s.") % {
                    "number": number})
            reply["duplicate_of"] = original
        if not form.errors:
            service = opinion_services.reply if publish else opinion_services.draft_reply
            change = _run(form, lambda: service(opinion, to_state=data["to_state"], on=data["on"], **reply))
            if change is not None:
                if publish:
                    message = _("Reply published: the opinion is now %(state)s.") % {
                        "state": State(change.to_state).label}
                else:
                    message = _("Reply saved as a draft; it changes nothing until it is published.")
                return _done(request, opinion, message, f"change-{change.pk}")
    return _detail(request, scope, opinion, bound={"reply_form": form}, status=400)


def _draft(opinion: Opinion, change_pk: int) -> OpinionChange:
    return get_object_or_404(OpinionChange.objects.filter(opinion=opinion), pk=change_pk)


def _draft_error(exc: RuleError) -> str:
    if exc.field and exc.field in ReplyForm.base_fields:
        return f"{ReplyForm.base_fields[exc.field].label}: {exc.message}"
    return exc.message


def _on_draft(request: HttpRequest, pk: int, change: int, act: Any, said: Any, anchor: Any) -> HttpResponse:
    """Publish or discard a draft: `act(draft)` through the services; a refusal goes back onto the draft."""
    scope, opinion = _handling(request, pk)
    draft = _draft(opinion, change)
    try:
        act(draft)
    except PermissionDeniedError:
        raise  # the middleware's 403, not an error on the draft
    except RuleError as exc:
        return _detail(request, scope, opinion, draft_errors={draft.pk: _draft_error(exc)}, status=400)
    return _done(request, opinion, said(draft), anchor(draft))


@login_required
@require_POST
def opinion_reply_publish(request: HttpRequest, pk: int, change: int) -> HttpResponse:
    return _on_draft(request, pk, change, opinion_services.publish_reply,
                     lambda d: _("Reply published: the opinion is now %(state)s.") % {
                         "state": State(d.to_state).label},
                     lambda d: f"change-{d.pk}")


@login_required
@require_POST
def opinion_reply_discard(request: HttpRequest, pk: int, change: int) -> HttpResponse:
    return _on_draft(request, pk, change, opinion_services.discard_draft, lambda d: _("Draft discarded."),
                     lambda d: "history")


@login_required
@require_POST
def opinion_set_published(request: HttpRequest, pk: int) -> HttpResponse:
    _scope, opinion = _handling(request, pk)
    published = request.POST.get("published") == "1"
    opinion_services.set_published(opinion, published)
    if published:
        return _done(request, opinion, _("The opinion is shown to the public (without the contacts)."))
    return _done(request, opinion, _("The opinion is no longer shown to the public."))


@login_required
@require_POST
def opinion_attach(request: HttpRequest, pk: int) -> HttpResponse:
    scope, opinion = _handling(request, pk)
    form = AttachmentForm(request.POST, request.FILES, prefix="attach")
    if form.is_valid():
        done = _run(form, lambda: opinion_services.add_attachment(
            opinion, file=form.cleaned_data["file"], caption=form.cleaned_data.get("caption", "").strip()))
        if done is not None:
            return _done(request, opinion, _("Attachment added."), "attachments")
    return _detail(request, scope, opinion, bound={"attachment_form": form}, status=400)


@login_required
@require_GET
def opinion_attachment(request: HttpRequest, pk: int, attachment: int) -> FileResponse:
    _scope, opinion = _opinion_for(request, pk)
    item = get_object_or_404(OpinionAttachment.objects.filter(opinion=opinion), pk=attachment)
    return uploads.stored_file(item.file)


@login_required
@require_POST
def opinion_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """The submitter's full phone or email for the handling roles (services.reveal_contact logs it)."""
    if field not in REVEALABLE:
        raise Http404
    scope, opinion = _opinion_for(request, pk)
    value = opinion_services.reveal_contact(opinion, field=REVEALABLE[field])
    if getattr(request, "htmx", None):
        return render(request, "ui/_revealed.html", {"field": field, "value": value})
    return _detail(request, scope, opinion, revealed={field: value})


# --- statistics ------------------------------------------------------------------------------------

def _pct(value: Decimal | None) -> str:
    return "" if value is None else f"{value}%"


def _list_url(org: Organization, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{reverse('opinion-list', args=[org.code])}?{query}"


# The linked figures: (attribute, extra filters of the list).
LINKED = (("received", {"state": "counted"}), ("completed", {"state": "completed"}),
          ("on_time", {"state": "completed", "on_time": "1"}), ("still_open", {"state": "open"}),
          ("overdue", {"overdue": "1"}), ("rated", {"rated": "1"}))


def _row(org: Organization, figures: Any, label: str, filters: dict[str, Any]) -> dict[str, Any]:
    links = {name: _list_url(org, **filters, **extra) for name, extra in LINKED}
    return {"label": label, "key": figures.key, "f": figures, "links": links,
            "completion_rate": _pct(figures.completion_rate), "on_time_rate": _pct(figures.on_time_rate),
            "satisfaction_rate": _pct(figures.satisfaction_rate),
            "average_rating": "" if figures.average_rating is None else str(figures.average_rating)}


def _stats_tables(org: Organization, stats: Any, year: int, department: Department | None = None
                  ) -> dict[str, Any]:
    """The tables of the statistics page; every figure links to the list with the same filters (and the
    department's, when the page shows one department)."""
    only = {"department": department.pk} if department is not None else {}
    departments = {str(d.pk): d for d in Department.objects.filter(pk__in=[f.key for f in stats.departments if f.key])}
    stations = Q(org__path__in=station_paths(org)) | Q(org__path__startswith=org.path)
    categories = {c.code: c for c in Category.objects.filter(stations, code__in=[f.key for f in stats.categories])}
    months = [_row(org, f, f.label, {"month": f.key, **only}) for f in stats.months]
    total = _row(org, stats.total, _("Total"), {"year": year, **only})
    by_department = [_row(org, f, local_name(departments.get(f.key)) or f.label,
                          {"year": year, "department": f.key or "none"})
                     for f in stats.departments]
    for row in by_department:  # each department's own monthly figures
        if row["key"]:
            row["stats_url"] = (f"{reverse('opinion-stats', args=[org.code])}?"
                                f"{urlencode({'year': year, 'department': row['key']})}")
    by_category = [_row(org, f, local_name(categories.get(f.key)) or f.label,
                        {"year": year, "category": f.key, **only})
                   for f in stats.categories]
    by_handler = [_row(org, f, f.label, {"year": year, "handler": f.key, **only}) for f in stats.handlers]
    states = [{"state": s, "label": State(s).label, "count": stats.total.by_state.get(s, 0),
               "url": _list_url(org, year=year, state=s, **only)}
              for s in State.values if s != State.DUPLICATE]
    return {"months": months, "total": total, "by_department": by_department, "by_category": by_category,
            "by_handler": by_handler, "states": states}


def _chart(tables: dict[str, Any]) -> dict[str, Any]:
    months = tables["months"]
    return {
        "labels": [m["label"] for m in months],
        "received": [m["f"].received for m in months],
        "completed": [m["f"].completed for m in months],
        "satisfaction": [None if m["f"].satisfaction_rate is None else float(m["f"].satisfaction_rate)
                         for m in months],
        "names": {"received": _("Received"), "completed": _("Completed"),
                  "satisfaction": _("Satisfaction rate (%)"), "count": _("Opinions")},
    }


@login_required
@require_GET
def opinion_stats(request: HttpRequest, code: str) -> HttpResponse:
    _scope, org = _readable_org(request, code)
    today = _today()
    year = query_int(request, "year", today.year, 1990, 2100)
    form = StatsForm(request.GET or None, initial={"year": year}, org=org)
    as_of = None
    department = None
    if form.is_bound and form.is_valid():
        as_of = form.cleaned_data.get("as_of")
        department = form.departments.get(form.cleaned_data.get("department") or "")
    # Without a date: the end of the year, or today for the year under way (not yet overdue is not overdue).
    as_of = as_of or min(dt.date(year, 12, 31), max(today, dt.date(year, 1, 1)))
    stats = opinion_selectors.year_statistics(org, year, as_of,
                                              department_id=department.pk if department else None)
    tables = _stats_tables(org, stats, year, department)
    if request.GET.get("format") == "xlsx":
        return _stats_xlsx(org, year, as_of, tables, department)
    return render(request, "opinions/opinion_stats.html", {
        "org": org, "year": year, "as_of": as_of, "today": today, "form": form, "stats": stats, **tables,
        "chart": _chart(tables), "definitions": opinion_selectors.DEFINITIONS,
        "export_query": urlencode({"year": year, "as_of": as_of.isoformat(), "format": "xlsx",
                                   **({"department": department.pk} if department else {})}),
        "department": department,
    })


def _stats_headers() -> list[str]:
    return [_("Received"), _("Completed"), _("Completion rate"), _("On time"), _("On-time rate"),
            _("Still open"), _("Overdue"), _("Rated"), _("Average rating"), _("Satisfaction rate")]


def _stats_cells(row: dict[str, Any]) -> list[Any]:
    f = row["f"]

    def number(value: Decimal | None) -> float | None:
        return None if value is None else float(value)

    return [f.received, f.completed, number(f.completion_rate), f.on_time, number(f.on_time_rate), f.still_open,
            f.overdue, f.rated, number(f.average_rating), number(f.satisfaction_rate)]


def _stats_xlsx(org: Organization, year: int, as_of: dt.date, tables: dict[str, Any],
                department: Department | None = None) -> HttpResponse:
    wb = xlsx.new_workbook()
    widths = {1: 22, **{i: 12 for i in range(2, 12)}}
    xlsx.add_sheet(wb, _("By month"), [_("Month"), *_stats_headers()],
                   [[r["label"], *_stats_cells(r)] for r in [*tables["months"], tables["total"]]], first=True,
                   widths=widths)
    for title, key in ((_("By department"), "by_department"), (_("By category"), "by_category"),
                       (_("By organization"), "by_handler")):
        xlsx.add_sheet(wb, title, [title, *_stats_headers()], [[r["label"], *_stats_cells(r)] for r in tables[key]],
                       widths=widths)
    xlsx.add_sheet(wb, _("By state"), [_("State"), pgettext("opinion", "Count")],
                   [[s["label"], s["count"]] for s in tables["states"]], widths={1: 22, 2: 12})
    filters: list[list[Any]] = [[_("Year"), year], [_("As of"), as_of], [_("Organization"), f"{org.name} ({org.code})"]]
    if department is not None:
        filters.append([_("Department"), local_name(department)])
    xlsx.add_sheet(wb, _("Definitions"), [_("Figure"), _("Definition")],
                   [[str(term), str(text)] for term, text in opinion_selectors.DEFINITIONS] + filters,
                   widths={1: 18, 2: 90})
    return xlsx.response(wb, f"opinion-stats-{org.code}-{year}.xlsx")


# --- history carried over -------------------------------------------------------------------------------------
@login_required
@require_POST
def opinion_rate(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff enter the rating the person who asked gave elsewhere (paper, phone, an outlet), with its date."""
    scope, opinion = _handling(request, pk)
    form = RatingEntryForm(request.POST, prefix="rating")
    if form.is_valid():
        d = form.cleaned_data
        done = _run(form, lambda: opinion_services.record_rating(
            opinion, score=d["score"], on=d["on"], comment=d.get("comment", "")), {"rated_on": "on"})
        if done is not None:
            return _done(request, opinion, _("Rating %(score)d of 5 recorded as of %(day)s.") % {
                "score": d["score"], "day": d["on"]}, "history")
    return _detail(request, scope, opinion, bound={"rating_form": form}, status=400)
