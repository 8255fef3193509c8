"""The wishes API: the list (scoped, filtered, contacts masked, bounded queries), one wish with its history, the
staff entry and the state changes through the services (400 naming the field, 403, 404, 409 stale), the
audited reveal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from grassroots.core.models import AuditEntry
from grassroots.ui.testing import post, results
from grassroots.wishes.models import State, Wish

from .fixtures import DAY, make_wish

pytestmark = pytest.mark.django_db


def api(cast: Any, role: str) -> Client:
    client = Client()
    client.force_login(cast.users[role])
    return client


def test_the_list_is_scoped_filtered_and_masked(cast: Any, django_assert_max_num_queries: Any) -> None:
    for _i in range(4):
        make_wish(cast.branch_a, state="claimed", member=cast.member)
    make_wish(cast.branch_c)
    client = api(cast, "secretary")
    with django_assert_max_num_queries(12):
        rows = results(client.get("/api/wishes/"))
    assert len(rows) == 4 and {r["org"] for r in rows} == {"A"}
    assert rows[0]["resident_phone"] == "139****5678" and rows[0]["resident_name"] == "张**"
    assert "tracking_code" not in rows[0] and rows[0]["claimant_name"] == "李明"
    assert len(results(client.get("/api/wishes/?state=collected"))) == 0
    assert len(results(client.get("/api/wishes/?claimed=true&year=2024"))) == 4
    assert client.get("/api/wishes/?state=nonsense").status_code == 400
    assert len(results(api(cast, "outsider").get("/api/wishes/"))) == 1
    assert len(results(api(cast, "member").get("/api/wishes/"))) == 0


def test_entry_and_state_changes(cast: Any) -> None:
    client = api(cast, "secretary")
    made = post(client, "/api/wishes/", {"org": "A", "text": "想要台灯", "resident_name": "张三",
                                         "collected_on": DAY.isoformat(), "category": "study"})
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    assert post(client, "/api/wishes/", {"org": "A", "text": "", "resident_name": "张三"}).status_code == 400
    assert post(client, "/api/wishes/", {"org": "C", "text": "x", "resident_name": "y"}).json()["field"] == "org"
    bad = post(client, f"/api/wishes/{pk}/decline/", {"reason": " "})
    assert bad.status_code == 400 and "reason" in bad.json()  # DRF names the blank field
    stale = post(client, f"/api/wishes/{pk}/publish/", {"version": 99})
    assert stale.status_code == 409
    assert post(client, f"/api/wishes/{pk}/publish/", {"on": DAY.isoformat()}).json()["state"] == "published"
    wrong = post(client, f"/api/wishes/{pk}/publish/", {})
    assert wrong.status_code == 400 and wrong.json()["field"] == "state"
    claimed = post(client, f"/api/wishes/{pk}/claim/", {"member": cast.member.pk, "on": DAY.isoformat()})
    assert claimed.status_code == 200 and claimed.json()["claimant_member"] == cast.member.pk
    assert post(client, f"/api/wishes/{pk}/claim/", {"unit": "物业"}).status_code == 400  # a second claimant
    assert post(client, f"/api/wishes/{pk}/claim/", {"member": cast.member_c.pk}).json()["field"] == "member"
    done = post(client, f"/api/wishes/{pk}/fulfil/", {"note": "送到了", "on": (DAY + dt.timedelta(days=2)).isoformat()})
    assert done.json()["state"] == "fulfilled" and done.json()["events"][-1]["on_behalf"] is True
    assert post(client, f"/api/wishes/{pk}/confirm/", {}).json()["state"] == "confirmed"
    detail = client.get(f"/api/wishes/{pk}/").json()
    assert [e["action"] for e in detail["events"]] == ["collected", "published", "claimed", "fulfilled", "confirmed"]


def test_refusals_and_the_reveal(cast: Any) -> None:
    wish = make_wish(cast.branch_a)
    assert post(api(cast, "auditor"), f"/api/wishes/{wish.pk}/publish/", {}).status_code == 403
    assert post(api(cast, "outsider"), f"/api/wishes/{wish.pk}/publish/", {}).status_code == 404
    assert post(api(cast, "auditor"), f"/api/wishes/{wish.pk}/reveal/", {"field": "resident_phone"}).status_code == 403
    shown = post(api(cast, "secretary"), f"/api/wishes/{wish.pk}/reveal/", {"field": "resident_phone"})
    assert shown.json() == {"field": "resident_phone", "value": "13912345678"}
    assert AuditEntry.objects.filter(action="wishes.reveal_resident_phone").count() == 1
    assert Wish.objects.get(pk=wish.pk).state == State.COLLECTED
