"""The Chinese working-day calendar: official holidays and make-up workdays (调休), from `chinesecalendar`.

Years the package does not cover fall back to Monday-Friday, and say so (`is_official`), so that a finding
computed on such a year can be marked as resting on an assumed calendar.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=4096)
def _official(day: dt.date) -> bool | None:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


def is_official(day: dt.date) -> bool:
    """Whether the calendar for `day`'s year is published data (not the Monday-Friday fallback)."""
    return _official(day) is not None


def is_workday(day: dt.date) -> bool:
    official = _official(day)
    return official if official is not None else day.weekday() < 5


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The date on which the n-th working day counted from `start` (inclusive, if a workday) falls.

    add_workdays(d, 1) is d itself when d is a workday, else the next workday.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    day = start
    count = 0
    while True:
        if is_workday(day):
            count += 1
            if count == n:
                return day
        day += dt.timedelta(days=1)


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days from `start` to `end`, both included (0 when end is before start)."""
    if end < start:
        return 0
    return sum(1 for i in range((end - start).days + 1) if is_workday(start + dt.timedelta(days=i)))
