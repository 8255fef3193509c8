"""The dues module's point evidence: a month's dues paid on time, that is by the month's last day (plus
`grace_days` of `points.dues_on_time` in rules/data/points.json, the version in force on the payment's day). A
payment may cover months ahead within the quarter: each of them is on time; a month paid back is not (the
other months of a back payment may be)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse

from grassroots.core.modules import PointEvidence
from grassroots.rules.registry import in_force

from .models import DuesMonth
from .selectors import month_span


def evidence(org: Any, start: dt.date, end: dt.date) -> Iterator[PointEvidence]:
    """One piece of evidence per month paid on time by a payment received in the subtree of `org` from `start`
    to `end` (the payment's day is the act's day). The key names the member and the month: a month earns once."""
    rows = (DuesMonth.objects.filter(payment__org__path__startswith=org.path, payment__paid_on__gte=start,
                                     payment__paid_on__lte=end)
            .values_list("member_id", "month", "payment__paid_on")
            .order_by("payment__paid_on", "member_id", "month"))
    graces: dict[dt.date, int] = {}
    for member_id, month, paid_on in rows:
        if paid_on not in graces:
            graces[paid_on] = int(in_force("points.dues_on_time", paid_on)["grace_days"])
        due = month_span(month)[1] + dt.timedelta(days=graces[paid_on])
        if paid_on > due:
            continue
        yield PointEvidence(key=f"dues.paid_on_time:{member_id}:{month:%Y-%m}", member_id=member_id, day=paid_on,
                            item="dues.paid_on_time", quantity=1, text=f"{month:%Y-%m}",
                            url=f"{reverse('dues-statement', args=[member_id])}?year={month.year}")
