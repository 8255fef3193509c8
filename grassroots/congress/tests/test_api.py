"""The practical-projects API: lists from the scope with the rolled-up progress (exact and rounded), the timeline,
writes through the services, 400 naming the field, 403, 404, and 409 for a stale version."""

from __future__ import annotations

from typing import Any

from grassroots.congress.models import PracticalProject
from grassroots.ui.testing import client_as, post, results


def test_lists_are_scoped_and_carry_the_progress(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    road = PracticalProject.objects.get(pk=world.road.pk)
    assert post(client, f"/api/practical-projects/{road.pk}/status/",
                {"to": "under_way", "on": "2024-03-01", "version": road.version}).status_code == 200
    assert post(client, f"/api/practical-projects/{road.pk}/progress/",
                {"on": "2024-04-01", "percent": 50}).status_code == 201
    rows = {r["title"]: r for r in results(client.get("/api/practical-projects/?org=A&year=2024"))}
    assert rows["社区道路和照明改造"]["progress_exact"] == "75/2" and rows["社区道路和照明改造"]["progress"] == "38"
    assert rows["道路硬化"]["progress"] == "50"
    timeline = client.get(f"/api/practical-projects/{world.project.pk}/timeline/").json()
    assert [e["kind"] for e in timeline if e["project"] == road.pk] == ["status", "status", "progress"]
    outsider = client_as(cast, "outsider")
    assert results(outsider.get("/api/practical-projects/")) == []
    assert outsider.get(f"/api/practical-projects/{world.project.pk}/").status_code == 404
    assert client.get("/api/practical-projects/?org=C").status_code == 404


def test_writes_and_errors(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    r = post(client, f"/api/practical-projects/{world.project.pk}/progress/", {"on": "2024-04-01", "percent": 10})
    assert r.status_code == 400 and r.json()["field"] == "percent"
    r = post(client, f"/api/practical-projects/{world.project.pk}/status/",
             {"to": "under_way", "on": "2024-03-01", "version": 99})
    assert r.status_code == 409
    r = post(client, "/api/practical-projects/", {"parent": world.project.pk, "title": "绿化", "weight": 2})
    assert r.status_code == 201 and r.json()["year"] == 2024 and r.json()["parent"] == world.project.pk
    r = post(client, f"/api/practical-projects/{world.project.pk}/supervision/",
             {"on": "2024-06-01", "kind": "inspection", "seats": [world.seat.pk], "findings": "正常"})
    assert r.status_code == 201 and r.json()["seats"] == [world.seat.pk]
    r = post(client, f"/api/practical-projects/{world.project.pk}/milestones/", {"title": "设计", "due_on": "x"})
    assert r.status_code == 400
    member = client_as(cast, "member")
    r = post(member, f"/api/practical-projects/{world.road.pk}/progress/", {"on": "2024-04-01", "percent": 10})
    assert r.status_code in (403, 404)
