"""Household findings, in the places an organization holds: a situation the rules ask to review
(`households.situation_review_months`: 困难户, 低保户, 特困供养, and an organization's kinds marked reviewed) not
reviewed for longer than the rules say, and a household living here with nobody living in it as its head (the head
died or moved out and no new head was named). Each names the organization holding the place; nobody is ranked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.rules.findings import OVERDUE, Finding, source
from grassroots.rules.registry import in_force

from . import relations, selectors
from .models import Household, Person, Situation

LIMIT = 200  # findings of one kind shown at most per organization (the list page has the rest)


@source("households")
def household_findings(org: Any, as_of: dt.date) -> Iterator[Finding]:
    paths = selectors.org_paths(org)
    if not paths:
        return
    rule = in_force("households.situation_review_months", as_of)
    kinds = [k for k in selectors.situation_kinds(org) if k.reviewed]
    labels = {k.code: k.label for k in kinds}
    living = selectors.places_under(paths, as_of).values("household_id")
    late = (Situation.objects.on(as_of).filter(household_id__in=living, kind__in=labels)
            .filter(selectors.review_due_q(as_of, rule["months"])).select_related("household", "person")
            .order_by("started_on", "pk")[:LIMIT])
    for s in late:
        last = s.reviewed_on or s.started_on
        due = selectors._months_before(last, -rule["months"])
        yield Finding(rule=rule.cite, state=OVERDUE, subject_type="household", subject_id=s.household_id,
                      subject_label=s.household.code, org_id=org.pk, org_name=org.name, due=due,
                      message=_("Household %(code)s: %(kind)s%(person)s was last checked on %(day)s; a review was "
                                "due by %(due)s.") % {
                          "code": s.household.code, "kind": labels.get(s.kind, s.kind),
                          "person": f" ({s.person.name})" if s.person else "", "day": last.isoformat(),
                          "due": due.isoformat()},
                      url=reverse("household-detail", args=[s.household_id]))
    head = Person.objects.on(as_of).filter(household=OuterRef("pk"), relation=relations.HEAD)
    headless = (Household.objects.filter(pk__in=living).filter(~Exists(head)).order_by("code")[:LIMIT])
    for h in headless:
        yield Finding(rule="households.head@v1", state=OVERDUE, subject_type="household", subject_id=h.pk,
                      subject_label=h.code, org_id=org.pk, org_name=org.name, due=None,
                      message=_("Household %(code)s has no head living in it: name the new head, or record that the "
                                "household left.") % {"code": h.code},
                      url=reverse("household-detail", args=[h.pk]))
