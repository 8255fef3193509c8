"""Visit findings (source "visits"): a link with no visit by the linked person for longer than the rules say
(`visits.visit_every`: every half year, seed 004), and a difficulty or hazard found on a visit and not handled
(made an opinion or a wish, or handled on the spot) within `visits.finding_handled_within` days. Each names the
organization asked about and links to the page where it is put right; nobody is ranked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.rules.findings import OVERDUE, Finding, source

from .models import HouseholdLink, VisitFinding
from .selectors import held_paths, path_q, unhandled_findings, unvisited_links


@source("visits")
def visit_findings(org: Any, as_of: dt.date) -> Iterator[Finding]:
    paths = held_paths(org)
    if not paths:
        return
    links = HouseholdLink.objects.filter(path_q(paths, "household__territory"))
    late, cutoff, cite = unvisited_links(links, as_of)
    for link in late.select_related("household").order_by("valid_from", "id")[:500]:
        last = getattr(link, "last", None)
        due = _after(last or link.valid_from, as_of, cutoff)
        values = {"name": link.person_name, "code": link.household.code,
                  "last": last.isoformat() if last else _("never")}
        yield Finding(rule=cite, state=OVERDUE, subject_type="household_link", subject_id=link.pk,
                      subject_label=f"{link.person_name} · {link.household.code}", org_id=org.pk, org_name=org.name,
                      due=due, message=_("%(name)s has not visited household %(code)s for the period the rules say "
                                         "(last visit: %(last)s).") % values,
                      url=reverse("visit-new") + f"?household={link.household_id}")
    findings = VisitFinding.objects.filter(path_q(paths, "visit__territory"))
    open_, days, cite2 = unhandled_findings(findings, as_of)
    for f in open_.select_related("visit__household").order_by("visit__day", "id")[:500]:
        due = f.visit.day + dt.timedelta(days=days)
        yield Finding(rule=cite2, state=OVERDUE, subject_type="visit_finding", subject_id=f.pk,
                      subject_label=f"{f.get_type_display()} · {f.visit.household.code}", org_id=org.pk,
                      org_name=org.name, due=due,
                      message=_("A %(type)s found on the visit of %(day)s to household %(code)s has not been "
                                "handled.") % {"type": f.get_type_display(), "day": f.visit.day.isoformat(),
                                               "code": f.visit.household.code},
                      url=reverse("visit-detail", args=[f.visit_id]))


def _after(start: dt.date, as_of: dt.date, cutoff: dt.date) -> dt.date:
    """The day the next visit was due: a period after `start`."""
    return start + (as_of - cutoff)
