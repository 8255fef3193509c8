"""The members' API, tried as the roles of the test cast (see conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import make_member
from grassroots.core.audit import verify_chain
from grassroots.core.context import acting
from grassroots.core.models import AuditEntry
from grassroots.members.models import Member
from grassroots.ui.testing import as_user, basic, patch, post, results

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
    response = patch(Client(), url, {"education": "postgraduate", "on": "2020-05-01",
                                    "version": cast.member_a2.version}, **basic("secretary"))
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
    version = cast.member_a2.version
    bad = patch(as_user(cast.secretary), url, {"education": "kindergarten", "version": version})
    assert bad.status_code == 400 and bad.json()["field"] == "education" and bad.json()["detail"]
    assert patch(as_user(cast.auditor), url, {"name": "改名", "version": version}).status_code == 403
    assert patch(as_user(cast.member_user), f"/api/members/{cast.member.pk}/", {"name": "改名", "version": 1}).status_code == 403
    assert patch(as_user(cast.outsider), url, {"name": "改名", "version": version}).status_code == 404
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
