"""Point evidence and appraisal notes: the confirmed hours of volunteers who are members (`core.modules.PointEvidence`, item
"volunteers.hours"); the points module proposes entries from them and the branch approves them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.core.modules import AppraisalNote, PointEvidence

from .models import Decision, Participation, SelfReport
from .selectors import confirmed_attendance

ITEM = "volunteers.hours"


def evidence(org: Any, start: dt.date, end: dt.date) -> Iterator[PointEvidence]:
    for p in (confirmed_attendance(org, start, end).filter(volunteer__member__isnull=False, hours__gt=0)
              .select_related("activity", "volunteer")):
        assert isinstance(p, Participation) and p.volunteer.member_id is not None
        day = timezone.localtime(p.actual_start or p.activity.starts_at).date()
        yield PointEvidence(key=f"volunteers.attendance:{p.pk}", member_id=p.volunteer.member_id, day=day,
                            item=ITEM, quantity=Decimal(p.hours or 0), text=p.activity.title,
                            url=reverse("volunteers-activity", args=[p.activity_id]))
    for r in (SelfReport.objects.filter(org__path__startswith=org.path, state=Decision.APPROVED,
                                        day__range=(start, end), volunteer__member__isnull=False, hours__gt=0)
              .select_related("volunteer")):
        assert r.volunteer.member_id is not None
        yield PointEvidence(key=f"volunteers.report:{r.pk}", member_id=r.volunteer.member_id, day=r.day, item=ITEM,
                            quantity=Decimal(r.hours), text=r.content,
                            url=reverse("volunteers-volunteer", args=[r.volunteer_id]))


def appraisal_notes(member_ids: list[int], year: int) -> dict[int, list[AppraisalNote]]:
    """What the democratic appraisal sheet shows beside a member: the year's confirmed volunteer hours (never a
    rating)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    tz = timezone.get_current_timezone()
    hours: dict[int, Decimal] = defaultdict(Decimal)
    times: dict[int, int] = defaultdict(int)
    for member_id, h in Participation.objects.filter(
            volunteer__member_id__in=member_ids, confirmed_on__isnull=False,
            activity__starts_at__gte=dt.datetime.combine(start, dt.time(0), tzinfo=tz),
            activity__starts_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    ).values_list("volunteer__member_id", "hours"):
        hours[member_id] += h or Decimal(0)
        times[member_id] += 1
    for member_id, h in SelfReport.objects.filter(volunteer__member_id__in=member_ids, state=Decision.APPROVED,
                                                  day__range=(start, end)).values_list("volunteer__member_id",
                                                                                       "hours"):
        hours[member_id] += h
        times[member_id] += 1
    return {m: [AppraisalNote(label=_("Volunteer service"), text=_("%(hours)s hours confirmed, %(n)d times") % {
        "hours": hours[m], "n": times[m]}, url=reverse("volunteers-member", args=[m]))] for m in hours}
