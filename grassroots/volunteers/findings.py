"""Volunteer-service findings: hours awaiting the organizer's confirmation more than N days after the activity
(`volunteers.confirm_within`), self-reports awaiting approval (`volunteers.report_within`) and correction
requests awaiting an answer (`volunteers.correction_within`). The platform only says it; people act."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.rules.findings import Finding, deadline_state, source
from grassroots.rules.registry import in_force

from .models import Activity, Attendance, Correction, Decision, SelfReport


@source("volunteers")
def volunteer_findings(org: Any, as_of: dt.date) -> Iterator[Finding]:
    confirm = in_force("volunteers.confirm_within", as_of)
    days = int(confirm["days"])
    tz = timezone.get_current_timezone()
    ended_before = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    activities = (Activity.objects.filter(org__path__startswith=org.path, cancelled=False, ends_at__lt=ended_before,
                                          participations__state=Attendance.PRESENT,
                                          participations__confirmed_on__isnull=True)
                  .annotate(waiting=Count("participations"), last=Max("ends_at"))
                  .select_related("org").order_by("ends_at"))
    for a in activities:
        due = timezone.localtime(a.ends_at).date() + dt.timedelta(days=days)
        state = deadline_state(due, None, as_of)
        if state is None:
            continue
        yield Finding(rule=confirm.cite, state=state, subject_type="volunteer_activity", subject_id=a.pk,
                      subject_label=a.title, org_id=a.org_id, org_name=a.org.name, due=due,
                      message=_("%(n)d volunteers' hours at “%(title)s” await the organizer's confirmation.")
                      % {"n": a.waiting, "title": a.title}, url=reverse("volunteers-activity", args=[a.pk]))
    report_rule = in_force("volunteers.report_within", as_of)
    for r in (SelfReport.objects.filter(org__path__startswith=org.path, state=Decision.PENDING, day__lte=as_of)
              .select_related("org", "volunteer__member")):
        due = r.day + dt.timedelta(days=int(report_rule["days"]))  # counted from the day of the service
        state = deadline_state(due, None, as_of)
        if state is None:
            continue
        yield Finding(rule=report_rule.cite, state=state, subject_type="volunteer_report", subject_id=r.pk,
                      subject_label=r.volunteer.display_name, org_id=r.org_id, org_name=r.org.name, due=due,
                      message=_("%(name)s reported %(hours)s hours of service on %(day)s: approve or decline.")
                      % {"name": r.volunteer.display_name, "hours": r.hours, "day": r.day.isoformat()},
                      url=reverse("volunteers-pending", args=[r.org.code]))
    correction_rule = in_force("volunteers.correction_within", as_of)
    for c in (Correction.objects.filter(org__path__startswith=org.path, state=Decision.PENDING,
                                        requested_on__lte=as_of).select_related("org", "volunteer__member")):
        due = c.requested_on + dt.timedelta(days=int(correction_rule["days"]))
        state = deadline_state(due, None, as_of)
        if state is None:
            continue
        yield Finding(rule=correction_rule.cite, state=state, subject_type="volunteer_correction", subject_id=c.pk,
                      subject_label=c.volunteer.display_name, org_id=c.org_id, org_name=c.org.name, due=due,
                      message=_("%(name)s asked on %(day)s for their record to be corrected: answer them.")
                      % {"name": c.volunteer.display_name, "day": c.requested_on.isoformat()},
                      url=reverse("volunteers-pending", args=[c.org.code]))
