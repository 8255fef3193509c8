"""Reads of members: rosters as of a date, computed from periods (never from today's fields)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, QuerySet

from grassroots.core.idnumber import mask_personal
from grassroots.orgs.models import Organization

from .models import Member, MemberEvent, MemberPeriod


def members_of_on(org: Organization, day: dt.date) -> QuerySet[Member]:
    """Members whose home organization on `day` is exactly `org`."""
    ids = MemberPeriod.objects.on(day).filter(org=org).values("member_id")
    return Member.objects.filter(pk__in=ids).order_by("name", "pk")


def roster_on(org: Organization, day: dt.date) -> QuerySet[MemberPeriod]:
    """Who belonged to org's subtree on `day`, each with the attributes in force then."""
    return (MemberPeriod.objects.on(day).in_subtree(org, day)
            .select_related("member", "org").order_by("org__path", "member__name", "member_id"))


def current_members(org: Organization) -> QuerySet[Member]:
    """Today's members of org's subtree (the cached live fields: quick lists only)."""
    return (Member.objects.filter(org__path__startswith=org.path).select_related("org")
            .order_by("org__path", "name", "pk"))


class SubtreeMembers:
    """`current_members(org)` (optionally narrowed, e.g. by name) as a list a paginator pages through without
    sorting the whole subtree or counting it row by row: the count is the sum of one count per organization (read
    from the index on organization, name and id), and a page is taken from the organizations it overlaps, in the
    order of their paths, then by name and id (each organization's members read in that index's order), then its
    rows fetched by key. 4 queries a page (organizations, counts, the page's keys, its rows), whatever the page."""

    def __init__(self, org: Organization, narrowed: QuerySet[Member] | None = None) -> None:
        self.org = org
        self.members = narrowed if narrowed is not None else current_members(org)
        self._counts: list[tuple[int, int]] | None = None

    def _per_org(self) -> list[tuple[int, int]]:
        if self._counts is None:
            orgs = list(Organization.objects.filter(path__startswith=self.org.path).order_by("path")
                        .values_list("pk", flat=True))
            counts = dict(self.members.order_by().values_list("org_id").annotate(n=Count("pk")))
            self._counts = [(pk, counts[pk]) for pk in orgs if counts.get(pk)]
        return self._counts

    def count(self) -> int:
        return sum(n for _pk, n in self._per_org())

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Member]:
        return iter(self[0:self.count()])

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("SubtreeMembers takes a slice")
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        if stop <= start:
            return []
        overlapping, first, seen = [], None, 0
        for pk, n in self._per_org():
            if seen + n > start and seen < stop:
                overlapping.append(pk)
                first = seen if first is None else first
            seen += n
        if first is None:
            return []
        keys = list(self.members.filter(org_id__in=overlapping).values_list("pk", flat=True)
                    [start - first:stop - first])
        rows = Member.objects.select_related("org").in_bulk(keys)
        return [rows[pk] for pk in keys]


def events_shown(member: Member, *, reveal: bool) -> list[MemberEvent]:
    """The member's events in date order; for a reader who may not reveal the member's personal data (an auditor),
    the contacts and phones in their details masked (in memory only, never saved)."""
    events = list(member.events.select_related("org").order_by("date", "id"))
    if not reveal:
        for ev in events:
            ev.details = mask_personal(ev.details)
    return events
