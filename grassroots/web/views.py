"""Server-rendered pages. Thin: reads through a Scope or selectors, writes through services."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.access.scope import Scope, scope_for
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.members import services as member_services
from grassroots.members.models import Education, Member, MemberPeriod, Occupation
from grassroots.members.selectors import current_members
from grassroots.members.stats import AGE_BANDS, structure_stats, to_json
from grassroots.orgs.models import Organization, OrgKind
from grassroots.orgs.selectors import TreeNode, live_children, tree_as_of
from grassroots.recruitment.stats import stage_counts
from grassroots.reports.situation import basic_situation
from grassroots.ui import uploads, xlsx
from grassroots.ui.changes import as_text, describe_entries
from grassroots.ui.links import member_links, org_links

from .forms import AsOfForm, AuditFilterForm, ImportForm, MemberFilterForm
from .views_findings import summary_context

PAGE_SIZE = 50
PRINT_LIMIT = 5000  # "print all" shows every row up to this many
REVEALABLE = ("id_number", "phone")
SESSION_IMPORTS = "member_imports"


# --- helpers -------------------------------------------------------------------------------------

def _paginate(request: HttpRequest, qs: QuerySet[Any]) -> tuple[Page[Any], bool]:
    """One page of 50, or every row (up to PRINT_LIMIT) with ?all=1, for printing."""
    show_all = request.GET.get("all") == "1"
    paginator = Paginator(qs, PRINT_LIMIT if show_all else PAGE_SIZE)
    return paginator.get_page(1 if show_all else request.GET.get("page")), show_all


def _query_without(request: HttpRequest, *names: str) -> str:
    """The current query string without the named parameters (for pagination links)."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def _as_of(request: HttpRequest) -> tuple[AsOfForm, dt.date | None]:
    form = AsOfForm(request.GET or None)
    day = form.cleaned_data.get("as_of") if form.is_valid() else None
    return form, day


def _kind_label(kind: str) -> str:
    try:
        return str(OrgKind(kind).label)
    except ValueError:
        return kind


# --- start, tree ---------------------------------------------------------------------------------

@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if scope.unrestricted:
        return redirect("org-tree")
    root = scope.roots().first()
    if root is not None:
        return redirect("org-detail", code=root.code)
    if scope.own_member_ids:
        return redirect("member-detail", pk=scope.own_member_ids[0])
    return redirect("org-tree")


def _node(org_id: int, code: str, name: str, kind: str, count: int | None) -> dict[str, Any]:
    return {"org_id": org_id, "code": code, "name": name, "kind": kind, "kind_label": _kind_label(kind),
            "count": count, "own": count or 0, "children": []}


def _subtree_totals(node: dict[str, Any]) -> int:
    node["count"] = node["own"] + sum(_subtree_totals(child) for child in node["children"])
    return node["count"]


def _live_forest(scope: Scope) -> list[dict[str, Any]]:
    """The readable live organizations nested by path, each with its subtree's current member count."""
    orgs = (scope.orgs().filter(revoked_on__isnull=True)
            .annotate(n=Count("members")).order_by("path"))
    nodes: dict[str, dict[str, Any]] = {}
    forest: list[dict[str, Any]] = []
    for org in orgs:
        node = _node(org.pk, org.code, org.name, org.kind, org.n)
        nodes[org.path] = node
        parent = nodes.get(org.path[: -Organization.steplen])
        (parent["children"] if parent is not None else forest).append(node)
    for node in forest:
        _subtree_totals(node)
    return forest


def _dated_forest(scope: Scope, day: dt.date) -> list[dict[str, Any]]:
    """The tree as it stood on `day` under each of the user's roots, with member counts from the periods."""
    trees = [t for t in (tree_as_of(root, day) for root in scope.roots()) if t is not None]
    ids: list[int] = []

    def collect(t: TreeNode) -> None:
        ids.append(t.org_id)
        for child in t.children:
            collect(child)

    for t in trees:
        collect(t)
    counts = dict(MemberPeriod.objects.on(day).filter(org_id__in=ids)
                  .values_list("org_id").annotate(n=Count("id")).order_by())

    def convert(t: TreeNode) -> dict[str, Any]:
        node = _node(t.org_id, t.code, t.name, t.kind, counts.get(t.org_id, 0))
        node["children"] = [convert(child) for child in t.children]
        return node

    forest = [convert(t) for t in trees]
    for node in forest:
        _subtree_totals(node)
    return forest


