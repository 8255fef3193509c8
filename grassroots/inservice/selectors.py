"""Reads of in-service members' reports: what a user may read, when a member reports again, the quarterly
feedback sheet to the home branch as the records stood on a day, the year's figures, and the notes the democratic
appraisal shows beside a member."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from grassroots.access.scope import Scope
from grassroots.core.dates import add_months
from grassroots.core.modules import AppraisalNote
from grassroots.orgs.models import Organization
from grassroots.rules.registry import in_force

from .models import Report, Service, State


def evaluation_levels(day: dt.date) -> list[dict[str, str]]:
    """The levels of the evaluation scale in force on `day` (rules data `inservice.evaluation_scale`)."""
    return list(in_force("inservice.evaluation_scale", day)["levels"])


def evaluation_choices(day: dt.date) -> list[tuple[str, str]]:
    zh = (get_language() or "zh").startswith("zh")
    return [(lv["code"], lv["zh"] if zh else lv["en"]) for lv in evaluation_levels(day)]


def evaluation_label(code: str, day: dt.date) -> str:
    return dict(evaluation_choices(day)).get(code, code)


def readable(scope: Scope) -> QuerySet[Report]:
    return Report.objects.visible_to(scope).select_related("member", "community_org", "home_org", "grid__territory",
                                                           "post")


def report_again_on(last: dt.date) -> dt.date:
    """When a member who last reported on `last` reports again (`inservice.report_again`, in force on `last`)."""
    return add_months(last, int(in_force("inservice.report_again", last)["months"]))


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = add_months(start, 3) - dt.timedelta(days=1)
    return start, end


@dataclass
class FeedbackRow:
    member_id: int
    name: str
    communities: list[str] = field(default_factory=list)
    grid: str = ""
    post: str = ""
    reported_on: dt.date | None = None
    services: list[dict[str, Any]] = field(default_factory=list)
    hours: Decimal = Decimal(0)


def feedback(org: Organization, year: int, quarter: int, as_of: dt.date) -> list[FeedbackRow]:
    """The quarterly feedback sheet to a home organization (its subtree): for each of its members who had
    reported to a community by the end of the quarter, the community, grid and post, and the services of the
    quarter, as the records stood on `as_of` (reports made and decided, services logged, by that day)."""
    start, end = quarter_bounds(year, quarter)
    cut = min(end, as_of)
    reports = (Report.objects.filter(home_org__path__startswith=org.path, date__lte=cut, state=State.ACCEPTED,
                                     decided_on__lte=as_of)
               .select_related("member", "community_org", "grid__territory", "post").order_by("member__name", "date"))
    rows: dict[int, FeedbackRow] = {}
    for r in reports:
        row = rows.setdefault(r.member_id, FeedbackRow(r.member_id, r.member.name))
        if r.community_org.name not in row.communities:
            row.communities.append(r.community_org.name)
        row.reported_on = r.date
        row.grid = r.grid.territory.name if r.grid_id and r.grid else row.grid
        row.post = r.post.title if r.post_id and r.post else row.post
    services = (Service.objects.filter(report__in=[r.pk for r in reports], day__range=(start, cut),
                                       logged_on__lte=as_of).select_related("report").order_by("day", "id"))
    for s in services:
        row = rows[s.report.member_id]
        row.services.append({"day": s.day, "activity": s.activity, "hours": s.hours,
                             "evaluation": evaluation_label(s.evaluation, s.day) if s.evaluation else ""})
        row.hours += s.hours
    return sorted(rows.values(), key=lambda r: r.name)


def year_counts(org: Organization, year: int, day: dt.date) -> dict[str, Any]:
    """The year's figures of `org`'s subtree as the records stood on `day`: members who reported to its
    communities (accepted), the services logged there and their hours; and its own members who reported to a
    community (wherever they live)."""
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), day)
    here = Report.objects.filter(community_org__path__startswith=org.path, state=State.ACCEPTED, date__range=(start, end))
    services = Service.objects.filter(report__community_org__path__startswith=org.path, day__range=(start, end),
                                      logged_on__lte=day)
    totals = services.aggregate(n=Count("id"), hours=Sum("hours"))
    own = Report.objects.filter(home_org__path__startswith=org.path, date__range=(start, end))
    return {"reported": here.values("member").distinct().count(), "services": totals["n"] or 0,
            "hours": totals["hours"] or Decimal(0), "own_reported": own.values("member").distinct().count()}


def services_by_month(org: Organization, year: int, day: dt.date) -> list[dict[str, Any]]:
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), day)
    counts = dict.fromkeys(range(1, 13), 0)
    hours = dict.fromkeys(range(1, 13), Decimal(0))
    for d, h in Service.objects.filter(report__community_org__path__startswith=org.path, day__range=(start, end),
                                       logged_on__lte=day).values_list("day", "hours"):
        counts[d.month] += 1
        hours[d.month] += h
    return [{"month": m, "services": counts[m], "hours": hours[m]} for m in range(1, 13)]


def appraisal_notes(member_ids: list[int], year: int) -> dict[int, list[AppraisalNote]]:
    """Beside each member on the democratic appraisal sheet: the year's reports to the community and the
    services logged there (never a rating; the evaluations are on the feedback sheet)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    reports: dict[int, int] = defaultdict(int)
    for m, n in (Report.objects.filter(member_id__in=member_ids, date__range=(start, end))
                 .exclude(state=State.DECLINED).values("member_id").annotate(n=Count("id"))
                 .values_list("member_id", "n")):
        reports[m] = n
    services: dict[int, tuple[int, Decimal]] = {}
    for m, n, h in (Service.objects.filter(report__member_id__in=member_ids, day__range=(start, end))
                    .values("report__member_id").annotate(n=Count("id"), h=Sum("hours"))
                    .values_list("report__member_id", "n", "h")):
        services[m] = (n, h or Decimal(0))
    out: dict[int, list[AppraisalNote]] = {}
    for m in set(reports) | set(services):
        n, h = services.get(m, (0, Decimal(0)))
        out[m] = [AppraisalNote(label=_("Community reports"), text=_(
            "reports: %(reports)d; services: %(n)d, %(hours)s hours") % {"reports": reports.get(m, 0), "n": n,
                                                                             "hours": h},
            url=reverse("inservice-member", args=[m]))]
    return out

