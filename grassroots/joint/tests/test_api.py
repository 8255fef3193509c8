"""The joint-meetings API: lists from the scope, writes through the services, 400 naming the field, 403, 404, 409
for a stale version."""

from __future__ import annotations

import datetime as dt
from typing import Any

from grassroots.core.context import acting
from grassroots.joint import services as s
from grassroots.joint.models import JointMembership, JointSession
from grassroots.ui.testing import client_as, post, results


def test_lists_are_scoped(cast: Any, world: Any, django_assert_max_num_queries: Any) -> None:
    with acting(None, "system"):
        s.session_record(body=world.body, date=dt.date(2024, 4, 10), topic="议事",
                         attendance={world.bank.pk: "present"}, decisions=["甲"])
    client = client_as(cast, "secretary")
    with django_assert_max_num_queries(12):
        bodies = results(client.get("/api/joint-bodies/?org=A"))
    assert [b["name"] for b in bodies] == ["东风社区党建联席会议"]
    assert {m["unit_name"] for m in bodies[0]["memberships"]} == {"县农业银行", "第一中学"}
    with django_assert_max_num_queries(12):
        meetings = results(client.get("/api/joint-meetings/?org=A"))
    assert meetings[0]["attendance"] == [{"unit": world.bank.pk, "unit_name": "县农业银行", "presence": "present",
                                          "attendee": ""}]
    assert [d["text"] for d in meetings[0]["decisions"]] == ["甲"]
    outsider = client_as(cast, "outsider")
    assert results(outsider.get("/api/joint-bodies/")) == []
    assert results(outsider.get("/api/joint-meetings/")) == []
    assert outsider.get(f"/api/joint-bodies/{world.body.pk}/").status_code == 404
    assert client.get("/api/joint-bodies/?org=C").status_code == 404


def test_writes_and_errors(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    response = post(client, "/api/joint-bodies/", {"org": "A", "name": "东风社区党建联席会议", "set_up_on": "2024-02-01"})
    assert response.status_code == 400 and response.json()["field"] == "name"
    response = post(client, f"/api/joint-bodies/{world.body.pk}/members/",
                    {"unit": world.hospital.pk, "joined_on": "2024-05-01", "representative": "院长"})
    assert response.status_code == 201 and JointMembership.objects.filter(unit=world.hospital).exists()
    response = post(client, "/api/joint-meetings/", {
        "body": world.body.pk, "date": "2024-04-10", "topic": "议事",
        "attendance": [{"unit": world.hospital.pk, "presence": "present"}]})
    assert response.status_code == 400 and response.json()["field"] == "attendance"  # the hospital joined in May
    response = post(client, "/api/joint-meetings/", {
        "body": world.body.pk, "date": "2024-06-10", "topic": "议事", "decisions": ["共建书屋"],
        "attendance": [{"unit": world.hospital.pk, "presence": "present", "attendee": "院长"},
                       {"unit": world.bank.pk, "presence": "absent"}]})
    assert response.status_code == 201
    session = JointSession.objects.get()
    assert response.json()["decisions"][0]["text"] == "共建书屋"
    with acting(None, "system"):
        task = s.task_create(decision=session.decisions.get(), title="书屋", owner="王", due_on=dt.date(2024, 8, 1))
    stale = post(client, f"/api/joint-tasks/{task.pk}/done/", {"done_on": "2024-07-01", "version": task.version + 1})
    assert stale.status_code == 409
    done = post(client, f"/api/joint-tasks/{task.pk}/done/", {"done_on": "2024-07-01", "version": task.version})
    assert done.status_code == 200 and done.json()["done_on"] == "2024-07-01"
    assert [t["id"] for t in results(client.get("/api/joint-tasks/?open=false"))] == [task.pk]
    assert results(client.get("/api/joint-tasks/?open=true")) == []
    auditor = client_as(cast, "auditor")
    response = post(auditor, "/api/joint-meetings/", {"body": world.body.pk, "date": "2024-06-11", "topic": "x"})
    assert response.status_code == 403 and JointSession.objects.count() == 1
    outsider = client_as(cast, "outsider")
    response = post(outsider, "/api/joint-meetings/", {"body": world.body.pk, "date": "2024-06-11", "topic": "x"})
    assert response.status_code == 404
