"""Reads of points: what counts of each entry, a member's year (the statement), a subtree's totals per member,
the ranking (only where the branch turned it on, and only members who opted in), figures for the dashboard
and the annual summary.

**What counts.** Only approved entries count. Totals are per year (the yearly reset): base + what counts of the
year's entries, never below the floor. Base and floor are the scheme's that applies to the member's
organization on the year's last day (or on `day`, for the current year).

**Caps across scheme versions.** Each entry was valued by the scheme in force on its day for its
organization (`PointEntry.scheme` names it), and is capped by that version's cap for its item. The year's approved entries of an item are taken in
date order (then by id); an entry counts as much of its points as keeps the item's running total within the cap
*of its own version*: `min(points, cap - counted so far)`, never below 0. So a cap raised mid-year lets the
later entries count up to the new cap (what was counted before still counts toward it); a cap lowered
mid-year stops the later entries once the running total reaches the new cap, and takes nothing back from the
earlier ones. A deduction (negative) has no cap and does not reduce the running total of another item.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from grassroots.members.models import Member, MemberPeriod
from grassroots.orgs.models import Organization

from .models import EntryStatus, PointEntry, PointOptIn, PointSetting
from .schemes import Scheme, SchemeBook, item_label

ZERO = Decimal("0.00")


def year_day(year: int, day: dt.date) -> dt.date:
    """The day a year's totals are read on: its last day once it is over, else `day` (at least 1 January)."""
    return max(dt.date(year, 1, 1), min(dt.date(year, 12, 31), day))


def _caps(entries: Iterable[PointEntry], book: SchemeBook) -> dict[int, Decimal | None]:
    """Each entry's cap: its item's in the scheme version that valued it (in force on its day)."""
    caps: dict[int, Decimal | None] = {}
    cache: dict[tuple[int, dt.date], Scheme] = {}
    orgs: dict[int, Organization] = {}
    for e in entries:
        key = (e.org_id, e.day)
        if key not in cache:
            org = orgs.get(e.org_id) or e.org
            orgs[e.org_id] = org
            cache[key] = book.on(org, e.day)
        spec = cache[key].items.get(e.item)
        caps[e.pk] = spec.cap if spec is not None else None
    return caps


def counted(entries: list[PointEntry], book: SchemeBook | None = None) -> dict[int, Decimal]:
    """What counts of each approved entry of one member's year, by entry id (see the module's note)."""
    book = book or SchemeBook()
    approved = sorted((e for e in entries if e.status == EntryStatus.APPROVED), key=lambda e: (e.day, e.pk))
    caps = _caps(approved, book)
    running: dict[str, Decimal] = defaultdict(lambda: ZERO)
    out: dict[int, Decimal] = {}
    for e in approved:
        if e.points < 0:
            out[e.pk] = e.points
            continue
        cap = caps.get(e.pk)
        value = e.points if cap is None else max(ZERO, min(e.points, cap - running[e.item]))
        running[e.item] += value
        out[e.pk] = value
    return out


def _member_org(member: Member, day: dt.date) -> Organization | None:
    period = MemberPeriod.objects.filter(member=member).on(day).select_related("org").first()
    return period.org if period is not None else member.org


@dataclass
class Line:
    entry: PointEntry
    label: str
    counts: Decimal | None  # None: not approved


@dataclass
class Statement:
    member: Member
    year: int
    scheme: Scheme
    lines: list[Line]
    earned: Decimal
    deducted: Decimal
    total: Decimal
    floored: bool  # the floor held the total up
    pending: int
    by_item: list[tuple[str, Decimal]] = field(default_factory=list)


def statement(member: Member, year: int, day: dt.date) -> Statement:
    """A member's points in `year`: every entry (proposed, approved, declined) with what counts of it, and the
    total."""
    entries = list(PointEntry.objects.filter(member=member, year=year).select_related("org").order_by("day", "id"))
    book = SchemeBook()
    scheme = book.on(_member_org(member, year_day(year, day)), year_day(year, day))
    values = counted(entries, book)
    lines = [Line(e, item_label(e.item, scheme.items.get(e.item)), values.get(e.pk)) for e in entries]
    earned = sum((v for v in values.values() if v > 0), ZERO)
    deducted = sum((v for v in values.values() if v < 0), ZERO)
    raw = scheme.base + earned + deducted
    by_item: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        if line.counts is not None:
            by_item[line.label] += line.counts
    return Statement(member, year, scheme, lines, earned, deducted, max(raw, scheme.floor), raw < scheme.floor,
                     sum(1 for e in entries if e.status == EntryStatus.PROPOSED), sorted(by_item.items()))


