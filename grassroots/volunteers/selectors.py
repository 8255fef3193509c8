"""Reads of volunteer service, named for what they answer. Each takes the organization whose subtree it reads and,
where the answer depends on one, the day the records stand on. The list pages and the annual summary count
with the same functions, so a counter in the summary equals its list page's count."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from grassroots.orgs.models import Organization
from grassroots.rules.registry import in_force

from .models import Activity, Attendance, Decision, Participation, SelfReport, Volunteer


def _bounds(year: int, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The year's start and the end of the day it stands on (the earlier of 31 December and `day`), as times."""
    tz = timezone.get_current_timezone()
    last = min(dt.date(year, 12, 31), day)
    return (dt.datetime.combine(dt.date(year, 1, 1), dt.time(0), tzinfo=tz),
            dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=tz))


def volunteers_of_year(org: Organization, year: int, day: dt.date) -> QuerySet[Volunteer]:
    """Volunteers registered in the subtree by the end of the year (or `day`) and not gone before it began."""
    last = min(dt.date(year, 12, 31), day)
    return Volunteer.objects.filter(org__path__startswith=org.path, registered_on__lte=last).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=dt.date(year, 1, 1)))


def activities_of_year(org: Organization, year: int, day: dt.date) -> QuerySet[Activity]:
    """Activities of the subtree's teams that began in the year up to `day`, not cancelled."""
    start, end = _bounds(year, day)
    return Activity.objects.filter(org__path__startswith=org.path, cancelled=False, starts_at__gte=start,
                                   starts_at__lt=end)


def confirmed_attendance(org: Organization, start: dt.date, end: dt.date, day: dt.date | None = None
                         ) -> QuerySet[Participation]:
    """Attendances at the subtree's activities begun from `start` to `end` whose hours were confirmed (by `day`)."""
    tz = timezone.get_current_timezone()
    qs = Participation.objects.filter(
        activity__org__path__startswith=org.path, state=Attendance.PRESENT, confirmed_on__isnull=False,
        activity__starts_at__gte=dt.datetime.combine(start, dt.time(0), tzinfo=tz),
        activity__starts_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz))
    return qs.filter(confirmed_on__lte=day) if day is not None else qs


def approved_reports(org: Organization, start: dt.date, end: dt.date, day: dt.date | None = None
                     ) -> QuerySet[SelfReport]:
    qs = SelfReport.objects.filter(org__path__startswith=org.path, state=Decision.APPROVED, day__range=(start, end))
    return qs.filter(decided_on__lte=day) if day is not None else qs


def year_counts(org: Organization, year: int, day: dt.date) -> dict[str, Any]:
    """The seeds' counters for a year as the records stood on `day`."""
    volunteers = volunteers_of_year(org, year, day)
    last = min(dt.date(year, 12, 31), day)
    attendance = confirmed_attendance(org, dt.date(year, 1, 1), last, day)
    reports = approved_reports(org, dt.date(year, 1, 1), last, day)
    a_hours = attendance.aggregate(s=Sum("hours"))["s"] or Decimal(0)
    r_hours = reports.aggregate(s=Sum("hours"))["s"] or Decimal(0)
    activities = activities_of_year(org, year, day)
    return {
        "volunteers": volunteers.count(),
        "members": volunteers.filter(member__isnull=False).count(),
        "residents": volunteers.filter(member__isnull=True).count(),
        "activities": activities.count(),
        "participants": Participation.objects.filter(activity__in=activities, state=Attendance.PRESENT)
        .values("volunteer").distinct().count(),
        "hours": (a_hours + r_hours).quantize(Decimal("0.1")),
    }


def hours_by_month(org: Organization, year: int, day: dt.date) -> list[dict[str, Any]]:
    """Activities and confirmed hours of each month of the year up to `day`."""
    last = min(dt.date(year, 12, 31), day)
    activities: dict[int, int] = defaultdict(int)
    hours: dict[int, Decimal] = defaultdict(Decimal)
    for starts in activities_of_year(org, year, day).values_list("starts_at", flat=True):
        activities[timezone.localtime(starts).month] += 1
    for starts, h in confirmed_attendance(org, dt.date(year, 1, 1), last, day).values_list("activity__starts_at",
                                                                                            "hours"):
        hours[timezone.localtime(starts).month] += h or Decimal(0)
    for d, h in approved_reports(org, dt.date(year, 1, 1), last, day).values_list("day", "hours"):
        hours[d.month] += h
    return [{"month": m, "activities": activities[m], "hours": hours[m].quantize(Decimal("0.1"))}
            for m in range(1, last.month + 1)]


def awaiting_confirmation(org: Organization) -> QuerySet[Participation]:
    """Attendances marked present whose hours the organizer has not confirmed yet."""
    return (Participation.objects.filter(activity__org__path__startswith=org.path, state=Attendance.PRESENT,
                                         confirmed_on__isnull=True, activity__cancelled=False)
            .select_related("activity", "volunteer__member").order_by("activity__starts_at", "pk"))


def star_scale(day: dt.date) -> list[Decimal]:
    from django.conf import settings

    rule = in_force("volunteers.star_levels", day)
    name = getattr(settings, "GRASSROOTS_VOLUNTEER_STAR_SCALE", "") or rule["scale"]
    return [Decimal(h) for h in rule["scales"][name]]


def star_level(hours: Decimal, day: dt.date) -> int:
    """0 to 5 stars for the confirmed hours, on the scale in force."""
    return sum(1 for bound in star_scale(day) if hours >= bound)
