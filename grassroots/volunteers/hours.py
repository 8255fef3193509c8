"""Service hours: actual service time split by calendar day (an activity that crosses midnight counts on both
days), each day capped, the total counted in whole units (rules `volunteers.hours`: half-hour units, at most 8
hours a day; local settings kept as rules data)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from grassroots.rules.registry import in_force

HOUR = Decimal(60)


def local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def minutes_by_day(start: dt.datetime, end: dt.datetime) -> dict[dt.date, int]:
    """The whole minutes of [start, end) on each local calendar day."""
    start, end = local(start), local(end)
    out: dict[dt.date, int] = defaultdict(int)
    cur = start
    while cur < end:
        midnight = dt.datetime.combine(cur.date() + dt.timedelta(days=1), dt.time(0), tzinfo=cur.tzinfo)
        seg_end = min(end, midnight)
        out[cur.date()] += int((seg_end - cur).total_seconds() // 60)
        cur = seg_end
    return dict(out)


def settings_on(day: dt.date) -> tuple[int, int]:
    """(unit in minutes, daily cap in minutes) in force on `day`."""
    rule = in_force("volunteers.hours", day)
    return int(rule["unit_minutes"]), int(Decimal(str(rule["daily_cap_hours"])) * HOUR)


def to_hours(minutes: int, unit: int) -> Decimal:
    """Whole units of `minutes` as hours to one decimal (an unfinished unit does not count)."""
    counted = (max(minutes, 0) // unit) * unit
    return (Decimal(counted) / HOUR).quantize(Decimal("0.1"))


def counted_hours(start: dt.datetime, end: dt.datetime, used: dict[dt.date, int] | None = None) -> Decimal:
    """The hours that count for service from `start` to `end`, given the minutes already counted for the same
    volunteer on each day (`used`): each day's part is capped at what the daily cap leaves."""
    unit, cap = settings_on(local(start).date())
    used = used or {}
    total = 0
    for day, minutes in minutes_by_day(start, end).items():
        total += max(0, min(minutes, cap - used.get(day, 0)))
    return to_hours(total, unit)


def times_on(day: dt.date, start: dt.time, end: dt.time) -> tuple[dt.datetime, dt.datetime]:
    """Start and end typed as times of a day: an end at or before the start is on the next day (a night shift)."""
    tz = timezone.get_current_timezone()
    begin = dt.datetime.combine(day, start, tzinfo=tz)
    finish = dt.datetime.combine(day, end, tzinfo=tz)
    if finish <= begin:
        finish += dt.timedelta(days=1)
    return begin, finish
