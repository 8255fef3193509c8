"""iCalendar (RFC 5545) text for a list of meetings: a branch's or a member's calendar feed.

Written by hand (no dependency): one VEVENT per meeting, an all-day event (DTSTART;VALUE=DATE and the
next day as DTEND), the summary "kind: topic", the place as LOCATION and the organization, host and minutes
as DESCRIPTION. Text values escape backslash, semicolon, comma and newlines (3.3.11); content lines end in
CRLF and are folded so that no line is longer than 75 octets of UTF-8, never inside a character (3.1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

LINE_OCTETS = 75
PRODID = "-//Grassroots//Organizational life//EN"


def escape_text(value: Any) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, newlines as \\n."""
    text = str(value or "")
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold one content line into CRLF-joined pieces of at most 75 octets; continuations begin with a space
    (which counts toward their 75 octets). Multi-byte characters are never split."""
    pieces: list[str] = []
    current = ""
    size = 0
    limit = LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current = " "
            size = 1
        current += char
        size += width
    pieces.append(current)
    return "\r\n".join(pieces)


def _utc(moment: dt.datetime) -> str:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _date(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def event_lines(meeting: Any, *, stamp: str, domain: str) -> list[str]:
    org = getattr(meeting, "org", None)
    summary = f"{meeting.get_kind_display()}: {meeting.topic}"
    description = [str(org) if org is not None else ""]
    if meeting.host:
        description.append(str(meeting.host))
    if meeting.minutes:
        description.append(str(meeting.minutes))
    lines = [
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.pk}@{domain}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{_date(meeting.date)}",
        f"DTEND;VALUE=DATE:{_date(meeting.date + dt.timedelta(days=1))}",
        f"SUMMARY:{escape_text(summary)}",
    ]
    if meeting.place:
        lines.append(f"LOCATION:{escape_text(meeting.place)}")
    lines.append(f"DESCRIPTION:{escape_text(chr(10).join(d for d in description if d))}")
    lines.append("END:VEVENT")
    return lines


def calendar(meetings: Iterable[Any], *, name: str = "", now: dt.datetime | None = None,
             domain: str = "grassroots") -> str:
    """The VCALENDAR text (CRLF line ends, folded) for `meetings`; `name` becomes X-WR-CALNAME."""
    stamp = _utc(now or timezone.now())
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    for meeting in meetings:
        lines.extend(event_lines(meeting, stamp=stamp, domain=domain))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
