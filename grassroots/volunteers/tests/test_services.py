"""Every state change of volunteer service, allowed and refused (wrong state, wrong role, outside the scope)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError, StaleVersionError
from grassroots.core.models import AuditEntry
from grassroots.volunteers import services as s
from grassroots.volunteers.models import Attendance, Decision, Participation

from .conftest import RESIDENT_ID, at

D = dt.date
NOW = at(2024, 6, 1)


def as_(user: Any) -> Any:
    return acting(user, "web")


# --- teams and volunteers ----------------------------------------------------------------------------------

def test_team_create_and_update_versioned(cast: Any, world: Any) -> None:
    with as_(cast.secretary):
        team = s.team_update(world.team, version=world.team.version, tenet="新宗旨")
        assert team.tenet == "新宗旨"
        with pytest.raises(StaleVersionError):
            s.team_update(team, version=1, name="别的")
        with pytest.raises(RuleError) as e:
            s.team_create(cast.branch_a, code="RV", name="重复")
        assert e.value.field == "code"
    with as_(cast.outsider), pytest.raises(PermissionDeniedError):
        s.team_create(cast.branch_a, code="X1", name="外")
    with as_(cast.auditor), pytest.raises(PermissionDeniedError):
        s.team_update(world.team, version=team.version, name="审计")


def test_register_member_and_resident_refusals(cast: Any, world: Any) -> None:
    assert world.member_vol.number != world.resident.number
    assert world.resident.id_number_masked != RESIDENT_ID and world.resident.phone_masked.endswith("5678")
    with as_(cast.secretary):
        with pytest.raises(RuleError) as e:
            s.volunteer_register(cast.branch_a, member=cast.member, registered_on=D(2024, 2, 1))
        assert e.value.field == "member"
        with pytest.raises(RuleError) as e:
            s.volunteer_register(cast.branch_a, name="重", id_number=RESIDENT_ID, registered_on=D(2024, 2, 1))
        assert e.value.field == "id_number"
        with pytest.raises(RuleError) as e:
            s.volunteer_register(cast.branch_a, name="坏号", id_number="123", registered_on=D(2024, 2, 1))
        assert e.value.field == "id_number"
        with pytest.raises(RuleError) as e:
            s.volunteer_register(cast.branch_a, name="号重", id_type="passport", id_number="E1",
                                 number=world.resident.number, registered_on=D(2024, 2, 1))
        assert e.value.field == "number"
        with pytest.raises(RuleError) as e:
            s.volunteer_register(cast.branch_a, member=cast.member_b, registered_on=D(2024, 2, 1))
        assert e.value.field == "member"
    with as_(cast.outsider), pytest.raises(PermissionDeniedError):
        s.volunteer_register(cast.branch_a, name="外人", id_type="passport", id_number="E2",
                             registered_on=D(2024, 2, 1))


def test_reveal_is_audited_and_refused_to_the_auditor(cast: Any, world: Any) -> None:
    with as_(cast.secretary):
        assert s.volunteer_reveal(world.resident, field="phone") == "13912345678"
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None and entry.action == "volunteer.reveal_phone" and entry.actor_id == cast.secretary.pk
    with as_(cast.auditor), pytest.raises(PermissionDeniedError):
        s.volunteer_reveal(world.resident, field="id_number")
    with as_(cast.secretary), pytest.raises(RuleError):
        s.volunteer_reveal(world.resident, field="skills")


def test_team_join_and_leave(cast: Any, world: Any) -> None:
    with as_(cast.secretary):
        m = s.team_join(world.team, world.resident, joined_on=D(2024, 1, 3))
        with pytest.raises(RuleError):
            s.team_join(world.team, world.resident, joined_on=D(2024, 1, 4))
        with pytest.raises(RuleError) as e:
            s.team_leave(m, left_on=D(2023, 1, 1))
        assert e.value.field == "left_on"
        s.team_leave(m, left_on=D(2024, 5, 1))
        with pytest.raises(RuleError):
            s.team_leave(m, left_on=D(2024, 5, 2))


# --- sign-up, attendance, confirmation ---------------------------------------------------------------------

def test_member_signs_up_and_withdraws_themselves(cast: Any, world: Any) -> None:
    before = at(2024, 3, 1)
    with as_(cast.member_user):
        p = s.sign_up(world.activity, world.member_vol, now=before)
        assert not p.on_behalf and p.state == Attendance.SIGNED_UP
        with pytest.raises(RuleError):
            s.sign_up(world.activity, world.member_vol, now=before)
        p = s.withdraw(p, version=p.version, now=before)
        assert p.state == Attendance.WITHDRAWN
        with pytest.raises(RuleError):
            s.withdraw(p, now=before)
        p = s.sign_up(world.activity, world.member_vol, now=before)  # again after withdrawing
        assert p.state == Attendance.SIGNED_UP
        with pytest.raises(PermissionDeniedError):  # not the member's own record
            s.sign_up(world.activity, world.resident, now=before)
        with pytest.raises(RuleError):  # after the start: only the organizer
            s.withdraw(p, now=at(2024, 3, 5, 10))
    with as_(cast.member_user), pytest.raises(RuleError):
        Participation.objects.filter(pk=p.pk).update(state="withdrawn")
        s.sign_up(world.activity, world.member_vol, now=at(2024, 3, 5, 10))


def test_staff_sign_up_on_behalf_capacity_and_cancel(cast: Any, world: Any) -> None:
    with as_(cast.secretary):
        p1 = s.sign_up(world.activity, world.resident)
        assert p1.on_behalf
        s.sign_up(world.activity, world.member_vol)
        third = s.volunteer_register(cast.branch_a, name="张三", id_type="passport", id_number="E9",
                                     registered_on=D(2024, 1, 2))
        with pytest.raises(RuleError) as e:
            s.sign_up(world.activity, third)
        assert e.value.field == "activity"
        activity = s.activity_cancel(world.activity, version=world.activity.version)
        with pytest.raises(RuleError):
            s.activity_cancel(activity, version=activity.version)
        with pytest.raises(RuleError):
            s.sign_up(activity, third)
    with as_(cast.outsider), pytest.raises(PermissionDeniedError):
        s.sign_up(world.activity, world.resident)


def test_attendance_confirmation_and_refusals(cast: Any, world: Any) -> None:
    with as_(cast.secretary):
        p = s.sign_up(world.activity, world.resident)
        with pytest.raises(RuleError):  # not begun yet
            s.mark_attendance(p, present=True, now=at(2024, 3, 1))
        with pytest.raises(RuleError):  # nothing to confirm
            s.confirm_hours(p, on=D(2024, 3, 6))
        p = s.mark_attendance(p, present=True, version=p.version, now=NOW)
        assert p.hours == Decimal("2.5")
        with pytest.raises(StaleVersionError):
            s.mark_attendance(p, present=False, version=p.version - 1, now=NOW)
        with pytest.raises(RuleError) as e:
            s.mark_attendance(p, present=True, actual_start=at(2024, 3, 5, 11), actual_end=at(2024, 3, 5, 10),
                              now=NOW)
        assert e.value.field == "actual_end"
        p = s.mark_attendance(p, present=True, actual_start=at(2024, 3, 5, 9, 10), actual_end=at(2024, 3, 5, 11),
                              now=NOW)
        assert p.hours == Decimal("1.5")  # 110 minutes: three whole half-hours
        with pytest.raises(RuleError):
            s.confirm_hours(p, on=D(2024, 3, 4))
        p = s.confirm_hours(p, on=D(2024, 3, 6), version=p.version)
        with pytest.raises(RuleError):
            s.confirm_hours(p, on=D(2024, 3, 6))
        with pytest.raises(RuleError):  # confirmed: changes only through a correction
            s.mark_attendance(p, present=False, now=NOW)
        with pytest.raises(RuleError):  # the activity took place
            s.activity_cancel(world.activity, version=world.activity.version)
    with as_(cast.auditor), pytest.raises(PermissionDeniedError):
        s.mark_attendance(p, present=True, now=NOW)
    with as_(cast.member_user):
        q = Participation.objects.get(pk=p.pk)
        with pytest.raises(PermissionDeniedError):
            s.confirm_hours(q, on=D(2024, 3, 6))


def test_absent_and_confirm_activity(cast: Any, world: Any) -> None:
    with as_(cast.secretary):
        a = s.sign_up(world.activity, world.resident)
        b = s.sign_up(world.activity, world.member_vol)
        s.mark_attendance(a, present=False, now=NOW)
        s.mark_attendance(b, present=True, now=NOW)
        assert s.confirm_activity(world.activity, on=D(2024, 3, 6)) == 1
        with pytest.raises(RuleError):
            s.confirm_activity(world.activity, on=D(2024, 3, 6))
    assert Participation.objects.get(pk=a.pk).hours is None


def test_hours_across_midnight(cast: Any, world: Any) -> None:
    with as_(cast.secretary):
        night = s.activity_create(world.team, title="夜间巡逻", starts_at=at(2024, 3, 9, 22),
                                  ends_at=at(2024, 3, 10, 1, 30))
        p = s.sign_up(night, world.resident)
        p = s.mark_attendance(p, present=True, now=NOW)
    assert p.hours == Decimal("3.5")
    from grassroots.volunteers import hours as H

    assert H.minutes_by_day(at(2024, 3, 9, 22), at(2024, 3, 10, 1, 30)) == {D(2024, 3, 9): 120,
                                                                          D(2024, 3, 10): 90}
    start, end = H.times_on(D(2024, 3, 9), dt.time(22), dt.time(1, 30))
    assert end - start == dt.timedelta(hours=3, minutes=30)


def test_daily_cap(cast: Any, world: Any) -> None:
    with as_(cast.secretary):
        long_day = s.activity_create(world.team, title="大扫除", starts_at=at(2024, 4, 1, 7),
                                     ends_at=at(2024, 4, 1, 18))
        p = s.mark_attendance(s.sign_up(long_day, world.resident), present=True, now=NOW)
        assert p.hours == Decimal("8.0")  # 11 hours of service, 8 counted
        evening = s.activity_create(world.team, title="晚间值守", starts_at=at(2024, 4, 1, 19),
                                    ends_at=at(2024, 4, 2, 1))
        q = s.mark_attendance(s.sign_up(evening, world.resident), present=True, now=NOW)
        assert q.hours == Decimal("1.0")  # nothing left on 1 April; the hour after midnight counts on the 2nd
        with pytest.raises(RuleError) as e:
            s.report_hours(world.resident, day=D(2024, 4, 1), hours="0.5", content="额外", today=D(2024, 6, 1))
        assert e.value.field == "hours"
        with pytest.raises(RuleError) as e:
            s.report_hours(world.resident, day=D(2024, 4, 3), hours="8.5", content="太多", today=D(2024, 6, 1))
        assert e.value.field == "hours"


def test_self_check_in(cast: Any, world: Any) -> None:
    token = s.checkin_token(world.activity)
    with as_(cast.member_user):
        with pytest.raises(RuleError):
            s.self_check_in(world.activity, world.member_vol, token=token, now=at(2024, 3, 4))
        with pytest.raises(RuleError):
            s.self_check_in(world.activity, world.member_vol, token=token + "x", now=at(2024, 3, 5, 9))
        p = s.self_check_in(world.activity, world.member_vol, token=token, now=at(2024, 3, 5, 9, 30))
        assert p.state == Attendance.PRESENT and p.hours == Decimal("2.0") and p.confirmed_on is None
        with pytest.raises(RuleError):
            s.self_check_in(world.activity, world.member_vol, token=token, now=at(2024, 3, 5, 9, 40))
        with pytest.raises(PermissionDeniedError):
            s.self_check_in(world.activity, world.resident, token=token, now=at(2024, 3, 5, 9, 40))


# --- self-reports ------------------------------------------------------------------------------------------

def test_self_report_approve_and_decline(cast: Any, world: Any) -> None:
    with as_(cast.member_user):
        r = s.report_hours(world.member_vol, day=D(2024, 5, 2), hours="2", content="帮邻居修水管",
                           today=D(2024, 6, 1))
        with pytest.raises(RuleError) as e:
            s.report_hours(world.member_vol, day=D(2024, 7, 2), hours="2", content="未来", today=D(2024, 6, 1))
        assert e.value.field == "day"
        with pytest.raises(RuleError) as e:
            s.report_hours(world.member_vol, day=D(2024, 5, 3), hours="1.2", content="零碎", today=D(2024, 6, 1))
        assert e.value.field == "hours"
        with pytest.raises(PermissionDeniedError):
            s.decide_report(r, approve=True, on=D(2024, 5, 3))
    with as_(cast.secretary):
        r = s.decide_report(r, approve=True, on=D(2024, 5, 3), version=r.version)
        assert r.state == Decision.APPROVED
        with pytest.raises(RuleError):
            s.decide_report(r, approve=False, on=D(2024, 5, 3), answer="不")
        r2 = s.report_hours(world.resident, day=D(2024, 5, 2), hours="1", content="代报", today=D(2024, 6, 1))
        with pytest.raises(RuleError) as e:
            s.decide_report(r2, approve=False, on=D(2024, 5, 3))
        assert e.value.field == "answer"
        assert s.decide_report(r2, approve=False, on=D(2024, 5, 3), answer="无证明").state == Decision.DECLINED
    assert s.confirmed_hours(world.member_vol) == Decimal("2.0")


# --- recurring activities ----------------------------------------------------------------------------------

def test_rrule_expansion_is_idempotent_and_bounded(cast: Any, world: Any) -> None:
    from grassroots.volunteers.models import Activity

    today = D(2024, 1, 1)
    with as_(cast.secretary):
        series, made = s.series_create(world.team, title="每月理发", starts_at=at(2024, 1, 5, 9), minutes=120,
                                       rrule="FREQ=MONTHLY;BYMONTHDAY=5;COUNT=6", today=today)
        assert made == 6
        assert s.series_expand(series, today=today) == 0
        assert Activity.objects.filter(series=series).count() == 6
        series.refresh_from_db()
        assert s.series_expand(series, rrule="FREQ=MONTHLY;BYMONTHDAY=5;COUNT=9", version=series.version,
                               today=today) == 3
        assert s.series_expand(series, today=today) == 0
        assert Activity.objects.filter(series=series).count() == 9
        for bad in ("FREQ=MONTHLY;BYMONTHDAY=5", "FREQ=DAILY;COUNT=5000", "NONSENSE", ""):
            with pytest.raises(RuleError) as e:
                s.series_create(world.team, title="坏", starts_at=at(2024, 1, 5, 9), minutes=60, rrule=bad,
                                today=today)
            assert e.value.field == "rrule", bad
        series2, made2 = s.series_create(world.team, title="周六", starts_at=at(2024, 1, 6, 20), minutes=300,
                                         rrule="RRULE:FREQ=WEEKLY;UNTIL=20240127T235959", today=today)
        assert made2 == 4
        night = Activity.objects.filter(series=series2).first()
        assert night is not None
        assert timezone.localtime(night.ends_at).date() != timezone.localtime(night.starts_at).date()
    with as_(cast.outsider), pytest.raises(PermissionDeniedError):
        s.series_expand(series, today=today)


# --- certificates and corrections ---------------------------------------------------------------------------

def _confirmed(cast: Any, world: Any) -> Participation:
    with as_(cast.secretary):
        p = s.mark_attendance(s.sign_up(world.activity, world.member_vol), present=True, now=NOW)
        return s.confirm_hours(p, on=D(2024, 3, 6))


def test_certificate_number_and_content(cast: Any, world: Any) -> None:
    from docx import Document

    from grassroots.volunteers.certificate import certificate_docx

    _confirmed(cast, world)
    with as_(cast.secretary):
        with pytest.raises(RuleError) as e:
            s.issue_certificate(world.member_vol, period_start=D(2023, 1, 1), period_end=D(2023, 12, 31),
                                person_in_charge="张书记", handler="李干事", contact="0871-1234567", on=D(2024, 6, 1))
        assert e.value.field == "period_start"
        first = s.issue_certificate(world.member_vol, period_start=D(2024, 1, 1), period_end=D(2024, 5, 31),
                                    person_in_charge="张书记", handler="李干事", contact="0871-1234567",
                                    on=D(2024, 6, 1))
        second = s.issue_certificate(world.member_vol, period_start=D(2024, 1, 1), period_end=D(2024, 5, 31),
                                     person_in_charge="张书记", handler="李干事", contact="0871-1234567",
                                     on=D(2024, 6, 2))
        with pytest.raises(RuleError) as e:
            s.issue_certificate(world.member_vol, period_start=D(2024, 1, 1), period_end=D(2024, 5, 31),
                                person_in_charge="", handler="李干事", contact="x", on=D(2024, 6, 2))
        assert e.value.field == "person_in_charge"
    assert (first.number, second.number) == ("A-2024-0001", "A-2024-0002")
    assert first.hours == Decimal("2.5")
    assert AuditEntry.objects.filter(action="volunteer.certificate", object_id=str(first.pk)).exists()
    import io

    text = "\n".join(p.text for p in Document(io.BytesIO(certificate_docx(first))).paragraphs)
    cells = "\n".join(c.text for t in Document(io.BytesIO(certificate_docx(first))).tables for r in t.rows
                      for c in r.cells)
    whole = text + "\n" + cells
    for expected in ("志愿服务记录证明", cast.member.name, world.member_vol.number, "A-2024-0001", "2.5", "义务理发",
                     "张书记", "李干事", "0871-1234567", "居民身份证"):
        assert expected in whole, expected
    assert cast.member.id_number not in whole  # the number is masked
    with as_(cast.auditor), pytest.raises(PermissionDeniedError):
        s.issue_certificate(world.member_vol, period_start=D(2024, 1, 1), period_end=D(2024, 5, 31),
                            person_in_charge="张", handler="李", contact="1", on=D(2024, 6, 3))


def test_correction_approved_is_audited_with_before_and_after(cast: Any, world: Any) -> None:
    p = _confirmed(cast, world)
    with as_(cast.member_user):
        with pytest.raises(RuleError) as e:
            s.request_correction(world.member_vol, participation=p, hours="2.5", reason="同", on=D(2024, 3, 8))
        assert e.value.field == "hours"
        with pytest.raises(RuleError) as e:
            s.request_correction(world.member_vol, participation=p, hours="3", reason="", on=D(2024, 3, 8))
        assert e.value.field == "reason"
        c = s.request_correction(world.member_vol, participation=p, hours="3", reason="提前到场布置",
                                 on=D(2024, 3, 8))
        with pytest.raises(RuleError):
            s.request_correction(world.member_vol, participation=p, hours="3.5", reason="再", on=D(2024, 3, 8))
        with pytest.raises(PermissionDeniedError):
            s.decide_correction(c, approve=True, on=D(2024, 3, 9))
    with as_(cast.secretary):
        c = s.decide_correction(c, approve=True, on=D(2024, 3, 9), version=c.version)
        with pytest.raises(RuleError):
            s.decide_correction(c, approve=False, on=D(2024, 3, 9), answer="晚了")
    assert Participation.objects.get(pk=p.pk).hours == Decimal("3.0")
    entry = AuditEntry.objects.get(action="volunteer.record_corrected", object_id=str(p.pk))
    assert entry.changes["before"] == {"hours": "2.5"} and entry.changes["after"] == {"hours": "3.0"}
    assert entry.actor_id == cast.secretary.pk


def test_correction_declined_and_refusals(cast: Any, world: Any) -> None:
    p = _confirmed(cast, world)
    with as_(cast.secretary):
        unconfirmed = s.sign_up(world.activity, world.resident)
        with pytest.raises(RuleError) as e:
            s.request_correction(world.resident, participation=unconfirmed, hours="1", reason="x")
        assert e.value.field == "participation"
        with pytest.raises(RuleError):  # not the volunteer's record
            s.request_correction(world.resident, participation=p, hours="1", reason="x")
        c = s.request_correction(world.member_vol, participation=p, hours="1", reason="记多了", on=D(2024, 3, 8))
        with pytest.raises(RuleError) as e:
            s.decide_correction(c, approve=False, on=D(2024, 3, 9))
        assert e.value.field == "answer"
        c = s.decide_correction(c, approve=False, on=D(2024, 3, 9), answer="签到表为2.5小时")
    assert c.state == Decision.DECLINED
    assert Participation.objects.get(pk=p.pk).hours == Decimal("2.5")
    with as_(cast.outsider), pytest.raises(PermissionDeniedError):
        s.request_correction(world.member_vol, participation=p, hours="1", reason="x")


def test_volunteer_update_notes_and_activity_update(cast: Any, world: Any) -> None:
    with as_(cast.secretary):
        v = s.volunteer_update(world.resident, version=world.resident.version, skills="理发、缝补")
        assert v.skills == "理发、缝补"
        with pytest.raises(StaleVersionError):
            s.volunteer_update(v, version=v.version - 1, skills="x")
        with pytest.raises(RuleError) as e:
            s.volunteer_update(world.member_vol, version=world.member_vol.version, phone="13000000000")
        assert e.value.field == "phone"
        note = s.add_note(v, kind="training", day=D(2024, 2, 1), title="急救培训", hours="3")
        assert note.hours == Decimal("3")
        with pytest.raises(RuleError) as e:
            s.add_note(v, kind="prize", day=D(2024, 2, 1), title="x")
        assert e.value.field == "kind"
        v = s.volunteer_update(v, version=v.version, left_on=D(2024, 6, 1))
        with pytest.raises(RuleError):
            s.sign_up(world.activity, v)
        a = s.activity_update(world.activity, version=world.activity.version, place="新地点")
        assert a.place == "新地点"
        with pytest.raises(RuleError) as e:
            s.activity_update(a, version=a.version, ends_at=at(2024, 3, 5, 8))
        assert e.value.field == "ends_at"
        p = s.confirm_hours(s.mark_attendance(s.sign_up(a, world.member_vol), present=True, now=NOW),
                            on=D(2024, 3, 6))
        assert p.confirmed_on is not None
        a.refresh_from_db()
        with pytest.raises(RuleError) as e:
            s.activity_update(a, version=a.version, starts_at=at(2024, 3, 5, 8))
        assert e.value.field == "starts_at"
    with as_(cast.auditor), pytest.raises(PermissionDeniedError):
        s.add_note(world.resident, kind="commendation", day=D(2024, 2, 1), title="优秀志愿者")
    with as_(cast.member_user), pytest.raises(PermissionDeniedError):
        s.volunteer_update(world.member_vol, version=world.member_vol.version, skills="自己改")
