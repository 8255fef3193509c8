"""Meetings services: recording, late entry, attendance rules, quorum, attachments, appraisals, seats,
permissions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import make_member
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.models import AuditEntry
from grassroots.meetings import services
from grassroots.meetings.models import Appraisal, Attachment, Attendance, CommitteeSeat, Meeting
from grassroots.meetings.services import add_attachment, record_appraisal, record_meeting, seat_add, seat_end

D = dt.date
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64


MARCH_7 = D(2024, 3, 7)


def meeting(org: Any, kind: str = "theme_day", date: dt.date = MARCH_7, **kw: Any) -> Meeting:
    kw.setdefault("topic", "学习党章")
    return record_meeting(org=org, kind=kind, date=date, **kw)


def test_a_meeting_entered_after_the_day_is_marked_with_who_and_when_and_counts(cast: Any,
                                                                             monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "today", lambda: D(2024, 3, 10))
    with acting(cast.secretary, "web"):
        late = meeting(cast.branch_a, "general_meeting", D(2024, 3, 8),
                       attendance={cast.member.pk: ("present", ""), cast.member_a2.pk: ("remote", "")})
        on_time = meeting(cast.branch_a, "theme_day", D(2024, 3, 10))
    late.refresh_from_db()
    assert late.entered_late is True
    assert late.recorded_by == cast.secretary
    assert late.recorded_at is not None
    assert late.quorate is True  # a late meeting counts all the same
    assert on_time.entered_late is False
    entry = AuditEntry.objects.filter(action="meeting.record", object_id=str(late.pk)).get()
    assert entry.actor_name == "secretary" and entry.channel == "web" and entry.org_id == cast.branch_a.pk

    from grassroots.meetings.selectors import duties
    q1 = [r for r in duties(cast.branch_a, D(2024, 1, 1), D(2024, 3, 31)) if r.rule_id == "meetings.general_meeting"]
    assert [(r.met, [m.pk for m in r.meetings]) for r in q1] == [(True, [late.pk])]


def test_a_future_date_is_refused_and_today_is_accepted(cast: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "today", lambda: D(2024, 3, 10))
    with pytest.raises(RuleError) as err:
        meeting(cast.branch_a, date=D(2024, 3, 11))
    assert err.value.field == "date"
    assert Meeting.objects.count() == 0
    assert meeting(cast.branch_a, date=D(2024, 3, 10)).entered_late is False


def test_attendance_is_only_for_members_of_the_subtree_on_the_date(cast: Any) -> None:
    with pytest.raises(RuleError) as err:
        meeting(cast.branch_a, attendance={cast.member.pk: ("present", ""), cast.member_b.pk: ("present", "")})
    assert err.value.field == "attendance" and cast.member_b.name in err.value.message
    assert Meeting.objects.count() == 0 and Attendance.objects.count() == 0

    newcomer = make_member(cast.branch_a, name="新人", joined_on=D(2024, 6, 1), status="probationary",
                           converted_on=None)
    with pytest.raises(RuleError):
        meeting(cast.branch_a, date=D(2024, 5, 31), attendance={newcomer.pk: ("present", "")})
    held = meeting(cast.branch_a, date=D(2024, 6, 1), attendance={newcomer.pk: ("present", "")})
    assert held.attendance.get().member == newcomer

    # The general branch's subtree includes both of its branches.
    both = meeting(cast.general, "general_meeting", attendance={cast.member.pk: "present", cast.member_b.pk: "absent"})
    assert both.attendance.count() == 2


def test_a_party_group_meeting_accepts_the_members_of_its_branch(cast: Any) -> None:
    group = meeting(cast.group_a1, "group_meeting", attendance={cast.member.pk: ("present", "")})
    assert group.quorate is None
    with pytest.raises(RuleError):
        meeting(cast.group_a1, "group_meeting", attendance={cast.member_b.pk: ("present", "")})
    with pytest.raises(RuleError) as err:
        meeting(cast.group_a1, "general_meeting")
    assert err.value.field == "kind"
    # A branch with groups may hold a joint group meeting; a branch without any may not.
    assert meeting(cast.branch_a, "group_meeting").org == cast.branch_a
    with pytest.raises(RuleError):
        meeting(cast.branch_b, "group_meeting")


def test_leave_needs_a_reason_and_presence_must_be_known(cast: Any) -> None:
    with pytest.raises(RuleError) as err:
        meeting(cast.branch_a, attendance={cast.member.pk: ("leave", "  ")})
    assert err.value.field == "attendance"
    with pytest.raises(RuleError):
        meeting(cast.branch_a, attendance={cast.member.pk: ("late", "")})
    held = meeting(cast.branch_a, attendance={cast.member.pk: ("leave", "外出务工")})
    row = held.attendance.get()
    assert (row.presence, row.reason) == ("leave", "外出务工")
    assert Meeting.objects.count() == 1


def test_bad_input_is_refused_with_nothing_written(cast: Any) -> None:
    for kw, field in [({"kind": "party"}, "kind"), ({"topic": " "}, "topic"),
                      ({"kind": "theme_day", "study_hours": 2}, "study_hours"),
                      ({"kind": "study", "study_hours": "-1"}, "study_hours"),
                      ({"kind": "study", "study_hours": "1.25"}, "study_hours"),
                      ({"date": D(1999, 12, 31)}, "date")]:
        with pytest.raises(RuleError) as err:
            meeting(cast.branch_a, **kw)
        assert err.value.field == field, kw
    with pytest.raises(RuleError) as err:
        meeting(cast.group_a1, "theme_day")  # a theme day is the branch's
    assert err.value.field == "kind"
    assert Meeting.objects.count() == 0
    lecture = meeting(cast.branch_a, "party_lecture", study_hours="2.5")
    assert lecture.study_hours == Decimal("2.5")


def _add_full(org: Any, n: int) -> list[Any]:
    return [make_member(org, name=f"党员{i}") for i in range(n)]


def test_general_meeting_quorum_is_more_than_half_of_the_full_members(cast: Any) -> None:
    extra = _add_full(cast.branch_a, 2)  # A: four full members
    probationary = make_member(cast.branch_a, name="预备", status="probationary", converted_on=None)
    full = [cast.member, cast.member_a2, *extra]
    half = {m.pk: ("present", "") for m in full[:2]}
    half[probationary.pk] = ("present", "")  # probationary members have no vote: they do not count
    half[full[2].pk] = ("leave", "病假")
    assert meeting(cast.branch_a, "general_meeting", attendance=half).quorate is False
    more = {m.pk: ("present", "") for m in full[:2]}
    more[full[2].pk] = ("remote", "")
    assert meeting(cast.branch_a, "general_meeting", attendance=more).quorate is True
    assert meeting(cast.branch_a, "theme_day", attendance=more).quorate is None


def test_update_attendance_recomputes_the_quorum(cast: Any) -> None:
    held = meeting(cast.branch_a, "general_meeting", attendance={cast.member.pk: ("present", "")})
    assert held.quorate is False
    services.update_attendance(held, {cast.member_a2.pk: ("present", "")})
    held.refresh_from_db()
    assert held.quorate is True and held.attendance.count() == 2
    with pytest.raises(RuleError):
        services.update_attendance(held, {cast.member_b.pk: ("present", "")})
    assert AuditEntry.objects.filter(action="meeting.attendance", object_id=str(held.pk)).count() == 1


def test_committee_quorum_counts_the_seats_held_on_the_date(cast: Any) -> None:
    third = make_member(cast.branch_a, name="委员")
    seat_add(cast.branch_a, cast.member, role="secretary", since=D(2024, 1, 1))
    seat_add(cast.branch_a, cast.member_a2, role="member", since=D(2024, 1, 1))
    old = seat_add(cast.branch_a, third, role="member", since=D(2024, 1, 1))
    seat_end(old, until=D(2024, 6, 1))
    # March: three seats; two attending is more than half, one is not.
    assert meeting(cast.branch_a, "committee_meeting", D(2024, 3, 5),
                   attendance={cast.member.pk: "present", cast.member_a2.pk: "remote"}).quorate is True
    assert meeting(cast.branch_a, "committee_meeting", D(2024, 3, 6),
                   attendance={cast.member.pk: "present", third.pk: "absent"}).quorate is False
    # June: the third seat has ended (until is the first day without it): one of two is exactly half.
    assert meeting(cast.branch_a, "committee_meeting", D(2024, 6, 1),
                   attendance={cast.member.pk: "present", third.pk: "present"}).quorate is False
    assert meeting(cast.branch_a, "committee_meeting", D(2024, 5, 31),
                   attendance={cast.member.pk: "present", third.pk: "present"}).quorate is True
    # No seats at all: no quorum.
    assert meeting(cast.branch_b, "committee_meeting", D(2024, 3, 5),
                   attendance={cast.member_b.pk: "present"}).quorate is False


def test_seats_refuse_outsiders_doubles_and_a_second_secretary(cast: Any) -> None:
    seat_add(cast.branch_a, cast.member, role="secretary", since=D(2024, 1, 1))
    with pytest.raises(RuleError):
        seat_add(cast.branch_a, cast.member_b, role="member", since=D(2024, 1, 1))
    with pytest.raises(RuleError):
        seat_add(cast.branch_a, cast.member, role="member", since=D(2024, 2, 1))
    with pytest.raises(RuleError) as err:
        seat_add(cast.branch_a, cast.member_a2, role="secretary", since=D(2024, 2, 1))
    assert err.value.field == "role"
    seat = CommitteeSeat.objects.get()
    with pytest.raises(RuleError):
        seat_end(seat, until=D(2024, 1, 1))
    seat_end(seat, until=D(2024, 2, 1))
    assert seat_add(cast.branch_a, cast.member_a2, role="secretary", since=D(2024, 2, 1)).role == "secretary"


def test_appraisal_is_one_per_member_per_year(cast: Any) -> None:
    held = meeting(cast.branch_a, "appraisal", D(2024, 12, 20))
    first = record_appraisal(cast.member, year=2024, rating="excellent", meeting=held)
    assert (first.org, first.year, first.rating) == (cast.branch_a, 2024, "excellent")
    with pytest.raises(RuleError) as err:
        record_appraisal(cast.member, year=2024, rating="qualified")
    assert err.value.field == "year"
    with pytest.raises(RuleError):
        record_appraisal(cast.member_a2, year=2024, rating="good")
    with pytest.raises(RuleError):
        record_appraisal(cast.member_a2, year=2023, rating="qualified", meeting=held)
    with pytest.raises(RuleError):
        record_appraisal(cast.member_a2, year=2024, rating="qualified", meeting=meeting(cast.branch_a, "theme_day"))
    assert record_appraisal(cast.member, year=2023, rating="basically_qualified").year == 2023
    assert Appraisal.objects.count() == 2


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_attachments_are_photos_or_pdfs_up_to_10_mb(cast: Any, media: Any) -> None:
    held = meeting(cast.branch_a)
    photo = add_attachment(held, file=SimpleUploadedFile("签到表.png", PNG), caption="签到表")
    assert photo.file.read().startswith(b"\x89PNG") and photo.caption == "签到表"
    assert add_attachment(held, file=SimpleUploadedFile("minutes.PDF", PDF)).pk
    for name, content in [("sheet.png", PDF), ("sheet.exe", PNG), ("sheet", PNG), ("empty.pdf", b"")]:
        with pytest.raises(RuleError) as err:
            add_attachment(held, file=SimpleUploadedFile(name, content))
        assert err.value.field == "file", name
    big = b"%PDF-" + b"0" * (10 * 1024 * 1024 - 5)
    assert add_attachment(held, file=SimpleUploadedFile("big.pdf", big)).file.size == 10 * 1024 * 1024
    with pytest.raises(RuleError) as err:
        add_attachment(held, file=SimpleUploadedFile("bigger.pdf", big + b"0"))
    assert "10 MB" in err.value.message
    assert Attachment.objects.filter(meeting=held).count() == 3


def test_who_may_record(cast: Any, media: Any) -> None:
    with acting(cast.auditor, "web"), pytest.raises(PermissionDeniedError):
        meeting(cast.branch_a)
    with acting(cast.secretary, "web"):
        with pytest.raises(PermissionDeniedError):
            meeting(cast.branch_b)
        with pytest.raises(PermissionDeniedError):
            seat_add(cast.branch_b, cast.member_b, role="member", since=D(2024, 1, 1))
        with pytest.raises(PermissionDeniedError):
            record_appraisal(cast.member_b, year=2024, rating="qualified")
        mine = meeting(cast.group_a1, "group_meeting")  # the secretary's branch's party group
    with acting(cast.outsider, "web"):
        with pytest.raises(PermissionDeniedError):
            services.update_attendance(mine, {cast.member.pk: "present"})
        with pytest.raises(PermissionDeniedError):
            add_attachment(mine, file=SimpleUploadedFile("a.png", PNG))
    with acting(cast.member_user, "web"), pytest.raises(PermissionDeniedError):
        meeting(cast.branch_a)
    with acting(cast.street_admin, "web"):
        assert meeting(cast.branch_b).recorded_by == cast.street_admin
    assert Meeting.objects.count() == 2
