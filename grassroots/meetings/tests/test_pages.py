"""The organizational-life pages: meetings (record with attendance, detail), duties grid, calendar and its
iCalendar feed, and the printable sign-in sheet."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import Cast, make_member
from grassroots.core.context import acting
from grassroots.core.models import AuditEntry
from grassroots.meetings import services
from grassroots.meetings.models import Attachment, Attendance, Meeting
from grassroots.meetings.views import calendar_token
from grassroots.members.models import Member
from grassroots.ui.testing import client_as

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def text(response: Any) -> str:
    return response.content.decode()


def today() -> dt.date:
    return timezone.localdate()


def meeting_in(org: Any, *, kind: str = "theme_day", day: dt.date | None = None, topic: str = "学习党章",
               attendance: dict[int, tuple[str, str]] | None = None) -> Meeting:
    with acting(None, "system"):
        return services.record_meeting(org=org, kind=kind, date=day or today(), topic=topic,
                                       attendance=attendance or {})


def meeting_post(cast: Cast, *, day: dt.date, kind: str = "general_meeting", **extra: Any) -> dict[str, Any]:
    data = {"kind": kind, "date": day.isoformat(), "topic": "学习二十大精神", "place": "村委会会议室",
            "host": "张书记", "study_hours": "0", "minutes": "传达学习",
            f"att-{cast.member.pk}": "present", f"att-{cast.member_a2.pk}": "leave",
            f"reason-{cast.member_a2.pk}": "外出务工"}
    data.update(extra)
    return data


def duty_cell(html: str, rule: str, period: dt.date) -> str:
    row = re.search(rf'<tr data-rule="{re.escape(rule)}" data-org="\d+">.*?</tr>', html, re.S)
    assert row, f"no row for {rule}"
    cell = re.search(rf'<td colspan="\d+" class="cell [a-z]+" data-period="{period.isoformat()}".*?</td>',
                     row.group(0), re.S)
    assert cell, f"no cell for {period} in {rule}"
    return cell.group(0)


# --- meetings: list, record, detail ---------------------------------------------------------------

@pytest.mark.django_db
def test_the_writer_sees_the_form_with_the_expected_attendees(cast: Cast) -> None:
    meeting_in(cast.branch_a, topic="三月主题党日")
    meeting_in(cast.branch_c, topic="外街的会")
    response = client_as(cast, "secretary").get(reverse("meetings", args=["A"]))
    html = text(response)
    assert response.status_code == 200
    assert "三月主题党日" in html and "外街的会" not in html
    assert 'id="record-meeting"' in html
    rows = re.findall(r'<tr data-member="(\d+)">', html)
    assert sorted(int(r) for r in rows) == sorted([cast.member.pk, cast.member_a2.pk])
    assert cast.member_b.name not in html


@pytest.mark.django_db
def test_filters_by_kind_and_dates(cast: Cast) -> None:
    meeting_in(cast.branch_a, kind="theme_day", topic="主题党日的会", day=today() - dt.timedelta(days=40))
    meeting_in(cast.branch_a, kind="study", topic="学习的会", day=today())
    client = client_as(cast, "secretary")
    html = text(client.get(reverse("meetings", args=["A"]), {"kind": "study"}))
    assert "学习的会" in html and "主题党日的会" not in html
    html = text(client.get(reverse("meetings", args=["A"]), {"end": (today() - dt.timedelta(days=1)).isoformat()}))
    assert "主题党日的会" in html and "学习的会" not in html


@pytest.mark.django_db
def test_a_meeting_recorded_after_the_day_is_marked_late_with_its_attendance(cast: Cast) -> None:
    client = client_as(cast, "secretary")
    day = today() - dt.timedelta(days=10)
    response = client.post(reverse("meetings", args=["A"]), meeting_post(cast, day=day))
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("meeting-detail", args=[meeting.pk])
    assert meeting.entered_late and meeting.recorded_by == cast.secretary and meeting.date == day
    assert meeting.org == cast.branch_a and meeting.place == "村委会会议室"
    presence = dict(Attendance.objects.filter(meeting=meeting).values_list("member_id", "presence"))
    assert presence == {cast.member.pk: "present", cast.member_a2.pk: "leave"}
    assert Attendance.objects.get(meeting=meeting, member=cast.member_a2).reason == "外出务工"
    assert meeting.quorate is False  # one of the two full members attended: not more than half

    html = text(client.get(response["Location"]))
    assert 'data-late="yes"' in html and "Entered late" in html and "secretary" in html
    assert 'data-quorate="no"' in html
    assert f'data-member="{cast.member_a2.pk}" data-presence="leave"' in html


@pytest.mark.django_db
def test_a_meeting_on_the_day_is_not_late_and_carries_its_photo(cast: Cast) -> None:
    client = client_as(cast, "secretary")
    data = meeting_post(cast, day=today(), kind="theme_day", **{f"att-{cast.member_a2.pk}": "present"})
    data["attachment"] = SimpleUploadedFile("签到表.png", PNG, content_type="image/png")
    data["caption"] = "签到表"
    response = client.post(reverse("meetings", args=["A"]), data)
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert not meeting.entered_late and meeting.quorate is None
    attachment = Attachment.objects.get(meeting=meeting)
    assert attachment.caption == "签到表"
    download = client.get(reverse("meeting-attachment", args=[meeting.pk, attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    assert client_as(cast, "outsider").get(
        reverse("meeting-attachment", args=[meeting.pk, attachment.pk])).status_code == 404


@pytest.mark.django_db
def test_attendance_must_be_marked_and_a_refused_meeting_writes_nothing(cast: Cast) -> None:
    client = client_as(cast, "secretary")
    data = meeting_post(cast, day=today())
    del data[f"att-{cast.member.pk}"]
    entries = AuditEntry.objects.count()
    response = client.post(reverse("meetings", args=["A"]), data)
    assert response.status_code == 400
    assert f"Mark the attendance of {cast.member.name}." in text(response)
    # a rule of the service (a future date) goes back onto the form
    response = client.post(reverse("meetings", args=["A"]), meeting_post(cast, day=today() + dt.timedelta(days=3)))
    assert response.status_code == 400 and "is in the future" in text(response)
    # leave without a reason
    response = client.post(reverse("meetings", args=["A"]),
                           meeting_post(cast, day=today(), **{f"reason-{cast.member_a2.pk}": ""}))
    assert response.status_code == 400 and "leave needs a reason" in text(response)
    assert Meeting.objects.count() == 0 and Attendance.objects.count() == 0
    assert AuditEntry.objects.count() == entries


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "code", "status"), [
    ("auditor", "A", 403), ("member", "A", 404), ("outsider", "A", 404), ("secretary", "B", 404),
])
def test_others_cannot_record_meetings(cast: Cast, role: str, code: str, status: int) -> None:
    entries = AuditEntry.objects.count()
    response = client_as(cast, role).post(reverse("meetings", args=[code]), meeting_post(cast, day=today()))
    assert response.status_code == status
    assert Meeting.objects.count() == 0 and AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_readers_see_meetings_without_the_form_and_outsiders_see_nothing(cast: Cast) -> None:
    meeting = meeting_in(cast.branch_a, topic="支部的会", attendance={cast.member.pk: ("present", "")})
    auditor = client_as(cast, "auditor")
    html = text(auditor.get(reverse("meetings", args=["A"])))
    assert "支部的会" in html and 'id="record-meeting"' not in html
    detail = auditor.get(reverse("meeting-detail", args=[meeting.pk]))
    assert detail.status_code == 200 and cast.member.name in text(detail) and "Add the attachment" not in text(detail)
    assert auditor.post(reverse("meeting-detail", args=[meeting.pk]),
                        {"file": SimpleUploadedFile("a.png", PNG)}).status_code == 403
    for role in ("outsider", "member"):
        client = client_as(cast, role)
        assert client.get(reverse("meeting-detail", args=[meeting.pk])).status_code == 404
        assert client.get(reverse("meetings", args=["A"])).status_code == 404
    assert client_as(cast, "anonymous").get(reverse("meetings", args=["A"])).status_code == 302
    assert Attachment.objects.count() == 0


# Measured: session, user, roles, the organization, the list's count, the expected attendees; in the service the
# scope, the eligible members, the meeting, its attendance in one insert, the quorum, the counts and the audit
# entry, with their savepoints. Whatever the number of attendees.
RECORD_QUERIES = 27


def _record_with(cast: Cast, attendees: int) -> int:
    """Record a general meeting of A through the page with `attendees` members of A, all present (new members
    join A up to that number); the number of queries the POST took."""
    members = Member.objects.filter(org=cast.branch_a)
    with acting(None, "system"):
        for i in range(members.count(), attendees):
            make_member(cast.branch_a, name=f"新成员{i:02d}")
    data = meeting_post(cast, day=today() - dt.timedelta(days=2))
    data.update({f"att-{pk}": "present" for pk in members.values_list("pk", flat=True)})
    client = client_as(cast, "secretary")
    entries = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("meetings", args=["A"]), data)
    assert response.status_code == 302
    meeting = Meeting.objects.latest("id")
    assert meeting.attendance.filter(presence="present").count() == attendees
    assert meeting.entered_late and meeting.quorate
    assert AuditEntry.objects.count() == entries + 1
    assert AuditEntry.objects.latest("id").action == "meeting.record"
    return len(queries.captured_queries)


@pytest.mark.django_db
def test_recording_a_meeting_takes_the_same_queries_for_3_and_12_attendees(cast: Cast) -> None:
    few = _record_with(cast, 3)
    many = _record_with(cast, 12)
    assert few == many <= RECORD_QUERIES


# --- duties ----------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_theme_day_duty_turns_met_when_a_theme_day_is_recorded(cast: Cast) -> None:
    client = client_as(cast, "secretary")
    month = today().replace(day=1)
    url = reverse("duties", args=["A"]) + f"?year={month.year}"
    before = duty_cell(text(client.get(url)), "meetings.theme_day", month)
    assert 'data-state="met"' not in before and "Met" not in before
    assert re.search(r'data-state="(due_soon|open)"', before)
    last_year = duty_cell(text(client.get(reverse("duties", args=["A"]) + f"?year={month.year - 1}")),
                          "meetings.theme_day", month.replace(year=month.year - 1))
    assert 'class="cell danger"' in last_year and "Missed" in last_year

    response = client.post(reverse("meetings", args=["A"]), meeting_post(
        cast, day=today(), kind="theme_day", **{f"att-{cast.member_a2.pk}": "present"}))
    assert response.status_code == 302
    after = duty_cell(text(client.get(url)), "meetings.theme_day", month)
    assert 'class="cell ok"' in after and 'data-state="met"' in after and "Met" in after
    assert reverse("meeting-detail", args=[Meeting.objects.get().pk]) in after


@pytest.mark.django_db
def test_a_committee_sees_one_line_per_unit_with_counts(cast: Cast) -> None:
    meeting_in(cast.branch_a, topic="主题党日")
    response = client_as(cast, "auditor").get(reverse("duties", args=["G"]))
    html = text(response)
    assert response.status_code == 200
    for code in ("A", "B", "G"):
        assert f'<tr data-org="{code}">' in html
    assert 'data-org="C"' not in html
    row_a = re.search(r'<tr data-org="A">.*?</tr>', html, re.S).group(0)  # type: ignore[union-attr]
    row_b = re.search(r'<tr data-org="B">.*?</tr>', html, re.S).group(0)  # type: ignore[union-attr]
    met = lambda row: int(re.search(r'data-key="met"><span class="badge ok">✓ (\d+)', row).group(1))  # noqa: E731
    assert met(row_a) == met(row_b) + 1


@pytest.mark.django_db
def test_duties_are_scoped(cast: Cast) -> None:
    assert client_as(cast, "outsider").get(reverse("duties", args=["A"])).status_code == 404
    assert client_as(cast, "member").get(reverse("duties", args=["A"])).status_code == 404
    assert client_as(cast, "secretary").post(reverse("duties", args=["A"])).status_code == 405


# --- calendar --------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_calendar_page_lists_meetings_by_month_with_a_subscribe_link(cast: Cast) -> None:
    meeting_in(cast.branch_a, topic="本月主题党日")
    meeting_in(cast.branch_c, topic="外街的会")
    client = client_as(cast, "secretary")
    html = text(client.get(reverse("org-calendar", args=["A"])))
    assert "本月主题党日" in html and "外街的会" not in html
    assert f'data-month="{today():%Y-%m}"' in html
    feed = re.search(r'<code id="feed-url"[^>]*>([^<]+)</code>', html).group(1)  # type: ignore[union-attr]
    assert feed.startswith("http://testserver/calendar/") and feed.endswith(".ics")
    assert 'href="webcal://testserver/calendar/' in html

    response = Client().get(feed.removeprefix("http://testserver"))  # a phone: no session
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "BEGIN:VCALENDAR" in body and "本月主题党日" in body and "外街的会" not in body


@pytest.mark.django_db
def test_a_tampered_or_foreign_token_gets_nothing(cast: Cast) -> None:
    meeting_in(cast.branch_c, topic="外街的会")
    token = calendar_token(cast.secretary, org=cast.branch_a)
    anonymous = Client()
    assert anonymous.get(reverse("calendar-feed", args=[token])).status_code == 200
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert anonymous.get(reverse("calendar-feed", args=[tampered])).status_code == 404
    assert anonymous.get(reverse("calendar-feed", args=["not-a-token"])).status_code == 404
    # a well-signed token for an organization the user cannot read, or of a user who left
    assert anonymous.get(reverse("calendar-feed", args=[calendar_token(cast.secretary, org=cast.branch_c)])
                         ).status_code == 404
    cast.secretary.is_active = False
    cast.secretary.save()
    assert anonymous.get(reverse("calendar-feed", args=[token])).status_code == 404


@pytest.mark.django_db
def test_a_member_sees_and_subscribes_to_their_own_meetings(cast: Cast) -> None:
    meeting_in(cast.branch_a, topic="我参加的会", attendance={cast.member.pk: ("present", "")})
    meeting_in(cast.branch_b, topic="别的支部的会")
    client = client_as(cast, "member")
    response = client.get(reverse("member-calendar", args=[cast.member.pk]))
    html = text(response)
    assert response.status_code == 200 and "我参加的会" in html and "别的支部的会" not in html
    assert client.get(reverse("member-calendar", args=[cast.member_a2.pk])).status_code == 404
    feed = re.search(r'<code id="feed-url"[^>]*>http://testserver([^<]+)</code>', html).group(1)  # type: ignore[union-attr]
    body = Client().get(feed).content.decode()
    assert "我参加的会" in body and "别的支部的会" not in body


# --- sign-in sheet -----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_sign_in_sheet_lists_the_expected_attendees(cast: Cast) -> None:
    client = client_as(cast, "secretary")
    response = client.get(reverse("signin-sheet", args=["A"]), {"date": "2024-03-07", "kind": "theme_day"})
    html = text(response)
    assert response.status_code == 200
    listed = [int(pk) for pk in re.findall(r'<tr data-member="(\d+)">', html)]
    assert sorted(listed) == sorted([cast.member.pk, cast.member_a2.pk])
    assert cast.member_b.name not in html
    assert "2024-03-07" in html and "Theme Party day" in html and "Signature" in html
    assert client_as(cast, "outsider").get(reverse("signin-sheet", args=["A"])).status_code == 404
    # before anyone joined: an empty sheet with room for names
    html = text(client.get(reverse("signin-sheet", args=["A"]), {"date": "2001-01-01"}))
    assert re.findall(r'<tr data-member="', html) == [] and html.count('<tr class="blank">') == 20
