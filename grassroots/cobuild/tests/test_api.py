"""The co-construction API: lists from the scope with their filters, phones masked, writes through the services,
400 naming the field, 403, 404, 409 for a stale version."""

from __future__ import annotations

import datetime as dt
from typing import Any

from grassroots.cobuild.models import Agreement, Project, ProjectState
from grassroots.ui.testing import client_as, post, results

from .conftest import UNIT_PHONE, today


def test_lists_are_scoped_filtered_and_masked(cast: Any, world: Any, django_assert_max_num_queries: Any) -> None:
    client = client_as(cast, "secretary")
    with django_assert_max_num_queries(12):
        rows = results(client.get("/api/cobuild/units/?org=A"))
    assert [r["name"] for r in rows] == ["和顺宾馆"] and UNIT_PHONE not in str(rows)
    assert rows[0]["contact_phone"] == "139****4321"
    assert [r["id"] for r in results(client.get("/api/cobuild/agreements/?in_force=true"))] == [world.agreement.pk]
    assert results(client.get("/api/cobuild/agreements/?in_force=false")) == []
    assert [r["id"] for r in results(client.get("/api/cobuild/needs/?open=true"))] == [world.need.pk]
    assert [r["id"] for r in results(client.get("/api/cobuild/projects/?state=planned"))] == [world.project.pk]
    assert results(client.get("/api/cobuild/projects/?state=done")) == []
    assert client.get("/api/cobuild/units/?org=C").status_code == 404
    outsider = client_as(cast, "outsider")
    assert results(outsider.get("/api/cobuild/units/")) == []
    assert outsider.get(f"/api/cobuild/projects/{world.project.pk}/").status_code == 404
    assert results(client_as(cast, "member").get("/api/cobuild/agreements/")) == []


def test_writes_and_errors(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    response = post(client, "/api/cobuild/units/", {"org": "A", "name": "和顺宾馆", "kind": "agency"})
    assert response.status_code == 400 and response.json()["field"] == "name"
    response = post(client, "/api/cobuild/units/", {"org": "A", "name": "和顺图书馆", "kind": "institution",
                                                    "contact_phone": "13600002222"})
    assert response.status_code == 201 and response.json()["contact_phone"] == "136****2222"
    unit = response.json()["id"]
    signed = (today() - dt.timedelta(days=3)).isoformat()
    response = post(client, "/api/cobuild/agreements/", {"unit": unit, "title": "图书角共建", "signed_on": signed,
                                                         "ends_on": (today() + dt.timedelta(days=700)).isoformat()})
    assert response.status_code == 201
    agreement = response.json()
    response = post(client, f"/api/cobuild/agreements/{agreement['id']}/renew/", {
        "version": 0, "signed_on": today().isoformat(), "ends_on": (today() + dt.timedelta(days=1500)).isoformat()})
    assert response.status_code == 409
    response = post(client, f"/api/cobuild/agreements/{agreement['id']}/renew/", {
        "version": agreement["version"], "signed_on": today().isoformat(),
        "ends_on": (today() + dt.timedelta(days=1500)).isoformat()})
    assert response.status_code == 201 and response.json()["renews"] == agreement["id"]
    response = post(client, f"/api/cobuild/needs/{world.need.pk}/claim/", {"version": world.need.version,
                                                                           "unit": world.unit.pk})
    assert response.status_code == 201 and response.json()["source"] == "need"
    project = response.json()
    assert post(client, f"/api/cobuild/projects/{project['id']}/start/",
                {"version": project["version"]}).status_code == 200
    response = post(client, f"/api/cobuild/projects/{project['id']}/done/",
                    {"version": project["version"] + 1, "outcome": "修好了"})
    assert response.status_code == 200 and response.json()["state"] == "done"
    response = post(client, "/api/cobuild/contributions/", {"unit": world.unit.pk, "kind": "in_kind",
                                                            "given_on": today().isoformat(), "amount": "50"})
    assert response.status_code == 400 and response.json()["field"] == "goods"
    assert Agreement.objects.filter(unit_id=unit).count() == 2


def test_another_streets_writer_is_refused(cast: Any, world: Any) -> None:
    outsider = client_as(cast, "outsider")
    response = post(outsider, "/api/cobuild/units/", {"org": "A", "name": "外来", "kind": "agency"})
    assert response.status_code == 404
    auditor = client_as(cast, "auditor")
    response = post(auditor, f"/api/cobuild/projects/{world.project.pk}/start/", {"version": world.project.version})
    assert response.status_code == 403
    response = post(auditor, "/api/cobuild/units/", {"org": "A", "name": "审计", "kind": "agency"})
    assert response.status_code == 403
    assert Project.objects.get(pk=world.project.pk).state == ProjectState.PLANNED
