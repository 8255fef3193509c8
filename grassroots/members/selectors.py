"""Reads of members: rosters as of a date, computed from periods (never from today's fields)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

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
    return Member.objects.filter(org__path__startswith=org.path).select_related("org").order_by("org__path", "name")


def events_shown(member: Member, *, reveal: bool) -> list[MemberEvent]:
    """The member's events in date order; for a reader who may not reveal the member's personal data (an auditor),
    the contacts and phones in their details masked (in memory only, never saved)."""
    events = list(member.events.select_related("org").order_by("date", "id"))
    if not reveal:
        for ev in events:
            ev.details = mask_personal(ev.details)
    return events
