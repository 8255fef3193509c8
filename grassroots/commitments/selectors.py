"""Reads of commitments, with names that say what they answer.

- `visible(scope)`: the commitments a user may read (their organizations' subtrees, and a member's own);
- `of_year(org, year)`: the standing commitments of org's subtree made for a year;
- `figures(org, year, day)`: the year's counters as the records stood on `day` (members who made commitments,
  by level, the practical ones by theme, by result): the annual summary, the dashboard and the list page's
  counts all read these;
- `has_public(org)`: whether a station's subtree has anything on its public list.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from grassroots.access.scope import Scope
from grassroots.orgs.models import Organization

from .models import Commitment, Level, Result, Theme


def visible(scope: Scope) -> QuerySet[Commitment]:
    """Every commitment the user may read: those of the organizations they read, and a member's own."""
    qs = Commitment.objects.all()
    if scope.unrestricted:
        return qs
    return Commitment.objects.filter(Q(pk__in=Commitment.objects.visible_to(scope).values("pk"))
                                     | Q(member_id__in=scope.own_member_ids))


def of_subtree(qs: QuerySet[Commitment], org: Organization) -> QuerySet[Commitment]:
    return qs.filter(org__path__startswith=org.path)


def of_year(org: Organization, year: int) -> QuerySet[Commitment]:
    """The standing (not withdrawn) commitments of org's subtree for `year`."""
    return Commitment.objects.standing().filter(org__path__startswith=org.path, year=year)


def as_on(qs: QuerySet[Commitment], day: dt.date) -> QuerySet[Commitment]:
    """The commitments as they stood on `day`: made by then and not withdrawn by then."""
    return qs.filter(made_on__lte=day).filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))


@dataclass
class Figures:
    """A year's commitments of a subtree as they stood on a day."""

    members: int = 0  # members who made at least one commitment
    total: int = 0
    by_level: dict[str, int] = field(default_factory=dict)
    by_theme: dict[str, int] = field(default_factory=dict)  # the practical ones
    by_result: dict[str, int] = field(default_factory=dict)  # "" for no result yet

    @property
    def practical(self) -> int:
        return self.by_level.get(Level.PRACTICAL, 0)

    @property
    def practical_four(self) -> int:
        """The practical ones around community building, culture, policing and environment (the seed's count)."""
        return sum(n for theme, n in self.by_theme.items() if theme != Theme.OTHER)

    @property
    def pending(self) -> int:
        return self.by_result.get("", 0)


def figures(org: Organization, year: int, day: dt.date) -> Figures:
    """The counters of org's subtree for `year` as the records stood on `day` (a result set after `day` not yet
    counted). One query."""
    rows = list(as_on(Commitment.objects.filter(org__path__startswith=org.path, year=year), day)
                .values_list("member_id", "level", "theme", "result", "result_on"))
    out = Figures()
    out.members = len({r[0] for r in rows})
    out.total = len(rows)
    levels: Counter[str] = Counter()
    themes: Counter[str] = Counter()
    results: Counter[str] = Counter()
    for _member, level, theme, result, result_on in rows:
        levels[level] += 1
        if level == Level.PRACTICAL:
            themes[theme] += 1
        results[result if result and result_on is not None and result_on <= day else ""] += 1
    out.by_level = {v: levels.get(v, 0) for v in Level.values}
    out.by_theme = {v: themes.get(v, 0) for v in Theme.values}
    out.by_result = {v: results.get(v, 0) for v in (*Result.values, "")}
    return out


def member_counts(member_ids: list[int], year: int) -> dict[int, Counter[str]]:
    """Per member: their standing commitments of `year` counted by result ("made" for all of them)."""
    out: dict[int, Counter[str]] = {}
    for member_id, result in (Commitment.objects.standing().filter(member_id__in=member_ids, year=year)
                              .values_list("member_id", "result")):
        counts = out.setdefault(member_id, Counter())
        counts["made"] += 1
        counts[result or "open"] += 1
    return out


def public_list(org: Organization, year: int) -> QuerySet[Commitment]:
    """What the public list (承诺公示) shows: the standing commitments of the subtree for the year."""
    return of_year(org, year).select_related("member", "org").order_by("org__path", "member__name", "level", "id")


def public_years(org: Organization) -> list[int]:
    return sorted(set(Commitment.objects.standing().filter(org__path__startswith=org.path)
                      .values_list("year", flat=True)), reverse=True)


def has_public(org: Any) -> bool:
    """Whether the station's subtree has any standing commitment to show publicly."""
    return Commitment.objects.standing().filter(org__path__startswith=org.path).exists()
