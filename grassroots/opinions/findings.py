"""Opinions findings: an opinion still open past its reply deadline is overdue; one due within
`DUE_SOON_WORKDAYS` working days is due soon. Named for the organization handling it.

The rule cite is `opinions.reply_within@v1`; the deadline is the category's number of working days counted
from the working day after the day received (or after the day it was reopened).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.core.workdays import workdays_between
from grassroots.rules.findings import DUE_SOON, OVERDUE, Finding, source
from grassroots.rules.registry import in_force

from .models import CLOSED, OPEN
from .selectors import for_org, states_on

DUE_SOON_WORKDAYS = 2


@source("opinions")
def opinion_findings(org: Any, as_of: dt.date) -> Iterator[Finding]:
    rule = in_force("opinions.reply_within", as_of)
    # Open on as_of: open now, or closed only after as_of (a closing date on or before it stands).
    open_then = for_org(org).filter(received_on__lte=as_of).filter(Q(state__in=OPEN) | Q(closed_on__gt=as_of))
    on_date = states_on(open_then, as_of)
    candidates = list(open_then.select_related("category", "handler_org", "department"))
    for o in candidates:
        d = on_date.get(o.pk)
        if d is None or d.state in CLOSED:  # None: written between the two reads
            continue
        values = {"number": o.number, "category": o.category.name, "due": d.deadline.isoformat(),
                  "handler": o.department.name if o.department else o.handler_org.name}
        if d.deadline < as_of:
            state = OVERDUE
            message = _("Opinion %(number)s (%(category)s) has had no reply since its deadline %(due)s; "
                        "handled by %(handler)s.") % values
        elif workdays_between(as_of, d.deadline) <= DUE_SOON_WORKDAYS:
            state = DUE_SOON
            message = _("Opinion %(number)s (%(category)s) is due for a reply by %(due)s; handled by "
                        "%(handler)s.") % values
        else:
            continue
        yield Finding(rule=rule.cite, state=state, subject_type="opinion", subject_id=o.pk, subject_label=o.number,
                      org_id=o.handler_org_id, org_name=o.handler_org.name, due=d.deadline, message=message,
                      url=reverse("opinion-detail", args=[o.pk]))
