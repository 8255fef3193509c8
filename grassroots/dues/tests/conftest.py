"""Helpers for the dues tests: dates in 2024 (in the past), and a quick way to assess and pay."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from grassroots.core.context import acting

D = dt.date
ON = D(2024, 1, 5)


def months(year: int, first: int, last: int) -> list[dt.date]:
    return [D(year, m, 1) for m in range(first, last + 1)]


def assess_in_service(member: Any, year: int, base: str = "3000.00") -> Any:
    """15.00 a month on the default base."""
    from grassroots.dues.services import assess

    with acting(None, "system"):
        return assess(member, year=year, category="in_service", base=Decimal(base), on=D(year, 1, 2))


def pay(member: Any, paid_on: dt.date, covered: list[dt.date], amount: str | None = None, **kw: Any) -> Any:
    from grassroots.dues.models import DuesAssessment
    from grassroots.dues.services import record_payment

    if amount is None:
        total = sum(DuesAssessment.objects.get(member=member, year=m.year).monthly_amount for m in covered)
    else:
        total = Decimal(amount)
    with acting(None, "system"):
        return record_payment(member, paid_on=paid_on, months=covered, amount=total, **kw)
