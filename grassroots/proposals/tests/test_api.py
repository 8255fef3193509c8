"""The proposals API: lists from the scope, writes through the services, 400 naming the field, 403, 404, 409 for a
stale version."""

from __future__ import annotations

from typing import Any

from grassroots.proposals.models import Proposal
from grassroots.ui.testing import client_as, post, results


def test_list_create_and_handle(cast: Any, world: Any, django_assert_max_num_queries: Any) -> None:
    client = client_as(cast, "secretary")
    with django_assert_max_num_queries(12):
        rows = results(client.get("/api/proposals/?org=A&year=2024"))
    assert [r["number"] for r in rows] == ["A-2024-T001"]
    assert [x["name"] for x in rows[0]["proposers"]] == ["王代表", "张居民"]
    assert results(client_as(cast, "outsider").get("/api/proposals/")) == []
    assert client_as(cast, "outsider").get(f"/api/proposals/{world.proposal.pk}/").status_code == 404
    made = post(client, "/api/proposals/", {"org": "A", "title": "增设路灯", "received_on": "2024-10-08",
                                            "proposers": ["王代表", "赵大妈"], "category": "construction"})
    assert made.status_code == 201, made.content
    pk, version = made.json()["id"], made.json()["version"]
    assert post(client, f"/api/proposals/{pk}/accept/", {"on": "2024-10-09", "lead_unit": "城建办",
                                                        "version": version - 1}).status_code == 409
    bad = post(client, f"/api/proposals/{pk}/accept/", {"on": "2024-10-09", "lead_unit": " ", "version": version})
    assert bad.status_code == 400
    ok = post(client, f"/api/proposals/{pk}/accept/", {"on": "2024-10-09", "lead_unit": "城建办",
                                                      "version": version})
    assert ok.status_code == 200 and ok.json()["state"] == "accepted"
    answered = post(client, f"/api/proposals/{pk}/answer/", {
        "answered_on": "2024-10-20", "handling": "已安装", "handler_name": "赵工", "handler_phone": "0875-5150000",
        "version": ok.json()["version"]})
    assert answered.status_code == 200 and answered.json()["answers"][0]["handler_phone"] == "0875-5150000"
    auditor = client_as(cast, "auditor")
    rated = post(auditor, f"/api/proposals/{pk}/rate/", {"satisfaction": "satisfied", "on": "2024-10-21",
                                                        "version": answered.json()["version"]})
    assert rated.status_code == 403 and Proposal.objects.get(pk=pk).state == "answered"
    converted = post(client, f"/api/proposals/{world.proposal.pk}/convert/", {
        "on": "2024-09-24", "category": world.category.pk, "version": world.proposal.version})
    assert converted.status_code == 200 and converted.json()["opinion"]


def test_a_year_that_is_no_year_is_a_400_naming_it(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    for bad in ("5e-324", "-1", "99999", "二〇二四"):
        answer = client.get(f"/api/proposals/?year={bad}")
        assert answer.status_code == 400, bad
        assert "year" in answer.json()
    assert client.get("/api/proposals/?year=2024").status_code == 200