@dataclass
class TotalRow:
    member_id: int
    name: str
    org_name: str
    base: Decimal
    earned: Decimal
    deducted: Decimal
    total: Decimal
    pending: int
    approved: int


def totals(org: Organization, year: int, day: dt.date) -> list[TotalRow]:
    """Each member of the subtree in the year (on the roster on the year's day, or with an entry there) with
    their year's total. A few queries whatever the size: the roster, the entries, the schemes."""
    on = year_day(year, day)
    roster = {p.member_id: p for p in MemberPeriod.objects.on(on).in_subtree(org, on).select_related("member", "org")}
    entries = list(PointEntry.objects.filter(year=year, org__path__startswith=org.path)
                   .select_related("org", "member"))
    by_member: dict[int, list[PointEntry]] = defaultdict(list)
    for e in entries:
        by_member[e.member_id].append(e)
    book = SchemeBook()
    rows = []
    people: dict[int, tuple[str, Organization | None]] = {
        mid: (p.member.name, p.org) for mid, p in roster.items()}
    for mid, found in by_member.items():
        if mid not in people:
            people[mid] = (found[0].member.name, found[0].org)
    for mid, (name, where) in people.items():
        scheme = book.on(where, on)
        values = counted(by_member.get(mid, []), book)
        earned = sum((v for v in values.values() if v > 0), ZERO)
        deducted = sum((v for v in values.values() if v < 0), ZERO)
        found = by_member.get(mid, [])
        rows.append(TotalRow(mid, name, where.name if where else "", scheme.base, earned, deducted,
                             max(scheme.base + earned + deducted, scheme.floor),
                             sum(1 for e in found if e.status == EntryStatus.PROPOSED),
                             sum(1 for e in found if e.status == EntryStatus.APPROVED)))
    rows.sort(key=lambda r: (r.org_name, r.name, r.member_id))
    return rows


def ranking_enabled(org: Organization) -> bool:
    return PointSetting.objects.filter(org=org, ranking_enabled=True).exists()


def ranking(org: Organization, year: int, day: dt.date) -> list[TotalRow]:
    """The members who opted in, by total (highest first), where the organization turned the ranking on; else
    nothing. Nobody else is named, counted or given a place."""
    if not ranking_enabled(org):
        return []
    opted = set(PointOptIn.objects.filter(opted_in=True).values_list("member_id", flat=True))
    rows = [r for r in totals(org, year, day) if r.member_id in opted]
    rows.sort(key=lambda r: (-r.total, r.name, r.member_id))
    return rows


def proposals(org: Organization) -> QuerySet[PointEntry]:
    """Proposals awaiting the branch's approval in the subtree, oldest first."""
    return (PointEntry.objects.filter(org__path__startswith=org.path, status=EntryStatus.PROPOSED)
            .select_related("member", "org").order_by("day", "id"))


def approved_by_item(org: Organization, year: int, day: dt.date) -> list[dict[str, Any]]:
    """Approved entries of the subtree in `year` (dated up to `day`) as they stood on `day` (approved by then), by
    item: how many and their points (as given, before caps), no names."""
    qs = (PointEntry.objects.filter(org__path__startswith=org.path, year=year, status=EntryStatus.APPROVED,
                                    day__lte=day)
          .filter(Q(decided_at__isnull=True) | Q(decided_at__date__lte=day)))
    rows = qs.values("item").annotate(n=Count("id"), points=Sum("points")).order_by("item")
    return [{"item": r["item"], "label": item_label(r["item"]), "entries": r["n"], "points": r["points"] or ZERO}
            for r in rows]


def members_taking_part(org: Organization, year: int, day: dt.date) -> int:
    """Members with at least one approved entry of the year (dated and approved by `day`)."""
    return (PointEntry.objects.filter(org__path__startswith=org.path, year=year, status=EntryStatus.APPROVED,
                                      day__lte=day)
            .filter(Q(decided_at__isnull=True) | Q(decided_at__date__lte=day))
            .values("member_id").distinct().count())
