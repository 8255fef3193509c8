"""Dues findings: consecutive unpaid months (arrears), per member of a subtree.

For each member of org's subtree on `as_of` (on the roster and not suspended), the owed months are counted
back from the last complete month before `as_of` (see `selectors` for which months are owed) while unpaid,
across year boundaries. By `dues.arrears`: at the first finding threshold (3) the member is overdue, at the
second (5) overdue with a stronger message, and at the warning threshold (6) or more the finding is
"violated": the branch must discuss it. The platform never acts on it by itself.

Four queries whatever the size of the subtree: the members on `as_of`, their periods, their assessments and
their paid months within the look-back window, grouped here in Python.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.core.dates import add_months
from grassroots.members.models import MemberPeriod
from grassroots.rules.findings import OVERDUE, VIOLATED, Finding, source
from grassroots.rules.registry import in_force

from .models import DuesAssessment, DuesMonth
from .selectors import Owed, Span, count_consecutive, last_complete_month
from .services import month_label

LOOKBACK_MONTHS = 36  # a longer run of unpaid months is reported as this many


def _message(name: str, count: int, since: dt.date, strong: bool, warning: bool) -> str:
    values = {"name": name, "n": count, "since": month_label(since)}
    if warning:
        return _("%(name)s has not paid dues for %(n)s consecutive months (since %(since)s): the branch must "
                 "discuss it and decide; the platform takes no action.") % values
    if strong:
        return _("%(name)s has not paid dues for %(n)s consecutive months (since %(since)s): talk with them now; "
                 "one more month and the branch must discuss it.") % values
    return _("%(name)s has not paid dues for %(n)s consecutive months (since %(since)s): remind them.") % values


@source("dues")
def dues_findings(org: Any, as_of: dt.date) -> Iterator[Finding]:
    rule = in_force("dues.arrears", as_of)
    thresholds = sorted(int(n) for n in rule["finding_months"])
    warning = int(rule["warning_months"])
    last = last_complete_month(as_of)
    window = add_months(last, -(LOOKBACK_MONTHS - 1))
    on_roster = MemberPeriod.objects.on(as_of).in_subtree(org, as_of).filter(suspended=False)
    members = list(on_roster.values_list("member_id", "member__name", "org_id", "org__name"))
    if not members:
        return
    ids = on_roster.values("member_id")
    spans: dict[int, list[Span]] = defaultdict(list)
    for member_id, start, end in MemberPeriod.objects.filter(member_id__in=ids).filter(
            Q(end__isnull=True) | Q(end__gt=window)).values_list("member_id", "start", "end"):
        spans[member_id].append((start, end))
    assessed: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for member_id, year, amount in DuesAssessment.objects.filter(member_id__in=ids, year__lte=last.year).values_list(
            "member_id", "year", "monthly_amount"):
        assessed[member_id][year] = amount
    paid: dict[int, set[dt.date]] = defaultdict(set)
    for member_id, month in DuesMonth.objects.filter(member_id__in=ids, month__gte=window, month__lte=last
                                                     ).values_list("member_id", "month"):
        paid[member_id].add(month)
    for member_id, name, org_id, org_name in members:
        if member_id not in assessed:
            continue
        count, since = count_consecutive(last, spans[member_id], Owed(assessed[member_id]), paid[member_id],
                                         LOOKBACK_MONTHS)
        if count < thresholds[0] or since is None:
            continue
        is_warning = count >= warning
        strong = count >= thresholds[-1]
        yield Finding(rule=rule.cite, state=VIOLATED if is_warning else OVERDUE, subject_type="member",
                      subject_id=member_id, subject_label=name, org_id=org_id, org_name=org_name, due=since,
                      message=_message(name, count, since, strong, is_warning), url=reverse("member-detail", args=[member_id]))
