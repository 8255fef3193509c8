"""The joint-meeting services: each state change, what each refuses (naming the field, writing nothing), and who
may write (the body's organization's writers; not another street's, not an outsider, not a member)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grassroots.cobuild.models import Project, ProjectSource, ProjectState
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError, StaleVersionError
from grassroots.core.models import AuditEntry
from grassroots.joint import services as s
from grassroots.joint.models import Decision, JointMembership, JointSession, Task, UnitAttendance
from grassroots.meetings.models import Meeting, MeetingKind

from .conftest import make_unit

D = dt.date
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def as_(user: Any) -> Any:
    return acting(user, "web")


def _session(world: Any, day: dt.date | None = None, **kw: Any) -> Any:
    kw.setdefault("attendance", {world.bank.pk: ("present", "钱行长"), world.school.pk: "excused"})
    kw.setdefault("decisions", ["楼道照明改造", "", "联合消防检查"])
    return s.session_record(body=world.body, date=day or D(2024, 4, 10), topic="共建项目计划", place="党群服务中心", host="王书记",
                            minutes="议定两项", **kw)


def test_body_created_and_audited(cast: Any, world: Any) -> None:
    assert world.body.org == cast.branch_a and world.body.set_up_on == D(2024, 1, 2)
    assert AuditEntry.objects.filter(action="joint.body_create", object_id=str(world.body.pk)).exists()
    with as_(cast.secretary), pytest.raises(RuleError) as exc:
        s.body_create(org=cast.branch_a, name="东风社区党建联席会议", set_up_on=D(2024, 2, 1))
    assert exc.value.field == "name"
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with as_(cast.secretary), pytest.raises(RuleError) as exc:
        s.body_create(org=cast.branch_a, name="新", set_up_on=tomorrow)
    assert exc.value.field == "set_up_on"
    with as_(cast.secretary), pytest.raises(RuleError) as exc:
        s.body_create(org=cast.group_a1, name="小组", set_up_on=D(2024, 2, 1))
    assert exc.value.field == "org"


def test_membership_joined_ended_and_rejoined(cast: Any, world: Any) -> None:
    with as_(cast.secretary):
        with pytest.raises(RuleError) as exc:  # already a member
            s.membership_add(body=world.body, unit=world.bank, joined_on=D(2024, 5, 1))
        assert exc.value.field == "unit"
        with pytest.raises(RuleError) as exc:  # before the body was set up
            s.membership_add(body=world.body, unit=world.hospital, joined_on=D(2023, 12, 1))
        assert exc.value.field == "joined_on"
        ended = s.membership_end(membership=world.m_bank, left_on=D(2024, 6, 1), version=world.m_bank.version)
        assert ended.left_on == D(2024, 6, 1)
        with pytest.raises(StaleVersionError):
            s.membership_end(membership=world.m_school, left_on=D(2024, 6, 1), version=world.m_school.version + 1)
        with pytest.raises(RuleError) as exc:  # a rejoin overlapping the old seat
            s.membership_add(body=world.body, unit=world.bank, joined_on=D(2024, 5, 31))
        assert exc.value.field == "unit"
        again = s.membership_add(body=world.body, unit=world.bank, joined_on=D(2024, 9, 1))
    assert JointMembership.objects.filter(body=world.body, unit=world.bank).count() == 2
    assert set(s.members_on(world.body, D(2024, 7, 1))) == {world.school.pk}
    assert set(s.members_on(world.body, D(2024, 9, 1))) == {world.school.pk, world.bank.pk}
    assert set(s.members_on(world.body, D(2024, 2, 1))) == {world.bank.pk}
    assert again.left_on is None
    assert AuditEntry.objects.filter(action="joint.membership_end", object_id=str(world.m_bank.pk)).exists()


def test_a_unit_of_another_organization_is_refused(cast: Any, world: Any) -> None:
    elsewhere = make_unit(cast.branch_b, "二支部单位")
    with as_(cast.street_admin), pytest.raises(RuleError) as exc:
        s.membership_add(body=world.body, unit=elsewhere, joined_on=D(2024, 5, 1))
    assert exc.value.field == "unit"
    assert not JointMembership.objects.filter(unit=elsewhere).exists()


def test_meeting_recorded_with_attendance_by_unit(cast: Any, world: Any) -> None:
    with as_(cast.secretary):
        session = _session(world, attachments=[(SimpleUploadedFile("sheet.png", PNG, "image/png"), "签到表")])
    meeting = session.meeting
    assert meeting.kind == MeetingKind.JOINT_MEETING and meeting.org == cast.branch_a
    assert meeting.entered_late and meeting.recorded_by == cast.secretary
    rows = {a.unit_id: (a.presence, a.attendee) for a in UnitAttendance.objects.filter(session=session)}
    assert rows == {world.bank.pk: ("present", "钱行长"), world.school.pk: ("excused", "")}
    assert [d.text for d in Decision.objects.filter(session=session).order_by("order")] == ["楼道照明改造",
                                                                                             "联合消防检查"]
    assert [d.order for d in Decision.objects.filter(session=session).order_by("order")] == [1, 2]
    assert meeting.attachments.get().caption == "签到表"
    entry = AuditEntry.objects.get(action="joint.session_record", object_id=str(session.pk))
    assert entry.changes["extra"]["attendance"] == {"present": 1, "excused": 1, "absent": 0}
    assert entry.changes["extra"]["decisions"] == 2


def test_a_unit_not_a_member_that_day_is_refused(cast: Any, world: Any) -> None:
    meetings = Meeting.objects.count()
    with as_(cast.secretary):
        with pytest.raises(RuleError) as exc:  # the school joined on 1 March
            _session(world, day=D(2024, 2, 20))
        assert exc.value.field == "attendance" and "第一中学" in exc.value.message
        with pytest.raises(RuleError) as exc:  # the hospital never joined
            _session(world, attendance={world.hospital.pk: "present"})
        assert exc.value.field == "attendance"
        with pytest.raises(RuleError) as exc:
            _session(world, attendance={world.bank.pk: "maybe"})
        assert exc.value.field == "attendance"
        with pytest.raises(RuleError) as exc:
            _session(world, day=timezone.localdate() + dt.timedelta(days=1))
        assert exc.value.field == "date"
    assert Meeting.objects.count() == meetings and not JointSession.objects.exists()


def test_decision_becomes_a_project(cast: Any, world: Any) -> None:
    with as_(cast.secretary):
        session = _session(world)
        first = session.decisions.get(order=1)
        with pytest.raises(RuleError) as exc:  # the hospital was no member
            s.decision_to_project(decision=first, unit=world.hospital, due_on=D(2024, 9, 1))
        assert exc.value.field == "unit"
        project = s.decision_to_project(decision=first, unit=world.bank, owner="钱行长", due_on=D(2024, 9, 1))
        with pytest.raises(RuleError) as exc:
            s.decision_to_project(decision=first)
        assert exc.value.field == "decision"
    first.refresh_from_db()
    assert first.project == project
    assert project.source == ProjectSource.DECISION and project.org == cast.branch_a
    assert project.started_on == D(2024, 4, 10) and project.state == ProjectState.PLANNED
    assert project.unit == world.bank and project.title == "楼道照明改造"
    assert Project.objects.count() == 1


def test_decision_becomes_tasks_and_a_task_is_done(cast: Any, world: Any) -> None:
    with as_(cast.secretary):
        session = _session(world)
        d = session.decisions.get(order=2)
        with pytest.raises(RuleError) as exc:
            s.task_create(decision=d, title="检查", due_on=D(2024, 5, 1))
        assert exc.value.field == "owner"
        with pytest.raises(RuleError) as exc:
            s.task_create(decision=d, title="检查", owner="王", due_on=D(2024, 4, 1))
        assert exc.value.field == "due_on"
        task = s.task_create(decision=d, title="消防检查", unit=world.school, owner="李老师", due_on=D(2024, 5, 10))
        with pytest.raises(RuleError) as exc:
            s.task_done(task=task, done_on=D(2024, 4, 1), version=task.version)
        assert exc.value.field == "done_on"
        done = s.task_done(task=task, done_on=D(2024, 5, 8), note="已检查", version=task.version)
        with pytest.raises(RuleError):
            s.task_done(task=task, done_on=D(2024, 5, 9))
    assert done.done_on == D(2024, 5, 8) and done.note == "已检查" and done.version == task.version + 1
    assert Task.objects.get().unit == world.school
    assert AuditEntry.objects.filter(action="joint.task_done", object_id=str(task.pk)).exists()


def test_body_end_closes_its_memberships(cast: Any, world: Any) -> None:
    with as_(cast.secretary):
        _session(world)
        with pytest.raises(RuleError) as exc:  # it met on 10 April
            s.body_end(body=world.body, ended_on=D(2024, 4, 10), version=world.body.version)
        assert exc.value.field == "ended_on"
        ended = s.body_end(body=world.body, ended_on=D(2024, 7, 1), version=world.body.version)
        with pytest.raises(RuleError) as exc:
            _session(world, day=D(2024, 7, 2), attendance={})
        assert exc.value.field == "date"
    assert ended.ended_on == D(2024, 7, 1)
    assert set(JointMembership.objects.filter(body=world.body).values_list("left_on", flat=True)) == {D(2024, 7, 1)}


@pytest.mark.parametrize("role", ["outsider", "member_user", "auditor"])
def test_others_change_nothing(cast: Any, world: Any, role: str) -> None:
    with acting(None, "system"):
        session = _session(world)
        task = s.task_create(decision=session.decisions.first(), title="t", owner="王", due_on=D(2024, 5, 1))
    user = getattr(cast, role)
    entries = AuditEntry.objects.count()
    calls = [
        lambda: s.body_create(org=cast.branch_a, name="另", set_up_on=D(2024, 1, 2)),
        lambda: s.membership_add(body=world.body, unit=world.hospital, joined_on=D(2024, 5, 1)),
        lambda: s.membership_end(membership=world.m_bank, left_on=D(2024, 5, 1)),
        lambda: _session(world),
        lambda: s.decision_add(session=session, text="x"),
        lambda: s.decision_to_project(decision=session.decisions.first()),
        lambda: s.task_create(decision=session.decisions.first(), title="t", owner="王", due_on=D(2024, 5, 1)),
        lambda: s.task_done(task=task, done_on=D(2024, 4, 20)),
        lambda: s.body_end(body=world.body, ended_on=D(2024, 7, 1)),
    ]
    for call in calls:
        with as_(user), pytest.raises(PermissionDeniedError):
            call()
    assert AuditEntry.objects.count() == entries


def test_the_street_above_writes(cast: Any, world: Any) -> None:
    with as_(cast.street_admin):
        d = s.decision_add(session=_session(world), text="第三项")
    assert d.order == 3


def test_the_meetings_module_records_no_joint_meeting_of_its_own(cast: Any, world: Any) -> None:
    """Only `session_record` writes a joint meeting (attendance by unit): the meetings services refuse the kind, and
    members' attendance on one."""
    from grassroots.meetings import services as meeting_services

    with as_(cast.secretary):
        with pytest.raises(RuleError) as exc:
            meeting_services.record_meeting(org=cast.branch_a, kind=MeetingKind.JOINT_MEETING, date=D(2024, 4, 1),
                                            topic="绕过联席会议")
        assert exc.value.field == "kind"
        session = _session(world)
        with pytest.raises(RuleError) as exc:
            meeting_services.update_attendance(session.meeting, {cast.member.pk: ("present", "")})
        assert exc.value.field == "kind"
    assert Meeting.objects.filter(kind=MeetingKind.JOINT_MEETING).count() == 1
    assert not session.meeting.attendance.exists()
