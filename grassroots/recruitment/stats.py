"""Recruitment counts by stage for a subtree on a day, and the flow over a period.

"12 applications, 4 activists, 6 development targets": the stock on a day (who was an applicant, an activist
or a development target then, in the organizations of the subtree as it stood that day) and the flow over a
period (applications received, activists decided, development targets listed, admitted, converted).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from grassroots.orgs.models import Organization
from grassroots.orgs.selectors import subtree_org_ids

from .models import Candidate, Stage


@dataclass(frozen=True)
class StageCounts:
    day: dt.date
    period_start: dt.date
    applicants: int
    activists: int
    development_targets: int
    applications: int  # received in the period
    activists_decided: int
    development_targets_listed: int
    admitted: int
    converted: int

    def as_json(self) -> dict[str, Any]:
        """The keys scripts read (`grassroots stats --json`, the API's stats)."""
        return {
            "applicants": self.applicants,
            "activists": self.activists,
            "development_targets": self.development_targets,
            "applications": self.applications,
            "activists_decided": self.activists_decided,
            "development_targets_listed": self.development_targets_listed,
            "admitted": self.admitted,
            "converted": self.converted,
            "recruitment_period": {"start": self.period_start.isoformat(), "end": self.day.isoformat()},
        }


def stage_counts(org: Organization, day: dt.date, period_start: dt.date | None = None) -> StageCounts:
    """Stage counts in org's subtree on `day`; the flow over [period_start (default 1 January), day]."""
    start = period_start or day.replace(month=1, day=1)
    base = Candidate.objects.filter(org_id__in=subtree_org_ids(org, day))
    stock = {stage: base.stage_on(stage, day).count()
             for stage in (Stage.APPLICANT, Stage.ACTIVIST, Stage.DEVELOPMENT_TARGET)}

    def within(field: str) -> Q:
        return Q(**{f"{field}__gte": start, f"{field}__lte": day})

    flow = base.aggregate(
        applications=Count("id", filter=within("applied_on")),
        activists_decided=Count("id", filter=within("activist_on")),
        development_targets_listed=Count("id", filter=within("target_on")),
        admitted=Count("id", filter=within("admitted_on")),
        converted=Count("id", filter=within("converted_on")),
    )
    return StageCounts(day=day, period_start=start, applicants=stock[Stage.APPLICANT],
                       activists=stock[Stage.ACTIVIST], development_targets=stock[Stage.DEVELOPMENT_TARGET],
                       **flow)
