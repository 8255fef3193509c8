"""Honours findings: a proposal waiting for the holding organization's decision longer than the rules allow
(`honours.decide_within`, rules/data/honours.json, this platform's setting). Nobody is ranked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.households.services import holder_id
from grassroots.rules.findings import OVERDUE, Finding, source

from . import selectors


@source("honours")
def honour_findings(org: Any, as_of: dt.date) -> Iterator[Finding]:
    days, cite = selectors.decide_within(as_of)
    for h in selectors.waiting(org, as_of).select_related("household__territory").order_by("proposed_on", "id"):
        due = h.proposed_on + dt.timedelta(days=days)
        holder = holder_id(h.household.territory, as_of)
        yield Finding(rule=cite, state=OVERDUE, subject_type="honour", subject_id=h.pk,
                      subject_label=f"{h.year} {h.household.head_name}", org_id=holder or org.pk,
                      org_name=org.name, due=due,
                      message=_("The honour proposed for %(name)s on %(day)s waits for a decision.")
                      % {"name": h.household.head_name, "day": h.proposed_on.isoformat()},
                      url=reverse("honours-detail", args=[h.pk]))
