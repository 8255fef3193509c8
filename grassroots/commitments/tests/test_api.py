"""The commitments API: list and detail with filters (scoped; a member sees their own), writes through the
services: 201, 400 naming the field, 403, 404, 409 stale."""

from __future__ import annotations

from typing import Any

import pytest

from grassroots.commitments.models import Commitment
from grassroots.ui.testing import client_as, patch, post, results

from .conftest import YEAR, make, set_result

pytestmark = pytest.mark.django_db
URL = "/api/commitments/"


def test_list_filters_and_scope(cast: Any) -> None:
    kept = make(cast.member, level="practical", theme="environment", text="清理河道")
    set_result(kept)
    make(cast.member_a2, text="带头学习")
    make(cast.member_b, text="B的承诺")
    make(cast.member_c, text="C的承诺")
    secretary = client_as(cast, "secretary")
    assert {r["text"] for r in results(secretary.get(URL))} == {"清理河道", "带头学习"}
    assert [r["text"] for r in results(secretary.get(URL, {"result": "kept"}))] == ["清理河道"]
    assert [r["text"] for r in results(secretary.get(URL, {"result": "none"}))] == ["带头学习"]
    assert [r["text"] for r in results(secretary.get(URL, {"level": "practical", "year": YEAR}))] == ["清理河道"]
    assert secretary.get(URL, {"org": "C"}).status_code == 404
    assert secretary.get(URL, {"level": "loud"}).status_code == 400
    street = client_as(cast, "street_admin")
    assert len(results(street.get(URL, {"org": "B"}))) == 1
    member = client_as(cast, "member")
    assert [r["text"] for r in results(member.get(URL))] == ["清理河道"]
    other = Commitment.objects.get(text="带头学习")
    assert member.get(f"{URL}{other.pk}/").status_code == 404
    assert client_as(cast, "outsider").get(f"{URL}{kept.pk}/").status_code == 404


def test_list_queries_bounded(cast: Any, django_assert_max_num_queries: Any) -> None:
    from conftest import make_member
    from grassroots.core.context import acting

    with acting(None, "system"):
        for i in range(12):
            make(make_member(cast.branch_a, name=f"党员{i}"), text=f"承诺{i}")
    client = client_as(cast, "secretary")
    with django_assert_max_num_queries(12):
        assert len(results(client.get(URL))) == 12


def test_the_member_makes_one_and_adds_progress(cast: Any) -> None:
    client = client_as(cast, "member")
    response = post(client, URL, {"member": cast.member.pk, "year": YEAR, "level": "practical", "theme": "culture",
                                  "text": "教唱红歌", "deadline": f"{YEAR}-12-31", "made_on": f"{YEAR}-03-01"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["on_behalf"], body["state"], body["org"]) == (False, "open", "A")
    p = post(client, "/api/commitment-progress/", {"commitment": body["id"], "date": f"{YEAR}-04-01",
                                                   "text": "教了两次"})
    assert p.status_code == 201 and p.json()["has_photo"] is False
    assert len(results(client.get("/api/commitment-progress/", {"commitment": body["id"]}))) == 1


def test_bad_input_is_400_naming_the_field(cast: Any) -> None:
    client = client_as(cast, "secretary")
    response = post(client, URL, {"member": cast.member.pk, "year": YEAR, "level": "practical",
                                  "text": "x", "deadline": f"{YEAR}-12-31", "made_on": f"{YEAR}-03-01"})
    assert response.status_code == 400 and response.json()["field"] == "theme"
    assert post(client, URL, {"member": cast.member.pk}).status_code == 400
    assert not Commitment.objects.exists()


def test_refusals_403_and_404(cast: Any) -> None:
    body = {"member": cast.member.pk, "year": YEAR, "level": "common", "text": "x", "deadline": f"{YEAR}-12-31",
            "made_on": f"{YEAR}-03-01"}
    assert post(client_as(cast, "auditor"), URL, body).status_code == 403
    assert post(client_as(cast, "outsider"), URL, body).status_code == 404
    c = make(cast.member)
    member = client_as(cast, "member")
    response = post(member, f"{URL}{c.pk}/result/", {"version": c.version, "result": "kept"})
    assert response.status_code == 403
    c.refresh_from_db()
    assert c.result == ""


def test_result_edit_withdraw_and_stale_409(cast: Any) -> None:
    c = make(cast.member)
    secretary = client_as(cast, "secretary")
    edited = patch(secretary, f"{URL}{c.pk}/", {"version": c.version, "level": "post", "text": "新的",
                                               "deadline": f"{YEAR}-11-30"})
    assert edited.status_code == 200 and edited.json()["version"] == c.version + 1
    stale = patch(secretary, f"{URL}{c.pk}/", {"version": c.version, "level": "post", "text": "旧的",
                                              "deadline": f"{YEAR}-11-30"})
    assert stale.status_code == 409 and stale.json()["field"] == "version"
    result = post(secretary, f"{URL}{c.pk}/result/", {"version": edited.json()["version"], "result": "partly",
                                                      "note": "完成一半", "on": f"{YEAR + 1}-01-05"})
    assert result.status_code == 200 and result.json()["state"] == "partly"
    other = make(cast.member_a2)
    bad = post(secretary, f"{URL}{other.pk}/withdraw/", {"version": other.version, "reason": " ",
                                                         "on": f"{YEAR}-05-01"})
    assert bad.status_code == 400 and "reason" in bad.json()
    late = post(secretary, f"{URL}{other.pk}/withdraw/", {"version": other.version, "reason": "搬家",
                                                          "on": f"{YEAR + 1}-01-05"})
    assert late.status_code == 400 and late.json()["field"] == "on"
    done = post(secretary, f"{URL}{other.pk}/withdraw/", {"version": other.version, "reason": "搬家",
                                                          "on": f"{YEAR}-05-01"})
    assert done.status_code == 200 and done.json()["state"] == "withdrawn"
