"""Points findings: proposals awaiting the branch's approval for more than `points.proposals_waiting` days
(counted from the day they were proposed), one finding per organization holding them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.rules.findings import OVERDUE, Finding, source
from grassroots.rules.registry import in_force

from .models import EntryStatus, PointEntry


@source("points")
def points_findings(org: Any, as_of: dt.date) -> Iterator[Finding]:
    rule = in_force("points.proposals_waiting", as_of)
    days = int(rule["days"])
    limit = as_of - dt.timedelta(days=days)
    waiting = (PointEntry.objects.filter(org__path__startswith=org.path, status=EntryStatus.PROPOSED,
                                         recorded_at__date__lt=limit)
               .values("org_id", "org__name", "org__code").annotate(n=Count("id"), since=Min("recorded_at"))
               .order_by("org__code"))
    for row in waiting:
        since = row["since"].date()
        yield Finding(rule=rule.cite, state=OVERDUE, subject_type="organization", subject_id=row["org_id"],
                      subject_label=row["org__name"], org_id=row["org_id"], org_name=row["org__name"],
                      due=since + dt.timedelta(days=days),
                      message=_("%(n)d points proposals of %(org)s have awaited approval for more than %(days)d "
                                "days (since %(since)s).") % {"n": row["n"], "org": row["org__name"], "days": days,
                                                              "since": since.isoformat()},
                      url=reverse("points-proposals", args=[row["org__code"]]))
