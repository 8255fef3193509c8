"""The to-do list of an organization: its summary on the organization page, the full list on its own page.

The summary counts the findings of the subtree by organization and by kind (the rule) and by state, each
with a link (the branch's page, the list of that kind); it never prints every finding, so the page stays
short on a phone whatever the number of branches. The full list (`org-findings`) is paginated and filters
by kind and state. The API and `grassroots check` give every finding as before.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from grassroots.access.scope import Scope, scope_for
from grassroots.orgs.models import Organization, OrgKind
from grassroots.rules.findings import DONE, STATE_LABELS, STATES, Finding, counts_by_org, findings_for
from grassroots.ui.lists import paginate, query_without
from grassroots.ui.words import rule_title

from .forms import AsOfForm


def _open_states() -> list[tuple[str, Any]]:
    return [(state, STATE_LABELS[state]) for state in STATES if state != DONE]


def by_rule(found: list[Finding]) -> list[dict[str, Any]]:
    """Per kind of finding (the rule id), its title and how many in each open state; most urgent kind first."""
    states = _open_states()
    rows: dict[str, dict[str, Any]] = {}
    counts: dict[str, Counter[str]] = {}
    for f in found:  # already most urgent first
        if f.rule_id not in rows:
            rows[f.rule_id] = {"rule": f.rule_id, "cite": f.rule, "title": rule_title(f.rule)}
            counts[f.rule_id] = Counter()
        counts[f.rule_id][f.state] += 1
    for rule_id, row in rows.items():
        row["counts"] = [counts[rule_id][state] for state, _label in states]
        row["total"] = sum(counts[rule_id].values())
        row["single"] = len(counts[rule_id]) == 1  # the total repeats the one count: left out on a phone
    return list(rows.values())


def summary_context(scope: Scope, org: Organization, on: dt.date) -> dict[str, Any]:
    """The org's to-dos on `on` in counts: by state, by kind and, above a branch, by branch (bounded queries)."""
    found = findings_for(org, on)
    states = _open_states()
    by_branch = []
    if org.kind not in (OrgKind.BRANCH, OrgKind.PARTY_GROUP):
        counts = counts_by_org(found)
        for o in scope.orgs().filter(pk__in=list(counts)).only("pk", "code", "name").order_by("path"):
            by_branch.append({"code": o.code, "name": o.name, "total": sum(counts[o.pk].values()),
                              "counts": [counts[o.pk][state] for state, _label in states],
                              "single": len(+counts[o.pk]) == 1})
    in_state = Counter(f.state for f in found)
    return {"findings_total": len(found), "finding_states": states,
            "findings_state_totals": [(state, label, in_state[state]) for state, label in states],
            "findings_by_branch": by_branch, "findings_by_rule": by_rule(found)}


@login_required
@require_GET
def org_findings(request: HttpRequest, code: str) -> HttpResponse:
    """Every to-do of the organization's subtree on a day, most urgent first, by kind and state if asked."""
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs(), code=code)
    form = AsOfForm(request.GET or None)
    day = form.cleaned_data.get("as_of") if form.is_valid() else None
    on = day or timezone.localdate()
    found = findings_for(org, on)
    kinds = by_rule(found)
    rule = request.GET.get("rule", "")
    state = request.GET.get("state", "")
    if rule:
        found = [f for f in found if f.rule_id == rule]
    if state:
        found = [f for f in found if f.state == state]
    page, show_all = paginate(request, found)
    labels = dict(STATE_LABELS)
    rows = [{"f": f, "title": rule_title(f.rule), "state_label": labels[f.state]} for f in page.object_list]
    return render(request, "web/findings_list.html", {
        "org": org, "form": form, "day": day, "on": on, "page": page, "show_all": show_all, "rows": rows,
        "page_query": query_without(request, "page", "all"), "kinds": kinds, "rule": rule, "state": state,
        "rule_title": rule_title(rule) if rule else "", "finding_states": _open_states(),
    })