@login_required
@require_GET
def org_tree(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    form, day = _as_of(request)
    forest = _dated_forest(scope, day) if day is not None else _live_forest(scope)
    return render(request, "web/org_tree.html", {"form": form, "day": day, "forest": forest})


# --- one organization ----------------------------------------------------------------------------

def _stat_sections(stats: dict[str, Any]) -> list[tuple[str, list[tuple[str, str, Any]]]]:
    """The statistics as titled sections of (key, label, {count, pct}) rows."""
    age_labels = {
        "age_35_or_under": _("Aged 35 or under"), "age_36_45": _("Aged 36 to 45"),
        "age_46_54": _("Aged 46 to 54"), "age_55_60": _("Aged 55 to 60"), "age_over_60": _("Over 60"),
        "age_30_or_under": _("Aged 30 or under"),
    }
    sections: list[tuple[str, list[tuple[str, str]]]] = [
        (_("Status"), [("total", _("Members in total")), ("probationary", _("Probationary members")),
                       ("full", _("Full members")), ("mobile", _("Mobile members")),
                       ("suspended", _("Suspended (lost contact)"))]),
        (_("Sex"), [("male", _("Men")), ("female", _("Women"))]),
        (_("Ethnicity"), [("han", _("Han")), ("minority", _("Ethnic minorities"))]),
        (_("Age"), [(key, age_labels[key]) for key, _y, _o in AGE_BANDS]),
        (_("Education"), [(f"education_{v}", str(label)) for v, label in Education.choices]
         + [("college_or_above", _("College education or above"))]),
        (_("Occupation"), [(f"occupation_{v}", str(label)) for v, label in Occupation.choices]),
    ]
    return [(title, [(key, label, stats[key]) for key, label in rows if key in stats]) for title, rows in sections]


def _chart_data(sections: list[tuple[str, list[tuple[str, str, Any]]]]) -> dict[str, Any]:
    """What orgchart.js draws: one bar chart per group (disjoint categories only)."""
    wanted = {_("Sex"): None, _("Age"): {"age_30_or_under"}, _("Education"): {"college_or_above"},
              _("Occupation"): None}
    groups = []
    for title, rows in sections:
        if title not in wanted:
            continue
        skip = wanted[title] or set()
        kept = [(label, figure) for key, label, figure in rows if key not in skip]
        groups.append({"title": title, "labels": [label for label, _f in kept],
                       "values": [figure["count"] for _l, figure in kept],
                       "pcts": [float(figure["pct"]) for _l, figure in kept]})
    return {"groups": groups}


def _members_filtered(request: HttpRequest, org: Organization) -> tuple[MemberFilterForm, QuerySet[Member]]:
    """The organization's current members as the members table shows them (filtered by name)."""
    filter_form = MemberFilterForm(request.GET or None)
    qs = current_members(org).select_related("org")
    name = filter_form.cleaned_data.get("q") if filter_form.is_valid() else ""
    if name:
        qs = qs.filter(name__icontains=name.strip())
    return filter_form, qs


def _members_context(request: HttpRequest, org: Organization) -> dict[str, Any]:
    filter_form, qs = _members_filtered(request, org)
    page, show_all = _paginate(request, qs)
    return {"filter_form": filter_form, "page": page, "show_all": show_all,
            "page_query": _query_without(request, "page", "all"),
            "members_export_query": xlsx.export_query(request)}


def _members_xlsx(request: HttpRequest, org: Organization) -> HttpResponse:
    """The members table of the organization page: the same columns, ID numbers masked as on the page."""
    form, qs = _members_filtered(request, org)
    members = list(qs[:PRINT_LIMIT])
    headers = [_("Name"), _("Sex"), _("ID number"), _("Status"), _("Standing"), _("Organization"), _("Joined on")]
    rows = [[m.name, m.get_sex_display(), m.id_number_masked, m.get_status_display(),
             m.get_standing_display() if m.standing != "active" else "", m.org.name if m.org else "", m.joined_on]
            for m in members]
    return xlsx.export(_("Members"), headers, rows, name=xlsx.filename("members", org.code), org=org,
                       filters=xlsx.form_filters(form), total=qs.count(), limit=PRINT_LIMIT)


def _findings_context(scope: Scope, org: Organization, on: dt.date) -> dict[str, Any]:
    """The org's to-dos on `on` summarised by state, kind and branch (the full list has its own page)."""
    return summary_context(scope, org, on)


@login_required
@require_GET
def org_detail(request: HttpRequest, code: str) -> HttpResponse:
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs().select_related("territory"), code=code)
    if xlsx.wanted(request):
        return _members_xlsx(request, org)
    members = _members_context(request, org)
    htmx = getattr(request, "htmx", None)  # set by django_htmx's middleware
    if htmx and htmx.target == "members":
        return render(request, "web/_members_table.html", {"org": org, **members})
    form, day = _as_of(request)
    on = day or timezone.localdate()
    if day is not None:
        tree = tree_as_of(org, day)
        children = [{"code": c.code, "name": c.name, "kind_label": _kind_label(c.kind)}
                    for c in (tree.children if tree else [])]
    else:
        children = [{"code": c.code, "name": c.name, "kind_label": c.get_kind_display()}
                    for c in live_children(org).order_by("path")]
    stats = structure_stats(org, on)
    stages = stage_counts(org, on)
    sections = _stat_sections(stats)
    context = {
        "org": org, "form": form, "day": day, "on": on, "children": children,
        "stats": stats, "stats_json": to_json(stats), "sections": sections,
        "chart": _chart_data(sections),
        "situation": basic_situation(org, on, translation.get_language() or settings.LANGUAGE_CODE, stats=stats,
                                     stages=stages),
        "stages": stages,
        "org_counts": [(_kind_label(kind), n) for kind, n in stats["organizations"].items() if n],
        "changes": org.changes.all(),
        "can_write": scope.can_write_org(org),
        "module_links": org_links(org, can_write=scope.can_write_org(org), day=day),
        **members,
        **_findings_context(scope, org, on),
    }
    return render(request, "web/org_detail.html", context)


