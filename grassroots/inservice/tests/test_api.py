"""The in-service API: both sides read, the home side reports, the community decides, assigns and logs; 400
naming the field, 403, 404, 409 for a stale version; the phone masked and its reveal logged."""

from __future__ import annotations

from typing import Any

from grassroots.core.models import AuditEntry
from grassroots.inservice.models import Report
from grassroots.ui.testing import as_user, client_as, post, results

from .conftest import PHONE


def test_report_decide_assign_log_through_the_api(cast: Any, world: Any, django_assert_max_num_queries: Any) -> None:
    sec = client_as(cast, "secretary")
    community = client_as(cast, "outsider")
    assert results(sec.get("/api/inservice/")) == []
    response = post(sec, "/api/inservice/", {"member": cast.member.pk, "community_org": "C", "on": "2024-01-10",
                                             "first": True, "skills": "电工", "phone": PHONE})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "pending" and body["phone"] != PHONE and body["home_org"] == "A"
    pk = body["id"]
    assert post(sec, f"/api/inservice/{pk}/decide/", {"version": 1, "on": "2024-01-12",
                                                      "accept": True}).status_code == 403
    assert post(community, f"/api/inservice/{pk}/decide/", {"version": 9, "on": "2024-01-12",
                                                            "accept": True}).status_code == 409
    response = post(community, f"/api/inservice/{pk}/decide/", {"version": 1, "on": "2024-01-12", "accept": True})
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    response = post(community, f"/api/inservice/{pk}/assign/", {"version": 2, "grid": "T-A-G1"})
    assert response.status_code == 400 and response.json()["field"] == "grid"
    response = post(community, f"/api/inservice/{pk}/assign/", {"version": 2, "grid": "T-C-G1",
                                                                "post": world.post.pk})
    assert response.status_code == 200 and response.json()["grid"] == "T-C-G1"
    url = f"/api/inservice/{pk}/services/"
    response = post(community, url, {"day": "2024-02-01", "activity": "清扫", "hours": "2", "evaluation": "bad"})
    assert response.status_code == 400 and response.json()["field"] == "evaluation"
    for day in ("2024-02-01", "2024-03-01"):
        assert post(community, url, {"day": day, "activity": "清扫", "hours": "2",
                                     "evaluation": "good"}).status_code == 201
    with django_assert_max_num_queries(10):
        assert [s["day"] for s in sec.get(url).json()] == ["2024-03-01", "2024-02-01"]
    with django_assert_max_num_queries(12):
        listed = results(community.get("/api/inservice/?community_org=C"))
    assert [r["id"] for r in listed] == [pk] and PHONE not in str(listed)
    assert results(sec.get("/api/inservice/?home_org=A&state=accepted"))[0]["id"] == pk
    assert sec.get("/api/inservice/?member=1.5").status_code == 400
    # the community's side records the next report of a member it accepted
    response = post(community, "/api/inservice/", {"member": cast.member.pk, "community_org": "C",
                                                   "on": "2024-07-10"})
    assert response.status_code == 201 and response.json()["state"] == "accepted"
    assert post(community, "/api/inservice/", {"member": cast.member_a2.pk, "community_org": "C",
                                               "on": "2024-07-10"}).status_code == 404
    assert post(sec, "/api/inservice/", {"member": cast.member.pk, "community_org": "NOPE",
                                         "on": "2024-07-10"}).json()["field"] == "community_org"


def test_outsiders_read_nothing_and_reveal_is_logged(cast: Any, world: Any) -> None:
    sec = client_as(cast, "secretary")
    pk = post(sec, "/api/inservice/", {"member": cast.member.pk, "community_org": "C", "on": "2024-01-10",
                                       "phone": PHONE}).json()["id"]
    outsider = as_user(world.sec_b)
    assert results(outsider.get("/api/inservice/")) == []
    assert outsider.get(f"/api/inservice/{pk}/").status_code == 404
    assert post(outsider, f"/api/inservice/{pk}/reveal/", {}).status_code == 404
    assert Report.objects.get(pk=pk).state == "pending"
    response = post(client_as(cast, "outsider"), f"/api/inservice/{pk}/reveal/", {})
    assert response.status_code == 200 and response.json() == {"phone": PHONE}
    assert AuditEntry.objects.filter(action="inservice.reveal", actor_id=cast.outsider.pk).exists()
    # the community reads the report, not the member's archive
    assert client_as(cast, "outsider").get(f"/api/members/{cast.member.pk}/").status_code == 404
