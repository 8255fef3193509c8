"""Dates as people type them: 2019-12-31, 2019/12/31, 2019.12.31, 2019年12月31日, 20191231, Excel cells."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from django.utils.translation import gettext as _

_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_EXCEL_EPOCH = dt.date(1899, 12, 30)


class DateError(ValueError):
    pass


def parse_date(value: object) -> dt.date | None:
    """Return a date, None for an empty cell, or raise DateError naming what was wrong."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # An Excel serial number that reached us as a number.
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise DateError(_("%(v)s is not a date") % {"v": repr(value)})
    text = str(value).strip()
    if not text:
        return None
    text = re.sub(r"\s+\d{1,2}:\d{2}(:\d{2})?$", "", text)  # "2019-12-31 00:00:00"
    for pattern in _PATTERNS:
        m = pattern.match(text)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            try:
                return dt.date(y, mo, d)
            except ValueError as exc:
                raise DateError(_("%(v)s is not a date") % {"v": repr(text)}) from exc
    raise DateError(_("%(v)s is not a date (use 2019-12-31, 2019/12/31, 2019.12.31 or 2019年12月31日)") % {"v": repr(text)})


def parse_date_or(value: object, default: dt.date) -> dt.date:
    """`parse_date(value)`, or `default` when the value is empty or not a date (query parameters)."""
    try:
        return parse_date(value) or default
    except DateError:
        return default


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier); the 31st becomes the last day of a shorter month
    (31 August + 6 months = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (or earlier); 29 February becomes 28 February in a common year."""
    return add_months(day, 12 * years)
