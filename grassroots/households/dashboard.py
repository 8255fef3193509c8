"""The households panel of the dashboard: the households and persons living in the places the organization holds
on the frame's day, and per situation kind how many households and persons are in it; each figure links to the
filtered list."""

from __future__ import annotations

from typing import Any

from grassroots.ui.dashboard import DashboardFrame, figure_url

from . import selectors
from .models import Person


def households(frame: DashboardFrame) -> dict[str, Any] | None:
    org, day = frame.org, frame.as_of
    paths = selectors.org_paths(org)
    if not paths:
        return None
    living = selectors.places_under(paths, day).values("household_id")
    count = living.count()
    if not count:
        return None
    persons = Person.objects.on(day).filter(household_id__in=living).count()
    kinds = selectors.situation_kinds(org)
    rows = [{"code": c.kind.code, "label": c.kind.label, "households": c.households, "persons": c.persons,
             "url": figure_url("household-org", org.code, as_of=day.isoformat(), situation=c.kind.code)}
            for c in selectors.situation_counts(paths, day, kinds)]
    return {"households": count, "persons": persons, "rows": rows,
            "url": figure_url("household-org", org.code, as_of=day.isoformat())}
