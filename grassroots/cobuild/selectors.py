"""Reads of co-construction shared by the pages, the API, the findings, the dashboard panel and the annual
summary: what an organization's subtree holds, and the figures of a year as the records stood on a day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from grassroots.orgs.models import Organization

from .models import (
    Agreement,
    Contribution,
    ContributionKind,
    Need,
    Project,
    ProjectState,
    ResidentUnit,
    UnitReport,
)


def units_of(org: Organization) -> QuerySet[ResidentUnit]:
    return ResidentUnit.objects.filter(org__path__startswith=org.path)


def agreements_of(org: Organization) -> QuerySet[Agreement]:
    return Agreement.objects.filter(org__path__startswith=org.path)


def needs_of(org: Organization) -> QuerySet[Need]:
    return Need.objects.filter(org__path__startswith=org.path)


def projects_of(org: Organization) -> QuerySet[Project]:
    return Project.objects.filter(org__path__startswith=org.path)


def contributions_of(org: Organization) -> QuerySet[Contribution]:
    return Contribution.objects.filter(unit__org__path__startswith=org.path)


def reports_of(org: Organization) -> QuerySet[UnitReport]:
    return UnitReport.objects.filter(unit__org__path__startswith=org.path)


def present_on(day: dt.date, prefix: str = "") -> Q:
    """Units in the area on `day` (recorded from then or before, not left)."""
    return (Q(**{f"{prefix}joined_on__isnull": True}) | Q(**{f"{prefix}joined_on__lte": day})) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": day}))


def in_force_on(day: dt.date) -> Q:
    """Agreements in force on `day`: started, their term not over and not ended early before it."""
    return (Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))
            & (Q(ended_on__isnull=True) | Q(ended_on__gte=day)))


def year_span(year: int, day: dt.date) -> tuple[dt.date, dt.date]:
    """The days of `year` up to `day`."""
    return dt.date(year, 1, 1), min(dt.date(year, 12, 31), day)


def figures(org: Organization, year: int, day: dt.date) -> dict[str, Any]:
    """The seeds' counters of co-construction (seed 000: units signed, money and goods raised, projects done):
    units in the area and with an agreement in force on `day`, the agreements in force, money and goods given
    in the year up to `day`, and the projects by state (those started by `day`) and done in the year."""
    first, last = year_span(year, day)
    units = units_of(org).filter(present_on(day)).count()
    in_force = agreements_of(org).filter(in_force_on(day))
    given = (contributions_of(org).filter(given_on__gte=first, given_on__lte=last).values("kind")
             .annotate(total=Sum("amount"), n=Count("id")))
    by_kind: dict[str, dict[str, Any]] = {g["kind"]: dict(g) for g in given}
    money = by_kind.get(ContributionKind.MONEY, {}).get("total") or Decimal(0)
    goods = by_kind.get(ContributionKind.IN_KIND, {}).get("total") or Decimal(0)
    states = dict(projects_of(org).filter(started_on__lte=day).values_list("state").annotate(n=Count("id"))
                  .values_list("state", "n"))
    done = projects_of(org).filter(state=ProjectState.DONE, done_on__gte=first, done_on__lte=last).count()
    return {
        "units": units,
        "units_signed": in_force.values("unit_id").distinct().count(),
        "agreements": in_force.count(),
        "money": money.quantize(Decimal("0.01")),
        "goods": goods.quantize(Decimal("0.01")),
        "goods_count": by_kind.get(ContributionKind.IN_KIND, {}).get("n", 0),
        "projects": {s: states.get(s, 0) for s in ProjectState.values},
        "projects_done": done,
    }
