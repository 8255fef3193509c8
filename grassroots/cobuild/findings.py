"""Co-construction findings (source "cobuild"): agreements whose term ends within `cobuild.renew_before` days
and that were not renewed (a reminder: an agreement may lapse), and open projects whose deadline has passed or
comes soon (`cobuild.project_due`). Two queries. The platform only says it; people act."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.rules.findings import DUE_SOON, Finding, deadline_state, source
from grassroots.rules.registry import in_force

from . import selectors
from .models import OPEN_PROJECT_STATES


@source("cobuild")
def cobuild_findings(org: Any, as_of: dt.date) -> Iterator[Finding]:
    renew = in_force("cobuild.renew_before", as_of)
    days = int(renew["days"])
    lapsing = (selectors.agreements_of(org).filter(selectors.in_force_on(as_of), ends_on__isnull=False,
                                                   ends_on__lte=as_of + dt.timedelta(days=days),
                                                   ended_on__isnull=True, renewals__isnull=True)
               .select_related("org", "unit").order_by("ends_on", "pk"))
    for a in lapsing:
        assert a.ends_on is not None
        yield Finding(rule=renew.cite, state=DUE_SOON, subject_type="cobuild_agreement", subject_id=a.pk,
                      subject_label=f"{a.unit.name} · {a.title}", org_id=a.org_id, org_name=a.org.name, due=a.ends_on,
                      message=_("The agreement with %(unit)s ends on %(date)s (%(n)d days left): renew it or let it "
                                "lapse.") % {"unit": a.unit.name, "date": a.ends_on.isoformat(),
                                             "n": (a.ends_on - as_of).days},
                      url=reverse("cobuild-agreement", args=[a.pk]))
    due = in_force("cobuild.project_due", as_of)
    projects = (selectors.projects_of(org).filter(state__in=OPEN_PROJECT_STATES, due_on__isnull=False,
                                                  started_on__lte=as_of)
                .select_related("org", "unit").order_by("due_on", "pk"))
    for p in projects:
        assert p.due_on is not None
        state = deadline_state(p.due_on, None, as_of)
        if state is None:
            continue
        yield Finding(rule=due.cite, state=state, subject_type="cobuild_project", subject_id=p.pk,
                      subject_label=p.title, org_id=p.org_id, org_name=p.org.name, due=p.due_on,
                      message=_("The project “%(title)s”%(unit)s is due by %(date)s and is not done.")
                      % {"title": p.title, "unit": f" ({p.unit.name})" if p.unit else "",
                         "date": p.due_on.isoformat()},
                      url=reverse("cobuild-project", args=[p.pk]))
