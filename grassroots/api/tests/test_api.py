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
