"""Commitments findings (source "commitments"):

- `commitments.result_after_deadline`: a standing commitment of this year whose deadline has passed with no
  result: due soon within the review days after the deadline, overdue after them;
- `commitments.year_review`: a branch with commitments of an ended year still without result (one finding per
  branch and year): overdue from the review date of the year after.

Three queries whatever the size of the subtree (the open commitments, grouped here in Python).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.rules.findings import DUE_SOON, OVERDUE, Finding, source
from grassroots.rules.registry import in_force

from .models import Commitment

LOOKBACK_YEARS = 5  # ended years further back are not reported again


def _review_day(year: int, as_of: dt.date) -> tuple[dt.date, str]:
    rule = in_force("commitments.year_review", as_of)
    return dt.date(year + 1, int(rule["review_by_month"]), int(rule["review_by_day"])), rule.cite


@source("commitments")
def commitments_findings(org: Any, as_of: dt.date) -> Iterator[Finding]:
    open_ = (Commitment.objects.standing().filter(org__path__startswith=org.path, result="", made_on__lte=as_of,
                                                  year__gte=as_of.year - LOOKBACK_YEARS, year__lte=as_of.year)
             .select_related("member", "org").order_by("deadline", "id"))
    rule = in_force("commitments.result_after_deadline", as_of)
    days = int(rule["review_within_days"])
    ended: dict[tuple[int, int], list[Commitment]] = defaultdict(list)
    for c in open_:
        if c.year < as_of.year:
            ended[(c.org_id, c.year)].append(c)
            continue
        if c.deadline >= as_of:
            continue
        due = c.deadline + dt.timedelta(days=days)
        yield Finding(rule=rule.cite, state=OVERDUE if as_of > due else DUE_SOON, subject_type="commitment",
                      subject_id=c.pk, subject_label=c.member.name, org_id=c.org_id, org_name=c.org.name, due=due,
                      message=_("%(name)s's commitment (deadline %(day)s) has no result yet: the branch reviews "
                                "it and records whether it was kept.") % {
                          "name": c.member.name, "day": c.deadline.isoformat()},
                      url=reverse("commitment-detail", args=[c.pk]))
    for (org_id, year), items in sorted(ended.items(), key=lambda kv: (kv[0][1], kv[1][0].org.path)):
        due, cite = _review_day(year, as_of)
        branch = items[0].org
        yield Finding(rule=cite, state=OVERDUE if as_of > due else DUE_SOON, subject_type="organization",
                      subject_id=org_id, subject_label=branch.name, org_id=org_id, org_name=branch.name, due=due,
                      message=_("%(year)s has ended and %(n)s commitments of %(org)s still have no result: the "
                                "branch reviews them.") % {"year": year, "n": len(items), "org": branch.name},
                      url=reverse("commitments", args=[branch.code]) + f"?year={year}&result=none")
