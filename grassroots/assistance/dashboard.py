"""The assistance panel of the dashboard: this year's households and persons helped by kind, the money given, and
the store's distributions (rounds and households reached), each linking to the ledger or the rounds."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from grassroots.ui.dashboard import DashboardFrame, figure_url

from . import selectors


def assistance(frame: DashboardFrame) -> dict[str, Any] | None:
    org, year = frame.org, frame.year
    start, end = selectors.year_range(year, frame.as_of)
    qs = selectors.ledger_of(org).filter(given_on__gte=start, given_on__lte=end)
    rounds = selectors.rounds_of(org).filter(held_on__gte=start, held_on__lte=end).aggregate(
        n=Count("pk", distinct=True), reached=Count("lines__household", distinct=True))
    if not rounds["n"] and not qs.exists():  # nothing this year: three queries in all
        return None
    totals = selectors.totals(qs)
    return {"households": totals.households, "persons": totals.persons, "amount": totals.amount,
            "by_kind": [{"kind": k.kind, "name": k.name, "households": k.households, "persons": k.persons,
                         "amount": k.amount, "url": figure_url("assistance-ledger", org.code, year=year, kind=k.kind)}
                        for k in totals.by_kind],
            "url": figure_url("assistance-ledger", org.code, year=year),
            "rounds": rounds["n"], "reached": rounds["reached"],
            "rounds_url": figure_url("assistance-rounds", org.code)}
