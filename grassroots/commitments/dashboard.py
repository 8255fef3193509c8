"""The commitments panel of the dashboard: the year's commitments by level and by result (as they stood on the
frame's day), per branch the user may read and in total, each row linking to the branch's list."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.utils.translation import gettext as _

from grassroots.ui.dashboard import DashboardFrame, figure_url

from . import selectors
from .models import Commitment, Level, Result


def commitments(frame: DashboardFrame) -> dict[str, Any] | None:
    org, year, as_of = frame.org, frame.year, frame.as_of
    rows_qs = selectors.as_on(Commitment.objects.filter(org__path__startswith=org.path, year=year), as_of)
    by_org: dict[int, tuple[Counter[str], Counter[str]]] = {}
    for org_id, level, result, result_on in rows_qs.values_list("org_id", "level", "result", "result_on"):
        levels, results = by_org.setdefault(org_id, (Counter(), Counter()))
        levels[level] += 1
        results[result if result and result_on is not None and result_on <= as_of else ""] += 1
    if not by_org:
        return None
    result_keys = [*Result.values, ""]
    readable = frame.readable
    rows = []
    for org_id, (levels, results) in sorted(by_org.items(), key=lambda kv: getattr(readable.get(kv[0]), "path", "")):
        unit = readable.get(org_id)
        if unit is None:
            continue
        rows.append({"code": unit.code, "name": unit.name, "levels": [levels[k] for k in Level.values],
                     "results": [results[k] for k in result_keys],
                     "url": figure_url("commitments", unit.code, year=year)})
    figures = selectors.figures(org, year, as_of)
    total = {"levels": [figures.by_level[k] for k in Level.values],
             "results": [figures.by_result[k] for k in result_keys],
             "url": figure_url("commitments", org.code, year=year)}
    chart = {"kind": "columns", "labels": [str(label) for label in Level.labels],
             "series": [{"name": _("Commitments"),
                         "data": [{"value": n, "url": figure_url("commitments", org.code, year=year, level=k)}
                                  for k, n in zip(Level.values, total["levels"], strict=True)]}]}
    return {"rows": rows, "total": total, "chart": chart, "level_labels": [str(x) for x in Level.labels],
            "result_labels": [*(str(x) for x in Result.labels), _("No result yet")]}
