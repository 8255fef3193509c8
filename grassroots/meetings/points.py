"""The meetings module's point evidence: a member marked present at a meeting of a kind that counts
(`points.meetings_attended` in rules/data/points.json, the version in force on the meeting's day)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.urls import reverse

from grassroots.core.modules import PointEvidence
from grassroots.rules.registry import in_force

from .models import Attendance


def evidence(org: Any, start: dt.date, end: dt.date) -> Iterator[PointEvidence]:
    """One piece of evidence per member present at a meeting of the subtree of `org` held from `start` to `end`.
    The key names the meeting and the member, so a meeting earns a member points once however often its
    attendance is corrected."""
    rows = (Attendance.objects.filter(meeting__org__path__startswith=org.path, meeting__date__gte=start,
                                      meeting__date__lte=end)
            .values_list("meeting_id", "member_id", "presence", "meeting__date", "meeting__kind", "meeting__topic")
            .order_by("meeting__date", "meeting_id", "member_id"))
    rules: dict[dt.date, Any] = {}
    for meeting_id, member_id, presence, day, kind, topic in rows:
        if day not in rules:
            rules[day] = in_force("points.meetings_attended", day)
        rule = rules[day]
        if kind not in rule["kinds"] or presence not in rule["presences"]:
            continue
        yield PointEvidence(key=f"meetings.attended:{meeting_id}:{member_id}", member_id=member_id, day=day,
                            item="meetings.attended", quantity=1, text=f"{day.isoformat()} {topic}"[:300],
                            url=reverse("meeting-detail", args=[meeting_id]))
