"""Micro-wish findings: a wish published and still unclaimed, claimed and still not fulfilled, or fulfilled and
still not confirmed, longer than the rules allow (`wishes.claim_within`, `wishes.fulfil_within`,
`wishes.confirm_within` in rules/data/wishes.json). Each names the collecting organization; nobody is ranked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.rules.findings import OVERDUE, Finding, source

from .models import State
from .selectors import due_day, for_org, limits, overdue_q


@source("wishes")
def wish_findings(org: Any, as_of: dt.date) -> Iterator[Finding]:
    lim = limits(as_of)
    cites = {State.PUBLISHED: lim.cites[0], State.CLAIMED: lim.cites[1], State.FULFILLED: lim.cites[2]}
    late = (for_org(org).filter(overdue_q(as_of)).select_related("org", "claimant_member", "claimant_org")
            .order_by("collected_on", "id"))
    for wish in late:
        due = due_day(wish, lim)
        values = {"number": wish.number, "due": due.isoformat() if due else "", "name": wish.claimant_name}
        if wish.state == State.PUBLISHED:
            message = _("Micro-wish %(number)s has waited for a claimant since %(due)s.") % values
        elif wish.state == State.CLAIMED:
            message = _("Micro-wish %(number)s, claimed by %(name)s, was due to be fulfilled by %(due)s.") % values
        else:
            message = _("Micro-wish %(number)s was fulfilled; the resident's confirmation was due by %(due)s.") % values
        yield Finding(rule=cites[State(wish.state)], state=OVERDUE, subject_type="wish", subject_id=wish.pk,
                      subject_label=wish.number, org_id=wish.org_id, org_name=wish.org.name, due=due,
                      message=message, url=reverse("wish-detail", args=[wish.pk]))
