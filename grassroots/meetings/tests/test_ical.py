"""The iCalendar feed, parsed back line by line: CRLF, folding at 75 octets, escaping, one VEVENT a meeting."""

from __future__ import annotations

import datetime as dt
from typing import Any

from grassroots.meetings.ical import calendar, escape_text, fold
from grassroots.meetings.services import record_meeting

D = dt.date
NOW = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)


def unfold(text: str) -> list[str]:
    """Physical lines back to content lines (RFC 5545 3.1), checking every physical line on the way."""
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    out: list[str] = []
    for line in physical:
        assert "\n" not in line and "\r" not in line
        assert len(line.encode("utf-8")) <= 75, line
        if line.startswith(" "):
            out[-1] += line[1:]
        else:
            out.append(line)
    return out


def unescape(value: str) -> str:
    out = []
    chars = iter(value)
    for c in chars:
        if c == "\\":
            nxt = next(chars)
            out.append("\n" if nxt in "nN" else nxt)
        else:
            assert c not in ",;", value  # unescaped separators would split the value
            out.append(c)
    return "".join(out)


def props(lines: list[str]) -> list[tuple[str, str]]:
    return [(line.split(":", 1)[0], line.split(":", 1)[1]) for line in lines]


def test_escape_and_fold() -> None:
    assert escape_text('a,b;c\\d\ne\r\nf') == "a\\,b\\;c\\\\d\\ne\\nf"
    assert fold("x" * 75) == "x" * 75
    assert fold("x" * 76) == "x" * 75 + "\r\n x"
    folded = fold("SUMMARY:" + "党" * 40)  # 3 octets a character: never split inside one
    for piece in folded.split("\r\n"):
        assert len(piece.encode("utf-8")) <= 75
    assert "".join(p[1:] if i else p for i, p in enumerate(folded.split("\r\n"))) == "SUMMARY:" + "党" * 40


def test_the_feed_parses_back(cast: Any) -> None:
    topic = "学习贯彻党的二十大精神, 第一次; 路径 C:\\docs " + "以及组织生活会" * 8
    place = "村委会会议室,二楼;东侧"
    first = record_meeting(org=cast.branch_a, kind="theme_day", date=D(2024, 3, 7), topic=topic, place=place,
                           host="李明", minutes="一、学习\n二、讨论,表决")
    second = record_meeting(org=cast.branch_b, kind="party_lecture", date=D(2024, 12, 31), topic="党课",
                            study_hours=2)
    text = calendar([first, second], name="第一党总支, 组织生活", now=NOW)
    lines = unfold(text)
    assert lines[:5] == ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Grassroots//Organizational life//EN",
                         "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    assert lines[-1] == "END:VCALENDAR"
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 2
    assert any(p.startswith(" ") for p in text.split("\r\n"))  # the long summary was folded

    events: list[dict[str, str]] = []
    for name, value in props(lines):
        if name == "BEGIN" and value == "VEVENT":
            events.append({})
        elif events and name not in ("END",):
            events[-1][name] = value
    a, b = events
    assert a["UID"] == f"meeting-{first.pk}@grassroots" and b["UID"] == f"meeting-{second.pk}@grassroots"
    assert a["DTSTAMP"] == "20240506T070809Z"
    assert a["DTSTART;VALUE=DATE"] == "20240307" and a["DTEND;VALUE=DATE"] == "20240308"
    assert b["DTSTART;VALUE=DATE"] == "20241231" and b["DTEND;VALUE=DATE"] == "20250101"
    assert unescape(a["SUMMARY"]) == f"Theme Party day: {topic}"
    assert unescape(a["LOCATION"]) == place
    assert unescape(a["DESCRIPTION"]) == "第一支部\n李明\n一、学习\n二、讨论,表决"
    assert "LOCATION" not in b and unescape(b["SUMMARY"]) == "Party lecture: 党课"
    assert unescape(dict(props(lines))["X-WR-CALNAME"]) == "第一党总支, 组织生活"


def test_an_empty_calendar(cast: Any) -> None:
    lines = unfold(calendar([], now=NOW))
    assert "BEGIN:VEVENT" not in lines and lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