# --- one member ----------------------------------------------------------------------------------

def _member_for(request: HttpRequest, pk: int) -> tuple[Scope, Member]:
    scope = scope_for(request.user)
    member = get_object_or_404(scope.members().select_related("org", "party_group"), pk=pk)
    return scope, member


def _member_page(request: HttpRequest, scope: Scope, member: Member,
                 revealed: dict[str, str] | None = None) -> HttpResponse:
    context = {
        "member": member,
        "can_reveal": scope.can_reveal(member),
        "can_write": scope.can_write_member(member),
        "module_links": member_links(member, can_write=scope.can_write_member(member)),
        "can_read_org": member.org is not None and scope.can_read_org(member.org),
        "revealed": revealed or {},
        "events": member.events.select_related("org").order_by("date", "id"),
        "periods": member.periods.select_related("org").order_by("start"),
        "audit": scope.audit_entries().filter(object_type="members.member", object_id=str(member.pk))[:200],
    }
    return render(request, "web/member_detail.html", context)


@login_required
@require_GET
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope, member = _member_for(request, pk)
    return _member_page(request, scope, member)


@login_required
@require_POST
def member_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    if field not in REVEALABLE:
        raise Http404
    scope, member = _member_for(request, pk)
    try:
        value = member_services.member_reveal(member, field=field)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except RuleError as exc:
        return HttpResponseBadRequest(exc.message)
    if getattr(request, "htmx", None):
        return render(request, "web/_revealed.html", {"member": member, "field": field, "value": value})
    return _member_page(request, scope, member, revealed={field: value})


# --- import --------------------------------------------------------------------------------------

def _importer() -> Any:
    from grassroots.members import importer

    return importer


def _writable_orgs(scope: Scope) -> QuerySet[Organization]:
    return scope.orgs(write=True).filter(revoked_on__isnull=True).order_by("path")


def _org_choices(scope: Scope) -> list[tuple[str, str]]:
    return [(o.code, f"{o.name} ({o.code})") for o in _writable_orgs(scope)]


def _changes_text(changes: Any) -> str:
    if not changes:
        return ""
    if isinstance(changes, dict):
        parts = []
        for key, value in changes.items():
            if isinstance(value, list | tuple) and len(value) == 2:
                parts.append(f"{key}: {value[0]} → {value[1]}")
            elif isinstance(value, dict) and {"before", "after"} <= set(value):
                parts.append(f"{key}: {value['before']} → {value['after']}")
            else:
                parts.append(f"{key}: {value}")
        return "; ".join(parts)
    if isinstance(changes, list | tuple):
        return ", ".join(str(c) for c in changes)
    return str(changes)


def _plan(saved: Path, filename: str, default_org_code: str) -> Any:
    with saved.open("rb") as fileobj:
        return _importer().plan_import(fileobj, filename, default_org_code=default_org_code or None)


