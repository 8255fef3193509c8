"""The points API: lists scoped (query count bounded), writes through the services: 201/200, 400 naming the
field, 403 refused, 404 outside the scope, 409 stale."""

from __future__ import annotations

from typing import Any

import pytest

from grassroots.points.models import EntryStatus, PointEntry
from grassroots.ui.testing import client_as, post, results

from .conftest import D, approve_all, ev, propose, scheme_params

pytestmark = pytest.mark.django_db


def test_entries_list_scoped(cast: Any, fake_source: list[Any], django_assert_max_num_queries: Any) -> None:
    fake_source.extend([ev(cast.member, D(2024, 5, d)) for d in range(1, 6)] + [ev(cast.member_b, D(2024, 5, 1)),
                                                                               ev(cast.member_c, D(2024, 5, 1))])
    propose(cast.street, 2024)
    propose(cast.other_street, 2024)
    client = client_as(cast, "secretary")
    with django_assert_max_num_queries(12):
        rows = results(client.get("/api/points/point-entries/", {"year": 2024}))
    assert {r["member"] for r in rows} == {cast.member.pk}
    assert len(results(client_as(cast, "street_admin").get("/api/points/point-entries/"))) == 6
    own = results(client_as(cast, "member").get("/api/points/point-entries/"))
    assert {r["member"] for r in own} == {cast.member.pk}  # a member sees their own entries
    assert client.get("/api/points/point-entries/", {"org": "C"}).status_code == 404


def test_approve_and_decline(cast: Any, fake_source: list[Any]) -> None:
    fake_source.extend([ev(cast.member, D(2024, 5, 1)), ev(cast.member_a2, D(2024, 5, 1))])
    response = post(client_as(cast, "secretary"), "/api/orgs/A/points-proposals/", {"year": 2024})
    assert response.status_code == 200 and response.json() == {"proposed": 2}
    first, second = PointEntry.objects.order_by("id")
    client = client_as(cast, "secretary")
    stale = post(client, f"/api/points/point-entries/{first.pk}/approve/", {"version": first.version + 1})
    assert stale.status_code == 409
    done = post(client, f"/api/points/point-entries/{first.pk}/approve/", {"version": first.version})
    assert done.status_code == 200 and done.json()["status"] == EntryStatus.APPROVED
    no_reason = post(client, f"/api/points/point-entries/{second.pk}/decline/", {"version": second.version})
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    assert post(client_as(cast, "auditor"), f"/api/points/point-entries/{second.pk}/approve/",
                {"version": second.version}).status_code == 403
    assert post(client_as(cast, "outsider"), f"/api/points/point-entries/{second.pk}/approve/",
                {"version": second.version}).status_code == 404
    assert post(client_as(cast, "auditor"), "/api/orgs/A/points-proposals/", {"year": 2024}).status_code == 403


def test_manual_entries_schemes_exemptions(cast: Any) -> None:
    client = client_as(cast, "secretary")
    bad = post(client, "/api/points/point-entries/", {"member": cast.member.pk, "item": "meetings.attended",
                                                      "day": "2024-07-01", "reason": "x"})
    assert bad.status_code == 400 and bad.json()["field"] == "item"
    made = post(client, "/api/points/point-entries/", {"member": cast.member.pk, "item": "manual.deduction",
                                                       "day": "2024-07-01", "points": "3", "reason": "无故缺席"})
    assert made.status_code == 201 and made.json()["points"] == "-3.00"
    assert post(client, "/api/points/point-entries/", {"member": cast.member_c.pk, "item": "manual.pioneer",
                                                       "day": "2024-07-01", "reason": "x"}).status_code == 404
    scheme = post(client, "/api/points/schemes/", {"org": "A", "effective_from": "2024-01-01",
                                                   "params": scheme_params(base="80")})
    assert scheme.status_code == 201 and scheme.json()["params"]["base"] == "80.00"
    floor = post(client, "/api/points/schemes/", {"org": "A", "effective_from": "2024-02-01",
                                                  "params": scheme_params(base="80", floor="90")})
    assert floor.status_code == 400 and floor.json()["field"] == "floor"
    assert len(results(client.get("/api/points/schemes/"))) == 1
    exemption = post(client, "/api/points/exemptions/", {"member": cast.member.pk, "reason": "sick",
                                                         "start": "2024-01-01"})
    assert exemption.status_code == 201
    assert results(client.get("/api/points/exemptions/", {"member": cast.member.pk}))[0]["reason"] == "sick"


def test_totals_statement_and_the_ranking(cast: Any, fake_source: list[Any]) -> None:
    fake_source.extend([ev(cast.member, D(2024, 5, 1)), ev(cast.member_a2, D(2024, 5, 1))])
    propose(cast.branch_a, 2024, cast.secretary)
    approve_all(cast.branch_a, cast.secretary)
    client = client_as(cast, "secretary")
    totals = client.get("/api/orgs/A/points-totals/", {"year": 2024}).json()
    assert {r["name"]: r["total"] for r in totals["rows"]} == {"李明": "62.00", "王强": "62.00"}
    statement = client_as(cast, "member").get(f"/api/members/{cast.member.pk}/points-statement/", {"year": 2024})
    assert statement.status_code == 200 and statement.json()["total"] == "62.00"
    assert client.get("/api/orgs/A/points-ranking/").status_code == 404  # absent by default
    assert post(client_as(cast, "member"), f"/api/members/{cast.member.pk}/points-opt-in/",
                {"opted_in": True}).status_code == 200
    assert post(client_as(cast, "member"), f"/api/members/{cast.member_a2.pk}/points-opt-in/",
                {"opted_in": True}).status_code == 404
    assert post(client_as(cast, "auditor"), "/api/orgs/A/points-ranking-setting/",
                {"enabled": True}).status_code == 403
    assert post(client, "/api/orgs/A/points-ranking-setting/", {"enabled": True}).status_code == 200
    ranking = client.get("/api/orgs/A/points-ranking/", {"year": 2024}).json()
    assert ranking["rows"] == [{"name": "李明", "total": "62.00"}]  # only the member who opted in


def test_bad_filters_are_400_naming_the_parameter(cast: Any) -> None:
    client = client_as(cast, "secretary")
    for params in ({"year": "1.5"}, {"year": "99999"}, {"member": "-3"}, {"status": "lost"}):
        response = client.get("/api/points/point-entries/", params)
        assert response.status_code == 400 and set(params) <= set(response.json()), params
