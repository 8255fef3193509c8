"""In-service members' findings: a member who reported to a community reports again every half year
(`inservice.report_again`, counted from the last accepted report; the home organization is reminded), a report
awaiting the community's answer, and in-service members living in a community's area (in its households) whose home
organization is elsewhere and who never reported there (the community is told). The platform only says it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.households.models import HouseholdPlace, Person
from grassroots.members.models import MemberPeriod, Occupation
from grassroots.orgs.models import Organization
from grassroots.rules.findings import OVERDUE, Finding, deadline_state, source
from grassroots.rules.registry import in_force

from .models import Report, State
from .selectors import report_again_on


@source("inservice")
def inservice_findings(org: Any, as_of: dt.date) -> Iterator[Finding]:
    yield from _report_again(org, as_of)
    yield from _not_reported(org, as_of)


def _report_again(org: Organization, as_of: dt.date) -> Iterator[Finding]:
    """The latest accepted report of each member of `org`'s subtree to each community, still in service there."""
    latest: dict[tuple[int, int], Report] = {}
    for r in (Report.objects.filter(home_org__path__startswith=org.path, state=State.ACCEPTED, date__lte=as_of)
              .select_related("member", "community_org", "home_org").order_by("date", "id")):
        latest[(r.member_id, r.community_org_id)] = r
    if not latest:
        return
    in_service = set(MemberPeriod.objects.on(as_of).filter(member_id__in={m for m, _c in latest})
                     .filter(occupation=Occupation.IN_SERVICE).values_list("member_id", flat=True))
    for r in latest.values():
        if r.member_id not in in_service and not r.mobile:
            continue
        due = report_again_on(r.date)
        state = deadline_state(due, None, as_of)
        if state is None or r.home_org is None:
            continue
        yield Finding(rule=in_force("inservice.report_again", r.date).cite, state=state,
                      subject_type="inservice_report", subject_id=r.pk, subject_label=r.member.name,
                      org_id=r.home_org_id or 0, org_name=r.home_org.name, due=due,
                      message=_("%(name)s last reported to %(community)s on %(date)s: report again.")
                      % {"name": r.member.name, "community": r.community_org.name, "date": r.date.isoformat()},
                      url=reverse("inservice-member", args=[r.member_id]))


def _not_reported(org: Organization, as_of: dt.date) -> Iterator[Finding]:
    """In-service members living in the area of a community organization of `org`'s subtree (in a household
    placed under its territory on `as_of`), belonging to an organization outside it, who never reported there."""
    rule = in_force("inservice.report_again", as_of)
    communities = [o for o in Organization.objects.filter(path__startswith=org.path, revoked_on__isnull=True,
                                                          territory__isnull=False, territory__kind="community")
                   .select_related("territory")]
    for community in communities:
        households = HouseholdPlace.objects.on(as_of).filter(path__startswith=community.territory.path)  # type: ignore[union-attr]
        persons = (Person.objects.filter(household_id__in=households.values("household_id"), member__isnull=False)
                   .exclude(left_on__lte=as_of).values_list("member_id", "name"))
        names = dict(persons)
        if not names:
            continue
        periods = (MemberPeriod.objects.on(as_of).filter(member_id__in=names, occupation=Occupation.IN_SERVICE)
                   .exclude(org__path__startswith=community.path).values_list("member_id", flat=True))
        reported = set(Report.objects.filter(community_org=community, date__lte=as_of)
                       .exclude(state=State.DECLINED).values_list("member_id", flat=True))
        for member_id in sorted(set(periods) - reported):
            yield Finding(rule=rule.cite, state=OVERDUE, subject_type="member", subject_id=member_id,
                          subject_label=names[member_id], org_id=community.pk, org_name=community.name, due=None,
                          message=_("%(name)s, an in-service member living in %(community)s's area, has not "
                                    "reported to it.") % {"name": names[member_id], "community": community.name},
                          url=reverse("inservice-home", args=[community.code]))
