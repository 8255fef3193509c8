"""The volunteer-service API: lists from the scope, writes through the services, 400 naming the field, 403, 404,
409 for a stale version; masked personal data and a logged reveal."""

from __future__ import annotations

from typing import Any

from grassroots.core.models import AuditEntry
from grassroots.ui.testing import client_as, post, results
from grassroots.volunteers import services as s
from grassroots.volunteers.models import Participation

from .conftest import RESIDENT_PHONE


def test_lists_are_scoped_and_masked(cast: Any, world: Any, django_assert_max_num_queries: Any) -> None:
    client = client_as(cast, "secretary")
    with django_assert_max_num_queries(12):
        rows = results(client.get("/api/volunteers/people/?org=A"))
    assert {r["number"] for r in rows} == {world.member_vol.number, world.resident.number}
    assert RESIDENT_PHONE not in str(rows)
    assert results(client_as(cast, "outsider").get("/api/volunteers/people/")) == []
    assert client_as(cast, "outsider").get(f"/api/volunteers/activities/{world.activity.pk}/").status_code == 404
    assert client.get("/api/volunteers/people/?org=C").status_code == 404
    own = results(client_as(cast, "member").get("/api/volunteers/people/"))
    assert [r["id"] for r in own] == [world.member_vol.pk]


def test_writes_and_errors(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    response = post(client, "/api/volunteers/teams/", {"org": "A", "code": "RV", "name": "重复"})
    assert response.status_code == 400 and response.json()["field"] == "code"
    response = post(client, "/api/volunteers/teams/", {"org": "A", "code": "NEW", "name": "新队"})
    assert response.status_code == 201
    team = response.json()
    stale = client.patch(f"/api/volunteers/teams/{team['id']}/", data={"version": 0, "name": "改"},
                         content_type="application/json")
    assert stale.status_code == 409
    ok = client.patch(f"/api/volunteers/teams/{team['id']}/", data={"version": team["version"], "name": "改"},
                      content_type="application/json")
    assert ok.status_code == 200 and ok.json()["name"] == "改"
    response = post(client, f"/api/volunteers/activities/{world.activity.pk}/signup/",
                    {"volunteer": world.resident.pk})
    assert response.status_code == 201
    p = Participation.objects.get(pk=response.json()["id"])
    response = post(client, f"/api/volunteers/participations/{p.pk}/attendance/",
                    {"present": True, "version": p.version})
    assert response.status_code == 200 and response.json()["hours"] == "2.5"
    response = post(client, f"/api/volunteers/participations/{p.pk}/confirm/", {"version": p.version})
    assert response.status_code == 409
    p.refresh_from_db()
    assert post(client, f"/api/volunteers/participations/{p.pk}/confirm/",
                {"version": p.version}).status_code == 200
    auditor = client_as(cast, "auditor")
    assert post(auditor, "/api/volunteers/teams/", {"org": "A", "code": "AU", "name": "审计"}).status_code == 403


def test_reveal_is_logged(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    response = post(client, f"/api/volunteers/people/{world.resident.pk}/reveal/", {"field": "phone"})
    assert response.status_code == 200 and response.json()["value"] == RESIDENT_PHONE
    assert AuditEntry.objects.filter(action="volunteer.reveal_phone", channel="api").exists()
    response = post(client_as(cast, "auditor"), f"/api/volunteers/people/{world.resident.pk}/reveal/",
                    {"field": "phone"})
    assert response.status_code == 403


def test_member_reports_and_asks_through_the_api(cast: Any, world: Any) -> None:
    client = client_as(cast, "member")
    response = post(client, "/api/volunteers/reports/", {"volunteer": world.member_vol.pk, "day": "2024-05-02",
                                                          "hours": "2", "content": "修水管"})
    assert response.status_code == 201
    report = response.json()
    assert post(client, f"/api/volunteers/reports/{report['id']}/decide/",
                {"approve": True, "version": report["version"]}).status_code == 403
    secretary = client_as(cast, "secretary")
    assert post(secretary, f"/api/volunteers/reports/{report['id']}/decide/",
                {"approve": True, "version": report["version"]}).status_code == 200
    response = post(client, "/api/volunteers/corrections/", {"volunteer": world.member_vol.pk,
                                                              "report": report["id"], "hours": "x", "reason": "r"})
    assert response.status_code == 400 and response.json()["field"] == "hours"
    assert s.confirmed_hours(world.member_vol) == 2
