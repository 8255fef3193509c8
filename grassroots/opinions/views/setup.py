"""The station's set-up pages: its departments, categories (with their deadlines in working days) and outlets
(with their posters), listed for whoever may read the organization and written by whoever may write it.

Thin: the organization comes from the user's scope (outside it: 404; readable but not writable: 403 on the
write pages), every write goes through the set-up services of `grassroots.opinions.services` (which check the
permission again, validate, audit, and refuse an edit made from a page older than the record's last change: the
page carries the record's `version`). A RuleError goes back onto the field it names; a refusal reaches the
middleware (403). Records are never deleted once something names them: they are deactivated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Model, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.access.scope import Scope, scope_for
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.opinions import services
from grassroots.opinions.forms import CategoryForm, DepartmentForm, OutletForm, local_name
from grassroots.opinions.models import Category, Department, Outlet
from grassroots.orgs.models import Organization
from grassroots.ui.forms import rule_error_on_form


@dataclass(frozen=True)
class Kind:
    """One kind of set-up record: its model, form, services, words and page names."""

    key: str  # "department": the URL names are opinion-<key>-new/-edit/-active/-delete
    model: type[Model]
    form: type[forms.Form]
    create: Callable[..., Any]
    update: Callable[..., Any]
    set_active: Callable[..., Any]
    delete: Callable[..., Any]
    new_heading: Any
    edit_heading: Any


KINDS = {
    "department": Kind("department", Department, DepartmentForm, services.department_create,
                       services.department_update, services.department_set_active, services.department_delete,
                       gettext_lazy("New department"), gettext_lazy("Department")),
    "category": Kind("category", Category, CategoryForm, services.category_create, services.category_update,
                     services.category_set_active, services.category_delete,
                     gettext_lazy("New category"), pgettext_lazy("opinion", "Category")),
    "outlet": Kind("outlet", Outlet, OutletForm, services.outlet_create, services.outlet_update,
                   services.outlet_set_active, services.outlet_delete, gettext_lazy("New outlet"),
                   gettext_lazy("Outlet")),
}


def _org(request: HttpRequest, code: str, *, write: bool) -> tuple[Scope, Organization]:
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs().select_related("territory"), code=code)
    if write and not scope.can_write_org(org):
        raise PermissionDenied(_("You may not set up the station of %(org)s.") % {"org": org.name})
    return scope, org


def _record(request: HttpRequest, kind: Kind, pk: int) -> Any:
    """The record, if the user may read its station (else 404); 403 unless they may write it."""
    scope = scope_for(request.user)
    qs = scope.by_org(kind.model.objects.select_related("org", "org__territory"))  # type: ignore[attr-defined]
    obj = get_object_or_404(qs, pk=pk)
    if not scope.can_write_org(obj.org):
        raise PermissionDenied(_("You may not set up the station of %(org)s.") % {"org": obj.org.name})
    return obj


def _version(request: HttpRequest) -> int:
    """The version of the record the page was opened on (-1, refused as stale, when it is missing or garbled)."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def _setup_url(org: Organization, anchor: str = "") -> str:
    return reverse("opinion-setup", args=[org.code]) + (f"#{anchor}" if anchor else "")


# --- the overview -----------------------------------------------------------------------------------

