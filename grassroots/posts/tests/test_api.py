"""The posts API: lists within the scope (bounded queries), writes through the services, 400 naming the field,
403, 404 and 409 on a stale version."""

from __future__ import annotations

from typing import Any

from grassroots.core.context import acting
from grassroots.posts import services
from grassroots.posts.models import ClaimState, PostClaim
from grassroots.ui.testing import client_as

from .conftest import TERM_START


def test_lists_in_scope_with_bounded_queries(cast: Any, post: Any, kinds: dict[str, Any],
                                             django_assert_max_num_queries: Any) -> None:
    with acting(None, "system"):
        for i in range(8):
            services.post_create(org=cast.branch_b, kind=kinds["便民服务岗"], title=f"代办{i}", term_start=TERM_START)
        other = services.kind_create(org=cast.branch_c, name="C岗")
        services.post_create(org=cast.branch_c, kind=other, title="C", term_start=TERM_START)
    client = client_as(cast, "street_admin")
    with django_assert_max_num_queries(12):
        response = client.get("/api/posts/")
    assert response.status_code == 200
    titles = [p["title"] for p in response.json()["results"]]
    assert "C" not in titles and "夜间巡逻" in titles and len(titles) == 9
    assert client.get("/api/posts/", {"org": "A"}).json()["count"] == 1
    assert client.get("/api/posts/", {"org": "C"}).status_code == 404
    assert client.get("/api/posts/", {"year": 2023}).json()["count"] == 0
    assert client_as(cast, "secretary").get("/api/post-kinds/").json()["count"] == 0  # S's kinds are above A
    assert client.get("/api/post-kinds/", {"org": "S"}).json()["count"] == 8


def test_create_post_and_update_with_version(cast: Any, kinds: dict[str, Any]) -> None:
    client = client_as(cast, "secretary")
    bad = client.post("/api/posts/", {"org": "A", "kind": kinds["便民服务岗"].pk, "title": "代办", "seats": 1,
                                      "term_start": "2024-02-01", "term_end": "2024-01-01"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "term_end"
    made = client.post("/api/posts/", {"org": "A", "kind": kinds["便民服务岗"].pk, "title": "代办", "seats": 1,
                                       "term_start": "2024-02-01"}, content_type="application/json")
    assert made.status_code == 201
    pk, version = made.json()["id"], made.json()["version"]
    body = {"kind": kinds["便民服务岗"].pk, "title": "代办代缴", "seats": 2, "term_start": "2024-02-01",
            "version": version}
    assert client.patch(f"/api/posts/{pk}/", body, content_type="application/json").status_code == 200
    assert client.patch(f"/api/posts/{pk}/", body, content_type="application/json").status_code == 409
    refused = client_as(cast, "auditor").post("/api/posts/", {"org": "A", "kind": kinds["便民服务岗"].pk,
                                                              "title": "x", "term_start": "2024-02-01"},
                                              content_type="application/json")
    assert refused.status_code == 403


def test_claim_flow_through_the_api(cast: Any, post: Any) -> None:
    member = client_as(cast, "member")
    made = member.post("/api/post-claims/", {"post": post.pk, "member": cast.member.pk},
                       content_type="application/json")
    assert made.status_code == 201 and made.json()["on_behalf"] is False
    pk = made.json()["id"]
    assert member.get("/api/post-claims/").json()["count"] == 1
    assert member.post(f"/api/post-claims/{pk}/approve/", {"version": 1},
                       content_type="application/json").status_code == 403
    secretary = client_as(cast, "secretary")
    assert secretary.post(f"/api/post-claims/{pk}/approve/", {"version": 0},
                          content_type="application/json").status_code == 409
    ok = secretary.post(f"/api/post-claims/{pk}/approve/", {"version": 1}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["state"] == ClaimState.APPROVED
    wrong = secretary.post(f"/api/post-claims/{pk}/decline/", {"version": 2, "reason": "x"},
                           content_type="application/json")
    assert wrong.status_code == 400 and wrong.json()["field"] == "state"
    assert client_as(cast, "outsider").post(f"/api/post-claims/{pk}/end/", {"version": 2},
                                            content_type="application/json").status_code == 404
    assert secretary.post(f"/api/post-claims/{pk}/end/", {"version": 2},
                          content_type="application/json").status_code == 200
    assert PostClaim.objects.get(pk=pk).state == ClaimState.ENDED


def test_claim_on_behalf_and_outside_refused(cast: Any, post: Any, django_assert_max_num_queries: Any) -> None:
    secretary = client_as(cast, "secretary")
    made = secretary.post("/api/post-claims/", {"post": post.pk, "member": cast.member_a2.pk},
                          content_type="application/json")
    assert made.status_code == 201 and made.json()["on_behalf"] is True
    assert secretary.post("/api/post-claims/", {"post": post.pk, "member": cast.member_b.pk},
                          content_type="application/json").status_code == 404
    with django_assert_max_num_queries(10):
        assert secretary.get("/api/post-claims/", {"state": "pending"}).json()["count"] == 1


def test_kinds_through_the_api(cast: Any) -> None:
    client = client_as(cast, "street_admin")
    added = client.post("/api/post-kinds/presets/", {"org": "S", "preset": "seed004"}, content_type="application/json")
    assert added.status_code == 201 and len(added.json()) == 8
    kind = added.json()[0]
    changed = client.patch(f"/api/post-kinds/{kind['id']}/", {"version": kind["version"], "active": False},
                           content_type="application/json")
    assert changed.status_code == 200 and changed.json()["active"] is False
    dup = client.post("/api/post-kinds/", {"org": "S", "name": kind["name"]}, content_type="application/json")
    assert dup.status_code == 400 and dup.json()["field"] == "name"
