"""Server-rendered pages. Thin: reads through a Scope or selectors, writes through services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from grassroots.access.scope import Scope, scope_for
from grassroots.members.models import Education, Member, MemberPeriod, Occupation
from grassroots.members.selectors import SubtreeMembers, current_members
from grassroots.members.stats import age_bands, to_json
from grassroots.orgs.models import Organization, OrgKind
from grassroots.orgs.selectors import TreeNode, live_children, tree_as_of
from grassroots.reports.situation import situation_figures
from grassroots.rules import stored
from grassroots.ui import xlsx
from grassroots.ui.changes import as_text, describe_entries
from grassroots.ui.kept import kept
from grassroots.ui.links import org_links
from grassroots.ui.lists import PRINT_LIMIT, Column, ListSpec, paginate, query_without

from .forms import AsOfForm, AuditFilterForm, MemberFilterForm
from .views_findings import summary_context

# --- helpers -------------------------------------------------------------------------------------

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
        return redirect("org-tree" if Organization.objects.exists() else "org-setup")  # an empty site: set it up
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
    return render(request, "web/org_tree.html", {
        "form": form, "day": day, "forest": forest,
        "can_setup": not forest and scope.is_admin and not Organization.objects.exists()})


# --- one organization ----------------------------------------------------------------------------

def _stat_sections(stats: dict[str, Any]) -> list[tuple[str, list[tuple[str, str, Any]]]]:
    """The statistics as titled sections of (key, label, {count, pct}) rows."""
    language = get_language() or "zh-hans"
    sections: list[tuple[str, list[tuple[str, str]]]] = [
        (_("Status"), [("total", _("Members in total")), ("probationary", _("Probationary members")),
                       ("full", _("Full members")), ("mobile", _("Mobile members")),
                       ("suspended", _("Suspended (lost contact)"))]),
        (_("Sex"), [("male", _("Men")), ("female", _("Women"))]),
        (_("Ethnicity"), [("han", _("Han")), ("minority", _("Ethnic minorities"))]),
        (_("Age"), [(band.key, band.label(language)) for band in age_bands(dt.date.fromisoformat(stats["as_of"]))]),
        (_("Education"), [(f"education_{v}", str(label)) for v, label in Education.choices]
         + [("college_or_above", _("College education or above"))]),
        (_("Occupation"), [(f"occupation_{v}", str(label)) for v, label in Occupation.choices]),
    ]
    return [(title, [(key, label, stats[key]) for key, label in rows if key in stats]) for title, rows in sections]


def _chart_data(sections: list[tuple[str, list[tuple[str, str, Any]]]]) -> dict[str, Any]:
    """What orgchart.js draws: one bar chart per group (disjoint categories only)."""
    overlapping = {band.key for band in age_bands() if not band.in_breakdown}
    wanted = {_("Sex"): None, _("Age"): overlapping, _("Education"): {"college_or_above"},
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


def _status(m: Member) -> str:
    status = str(m.get_status_display())
    return status if m.standing == "active" else f"{status} · {m.get_standing_display()}"


MEMBERS = ListSpec(
    title=gettext_lazy("Current members"), export_name="members", table_id="members", export_link=True,
    empty=gettext_lazy("No members found."),
    columns=(
        Column("name", gettext_lazy("Name"), lambda m: m.name, link=lambda m: reverse("member-detail", args=[m.pk])),
        Column("sex", gettext_lazy("Sex"), lambda m: m.get_sex_display()),
        Column("id_number", gettext_lazy("ID number"), lambda m: m.id_number_masked),  # masked, on the sheet too
        Column("status", gettext_lazy("Status"), _status, in_sheet=False),
        Column("status_only", gettext_lazy("Status"), lambda m: m.get_status_display(), on_page=False),
        Column("standing", gettext_lazy("Standing"), lambda m: m.get_standing_display() if m.standing != "active"
               else "", on_page=False),
        Column("org", gettext_lazy("Organization"), lambda m: m.org.name if m.org else ""),
        Column("joined_on", gettext_lazy("Joined on"), lambda m: m.joined_on, css="num"),
    ),
)


def lazy_members_above() -> int:
    """Above how many members (today, from the rollups) the organization page fetches its members table only when
    its section is opened or the page printed."""
    return int(getattr(settings, "GRASSROOTS_LAZY_MEMBERS_ABOVE", 2000))


def _findings_context(scope: Scope, org: Organization, on: dt.date, page: Any = None) -> dict[str, Any]:
    """The org's to-dos on `on` summarised by state, kind and branch (the full list has its own page)."""
    return summary_context(scope, org, on, page)