@login_required
@require_GET
def station_setup(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _org(request, code, write=False)
    departments = list(Department.objects.filter(org=org).annotate(
        routed=Count("categories", filter=Q(categories__active=True))).order_by("-active", "name"))
    categories = list(Category.objects.filter(org=org).select_related("department").order_by("-active", "code"))
    outlets = list(Outlet.objects.filter(org=org).select_related("territory").order_by("-active", "code"))
    for c in categories:
        c.label = local_name(c)  # type: ignore[attr-defined]
        c.department_label = local_name(c.department)  # type: ignore[attr-defined]
    for d in departments:
        d.label = local_name(d)  # type: ignore[attr-defined]
    return render(request, "opinions/station_setup.html", {
        "org": org, "departments": departments, "categories": categories, "outlets": outlets,
        "can_write": scope.can_write_org(org), "is_station": any(c.active for c in categories),
        "max_days": services.max_deadline_workdays(),
    })


# --- create and edit ---------------------------------------------------------------------------------

def _form(kind: Kind, org: Organization, data: Any = None, obj: Any = None, initial: Any = None) -> forms.Form:
    extra: dict[str, Any] = {}
    if kind.key == "category":
        extra["current"] = obj.department if obj is not None else None
    elif kind.key == "outlet":
        extra["current"] = obj.territory if obj is not None else None
    form_class: Any = kind.form
    form: forms.Form = form_class(data, station=org, initial=initial, **extra)
    return form


def _values(kind: Kind, form: forms.Form) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    if kind.key == "category":
        data["department"] = form.chosen_department()  # type: ignore[attr-defined]
        data["deadline_workdays"] = data["deadline_workdays"].strip() or None
    return data


def _initial(kind: Kind, obj: Any) -> dict[str, Any]:
    names = [n for n in kind.form.base_fields]
    initial = {n: getattr(obj, n) for n in names if n not in ("department", "territory")}
    if kind.key == "category":
        initial["department"] = str(obj.department_id or "")
    if kind.key == "outlet":
        initial["territory"] = obj.territory_id
    return initial


def _write(form: forms.Form, call: Callable[[], Any]) -> Any:
    try:
        return call()
    except PermissionDeniedError:
        raise  # the middleware's 403
    except RuleError as exc:
        rule_error_on_form(form, exc, {"version": ""})
        return None


def _page(request: HttpRequest, kind: Kind, org: Organization, form: forms.Form, *, obj: Any = None,
          status: int = 200, version: int | None = None, state_error: str = "") -> HttpResponse:
    return render(request, "opinions/setup_form.html", {
        "kind": kind.key, "org": org, "form": form, "obj": obj,
        "heading": kind.new_heading if obj is None else f"{kind.edit_heading} · {obj.name}",
        "action": (reverse(f"opinion-{kind.key}-new", args=[org.code]) if obj is None
                   else reverse(f"opinion-{kind.key}-edit", args=[obj.pk])),
        "back": _setup_url(org, f"{kind.key}-list"),
        "version": obj.version if version is None and obj is not None else version,
        "in_use": _in_use(kind, obj) if obj is not None else False, "state_error": state_error,
        "max_days": services.max_deadline_workdays(),
        "is_station": Category.objects.filter(org=org, active=True).exists(),
    }, status=status)


def _in_use(kind: Kind, obj: Any) -> bool:
    if kind.key == "department":
        return bool(obj.categories.exists() or obj.opinions.exists())
    return bool(obj.opinions.exists())


def _new(request: HttpRequest, code: str, key: str) -> HttpResponse:
    kind = KINDS[key]
    _scope, org = _org(request, code, write=True)
    if request.method == "POST":
        form = _form(kind, org, request.POST)
        if form.is_valid():
            done = _write(form, lambda: kind.create(org, **_values(kind, form)))
            if done is not None:
                messages.success(request, _("%(name)s was added to the station.") % {"name": done.name})
                return redirect(_setup_url(org, f"{kind.key}-{done.pk}"))
        return _page(request, kind, org, form, status=400)
    initial = {"deadline_workdays": services.default_deadline_workdays()} if key == "category" else None
    return _page(request, kind, org, _form(kind, org, initial=initial))


def _edit(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    kind = KINDS[key]
    obj = _record(request, kind, pk)
    if request.method == "POST":
        version = _version(request)
        form = _form(kind, obj.org, request.POST, obj=obj)
        if form.is_valid():
            done = _write(form, lambda: kind.update(obj, version=version, **_values(kind, form)))
            if done is not None:
                messages.success(request, _("%(name)s was saved.") % {"name": done.name})
                return redirect(_setup_url(obj.org, f"{kind.key}-{done.pk}"))
        return _page(request, kind, obj.org, form, obj=obj, status=400, version=version)
    return _page(request, kind, obj.org, _form(kind, obj.org, obj=obj, initial=_initial(kind, obj)), obj=obj)


def _set_active(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    kind = KINDS[key]
    obj = _record(request, kind, pk)
    active = request.POST.get("active") == "1"
    try:
        done = kind.set_active(obj, active=active, version=_version(request))
    except PermissionDeniedError:
        raise
    except RuleError as exc:
        form = _form(kind, obj.org, obj=obj, initial=_initial(kind, obj))
        return _page(request, kind, obj.org, form, obj=obj, status=400, state_error=exc.message)
    messages.success(request, (_("%(name)s is active again.") if active else _("%(name)s was deactivated: it "
                               "stays on the opinions that name it.")) % {"name": done.name})
    return redirect(_setup_url(obj.org, f"{kind.key}-{done.pk}"))


def _delete(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    kind = KINDS[key]
    obj = _record(request, kind, pk)
    org, name = obj.org, obj.name
    try:
        kind.delete(obj, version=_version(request))
    except PermissionDeniedError:
        raise
    except RuleError as exc:
        form = _form(kind, obj.org, obj=obj, initial=_initial(kind, obj))
        return _page(request, kind, obj.org, form, obj=obj, status=400, state_error=exc.message)
    messages.success(request, _("%(name)s was deleted.") % {"name": name})
    return redirect(_setup_url(org, f"{kind.key}-list"))


def _views(key: str) -> tuple[Any, Any, Any, Any]:
    @login_required
    @require_http_methods(["GET", "POST"])
    def new(request: HttpRequest, code: str) -> HttpResponse:
        return _new(request, code, key)

    @login_required
    @require_http_methods(["GET", "POST"])
    def edit(request: HttpRequest, pk: int) -> HttpResponse:
        return _edit(request, pk, key)

    @login_required
    @require_POST
    def set_active(request: HttpRequest, pk: int) -> HttpResponse:
        return _set_active(request, pk, key)

    @login_required
    @require_POST
    def delete(request: HttpRequest, pk: int) -> HttpResponse:
        return _delete(request, pk, key)

    for view, what in ((new, "new"), (edit, "edit"), (set_active, "active"), (delete, "delete")):
        view.__name__ = view.__qualname__ = f"{key}_{what}"
    return new, edit, set_active, delete


department_new, department_edit, department_active, department_delete = _views("department")
category_new, category_edit, category_active, category_delete = _views("category")
outlet_new, outlet_edit, outlet_active, outlet_delete = _views("outlet")
