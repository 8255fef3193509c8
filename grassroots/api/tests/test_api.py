"""The REST API, tried as the roles of the test cast (see conftest.py)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD, make_member
from grassroots.core.audit import verify_chain
from grassroots.core.context import acting
from grassroots.core.models import AuditEntry
from grassroots.members.models import Member
from grassroots.members.stats import structure_counts


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def basic(username: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{PASSWORD}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def results(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def patch(client: Client, url: str, data: dict[str, Any], **extra: Any) -> Any:
    return client.patch(url, data=json.dumps(data), content_type="application/json", **extra)


def post(client: Client, url: str, data: dict[str, Any], **extra: Any) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json", **extra)


# --- schema and docs ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_schema_is_served_and_names_every_endpoint(cast: Any) -> None:
    response = as_user(cast.street_admin).get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Grassroots API"
    for path in ("/api/orgs/", "/api/orgs/{code}/", "/api/orgs/{code}/stats/", "/api/orgs/{code}/tree/",
                 "/api/orgs/{code}/roster/", "/api/members/", "/api/members/{id}/", "/api/members/{id}/reveal/",
                 "/api/members/{id}/events/", "/api/audit/"):
        assert path in schema["paths"], path
    detail = set(schema["paths"]["/api/members/{id}/"])
    assert {"get", "patch"} <= detail and not {"put", "delete"} & detail
    assert "post" in schema["paths"]["/api/members/{id}/events/"]
    assert "/api/docs/" not in schema["paths"]


@pytest.mark.django_db
def test_schema_and_docs_need_a_login(cast: Any) -> None:
    assert Client().get("/api/schema/").status_code == 403
    docs = as_user(cast.auditor).get("/api/docs/")
    assert docs.status_code == 200
    assert b"/api/schema/" in docs.content


# --- organizations ----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_org_list_is_the_scope_with_parents_and_depth(cast: Any, django_assert_max_num_queries: Any) -> None:
    client = as_user(cast.street_admin)
    with django_assert_max_num_queries(6):
        rows = results(client.get("/api/orgs/"))
    by_code = {r["code"]: r for r in rows}
    assert set(by_code) == {"S", "G", "A", "B", "A1"}
    assert by_code["S"]["parent"] is None and by_code["S"]["depth"] == 1
    assert by_code["A1"]["parent"] == "A" and by_code["A1"]["depth"] == 4
    assert by_code["B"] == {"code": "B", "name": "第二支部", "name_en": "", "kind": "branch", "parent": "G",
                            "founded_on": "2000-01-01", "revoked_on": None, "depth": 3}
    assert {r["code"] for r in results(as_user(cast.secretary).get("/api/orgs/"))} == {"A", "A1"}
    assert results(as_user(cast.member_user).get("/api/orgs/")) == []


@pytest.mark.django_db
def test_org_filters(cast: Any) -> None:
    client = as_user(cast.street_admin)

    def codes(query: str) -> set[str]:
        return {r["code"] for r in results(client.get(f"/api/orgs/?{query}"))}

    assert codes("kind=branch") == {"A", "B"}
    assert codes("parent=G") == {"A", "B"}
    assert codes("parent=X") == set()  # outside the scope: as if it did not exist
    assert codes("search=第一") == {"G", "A", "A1"}
    assert codes("active=true") == {"S", "G", "A", "B", "A1"}
    assert codes("active=false") == set()


@pytest.mark.django_db
def test_org_detail_outside_the_scope_is_not_found(cast: Any) -> None:
    client = as_user(cast.secretary)
    assert client.get("/api/orgs/A/").json()["name"] == "第一支部"
    assert client.get("/api/orgs/B/").status_code == 404
    assert client.get("/api/orgs/B/stats/").status_code == 404
    assert client.get("/api/orgs/C/roster/").status_code == 404


@pytest.mark.django_db
def test_stats_counts_the_subtree_on_the_date(cast: Any) -> None:
    client = as_user(cast.street_admin)
    today = timezone.localdate()
    data = client.get("/api/orgs/S/stats/").json()
    assert data["as_of"] == today.isoformat() and data["exists"] is True
    assert data["total"] == {"count": 3, "pct": 100.0}  # 李明, 王强, 赵刚 (孙丽 is in C)
    assert data["female"] == {"count": 1, "pct": 33.33}
    assert data["full"]["count"] == 3
    assert data["organizations"]["branch"] == 2 and data["organizations"]["party_group"] == 1
    assert "共有党员3名" in data["basic_situation"]["zh-hans"]
    assert "3 members in total" in data["basic_situation"]["en"]
    # On 2006-01-01 all three had joined (2005-07-01) but none was converted yet (2006-07-01).
    early = client.get("/api/orgs/S/stats/?as_of=2006年1月1日").json()
    assert early["total"]["count"] == 3 and early["probationary"]["count"] == 3
    assert early["probationary"]["count"] == structure_counts(cast.street, dt.date(2006, 1, 1))["probationary"]
    before = client.get("/api/orgs/S/stats/?as_of=1999-12-31").json()
    assert before["exists"] is False and before["total"]["count"] == 0
    bad = client.get("/api/orgs/S/stats/?as_of=yesterday")
    assert bad.status_code == 400 and "as_of" in bad.json()


@pytest.mark.django_db
def test_tree_as_of(cast: Any) -> None:
    tree = as_user(cast.street_admin).get("/api/orgs/S/tree/").json()
    assert tree["code"] == "S"
    general = tree["children"][0]
    assert general["code"] == "G" and general["name"] == "第一党总支"
    assert [c["code"] for c in general["children"]] == ["A", "B"]
    assert general["children"][0]["children"][0] == {"code": "A1", "name": "第一党小组", "kind": "party_group",
                                                     "children": []}
    assert as_user(cast.street_admin).get("/api/orgs/S/tree/?as_of=1999-01-01").status_code == 404


@pytest.mark.django_db
def test_roster_masks_id_numbers_and_uses_the_attributes_then(cast: Any) -> None:
    client = as_user(cast.street_admin)
    response = client.get("/api/orgs/S/roster/?as_of=2006-01-01")
    rows = results(response)
    assert sorted(r["name"] for r in rows) == sorted(["李明", "王强", "赵刚"])
    assert {r["status"] for r in rows} == {"probationary"}
    for member in (cast.member, cast.member_a2, cast.member_b):
        assert member.id_number.encode() not in response.content
    row = next(r for r in rows if r["member_id"] == cast.member.pk)
    assert row["id_number"] == cast.member.id_number[:3] + "*" * 11 + cast.member.id_number[-4:]
    assert row["org"] == "A"
    assert results(client.get("/api/orgs/S/roster/?as_of=2005-06-30")) == []
    assert {r["name"] for r in results(as_user(cast.secretary).get("/api/orgs/A/roster/"))} == {"李明", "王强"}


# --- members ----------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_member_lists_follow_the_scope(cast: Any) -> None:
    def names(user: Any, query: str = "") -> set[str]:
        return {r["name"] for r in results(as_user(user).get(f"/api/members/{query}"))}

    assert names(cast.street_admin) == {"李明", "王强", "赵刚"}
    assert names(cast.auditor) == {"李明", "王强", "赵刚"}
    assert names(cast.secretary) == {"李明", "王强"}
    assert names(cast.member_user) == {"李明"}
    assert names(cast.outsider) == {"孙丽"}
    assert names(cast.admin) == {"李明", "王强", "赵刚", "孙丽"}
    assert Client().get("/api/members/").status_code == 403


@pytest.mark.django_db
def test_member_fields_are_masked(cast: Any) -> None:
    response = as_user(cast.secretary).get(f"/api/members/{cast.member.pk}/")
    data = response.json()
    assert data["id_number"] == cast.member.id_number_masked and "*" in data["id_number"]
    assert data["phone"] == "138****8000"
    assert cast.member.id_number.encode() not in response.content
    assert data["org"] == "A" and data["party_group"] is None and data["status"] == "full"


@pytest.mark.django_db
def test_member_filters(cast: Any) -> None:
    client = as_user(cast.street_admin)

    def names(query: str) -> set[str]:
        return {r["name"] for r in results(client.get(f"/api/members/?{query}"))}

    assert names("org=B") == {"赵刚"}
    assert names("org=G") == {"李明", "王强", "赵刚"}
    assert names("org=C") == set()
    assert names("sex=F") == {"李明"}
    assert names("search=王") == {"王强"}
    assert names("status=probationary") == set()
    assert names("mobile=false&standing=active&education=bachelor&occupation=in_service") == {"李明", "王强", "赵刚"}


@pytest.mark.django_db
def test_member_list_has_no_n_plus_one(cast: Any, django_assert_max_num_queries: Any) -> None:
    client = as_user(cast.street_admin)
    with django_assert_max_num_queries(6):
        assert len(results(client.get("/api/members/"))) == 3
    with acting(None, "system"):
        for i in range(12):
            make_member(cast.branch_b if i % 2 else cast.branch_a, name=f"成员{i:02d}")
    with django_assert_max_num_queries(6):
        assert len(results(client.get("/api/members/?org=G"))) == 15
    with django_assert_max_num_queries(6):
        assert len(results(client.get("/api/audit/"))) > 15


@pytest.mark.django_db
def test_patch_goes_through_the_service_as_the_api_user(cast: Any) -> None:
    url = f"/api/members/{cast.member_a2.pk}/"
    response = patch(Client(), url, {"education": "postgraduate", "on": "2020-05-01"}, **basic("secretary"))
    assert response.status_code == 200, response.content
    assert response.json()["education"] == "postgraduate"
    entry = AuditEntry.objects.filter(action="member.update").order_by("-id").first()
    assert entry is not None
    assert (entry.actor_name, entry.actor_id, entry.channel) == ("secretary", cast.secretary.pk, "api")
    assert entry.changes["after"]["education"] == "postgraduate"
    assert verify_chain() is None
    events = as_user(cast.secretary).get(f"/api/members/{cast.member_a2.pk}/events/").json()
    assert events[-1]["kind"] == "updated" and events[-1]["date"] == "2020-05-01"


@pytest.mark.django_db
def test_patch_refusals(cast: Any) -> None:
    url = f"/api/members/{cast.member_a2.pk}/"
    before = AuditEntry.objects.count()
    bad = patch(as_user(cast.secretary), url, {"education": "kindergarten"})
    assert bad.status_code == 400 and bad.json()["field"] == "education" and bad.json()["detail"]
    assert patch(as_user(cast.auditor), url, {"name": "改名"}).status_code == 403
    assert patch(as_user(cast.member_user), f"/api/members/{cast.member.pk}/", {"name": "改名"}).status_code == 403
    assert patch(as_user(cast.outsider), url, {"name": "改名"}).status_code == 404
    assert as_user(cast.secretary).put(url, data="{}", content_type="application/json").status_code == 405
    assert as_user(cast.street_admin).delete(url).status_code == 405
    assert Member.objects.get(pk=cast.member_a2.pk).name == "王强"
    assert Member.objects.get(pk=cast.member_a2.pk).education == "bachelor"
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_reveal_is_audited_and_limited(cast: Any) -> None:
    url = f"/api/members/{cast.member_a2.pk}/reveal/"
    response = post(as_user(cast.secretary), url, {"field": "id_number"})
    assert response.status_code == 200
    assert response.json() == {"field": "id_number", "value": cast.member_a2.id_number}
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None and entry.action == "member.reveal_id_number"
    assert (entry.actor_name, entry.channel, entry.object_id) == ("secretary", "api", str(cast.member_a2.pk))
    count = AuditEntry.objects.count()
    assert post(as_user(cast.auditor), url, {"field": "id_number"}).status_code == 403
    assert post(as_user(cast.outsider), url, {"field": "phone"}).status_code == 404
    assert post(as_user(cast.secretary), url, {"field": "birth_date"}).status_code == 400
    assert AuditEntry.objects.count() == count
    own = post(as_user(cast.member_user), f"/api/members/{cast.member.pk}/reveal/", {"field": "phone"})
    assert own.json() == {"field": "phone", "value": "13800138000"}


@pytest.mark.django_db
def test_events_list_and_record(cast: Any) -> None:
    client = as_user(cast.street_admin)
    url = f"/api/members/{cast.member_a2.pk}/events/"
    assert [e["kind"] for e in client.get(url).json()] == ["joined", "converted"]
    moved = post(client, url, {"kind": "transferred", "date": "2021-03-01", "org": "B", "note": "调整"})
    assert moved.status_code == 201, moved.content
    assert moved.json()["org"] == "B" and moved.json()["note"] == "调整"
    member = Member.objects.get(pk=cast.member_a2.pk)
    assert member.org_id == cast.branch_b.pk
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None and (entry.action, entry.actor_name, entry.channel) == (
        "member.transferred", "street_admin", "api")
    # Out of date order, an unknown kind, or an organization outside the scope: 400, nothing written.
    count = AuditEntry.objects.count()
    late = post(client, url, {"kind": "mobile_out", "date": "2020-01-01"})
    assert late.status_code == 400 and late.json()["field"] == "date"
    assert post(client, url, {"kind": "joined", "date": "2022-01-01"}).status_code == 400
    assert post(client, url, {"kind": "transferred", "date": "2022-01-01", "org": "C"}).json()["field"] == "org"
    assert AuditEntry.objects.count() == count


@pytest.mark.django_db
def test_events_refusals(cast: Any) -> None:
    url = f"/api/members/{cast.member.pk}/events/"
    count = AuditEntry.objects.count()
    assert post(as_user(cast.secretary), url, {"kind": "transferred", "date": "2021-01-01", "org": "B"}).json()[
        "field"] == "org"  # B is not the secretary's
    assert post(as_user(cast.auditor), url, {"kind": "mobile_out", "date": "2021-01-01"}).status_code == 403
    assert post(as_user(cast.member_user), url, {"kind": "mobile_out", "date": "2021-01-01"}).status_code == 403
    assert post(as_user(cast.outsider), url, {"kind": "mobile_out", "date": "2021-01-01"}).status_code == 404
    assert AuditEntry.objects.count() == count
    assert as_user(cast.member_user).get(url).status_code == 200


# --- audit log --------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_audit_list_follows_the_scope(cast: Any) -> None:
    a_tree = {cast.branch_a.pk, cast.group_a1.pk}
    rows = results(as_user(cast.secretary).get("/api/audit/"))
    assert rows and {r["org_id"] for r in rows} <= a_tree
    assert {r["object_repr"] for r in rows if r["action"] == "member.create"} == {"李明", "王强"}
    own = results(as_user(cast.member_user).get("/api/audit/"))
    assert {(r["object_type"], r["object_id"]) for r in own} == {("members.member", str(cast.member.pk))}
    everything = results(as_user(cast.admin).get("/api/audit/?limit=1000"))
    assert len(everything) == AuditEntry.objects.count()


@pytest.mark.django_db
def test_audit_filters_and_read_only(cast: Any) -> None:
    client = as_user(cast.street_admin)
    created = results(client.get("/api/audit/?action=member.create"))
    assert {r["object_repr"] for r in created} == {"李明", "王强", "赵刚"}
    one = results(client.get(f"/api/audit/?object_type=members.member&object_id={cast.member_b.pk}"))
    assert [r["object_repr"] for r in one] == ["赵刚"]
    assert results(client.get("/api/audit/?channel=api")) == []
    entry_id = created[0]["id"]
    assert client.get(f"/api/audit/{entry_id}/").json()["action"] == "member.create"
    assert client.delete(f"/api/audit/{entry_id}/").status_code == 405
    assert post(client, "/api/audit/", {"action": "forged"}).status_code == 405
    outside = AuditEntry.objects.get(action="member.create", object_id=str(cast.member_c.pk))
    assert client.get(f"/api/audit/{outside.pk}/").status_code == 404
