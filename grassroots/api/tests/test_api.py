"""The REST API, tried as the roles of the test cast (see conftest.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from grassroots.core.models import AuditEntry
from grassroots.ui.testing import as_user, post, results

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


# --- bounded pages, strict filters, error answers in the schema -------------------------------------------------

@pytest.mark.django_db
def test_limit_past_the_cap_is_read_as_the_cap(cast: Any) -> None:
    from grassroots.api.pagination import MAX_LIMIT
    from grassroots.core.audit import record

    for n in range(MAX_LIMIT + 5 - AuditEntry.objects.count()):
        record("test.entry", org_id=cast.street.pk, object_type="test.entry", object_id=n)
    assert AuditEntry.objects.count() > MAX_LIMIT
    client = as_user(cast.admin)
    response = client.get("/api/audit/?limit=10000000")
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == MAX_LIMIT and body["count"] == AuditEntry.objects.count()
    assert f"limit={MAX_LIMIT}" in body["next"]
    for huge in ("99999999999999999999999", "9" * 5000):
        answer = client.get(f"/api/members/?limit={huge}")
        assert answer.status_code == 200 and answer.json()["results"] == results(client.get("/api/members/"))


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["limit=true", "limit=-5", "limit=0", "limit=1.5", "offset=-1", "offset=true",
                                   "offset=99999999999999999999999", "offset=" + "9" * 5000])
def test_a_bad_limit_or_offset_is_a_400_naming_it(cast: Any, query: str) -> None:
    for url in ("/api/audit/", "/api/members/"):
        response = as_user(cast.street_admin).get(f"{url}?{query}")
        assert response.status_code == 400, (url, query, response.content)
        assert set(response.json()) == {query.split("=")[0]}


@pytest.mark.django_db
def test_an_invalid_filter_value_is_a_400(cast: Any) -> None:
    client = as_user(cast.street_admin)
    for query, name in (("education=nonsense", "education"), ("mobile=maybe", "mobile"), ("status=gone", "status")):
        response = client.get(f"/api/members/?{query}")
        assert response.status_code == 400, (query, response.content)
        assert name in response.json()
    assert client.get("/api/orgs/?active=perhaps").status_code == 400
    empty = results(client.get("/api/members/?mobile=false&education="))  # an empty value: no filter
    assert empty and empty == results(client.get("/api/members/?mobile=false"))


@pytest.mark.django_db
def test_an_unknown_api_address_answers_json(cast: Any) -> None:
    response = as_user(cast.street_admin).get("/api/members/-1/dues-statement/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json") and response.json()["detail"]


@pytest.mark.django_db
def test_schema_lists_the_error_answers_of_every_operation(cast: Any) -> None:
    schema = json.loads(as_user(cast.street_admin).get("/api/schema/?format=json").content)
    assert "Error" in schema["components"]["schemas"]
    operations = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()
                  if method in {"get", "post", "put", "patch", "delete"}]
    assert len(operations) > 20
    for path, method, op in operations:
        for code in ("400", "403", "404"):
            assert code in op["responses"], (path, method, code)
    limit = next(p for p in schema["paths"]["/api/audit/"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["minimum"] == 1


@pytest.mark.django_db
def test_what_schemathesis_found_is_refused_not_accepted_or_a_500(cast: Any) -> None:
    client = as_user(cast.street_admin)
    member = cast.member.pk
    for url, name in (("/api/audit/?channel=web&channel=api", "channel"),
                      ("/api/candidates/?as_of=notadate", "as_of"),
                      (f"/api/orgs/{cast.street.code}/findings/?all=maybe", "all"),
                      ("/api/dues/payments/?member=-5.087e%2B117", "member"),
                      ("/api/dues/payments/?member=1.5", "member")):
        response = client.get(url)
        assert response.status_code == 400, (url, response.content)
        assert name in response.json()
    huge = client.get("/api/inservice/32725179133918971205/")
    assert huge.status_code == 404 and huge.json()["detail"]
    events = client.get(f"/api/members/{member}/events/?limit=1")
    assert events.status_code == 200 and isinstance(events.json(), list)