@login_required
@require_GET
def org_detail(request: HttpRequest, code: str) -> HttpResponse:
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs().select_related("territory"), code=code)
    filter_form, qs = _members_filtered(request, org)
    if xlsx.wanted(request):
        return MEMBERS.sheet(list(qs[:PRINT_LIMIT]), total=qs.count(), org=org, form=filter_form)
    if MEMBERS.wants_partial(request):  # a name typed, a page turned, the section opened: only the table
        return HttpResponse(kept(request, "org-members", lambda: render_to_string(
            "ui/_list_table.html", MEMBERS.context(request, SubtreeMembers(org, qs), org=org), request=request)))
    form, day = _as_of(request)
    on = day or timezone.localdate()
    body = kept(request, "org-detail", lambda: _org_body(request, scope, org, filter_form, qs, form, day, on),
                marks=stored.freshness_mark if on == timezone.localdate() else ())
    return render(request, "web/org_detail.html", {"org": org, "body": mark_safe(body)})  # noqa: S308 (rendered above)


def _org_body(request: HttpRequest, scope: Scope, org: Organization, filter_form: MemberFilterForm,
              qs: QuerySet[Member], form: AsOfForm, day: dt.date | None, on: dt.date) -> str:
    """The organization page's content (all but the frame): its children, situation, statistics, to-dos,
    members and changes on `on`."""
    if day is not None:
        tree = tree_as_of(org, day)
        children = [{"code": c.code, "name": c.name, "kind_label": _kind_label(c.kind)}
                    for c in (tree.children if tree else [])]
    else:
        children = [{"code": c.code, "name": c.name, "kind_label": c.get_kind_display()}
                    for c in live_children(org).order_by("path")]
    figures = situation_figures(org, on)
    stats = figures.stats
    sections = _stat_sections(stats)
    asked = bool(filter_form.is_valid() and filter_form.cleaned_data.get("q")) or any(
        request.GET.get(k) for k in ("page", "all"))
    # The members section is closed unless a filter, a page or "all" is asked for: a large subtree's table (its
    # count alone is a scan of its members) is fetched when the section is opened (or the page printed) instead.
    lazy = not asked and stats["total"]["count"] > lazy_members_above()
    members = None if lazy else MEMBERS.context(request, SubtreeMembers(org, qs), org=org)
    can_write = scope.can_write_org(org)
    context = {
        "org": org, "form": form, "day": day, "on": on, "children": children,
        "stats": stats, "stats_json": to_json(stats), "sections": sections,
        "chart": _chart_data(sections),
        "situation": figures.paragraph(translation.get_language() or settings.LANGUAGE_CODE),
        "stages": figures.stages,
        "org_counts": [(_kind_label(kind), n) for kind, n in stats["organizations"].items() if n],
        "changes": org.changes.all(),
        "can_write": can_write,
        "module_links": org_links(org, can_write=can_write, day=day),
        "filter_form": filter_form, "members": members, "members_open": asked,
        **_findings_context(scope, org, on, request.GET.get("fpage")),
    }
    return render_to_string("web/_org_detail_body.html", context, request=request)


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
    page, show_all = paginate(request, qs)
    return render(request, "web/audit_log.html", {
        "form": form, "page": page, "show_all": show_all, "page_query": query_without(request, "page", "all"),
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
