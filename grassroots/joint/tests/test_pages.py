"""The joint-meeting pages: each opens for the branch's secretary and refuses outsiders, writes through the services
(a broken rule on its field), lists print and export, and keep their queries bounded."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
from django.urls import reverse

from grassroots.cobuild.models import Project
from grassroots.core.context import acting
from grassroots.joint import services as s
from grassroots.joint.models import JointMembership, JointSession, Task, UnitAttendance
from grassroots.ui.testing import client_as

from .conftest import make_unit

D = dt.date


def _meeting(world: Any) -> Any:
    with acting(None, "system"):
        session = s.session_record(body=world.body, date=D(2024, 4, 10), topic="共建计划",
                                   attendance={world.bank.pk: ("present", "钱行长"), world.school.pk: "absent"},
                                   decisions=["楼道照明改造", "联合消防检查"])
        task = s.task_create(decision=session.decisions.get(order=2), title="消防检查", owner="王书记",
                             due_on=D(2024, 5, 1))
    return session, task


def test_every_page_opens_for_the_secretary(cast: Any, world: Any) -> None:
    session, task = _meeting(world)
    client = client_as(cast, "secretary")
    d = session.decisions.get(order=1)
    urls = [reverse(n, args=["A"]) for n in ("joint-home", "joint-body-new", "joint-tasks")]
    urls += [reverse("joint-body", args=[world.body.pk]), reverse("joint-body-end", args=[world.body.pk]),
             reverse("joint-member-new", args=[world.body.pk]), reverse("joint-session-new", args=[world.body.pk]),
             reverse("joint-member-end", args=[world.m_bank.pk]), reverse("joint-session", args=[session.pk]),
             reverse("joint-decision-project", args=[d.pk]), reverse("joint-decision-task", args=[d.pk]),
             reverse("joint-task-done", args=[task.pk]),
             reverse("meeting-detail", args=[session.meeting.pk]),  # the meetings module shows it too
             reverse("meetings", args=["A"]) + "?kind=joint_meeting"]
    for url in urls:
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("joint-session", args=[session.pk])).content.decode()
    assert "楼道照明改造" in page and "钱行长" in page and "消防检查" in page
    body = client.get(reverse("joint-body", args=[world.body.pk])).content.decode()
    assert "县农业银行" in body and "第一中学" in body and "共建计划" in body
    org_page = client.get(reverse("org-detail", args=["A"])).content.decode()
    assert reverse("joint-home", args=["A"]) in org_page
    # the meetings module's page of the meeting sends the reader to the joint meeting's page (no members' table)
    meeting_page = client.get(reverse("meeting-detail", args=[session.meeting.pk])).content.decode()
    own = reverse("joint-session-of-meeting", args=[session.meeting.pk])
    assert own in meeting_page and 'id="attendance"' not in meeting_page
    assert client.get(own).url == reverse("joint-session", args=[session.pk])


def test_outsiders_and_the_member_are_refused(cast: Any, world: Any) -> None:
    session, task = _meeting(world)
    for role in ("outsider", "member"):
        client = client_as(cast, role)
        for url in (reverse("joint-home", args=["A"]), reverse("joint-body", args=[world.body.pk]),
                    reverse("joint-session", args=[session.pk]), reverse("joint-task-done", args=[task.pk]),
                    reverse("joint-session-of-meeting", args=[session.meeting.pk])):
            assert client.get(url).status_code == 404, (role, url)
            assert client.post(url, {"text": "x"}).status_code in (404, 405), (role, url)
    auditor = client_as(cast, "auditor")
    assert auditor.get(reverse("joint-body", args=[world.body.pk])).status_code == 200
    response = auditor.post(reverse("joint-session", args=[session.pk]), {"text": "审计加的"})
    assert response.status_code == 403 and session.decisions.count() == 2


def test_record_a_meeting_by_unit_on_the_page(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    url = reverse("joint-session-new", args=[world.body.pk])
    form = client.get(url + "?date=2024-02-01").content.decode()
    assert "县农业银行" in form and "第一中学" not in form  # the school joined on 1 March
    response = client.post(url, {"listed": "2024-04-10", "date": "2024-04-10", "topic": "二季度", "place": "活动室", "host": "王书记",
                                 f"unit_{world.bank.pk}": "present", f"who_{world.bank.pk}": "钱行长",
                                 f"unit_{world.school.pk}": "excused", "decisions": "开展义诊\n\n共建书屋"})
    assert response.status_code == 302
    session = JointSession.objects.get()
    assert response["Location"] == reverse("joint-session", args=[session.pk])
    assert dict(UnitAttendance.objects.filter(session=session).values_list("unit_id", "presence")) == {
        world.bank.pk: "present", world.school.pk: "excused"}
    assert list(session.decisions.order_by("order").values_list("text", flat=True)) == ["开展义诊", "共建书屋"]
    # the school was no member on 1 February: the page refuses it, naming it
    response = client.post(url, {"listed": "2024-04-10", "date": "2024-02-01", "topic": "早了",
                                 f"unit_{world.school.pk}": "present"})
    assert response.status_code == 400 and JointSession.objects.count() == 1
    assert "第一中学" in response.content.decode()


def test_members_added_and_ended_on_the_pages(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    response = client.post(reverse("joint-member-new", args=[world.body.pk]),
                           {"unit": world.hospital.pk, "joined_on": "2024-05-01", "representative": "院长"})
    assert response.status_code == 302
    m = JointMembership.objects.get(unit=world.hospital)
    response = client.post(reverse("joint-member-end", args=[m.pk]), {"version": m.version, "on": "2024-04-01"})
    assert response.status_code == 400 and "joined on" in response.content.decode()
    response = client.post(reverse("joint-member-end", args=[m.pk]), {"version": m.version, "on": "2024-06-01"})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.left_on == D(2024, 6, 1)
    other = make_unit(cast.branch_c, "外街单位")
    response = client.post(reverse("joint-member-new", args=[world.body.pk]),
                           {"unit": other.pk, "joined_on": "2024-05-01"})
    assert response.status_code == 400 and not JointMembership.objects.filter(unit=other).exists()


def test_decision_to_project_and_task_and_done(cast: Any, world: Any) -> None:
    session, task = _meeting(world)
    client = client_as(cast, "secretary")
    d = session.decisions.get(order=1)
    response = client.post(reverse("joint-decision-project", args=[d.pk]),
                           {"title": "照明改造", "unit": world.bank.pk, "owner": "钱行长", "due_on": "2024-08-01"})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.project is not None and Project.objects.get().title == "照明改造"
    response = client.post(reverse("joint-decision-task", args=[d.pk]),
                           {"title": "采购灯具", "unit": world.bank.pk, "due_on": "2024-06-01"})
    assert response.status_code == 302 and Task.objects.filter(decision=d, title="采购灯具").exists()
    response = client.post(reverse("joint-task-done", args=[task.pk]),
                           {"version": task.version, "done_on": "2024-04-20", "note": "完成"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.done_on == D(2024, 4, 20)
    page = client.get(reverse("joint-tasks", args=["A"]) + "?state=open").content.decode()
    table = page[page.index('id="joint-tasks-table"'):]
    assert "采购灯具" in table and "消防检查" not in table


def test_lists_export_and_bounded_queries(cast: Any, world: Any, django_assert_max_num_queries: Any) -> None:
    _meeting(world)
    client = client_as(cast, "street_admin")
    for name, args in (("joint-home", ["S"]), ("joint-tasks", ["S"]), ("joint-body", [world.body.pk])):
        with django_assert_max_num_queries(22):
            assert client.get(reverse(name, args=args)).status_code == 200
    with acting(None, "system"):  # more meetings, decisions and tasks: the same number of queries
        for month in (5, 6, 7, 8):
            sess = s.session_record(body=world.body, date=D(2024, month, 10), topic=f"{month}月",
                                    attendance={world.bank.pk: "present"}, decisions=["甲", "乙"])
            s.task_create(decision=sess.decisions.first(), title="任务", owner="王", due_on=D(2024, 12, 1))
    for name, args in (("joint-home", ["S"]), ("joint-tasks", ["S"]), ("joint-body", [world.body.pk])):
        with django_assert_max_num_queries(22):
            assert client.get(reverse(name, args=args)).status_code == 200
    response = client.get(reverse("joint-export", args=["S"]))
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    meetings = list(wb.worksheets[0].iter_rows(values_only=True))
    assert len(meetings) == 1 + 5
    april = next(r for r in meetings if r[3] == "共建计划")
    assert april[6:10] == (1, 0, 1, 2)  # present, excused, absent, decisions
    assert len(list(wb.worksheets[1].iter_rows(values_only=True))) == 1 + 10
    assert len(list(wb.worksheets[2].iter_rows(values_only=True))) == 1 + 5
    sheet = client.get(reverse("joint-tasks", args=["S"]) + "?format=xlsx")
    assert sheet.status_code == 200
