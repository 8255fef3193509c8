"""Values as a service receives them from a form, the API or a spreadsheet row: text trimmed and bounded, days as
people type them. Each refusal is a `RuleError` naming the field, so the page, the API and the import say where."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, overload

from django.utils import timezone
from django.utils.translation import gettext as _

from .dates import DateError, parse_date
from .errors import RuleError


def text(value: Any, field: str, max_length: int, *, required: bool = False) -> str:
    """`value` trimmed; refused when required and empty, or longer than `max_length`."""
    out = str(value or "").strip()
    if required and not out:
        raise RuleError(_("this field is required"), field=field)
    if len(out) > max_length:
        raise RuleError(_("longer than %(n)d characters") % {"n": max_length}, field=field)
    return out


@overload
def day(value: Any, field: str, *, required: Literal[True] = ...) -> dt.date: ...
@overload
def day(value: Any, field: str, *, required: bool) -> dt.date | None: ...
def day(value: Any, field: str, *, required: bool = True) -> dt.date | None:
    """A date as typed (2019-12-31, 2019年12月31日, an Excel serial…), ahead of today too (a deadline); None when
    empty and not required."""
    try:
        out = parse_date(value)
    except DateError as exc:
        raise RuleError(str(exc), field=field) from exc
    if out is None and required:
        raise RuleError(_("this field is required"), field=field)
    return out


@overload
def past_day(value: Any, field: str, *, required: Literal[True] = ...) -> dt.date: ...
@overload
def past_day(value: Any, field: str, *, required: bool) -> dt.date | None: ...
def past_day(value: Any, field: str, *, required: bool = True) -> dt.date | None:
    """A day that has come: not after the site's today."""
    out = day(value, field, required=required)
    if out is not None and out > timezone.localdate():
        raise RuleError(_("%(date)s is in the future") % {"date": out}, field=field)
    return out
