"""The staff API of residents' opinions, tried as the roles of the test cast: who sees which opinions, masked
contacts and the audited reveal, the history with drafts for the handlers only, and the yearly statistics."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from grassroots.core.context import acting
from grassroots.core.models import AuditEntry
from grassroots.opinions import selectors, services
from grassroots.opinions.models import Opinion, State
from grassroots.opinions.tests.fixtures import Station

DAY = dt.date(2024, 12, 20)
PHONE = "13912345678"
EMAIL = "resident@example.com"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setattr(services, "_today", lambda: DAY)
    return DAY


def as_user(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json")


def results(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def numbers(user: Any, query: str = "") -> set[str]:
    return {r["number"] for r in results(as_user(user).get(f"/api/opinions/{query}"))}


def submit(station: Station, category: Any = None, *, text: str = "路灯不亮", **kw: Any) -> Opinion:
    kw.setdefault("submitter_phone", PHONE)
    kw.setdefault("submitter_email", EMAIL)
    with acting(None, "system"):
        return services.submit_opinion(station.org, text=text, category=category or station.roads, channel="phone",
                                       **kw)


SOLVED = {"background": "路面塌陷", "solution": "已修补", "handler_name": "王工", "handler_contact": "0871-6666666"}


class Opinions:
    """S's station: one for its department (roads), one routed by place to branch A; one in X's station."""

    def __init__(self, station: Station, cast: Any) -> None:
        self.roads = submit(station, text="人民路塌陷")
        self.in_a = submit(station, station.neighbours, text="楼上漏水", territory=station.territory_a)
        with acting(None, "system"):
            category = services.category_create(cast.other_street, code="misc", name="其他")
            self.in_x = services.submit_opinion(cast.other_street, text="外街道的", category=category, channel="web",
                                                submitter_phone="13700000000")


@pytest.fixture
def ops(station: Station, cast: Any, clock: dt.date) -> Opinions:
    return Opinions(station, cast)


# --- lists and scoping --------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_each_role_sees_its_own_opinions(cast: Any, ops: Opinions) -> None:
    assert ops.in_a.handler_org == cast.branch_a and ops.roads.handler_org == cast.street
    s_both = {ops.roads.number, ops.in_a.number}
    assert numbers(cast.street_admin) == s_both
    assert numbers(cast.auditor) == s_both
    assert numbers(cast.secretary) == {ops.in_a.number}  # handled by A only
    assert numbers(cast.outsider) == {ops.in_x.number}  # none of S's
    assert numbers(cast.admin) == {*s_both, ops.in_x.number}
    assert numbers(cast.member_user) == set()
    assert Client().get("/api/opinions/").status_code == 403
    for user, visible in ((cast.secretary, ops.in_a), (cast.outsider, ops.in_x)):
        for opinion in (ops.roads, ops.in_a, ops.in_x):
            code = as_user(user).get(f"/api/opinions/{opinion.pk}/").status_code
            assert code == (200 if opinion == visible else 404)


@pytest.mark.django_db
def test_contacts_are_masked_and_the_tracking_code_never_shown(cast: Any, ops: Opinions) -> None:
    client = as_user(cast.street_admin)
    listing = client.get("/api/opinions/")
    detail = client.get(f"/api/opinions/{ops.roads.pk}/")
    for response in (listing, detail):
        assert response.status_code == 200
        for secret in (PHONE, EMAIL, ops.roads.tracking_code, ops.in_a.tracking_code):
            assert secret.encode() not in response.content
    row = detail.json()
    assert row["submitter_phone"] == "139****5678" and row["submitter_email"] == "r***@example.com"
    assert "tracking_code" not in row
    assert (row["number"], row["station"], row["category"], row["state"], row["handler_org"], row["department"]) == (
        ops.roads.number, "S", "roads", "assigned", "S", "城管办")
    assert row["received_on"] == "2024-12-20" and row["deadline"] == ops.roads.deadline.isoformat()


@pytest.mark.django_db
def test_filters(cast: Any, station: Station, ops: Opinions, monkeypatch: pytest.MonkeyPatch) -> None:
    with acting(None, "system"):
        services.reply(ops.roads, to_state=State.SOLVED, **SOLVED)
    monkeypatch.setattr(services, "_today", lambda: dt.date(2024, 3, 1))
    march = submit(station, station.other, text="三月的")
    admin = cast.street_admin
    assert numbers(admin, "?state=solved") == {ops.roads.number}
    assert numbers(admin, "?state=assigned") == {ops.in_a.number}
    assert numbers(admin, "?category=neighbours") == {ops.in_a.number}
    assert numbers(admin, "?handler=A") == {ops.in_a.number}
    assert numbers(admin, "?handler=G") == {ops.in_a.number}  # the subtree
    assert numbers(admin, "?handler=S") == {ops.roads.number, ops.in_a.number, march.number}
    assert numbers(admin, "?handler=X") == set() and numbers(admin, "?handler=NOPE") == set()
    assert numbers(admin, "?station=S") == {ops.roads.number, ops.in_a.number, march.number}
    assert numbers(admin, "?station=X") == set()  # outside the scope: nothing, as if it did not exist
    assert numbers(admin, "?received_from=2024-12-01") == {ops.roads.number, ops.in_a.number}
    assert numbers(admin, "?received_to=2024-03-31") == {march.number}
    # Still open past the reply deadline (today is the real today here, long after 2024).
    assert numbers(admin, "?overdue=true") == {ops.in_a.number, march.number}
    assert numbers(admin, "?overdue=false") == {ops.roads.number}
    assert numbers(cast.secretary, "?station=S") == {ops.in_a.number}
    assert as_user(admin).get("/api/opinions/?state=lost").status_code == 400
    assert as_user(admin).get("/api/opinions/?received_from=someday").status_code == 400
    row = next(r for r in results(as_user(admin).get("/api/opinions/")) if r["number"] == march.number)
    assert row["overdue"] is True and row["state"] == "received"


@pytest.mark.django_db
def test_list_has_no_n_plus_one(cast: Any, station: Station, ops: Opinions,
                                django_assert_max_num_queries: Any) -> None:
    for i in range(10):
        submit(station, station.neighbours if i % 2 else station.roads, text=f"第{i}条", territory=station.territory_a)
    client = as_user(cast.street_admin)
    with django_assert_max_num_queries(6):
        assert len(results(client.get("/api/opinions/"))) == 12


# --- detail and history -------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_history_has_routing_and_replies_and_drafts_only_for_handlers(cast: Any, ops: Opinions) -> None:
    with acting(None, "system"):
        services.reply(ops.in_a, to_state=State.IN_PROGRESS, background="邻里矛盾", measures="上门调解",
                       handler_name="李书记", handler_contact="13800001111")
        services.draft_reply(ops.in_a, to_state=State.SOLVED, background="邻里矛盾", solution="草稿：已调解")
    url = f"/api/opinions/{ops.in_a.pk}/"

    def history(user: Any) -> list[dict[str, Any]]:
        response = as_user(user).get(url)
        assert response.status_code == 200
        return response.json()["history"]

    handler = history(cast.secretary)
    assert [(h["type"], h["kind"] or h["to_state"], h["draft"]) for h in handler] == [
        ("assignment", "assign", False), ("change", "assigned", False), ("change", "in_progress", False),
        ("change", "solved", True)]
    routing = handler[0]
    assert routing["to_org"] == "A" and routing["on"] == "2024-12-20"
    assert handler[2]["measures"] == "上门调解" and handler[2]["published_at"]
    assert handler[3]["solution"] == "草稿：已调解" and handler[3]["published_at"] is None
    assert history(cast.street_admin) == handler  # the station's organizer handles it too
    assert as_user(cast.secretary).get(url).json()["can_handle"] is True
    # The auditor reads, but is no handler: no drafts.
    auditor = as_user(cast.auditor).get(url).json()
    assert auditor["can_handle"] is False
    assert [h["draft"] for h in auditor["history"]] == [False, False, False]
    assert "草稿".encode() not in as_user(cast.auditor).get(url).content


# --- reveal -------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_reveal_is_for_handlers_and_audited(cast: Any, ops: Opinions) -> None:
    url = f"/api/opinions/{ops.roads.pk}/reveal/"
    response = post(as_user(cast.street_admin), url, {"field": "submitter_phone"})
    assert response.status_code == 200, response.content
    assert response.json() == {"field": "submitter_phone", "value": PHONE}
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None and entry.action == "opinions.reveal_submitter_phone"
    assert (entry.actor_name, entry.channel, entry.object_id) == ("street_admin", "api", str(ops.roads.pk))
    email = post(as_user(cast.secretary), f"/api/opinions/{ops.in_a.pk}/reveal/", {"field": "submitter_email"})
    assert email.json() == {"field": "submitter_email", "value": EMAIL}

    count = AuditEntry.objects.count()
    refused = post(as_user(cast.auditor), url, {"field": "submitter_phone"})
    assert refused.status_code == 403 and PHONE.encode() not in refused.content
    assert post(as_user(cast.secretary), url, {"field": "submitter_phone"}).status_code == 404  # not visible
    assert post(as_user(cast.outsider), url, {"field": "submitter_email"}).status_code == 404
    assert post(as_user(cast.street_admin), url, {"field": "tracking_code"}).status_code == 400
    assert post(Client(), url, {"field": "submitter_phone"}).status_code == 403
    assert as_user(cast.street_admin).get(url).status_code == 405
    assert AuditEntry.objects.count() == count


# --- statistics ---------------------------------------------------------------------------------------------

def as_json(value: Any) -> Any:
    return json.loads(json.dumps(value))


@pytest.mark.django_db
def test_statistics_equal_the_selector(cast: Any, ops: Opinions) -> None:
    with acting(None, "system"):
        services.reply(ops.roads, to_state=State.SOLVED, **SOLVED)
    client = as_user(cast.street_admin)
    data = client.get("/api/orgs/S/opinion-statistics/?year=2024&as_of=2024-12-31")
    assert data.status_code == 200, data.content
    expected = as_json(selectors.year_statistics(cast.street, 2024, dt.date(2024, 12, 31)).as_json())
    assert data.json() == expected
    assert expected["total"]["received"] == 2 and expected["total"]["completed"] == 1
    # Without as_of, a past year is taken as it stood at its end.
    assert client.get("/api/orgs/S/opinion-statistics/?year=2024").json() == as_json(
        selectors.year_statistics(cast.street, 2024).as_json())
    early = client.get("/api/orgs/S/opinion-statistics/?year=2024&as_of=2024年12月19日").json()
    assert early == as_json(selectors.year_statistics(cast.street, 2024, dt.date(2024, 12, 19)).as_json())
    assert early["total"]["received"] == 0
    mine = as_user(cast.secretary).get("/api/orgs/A/opinion-statistics/?year=2024").json()
    assert mine == as_json(selectors.year_statistics(cast.branch_a, 2024).as_json())
    assert mine["total"]["received"] == 1
    assert as_user(cast.auditor).get("/api/orgs/S/opinion-statistics/?year=2024").json() == data.json()
    dept = ops.roads.department
    assert dept is not None
    only = client.get(f"/api/orgs/S/opinion-statistics/?year=2024&as_of=2024-12-31&department={dept.pk}").json()
    assert only == as_json(selectors.year_statistics(cast.street, 2024, dt.date(2024, 12, 31),
                                                     department_id=dept.pk).as_json())
    assert only["total"]["received"] == 1 and [d["label"] for d in only["departments"]] == [dept.name]


@pytest.mark.django_db
def test_statistics_refusals(cast: Any, ops: Opinions) -> None:
    assert as_user(cast.secretary).get("/api/orgs/S/opinion-statistics/?year=2024").status_code == 404
    assert as_user(cast.outsider).get("/api/orgs/S/opinion-statistics/?year=2024").status_code == 404
    assert as_user(cast.street_admin).get("/api/orgs/NOPE/opinion-statistics/").status_code == 404
    assert Client().get("/api/orgs/S/opinion-statistics/").status_code == 403
    bad_year = as_user(cast.street_admin).get("/api/orgs/S/opinion-statistics/?year=twenty")
    assert bad_year.status_code == 400 and "year" in bad_year.json()
    bad_day = as_user(cast.street_admin).get("/api/orgs/S/opinion-statistics/?year=2024&as_of=someday")
    assert bad_day.status_code == 400 and "as_of" in bad_day.json()
    bad_dept = as_user(cast.street_admin).get("/api/orgs/S/opinion-statistics/?year=2024&department=roads")
    assert bad_dept.status_code == 400 and "department" in bad_dept.json()


# --- schema -------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_schema_names_the_opinion_endpoints_and_generates_without_warnings(cast: Any) -> None:
    schema = as_user(cast.auditor).get("/api/schema/?format=json").json()
    for path in ("/api/opinions/", "/api/opinions/{id}/", "/api/opinions/{id}/reveal/",
                 "/api/orgs/{code}/opinion-statistics/"):
        assert path in schema["paths"], path
    assert set(schema["paths"]["/api/opinions/{id}/reveal/"]) == {"post"}
    parameters = {p["name"] for p in schema["paths"]["/api/opinions/"]["get"]["parameters"]}
    assert {"state", "category", "handler", "station", "received_from", "received_to", "overdue"} <= parameters
    assert not any(p.startswith("/open311/") for p in schema["paths"])  # Open311 is its own spec
    call_command("spectacular", "--fail-on-warn", "--validate", stdout=io.StringIO(), stderr=io.StringIO())
