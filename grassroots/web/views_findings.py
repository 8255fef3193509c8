"""The to-do list of an organization: its summary on the organization page, the full list on its own page.

Today's to-dos are read from the kept findings (`grassroots.rules.stored`, computed by the worker after writes
and every night), in counts by state, by kind (the rule) and by responsible organization, in a bounded number of
queries whatever the size of the subtree; each page says when they were computed and whether a computation is
waiting. Another day's are computed on the request only for a small subtree (a branch and its groups); for a
larger one the page says so and names the command that computes them (`grassroots check --org CODE --as-of DAY`).
The summary never prints every finding; the full list (`org-findings`) is paginated and filters by kind and state.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from grassroots.access.scope import Scope, scope_for
from grassroots.orgs.models import Organization, OrgKind
from grassroots.rules import stored
from grassroots.rules.findings import DONE, STATE_LABELS, STATES, Finding, counts_by_org, findings_for
from grassroots.ui.lists import paginate, query_without
from grassroots.ui.words import rule_title

from .forms import AsOfForm

BY_ORG_PAGE = 50  # organizations per page of the summary's table by organization


def _open_states() -> list[tuple[str, Any]]:
    return [(state, STATE_LABELS[state]) for state in STATES if state != DONE]


def _kind_rows(by_kind: dict[str, Counter[str]], cites: dict[str, str]) -> list[dict[str, Any]]:
    """Per kind of finding (the rule id), its title and how many in each open state; most urgent kind first."""
    states = _open_states()
    order = {s: i for i, s in enumerate(STATES)}

    def urgency(kind: str) -> tuple[int, str]:
        return (min((order[s] for s, n in by_kind[kind].items() if n), default=len(STATES)), kind)

    rows = []
    for kind in sorted(by_kind, key=urgency):
        c = by_kind[kind]
        rows.append({"rule": kind, "cite": cites[kind], "title": rule_title(cites[kind]),
                     "counts": [c[state] for state, _label in states], "total": sum(c.values()),
                     "single": len(+c) == 1})  # the total repeats the one count: left out on a phone
    return rows


def by_rule(found: Iterable[Finding]) -> list[dict[str, Any]]:
    """The kinds of computed findings (already most urgent first), as `_kind_rows` gives the kept ones."""
    by_kind: dict[str, Counter[str]] = {}
    cites: dict[str, str] = {}
    for f in found:
        by_kind.setdefault(f.rule_id, Counter())[f.state] += 1
        cites.setdefault(f.rule_id, f.rule)
    states = _open_states()
    return [{"rule": kind, "cite": cites[kind], "title": rule_title(cites[kind]),
             "counts": [c[state] for state, _label in states], "total": sum(c.values()), "single": len(+c) == 1}
            for kind, c in by_kind.items()]


def _org_row(code: str, name: str, c: Counter[str]) -> dict[str, Any]:
    return {"code": code, "name": name, "total": sum(c.values()),
            "counts": [c[state] for state, _label in _open_states()], "single": len(+c) == 1}


def _org_rows(scope: Scope, org: Organization, by_org: dict[int, Counter[str]], page_number: Any
              ) -> tuple[list[dict[str, Any]], Any]:
    """One page of the table by responsible organization (above a branch), in the tree's order, from the counts of
    findings computed live (1 query)."""
    if org.kind in (OrgKind.BRANCH, OrgKind.PARTY_GROUP) or not by_org:
        return [], None
    ordered = scope.orgs().filter(pk__in=list(by_org)).order_by("path").values_list("pk", "code", "name")
    page = Paginator(ordered, BY_ORG_PAGE).get_page(page_number)
    rows = [_org_row(code, name, by_org[pk]) for pk, code, name in page.object_list]
    return rows, page if page.paginator.num_pages > 1 else None


def _kept_org_rows(scope: Scope, org: Organization, page_number: Any) -> tuple[list[dict[str, Any]], Any]:
    """One page of the table by responsible organization (above a branch) from the kept totals (3 queries)."""
    if org.kind in (OrgKind.BRANCH, OrgKind.PARTY_GROUP):
        return [], None
    page = stored.org_counts_page(scope, org, page_number, BY_ORG_PAGE)
    rows = [_org_row(o.code, o.name, o.counts) for o in page.object_list]
    return rows, page if page.paginator.num_pages > 1 else None


def summary_context(scope: Scope, org: Organization, on: dt.date, page_number: Any = None) -> dict[str, Any]:
    """The org's to-dos on `on` in counts: by state, by kind and, above a branch, by organization.

    Today: the kept findings' totals (a bounded number of queries of a few rows, whatever the subtree's size).
    Another day: computed now for a small subtree; for a larger one, nothing but the reason and the command that
    computes them."""
    states = _open_states()
    base: dict[str, Any] = {"finding_states": states, "findings_total": 0, "findings_state_totals": [],
                            "findings_by_branch": [], "findings_by_rule": [], "findings_orgs_page": None,
                            "findings_live": False, "findings_too_big": False, "findings_fresh": None}
    if on == timezone.localdate():
        fresh = stored.freshness_or_queue(org)
        figures = stored.counts(scope, org, by_org=False)
        in_state = figures["in_state"]
        kinds = _kind_rows(figures["by_kind"], figures["cites"])
        base["findings_fresh"] = fresh
        org_rows, orgs_page = _kept_org_rows(scope, org, page_number) if in_state else ([], None)
    elif stored.live_allowed(org):
        found = findings_for(org, on)
        in_state = Counter(f.state for f in found)
        kinds = by_rule(found)
        base["findings_live"] = True
        org_rows, orgs_page = _org_rows(scope, org, counts_by_org(found), page_number)
    else:
        base["findings_too_big"] = True
        return base
    return {**base, "findings_total": sum(in_state.values()),
            "findings_state_totals": [(state, label, in_state[state]) for state, label in states],
            "findings_by_branch": org_rows, "findings_orgs_page": orgs_page, "findings_by_rule": kinds}


@login_required
@require_GET
def org_findings(request: HttpRequest, code: str) -> HttpResponse:
    """Every to-do of the organization's subtree on a day, most urgent first, by kind and state if asked."""
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs(), code=code)
    form = AsOfForm(request.GET or None)
    day = form.cleaned_data.get("as_of") if form.is_valid() else None
    on = day or timezone.localdate()
    rule = request.GET.get("rule", "")
    state = request.GET.get("state", "")
    labels = dict(STATE_LABELS)
    context: dict[str, Any] = {"findings_fresh": None, "findings_too_big": False, "findings_live": False}
    if on == timezone.localdate():
        context["findings_fresh"] = stored.freshness_or_queue(org)
        qs = stored.rows_for(scope, org)
        figures = stored.counts(scope, org, by_org=False)
        kinds = _kind_rows(figures["by_kind"], figures["cites"])
        if rule:
            qs = qs.filter(kind=rule)
        if state:
            qs = qs.filter(state=state)
        page, show_all = paginate(request, qs)
        rows = [{"f": f, "message": f.message, "label": f.label, "title": rule_title(f.rule),
                 "state_label": labels.get(f.state, f.state)} for f in page.object_list]
    elif stored.live_allowed(org):
        context["findings_live"] = True
        found = findings_for(org, on)
        kinds = by_rule(found)
        if rule:
            found = [f for f in found if f.rule_id == rule]
        if state:
            found = [f for f in found if f.state == state]
        page, show_all = paginate(request, found)
        rows = [{"f": f, "message": f.message, "label": f.subject_label, "title": rule_title(f.rule),
                 "state_label": labels[f.state]} for f in page.object_list]
    else:
        context["findings_too_big"] = True
        kinds, rows, page, show_all = [], [], None, False
    return render(request, "web/findings_list.html", {
        **context, "org": org, "form": form, "day": day, "on": on, "page": page, "show_all": show_all, "rows": rows,
        "page_query": query_without(request, "page", "all"), "kinds": kinds, "rule": rule, "state": state,
        "rule_title": rule_title(rule) if rule else "", "finding_states": _open_states(),
    })