def _preview(request: HttpRequest, form: ImportForm, plan: Any, token: str) -> HttpResponse:
    action_labels = {"create": _("Create"), "update": _("Update"), "unchanged": _("Unchanged")}
    rows = [{"row": r.row, "action": r.action, "action_label": action_labels.get(r.action, r.action),
             "name": r.name, "id_number_masked": r.id_number_masked, "org_code": r.org_code,
             "changes": _changes_text(r.changes)} for r in plan.rows]
    counts = [(action_labels.get(k, k), v) for k, v in dict(plan.counts).items()]
    return render(request, "web/member_import.html", {
        "form": form, "plan": plan, "rows": rows, "counts": counts, "token": token,
        "filename": request.session[SESSION_IMPORTS][token]["filename"],
    })


@login_required
@require_http_methods(["GET", "POST"])
def member_import(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    writable = _writable_orgs(scope)
    if not writable.exists():
        raise PermissionDenied(_("You may not import members."))
    choices = _org_choices(scope)
    if request.method == "POST" and request.POST.get("step") == "confirm":
        return _import_confirm(request)
    form = ImportForm(request.POST or None, request.FILES or None, org_choices=choices)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        default_org_code = form.cleaned_data.get("default_org") or ""
        token, saved = uploads.keep(request, upload, session_key=SESSION_IMPORTS, default_org_code=default_org_code)
        try:
            plan = _plan(saved, upload.name, default_org_code)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except RuleError as exc:
            form.add_error(None, exc.message)
        else:
            return _preview(request, form, plan, token)
    return render(request, "web/member_import.html", {"form": form})


def _import_confirm(request: HttpRequest) -> HttpResponse:
    """Apply an upload kept from the dry run: planned again from the stored file, never from the client."""
    token = request.POST.get("token", "")
    kept = uploads.pending(request, token, session_key=SESSION_IMPORTS)
    if kept is None:
        messages.error(request, _("That upload is no longer available; please upload the file again."))
        return redirect("member-import")
    info, saved = kept
    try:
        plan = _plan(saved, info["filename"], info["default_org_code"])
        if plan.ok:
            plan = _importer().apply_import(plan)  # re-checks and writes all rows, or none
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except RuleError as exc:
        messages.error(request, exc.message)
        return redirect("member-import")
    if not plan.ok or not plan.applied:
        messages.error(request, _("The file has errors; nothing was imported."))
        form = ImportForm(initial={"default_org": info["default_org_code"]},
                          org_choices=_org_choices(scope_for(request.user)))
        return _preview(request, form, plan, token)
    uploads.discard(request, token, session_key=SESSION_IMPORTS)
    counts = dict(plan.counts)
    messages.success(request, _("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.") % {
        "created": counts.get("create", 0), "updated": counts.get("update", 0),
        "unchanged": counts.get("unchanged", 0)})
    return redirect("member-import")


@login_required
@require_GET
def member_import_template(request: HttpRequest) -> HttpResponse:
    if not _writable_orgs(scope_for(request.user)).exists():
        raise PermissionDenied(_("You may not import members."))
    from grassroots.members.exporter import template_xlsx

    data = template_xlsx()
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="members-template.xlsx"'
    return response


# --- audit log -----------------------------------------------------------------------------------

@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    form = AuditFilterForm(request.GET or None)
    qs = scope.audit_entries().order_by("-id")
    if form.is_valid():
        action = form.cleaned_data.get("action", "").strip()
        obj = form.cleaned_data.get("object", "").strip()
        if action:
            qs = qs.filter(action__icontains=action)
        if obj:
            qs = qs.filter(Q(object_repr__icontains=obj) | Q(object_id=obj) | Q(object_type__icontains=obj))
    if xlsx.wanted(request):
        return _audit_xlsx(scope, form, qs)
    page, show_all = _paginate(request, qs)
    return render(request, "web/audit_log.html", {
        "form": form, "page": page, "show_all": show_all, "page_query": _query_without(request, "page", "all"),
        "export_query": xlsx.export_query(request),
    })


def _audit_xlsx(scope: Scope, form: AuditFilterForm, qs: QuerySet[Any]) -> HttpResponse:
    """The audit log as the page shows it, before and after in words (the log holds masked ID numbers and
    phones only)."""
    headers = [_("When"), _("Who"), _("Channel"), _("Action"), _("Object"), _("Object type"), _("Object ID"),
               _("Before"), _("After")]
    rows = []
    for row in describe_entries(qs[:PRINT_LIMIT], scope):
        e = row["entry"]
        rows.append([e.at, e.actor_name, e.channel, e.action, e.object_repr, e.object_type, e.object_id,
                     as_text(row["before"]), as_text(row["after"] + row["extra"])])
    return xlsx.export(_("Audit log"), headers, rows, name=xlsx.filename("audit-log"),
                       filters=xlsx.form_filters(form), total=qs.count(), limit=PRINT_LIMIT)
