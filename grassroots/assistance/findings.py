"""Assistance findings: donations held in the store undistributed longer than the rules allow
(`assistance.distribute_within`), and a distribution round not yet signed for (`assistance.sign_within`), both in
rules/data/assistance.json (unverified numbers: this platform's settings).

Households with a difficult or low-income situation and no assistance in the year: not here. The households app
of this branch keeps no situations yet; the finding belongs beside them when it does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.orgs.models import Organization
from grassroots.rules.findings import OVERDUE, Finding, source

from . import selectors
from .models import StockItem


@source("assistance")
def assistance_findings(org: Any, as_of: dt.date) -> Iterator[Finding]:
    dist_days, dist_cite, _sign_days, sign_cite = selectors.limits(as_of)
    stores = Organization.objects.filter(
        pk__in=StockItem.objects.filter(org__path__startswith=org.path).values("org_id")).order_by("path")
    for store in stores:
        for row in selectors.stock(store, as_of):
            since = row.oldest_undistributed
            if row.on_hand <= 0 or since is None:
                continue
            due = since + dt.timedelta(days=dist_days)
            if due >= as_of:
                continue
            yield Finding(rule=dist_cite, state=OVERDUE, subject_type="stock_item", subject_id=row.item.pk,
                          subject_label=row.item.name, org_id=store.pk, org_name=store.name, due=due,
                          message=_("%(n)s %(unit)s of %(item)s received on %(day)s are still in the store of "
                                    "%(org)s.") % {"n": row.on_hand.normalize(), "unit": row.item.unit,
                                                   "item": row.item.name, "day": since.isoformat(),
                                                   "org": store.name},
                          url=reverse("assistance-donations", args=[store.code]))
    for rnd in selectors.unsigned_late(org, as_of).select_related("org").order_by("held_on", "id"):
        due = rnd.held_on + dt.timedelta(days=_sign_days)
        yield Finding(rule=sign_cite, state=OVERDUE, subject_type="distribution_round", subject_id=rnd.pk,
                      subject_label=rnd.title, org_id=rnd.org_id, org_name=rnd.org.name, due=due,
                      message=_("The distribution %(title)s of %(day)s has not been signed for.")
                      % {"title": rnd.title, "day": rnd.held_on.isoformat()},
                      url=reverse("assistance-round", args=[rnd.pk]))
