"""Point evidence: the confirmed hours of volunteers who are members (`core.modules.PointEvidence`, item
"volunteers.hours"); the points module proposes entries from them and the branch approves them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone

from grassroots.core.modules import PointEvidence

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
