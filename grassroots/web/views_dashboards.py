"""The dashboard of a committee or a branch for a year: membership structure, recruitment pipeline, dues
collected against assessed, duties met per unit, and residents' opinions per month with satisfaction.

Every figure comes from the domain selectors as of 31 December of the year (today for the year under way) and
links to the page holding the records behind it; the charts (static/js/dashboard.js, ECharts) carry the same
links in their data, and the tables below them work without JavaScript and print. The organization is read
through `scope_for(request.user).orgs()` (outside the scope: 404).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from grassroots.access.scope import scope_for
from grassroots.dues import selectors as dues_selectors
from grassroots.meetings import selectors as meetings_selectors
from grassroots.members.stats import structure_stats
from grassroots.opinions import selectors as opinion_selectors
from grassroots.orgs.models import Organization, OrgKind
from grassroots.recruitment.stats import stage_counts
from grassroots.ui.forms import query_int

BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.PARTY_GROUP)


def _url(name: str, code: str, anchor: str = "", **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name, args=[code]) + (f"?{query}" if query else "") + (f"#{anchor}" if anchor else "")


def as_of_for(year: int, today: dt.date) -> dt.date:
    """31 December of the year; today for the year under way (1 January for a year to come)."""
    return min(dt.date(year, 12, 31), max(today, dt.date(year, 1, 1)))


# --- the panels ----------------------------------------------------------------------------------------------

def _membership(org: Organization, as_of: dt.date) -> dict[str, Any]:
    stats = structure_stats(org, as_of)
    rows = [("total", _("Members in total")), ("full", _("Full members")),
            ("probationary", _("Probationary members")), ("female", _("Women")),
            ("minority", _("Ethnic minorities")), ("age_35_or_under", _("Aged 35 or under")),
            ("college_or_above", _("College education or above")), ("mobile", _("Mobile members"))]
    figures = []
    for key, label in rows:
        figures.append({"key": key, "label": label, "count": stats[key]["count"], "pct": stats[key]["pct"],
                        "url": _url("org-detail", org.code, "stats-table", as_of=as_of.isoformat())})
    chart = {"kind": "bars", "labels": [f["label"] for f in figures[1:]],
             "series": [{"name": _("Members"), "data": [{"value": f["count"], "url": f["url"]} for f in figures[1:]]}]}
    return {"figures": figures, "exists": stats["exists"], "chart": chart}


def _recruitment(org: Organization, as_of: dt.date) -> dict[str, Any]:
    counts = stage_counts(org, as_of)
    when = as_of.isoformat()
    stock = [("applicants", _("Applicants"), "col-applicant"), ("activists", _("Activists"), "col-activist"),
             ("development_targets", _("Development targets"), "col-development_target")]
    flow = [("applications", _("Applications received")), ("activists_decided", _("Activists decided")),
            ("development_targets_listed", _("Development targets listed")), ("admitted", _("Admitted")),
            ("converted", _("Converted to full members"))]
    stock_rows = [{"key": key, "label": label, "count": getattr(counts, key),
                   "url": _url("pipeline", org.code, anchor, as_of=when)} for key, label, anchor in stock]
    flow_rows = [{"key": key, "label": label, "count": getattr(counts, key),
                  "url": _url("pipeline", org.code, "board", as_of=when)} for key, label in flow]
    chart = {"kind": "bars", "labels": [r["label"] for r in stock_rows + flow_rows],
             "series": [{"name": _("Candidates"),
                         "data": [{"value": r["count"], "url": r["url"]} for r in stock_rows + flow_rows]}]}
    return {"stock": stock_rows, "flow": flow_rows, "period_start": counts.period_start, "chart": chart}


def _dues(org: Organization, year: int, as_of: dt.date, readable: dict[int, Organization]) -> dict[str, Any]:
    totals = dues_selectors.totals(org, dt.date(year, 1, 1), as_of)
    month = as_of.month
    rows = []
    for row in totals["by_org"]:
        if row["org_id"] not in readable or not (row["assessed"] or row["collected"]):
            continue
        rows.append({"code": row["code"], "name": row["name"], "assessed": row["assessed"],
                     "collected": row["collected"], "rate": _rate(row["collected"], row["assessed"]),
                     "url": _url("dues-ledger", row["code"], "totals", year=year, month=month)})
    total = {"code": org.code, "name": _("Total"), "assessed": totals["assessed"], "collected": totals["collected"],
             "rate": _rate(totals["collected"], totals["assessed"]),
             "url": _url("dues-ledger", org.code, "totals", year=year, month=month)}
    chart = {"kind": "columns", "labels": [r["name"] for r in rows],
             "series": [{"name": _("Assessed"), "data": [{"value": float(r["assessed"]), "url": r["url"]}
                                                         for r in rows]},
                        {"name": _("Collected"), "data": [{"value": float(r["collected"]), "url": r["url"]}
                                                          for r in rows]}]}
    return {"rows": rows, "total": total, "chart": chart}


def _rate(part: Decimal, whole: Decimal) -> str:
    if not whole:
        return ""
    return f"{(Decimal(part) * 100 / Decimal(whole)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def _duties(org: Organization, year: int, as_of: dt.date, today: dt.date,
            readable: dict[int, Organization]) -> dict[str, Any]:
    """Per unit: duty periods met, missed (due before the judging day and not met) and not yet due. For a past
    year every period of the year is judged; for the year under way, those due before today (as the grid does)."""
    units: dict[int, dict[str, Any]] = {}
    for row in meetings_selectors.duties(org, dt.date(year, 1, 1), dt.date(year, 12, 31)):
        unit = readable.get(row.org_id)
        if unit is None:
            continue
        entry = units.setdefault(row.org_id, {"code": unit.code, "name": row.org_name, "met": 0, "missed": 0,
                                              "pending": 0, "path": unit.path,
                                              "url": _url("duties", unit.code, "duties", year=year)})
        state = meetings_selectors.duty_state(row, as_of, today=today)
        if state is meetings_selectors.DutyState.MET:
            entry["met"] += 1
        elif state is meetings_selectors.DutyState.MISSED:
            entry["missed"] += 1
        else:
            entry["pending"] += 1
    rows = sorted(units.values(), key=lambda e: e["path"])
    total = {key: sum(r[key] for r in rows) for key in ("met", "missed", "pending")}
    total["url"] = _url("duties", org.code, "duties", year=year)
    chart = {"kind": "stacked", "labels": [r["name"] for r in rows],
             "series": [{"name": name, "key": key, "data": [{"value": r[key], "url": r["url"]} for r in rows]}
                        for key, name in (("met", _("Met")), ("missed", _("Missed")),
                                          ("pending", _("Not yet due")))]}
    return {"rows": rows, "total": total, "chart": chart}


def _opinion_url(org: Organization, **params: Any) -> str:
    return _url("opinion-list", org.code, **params)


def _opinions(org: Organization, year: int, as_of: dt.date) -> dict[str, Any]:
    stats = opinion_selectors.year_statistics(org, year, as_of)

    def row(f: Any, scope: dict[str, Any]) -> dict[str, Any]:
        return {"label": f.label, "key": f.key, "received": f.received, "completed": f.completed,
                "rated": f.rated, "satisfaction": f.satisfaction_rate,
                "received_url": _opinion_url(org, **scope, state="counted"),
                "completed_url": _opinion_url(org, **scope, state="completed"),
                "rated_url": _opinion_url(org, **scope, rated="1")}

    months = [row(f, {"month": f.key}) for f in stats.months]
    total = row(stats.total, {"year": year})
    chart = {"kind": "opinions", "labels": [m["key"] for m in months],
             "series": [
                 {"name": _("Received"), "data": [{"value": m["received"], "url": m["received_url"]} for m in months]},
                 {"name": _("Completed"),
                  "data": [{"value": m["completed"], "url": m["completed_url"]} for m in months]},
                 {"name": _("Satisfaction rate (%)"),
                  "data": [{"value": None if m["satisfaction"] is None else float(m["satisfaction"]),
                            "url": m["rated_url"]} for m in months]}],
             "count": _("Opinions")}
    return {"months": months, "total": total, "chart": chart}


# --- the page ------------------------------------------------------------------------------------------------

def _readable(scope: Any, org: Organization) -> dict[int, Organization]:
    """The organizations of org's subtree the user may read (to link to), in one query."""
    orgs: Iterable[Organization] = scope.orgs().filter(path__startswith=org.path).only("pk", "code", "name", "path")
    return {o.pk: o for o in orgs}


@login_required
@require_GET
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs(), code=code)
    today = timezone.localdate()
    year = query_int(request, "year", today.year, 1990, 2100)
    as_of = as_of_for(year, today)
    readable = _readable(scope, org)
    membership = _membership(org, as_of)
    recruitment = _recruitment(org, as_of)
    dues = _dues(org, year, as_of, readable)
    duties = _duties(org, year, as_of, today, readable)
    opinions = _opinions(org, year, as_of)
    charts = {"membership": membership["chart"], "recruitment": recruitment["chart"], "dues": dues["chart"],
              "duties": duties["chart"], "opinions": opinions["chart"]}
    return render(request, "web/dashboard.html", {
        "org": org, "year": year, "as_of": as_of, "today": today, "is_branch": org.kind in BRANCH_KINDS,
        "membership": membership, "recruitment": recruitment, "dues": dues, "duties": duties,
        "opinions": opinions, "charts": charts,
    })
