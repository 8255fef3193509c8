"""Open311 GeoReport v2 at /open311/v2/, tried the way the spec's documentation describes the calls: form-encoded
POSTs, GETs with the spec's parameters, JSON and XML answers checked for the spec's element names and types."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from grassroots.core.context import acting
from grassroots.core.models import AuditEntry
from grassroots.opinions import open311, services
from grassroots.opinions.models import Opinion, State
from grassroots.opinions.tests.fixtures import Station, build_station

BASE = "/open311/v2"
DAY = dt.date(2024, 12, 20)  # a Friday; the working-day calendar knows 2024
NOW = timezone.make_aware(dt.datetime(2024, 12, 20, 15, 0))
W3 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
PUBLIC_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                 "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                 "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"]
UNPUBLISHED_FIELDS = ["service_request_id", "status", "service_name", "service_code", "requested_datetime",
                      "updated_datetime", "expected_datetime"]
PHONE = "13912345678"
EMAIL = "resident@example.com"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    """Today is DAY for the services, and now is an afternoon of that day for the Open311 windows."""
    monkeypatch.setattr(services, "_today", lambda: DAY)
    monkeypatch.setattr(open311, "_now", lambda: NOW)
    return DAY


def get(path: str, lang: str | None = "en", **params: Any) -> Any:
    """A GET with the spec's parameters; in English unless told (messages and labels are asserted in English)."""
    query = f"?{urlencode(params)}" if params else ""
    headers = {"HTTP_ACCEPT_LANGUAGE": lang} if lang else {}
    return Client(**headers).get(f"{BASE}/{path}{query}")


def post_form(fmt: str, fields: dict[str, Any] | list[tuple[str, Any]], client: Client | None = None,
              **extra: Any) -> Any:
    """A POST as the spec shows it: Content-Type application/x-www-form-urlencoded; charset=utf-8."""
    return (client or Client(HTTP_ACCEPT_LANGUAGE="en")).post(f"{BASE}/requests.{fmt}", data=urlencode(fields),
                                     content_type="application/x-www-form-urlencoded; charset=utf-8", **extra)


def parse_xml(response: Any) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<')
    return ET.fromstring(response.content)


def json_of(response: Any) -> Any:
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()


def assert_error(response: Any, status: int, *words: str) -> str:
    """The spec's error shape: a list of {code, description}, the code the HTTP status; in JSON or XML."""
    assert response.status_code == status, response.content
    if response["Content-Type"].startswith("text/xml"):
        root = parse_xml(response)
        assert root.tag == "errors"
        errors = [{child.tag: child.text for child in error} for error in root]
        assert [e.tag for e in root] == ["error"] * len(errors)
        assert all(set(e) == {"code", "description"} for e in errors)
        assert errors[0]["code"] == str(status)
    else:
        errors = json_of(response)
        assert isinstance(errors, list) and errors
        assert all(set(e) == {"code", "description"} for e in errors)
        assert errors[0]["code"] == status and isinstance(errors[0]["code"], int)
    description = str(errors[0]["description"])
    for word in words:
        assert word in description, description
    return description


def xml_rows(root: ET.Element, item: str) -> list[dict[str, str | None]]:
    assert all(child.tag == item for child in root)
    return [{field.tag: field.text for field in child} for child in root]


def submit(station: Station, category: Any = None, *, text: str = "路灯不亮", **kw: Any) -> Opinion:
    """An opinion entered by the street's staff from the phone line, with the resident's contacts."""
    kw.setdefault("submitter_phone", PHONE)
    kw.setdefault("submitter_email", EMAIL)
    kw.setdefault("submitter_name", "张三")
    with acting(None, "system"):
        return services.submit_opinion(station.org, text=text, category=category or station.roads, channel="phone",
                                       **kw)


REPLIES: dict[str, dict[str, str]] = {
    State.IN_PROGRESS: {"background": "路面塌陷约两平方米", "measures": "已排期维修"},
    State.SOLVED: {"background": "路面塌陷约两平方米", "solution": "已于当日修补完毕"},
    State.EXPLAINED: {"background": "该路段属市政管理", "solution": "已向申请人说明并转市政"},
    State.CANNOT_SOLVE: {"background": "需整段重修", "reason": "资金尚未到位", "measures": "列入明年计划"},
}
HANDLER = {"handler_name": "王工", "handler_contact": "0871-6666666"}


def reply(station: Station, opinion: Opinion, to_state: str, **extra: Any) -> Opinion:
    parts = {**REPLIES.get(to_state, {}), **(HANDLER if to_state in REPLIES else {}), **extra}
    with acting(None, "system"):
        services.reply(opinion, to_state=to_state, **parts)
    return Opinion.objects.get(pk=opinion.pk)


def publish(station: Station, opinion: Opinion) -> Opinion:
    with acting(None, "system"):
        return services.set_published(opinion, True)


def one_in_every_state(station: Station) -> dict[str, Opinion]:
    ops: dict[str, Opinion] = {}
    ops[State.RECEIVED] = submit(station, station.other, text="received")
    ops[State.ASSIGNED] = submit(station, text="assigned")
    ops[State.IN_PROGRESS] = reply(station, submit(station, text="in progress"), State.IN_PROGRESS)
    ops[State.SOLVED] = reply(station, submit(station, text="solved"), State.SOLVED)
    ops[State.EXPLAINED] = reply(station, submit(station, text="explained"), State.EXPLAINED)
    ops[State.CANNOT_SOLVE] = reply(station, submit(station, text="cannot solve"), State.CANNOT_SOLVE)
    ops[State.DUPLICATE] = reply(station, submit(station, station.other, text="duplicate"), State.DUPLICATE,
                                 duplicate_of=ops[State.RECEIVED])
    reopened = reply(station, submit(station, text="reopened"), State.SOLVED)
    ops[State.REOPENED] = reply(station, reopened, State.REOPENED, reason="居民反映仍未修好")
    assert {k: o.state for k, o in ops.items()} == {s: s for s in State.values}
    return ops


# --- services -----------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_service_list_in_json_and_xml(station: Station) -> None:
    station.other.active = False
    station.other.save()
    rows = json_of(get("services.json", lang=None, jurisdiction_id="S"))  # Chinese without Accept-Language
    assert [r["service_code"] for r in rows] == ["neighbours", "roads"]  # the inactive one is not offered
    for row in rows:
        assert list(row) == SERVICE_FIELDS
        assert row["metadata"] is False and row["type"] == "realtime"
        assert all(isinstance(row[f], str) for f in SERVICE_FIELDS if f != "metadata")
    roads = rows[1]
    assert roads == {"service_code": "roads", "service_name": "道路", "description": "", "metadata": False,
                     "type": "realtime", "keywords": "道路, Roads", "group": "城管办"}
    assert rows[0]["group"] == ""  # routed by place: no department
    english = json_of(get("services.json", jurisdiction_id="S"))
    assert english[1]["service_name"] == "Roads" and english[1]["group"] == "Urban management office"

    root = parse_xml(get("services.xml", lang=None, jurisdiction_id="S"))
    assert root.tag == "services"
    services_xml = xml_rows(root, "service")
    assert [[f.tag for f in s] for s in root] == [SERVICE_FIELDS, SERVICE_FIELDS]
    assert services_xml[1] == {"service_code": "roads", "service_name": "道路", "description": None,
                               "metadata": "false", "type": "realtime", "keywords": "道路, Roads", "group": "城管办"}


@pytest.mark.django_db
def test_service_definition_has_the_spec_shape_without_attributes(station: Station) -> None:
    assert json_of(get("services/roads.json", jurisdiction_id="S")) == {"service_code": "roads", "attributes": []}
    root = parse_xml(get("services/roads.xml", jurisdiction_id="S"))
    assert root.tag == "service_definition"
    assert [c.tag for c in root] == ["service_code", "attributes"]
    attributes = root.find("attributes")
    assert root.findtext("service_code") == "roads" and attributes is not None and len(attributes) == 0
    assert_error(get("services/potholes.json", jurisdiction_id="S"), 404, "service_code", "potholes")
    assert_error(get("services/potholes.xml", jurisdiction_id="S"), 404, "service_code")
    assert_error(get("services/roads.json"), 400, "jurisdiction_id")


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_jurisdiction_is_required_and_must_be_a_station(station: Station, fmt: str) -> None:
    for path in (f"services.{fmt}", f"services/roads.{fmt}", f"requests.{fmt}", f"requests/S-2024-0001.{fmt}"):
        assert_error(get(path), 400, "jurisdiction_id")
        assert_error(get(path, jurisdiction_id="NOPE"), 404, "jurisdiction_id", "NOPE")
        assert_error(get(path, jurisdiction_id="X"), 404, "jurisdiction_id")  # an organization, but no station
    assert_error(post_form(fmt, {"service_code": "roads", "lat": "25.04", "long": "102.71", "description": "x"}),
                 400, "jurisdiction_id")
    assert_error(post_form(fmt, {"jurisdiction_id": "X", "service_code": "roads", "address_string": "x",
                                 "description": "x"}), 404, "jurisdiction_id")
    assert Opinion.objects.count() == 0


@pytest.mark.django_db
def test_unknown_format_and_wrong_method(station: Station) -> None:
    assert_error(get("services.csv", jurisdiction_id="S"), 404, "csv")
    response = Client().delete(f"{BASE}/requests.json?jurisdiction_id=S")
    assert_error(response, 405)
    assert response["Allow"] == "GET, POST, HEAD"
    assert_error(Client().post(f"{BASE}/services.xml", data="jurisdiction_id=S",
                               content_type="application/x-www-form-urlencoded"), 405)


# --- POST requests ------------------------------------------------------------------------------------------

def spec_example(**changes: Any) -> list[tuple[str, Any]]:
    """The fields of the spec's example POST, in its order, with this station's values."""
    fields = {"api_key": "xyz", "jurisdiction_id": "S", "service_code": "roads", "lat": "25.040611",
              "long": "102.712251", "address_string": "东风社区人民路12号", "email": "smith@example.org",
              "device_id": "tt222111", "account_id": "123456", "first_name": "john", "last_name": "smith",
              "phone": "111111111", "description": "人民路12号门口路面塌陷，雨天积水",
              "media_url": "http://photos.example.org/2024/pothole.jpg"}
    fields.update(changes)
    items = [(k, v) for k, v in fields.items() if v is not None]
    return [*items, ("attribute[WHISPAWN]", "123456"), ("attribute[WHISDORN]", "COISL001")]


@pytest.mark.django_db
def test_post_request_creates_the_opinion(station: Station, clock: dt.date) -> None:
    response = post_form("json", spec_example())
    assert response.status_code == 200, response.content
    body = json_of(response)
    assert isinstance(body, list) and len(body) == 1
    assert list(body[0]) == ["service_request_id", "service_notice", "account_id"]
    assert body[0]["account_id"] is None
    opinion = Opinion.objects.get()
    assert body[0]["service_request_id"] == opinion.number == "S-2024-0001"
    notice = body[0]["service_notice"]
    assert isinstance(notice, str) and opinion.tracking_code in notice and opinion.number in notice
    assert (opinion.channel, opinion.station, opinion.category) == ("open311", station.org, station.roads)
    assert (opinion.lat, opinion.lon) == (Decimal("25.040611"), Decimal("102.712251"))
    assert opinion.address == "东风社区人民路12号"
    assert opinion.text == "人民路12号门口路面塌陷，雨天积水\n\nhttp://photos.example.org/2024/pothole.jpg"
    assert (opinion.submitter_name, opinion.submitter_phone, opinion.submitter_email) == (
        "john smith", "111111111", "smith@example.org")
    assert opinion.received_on == DAY and opinion.recorded_by is None
    # Routed by its category at once, to the street's urban management office.
    assert (opinion.state, opinion.handler_org, opinion.department) == ("assigned", station.org, station.department)
    entry = AuditEntry.objects.get(action="opinions.submit")
    assert (entry.channel, entry.actor_id) == ("api", None)

    chinese = post_form("xml", spec_example(first_name="明", last_name="李", email=None, phone=None,
                                             media_url=None, lat=None, long=None, api_key=None))
    assert chinese.status_code == 200, chinese.content
    root = parse_xml(chinese)
    assert root.tag == "service_requests"
    rows = xml_rows(root, "request")
    assert len(rows) == 1 and list(rows[0]) == ["service_request_id", "service_notice", "account_id"]
    assert rows[0]["service_request_id"] == "S-2024-0002" and rows[0]["account_id"] is None
    second = Opinion.objects.get(number="S-2024-0002")
    assert second.submitter_name == "李明" and second.lat is None and second.tracking_code in rows[0][
        "service_notice"]


@pytest.mark.django_db
def test_post_request_accepts_the_jurisdiction_in_the_query_string(station: Station, clock: dt.date) -> None:
    fields = [(k, v) for k, v in spec_example() if k != "jurisdiction_id"]
    response = Client().post(f"{BASE}/requests.json?jurisdiction_id=S", data=urlencode(fields),
                             content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and Opinion.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "status", "words"), [
    ({"service_code": None}, 400, ["service_code"]),
    ({"service_code": "potholes"}, 404, ["service_code", "potholes"]),
    ({"lat": None, "long": None, "address_string": None}, 400, ["lat", "long", "address_string"]),
    ({"long": None, "address_string": None}, 400, ["long"]),
    ({"lat": None}, 400, ["lat"]),
    ({"lat": None, "long": None, "address_string": None, "address_id": "545483"}, 400, ["address_id"]),
    ({"lat": "north"}, 400, ["lat"]),
    ({"lat": "nan"}, 400, ["lat"]),
    ({"long": "181"}, 400, ["long"]),
    ({"email": "not-an-address"}, 400, ["email"]),
    ({"phone": "call me"}, 400, ["phone"]),
    ({"description": None, "media_url": None}, 400, ["description"]),
    ({"description": "x" * 4001, "media_url": None}, 400, ["description"]),
    ({"media_url": "javascript:alert(1)"}, 400, ["media_url"]),
])
def test_post_request_refusals_name_the_field(station: Station, clock: dt.date, changes: dict[str, Any], status: int,
                                              words: list[str]) -> None:
    assert_error(post_form("json", spec_example(**changes)), status, *words)
    assert_error(post_form("xml", spec_example(**changes)), status, *words)
    assert Opinion.objects.count() == 0


@pytest.mark.django_db
def test_post_needs_no_csrf_token_and_is_made_as_the_public(station: Station, cast: Any, clock: dt.date) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.street_admin)
    response = post_form("json", spec_example(), client=client)
    assert response.status_code == 200, response.content
    opinion = Opinion.objects.get()
    assert opinion.recorded_by is None and opinion.channel == "open311"
    assert AuditEntry.objects.get(action="opinions.submit").actor_id is None


@pytest.mark.django_db
def test_posts_are_rate_limited_per_client_address(station: Station, clock: dt.date, settings: Any) -> None:
    settings.GRASSROOTS_RATE_LIMITS = {"open311_post": (2, 600)}
    for _i in range(2):
        assert post_form("json", spec_example(), REMOTE_ADDR="10.0.0.1").status_code == 200
    assert_error(post_form("json", spec_example(), REMOTE_ADDR="10.0.0.1"), 429)
    assert_error(post_form("xml", spec_example(), REMOTE_ADDR="10.0.0.1"), 429)
    assert Opinion.objects.count() == 2
    assert post_form("json", spec_example(), REMOTE_ADDR="10.0.0.2").status_code == 200  # another address


# --- GET requests -------------------------------------------------------------------------------------------

def requests_json(**params: Any) -> list[dict[str, Any]]:
    params.setdefault("jurisdiction_id", "S")
    response = get("requests.json", **params)
    assert response.status_code == 200, response.content
    rows = json_of(response)
    assert isinstance(rows, list)
    return rows


@pytest.mark.django_db
@pytest.mark.parametrize("published", [True, False])
def test_status_mapping_for_every_state(station: Station, clock: dt.date, published: bool) -> None:
    ops = one_in_every_state(station)
    if published:
        for opinion in ops.values():
            publish(station, opinion)
    rows = {r["service_request_id"]: r for r in requests_json()}
    assert len(rows) == len(State.values)
    status = {state: rows[o.number]["status"] for state, o in ops.items()}
    assert status == {"received": "open", "assigned": "open", "in_progress": "open", "reopened": "open",
                      "solved": "closed", "explained": "closed", "cannot_solve": "closed", "duplicate": "closed"}
    assert {s: open311.status_of(s) for s in State.values} == status
    for state, o in ops.items():
        root = parse_xml(get(f"requests/{o.number}.xml", jurisdiction_id="S"))
        assert root.tag == "service_requests" and xml_rows(root, "request")[0]["status"] == status[state]
    assert {r["service_request_id"] for r in requests_json(status="open")} == {ops[s].number for s in ("received", "assigned", "in_progress",
                                                                         "reopened")}
    assert {r["service_request_id"] for r in requests_json(status="closed")} == {
        ops[s].number for s in ("solved", "explained", "cannot_solve", "duplicate")}
    assert len(requests_json(status="open,closed")) == len(State.values)


@pytest.mark.django_db
def test_a_published_request_has_every_field_of_the_spec(station: Station, cast: Any, clock: dt.date) -> None:
    solved = reply(station, submit(station, text="人民路路面塌陷", address="人民路12号", lat="25.040611", lon="102.712251"),
                   State.SOLVED)
    publish(station, solved)
    neighbours = submit(station, station.neighbours, text="楼上漏水", territory=station.territory_a)
    publish(station, neighbours)
    rows = {r["service_request_id"]: r for r in requests_json()}
    row = rows[solved.number]
    assert list(row) == PUBLIC_FIELDS
    assert row["status"] == "closed"
    assert row["status_notes"].splitlines() == ["Solved", "Background: 路面塌陷约两平方米", "How it was solved: 已于当日修补完毕"]
    assert "王工" not in row["status_notes"] and "0871" not in row["status_notes"]
    assert (row["service_name"], row["service_code"], row["description"]) == ("Roads", "roads", "人民路路面塌陷")
    assert row["agency_responsible"] == "Urban management office"
    assert (row["address"], row["lat"], row["long"]) == ("人民路12号", 25.040611, 102.712251)
    assert isinstance(row["lat"], float) and isinstance(row["long"], float)
    assert row["service_notice"] is None and row["address_id"] is None and row["zipcode"] is None
    assert row["media_url"] is None
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3.match(row[name]), row[name]
    assert row["requested_datetime"] == "2024-12-20T00:00:00+08:00"  # the day received (entered in 2024 on paper)
    assert row["expected_datetime"] == f"{solved.deadline.isoformat()}T23:59:59+08:00"
    assert solved.state_changed_at is not None
    assert dt.datetime.fromisoformat(row["updated_datetime"]) == solved.state_changed_at.replace(microsecond=0)

    open_row = rows[neighbours.number]
    assert open_row["status"] == "open" and open_row["status_notes"] == "Assigned"
    assert open_row["agency_responsible"] == "第一支部"  # routed by the place to branch A (no English name)
    assert open_row["address"] == "东风社区" and open_row["lat"] is None

    root = parse_xml(get(f"requests/{solved.number}.xml", jurisdiction_id="S"))
    assert root.tag == "service_requests"
    [element] = list(root)
    assert element.tag == "request" and [f.tag for f in element] == PUBLIC_FIELDS
    values = {f.tag: f.text for f in element}
    assert values["service_request_id"] == solved.number and values["lat"] == "25.040611"
    assert values["description"] == "人民路路面塌陷" and values["zipcode"] is None
    assert values["status_notes"] == row["status_notes"]


@pytest.mark.django_db
def test_an_unpublished_request_shows_only_its_number_status_service_and_dates(station: Station, clock: dt.date) -> None:
    opinion = reply(station, submit(station, text="秘密内容", address="秘密地址", lat="25.1", lon="102.1"), State.SOLVED)
    rows = requests_json()
    assert [list(r) for r in rows] == [UNPUBLISHED_FIELDS]
    assert rows[0]["service_request_id"] == opinion.number and rows[0]["status"] == "closed"
    for fmt in ("json", "xml"):
        for response in (get(f"requests.{fmt}", jurisdiction_id="S"),
                         get(f"requests/{opinion.number}.{fmt}", jurisdiction_id="S")):
            assert response.status_code == 200
            for secret in ("秘密内容", "秘密地址", "25.1", "102.1", "已于当日修补完毕", "城管办", "description",
                           "address", "status_notes", "agency_responsible"):
                assert secret.encode() not in response.content
    element = parse_xml(get(f"requests/{opinion.number}.xml", jurisdiction_id="S"))[0]
    assert [f.tag for f in element] == UNPUBLISHED_FIELDS


@pytest.mark.django_db
def test_no_submitter_contact_or_tracking_code_in_any_response(station: Station, cast: Any, clock: dt.date) -> None:
    ops = one_in_every_state(station)
    for opinion in list(ops.values())[::2]:
        publish(station, opinion)
    posted = post_form("json", spec_example(email=EMAIL, phone=PHONE, first_name="三", last_name="张"))
    assert posted.status_code == 200
    assert PHONE.encode() not in posted.content and EMAIL.encode() not in posted.content
    assert "张三".encode() not in posted.content
    codes = [o.tracking_code for o in Opinion.objects.all()]
    assert len(codes) == len(State.values) + 1
    responses = []
    for fmt in ("json", "xml"):
        responses += [get(f"services.{fmt}", jurisdiction_id="S"), get(f"services/roads.{fmt}", jurisdiction_id="S"),
                      get(f"requests.{fmt}", jurisdiction_id="S"),
                      get(f"requests.{fmt}", jurisdiction_id="S", status="open,closed", service_code="roads,other")]
        responses += [get(f"requests/{o.number}.{fmt}", jurisdiction_id="S") for o in Opinion.objects.all()]
    for response in responses:
        assert response.status_code == 200
        for secret in (PHONE, EMAIL, "张三", "smith", *codes):
            assert secret.encode() not in response.content, (secret, response.content)


@pytest.mark.django_db
def test_get_requests_parameters(station: Station, cast: Any, clock: dt.date, monkeypatch: pytest.MonkeyPatch) -> None:
    roads = submit(station, text="roads today")
    neighbours = submit(station, station.neighbours, text="neighbours today")
    monkeypatch.setattr(services, "_today", lambda: dt.date(2024, 9, 1))
    old = submit(station, text="roads in September")
    monkeypatch.setattr(services, "_today", lambda: DAY)

    def numbers(**params: Any) -> list[str]:
        return [r["service_request_id"] for r in requests_json(**params)]

    # The default window is the last 90 days, most recent first.
    assert numbers() == [neighbours.number, roads.number]
    assert numbers(service_code="neighbours") == [neighbours.number]
    assert numbers(service_code="neighbours,roads") == [neighbours.number, roads.number]
    assert numbers(service_code="potholes") == []
    assert numbers(start_date="2024-08-01T00:00:00Z", end_date="2024-10-01T00:00:00Z") == [old.number]
    assert numbers(start_date="2024-09-01T00:00:00+08:00", end_date="2024-09-01T00:00:00+08:00") == [old.number]
    assert numbers(start_date="2024-09-01T00:00:01+08:00", end_date="2024-11-01T00:00:00+08:00") == []
    assert numbers(end_date="2024-09-30") == [old.number]  # 90 days up to the end of that day
    assert numbers(start_date="2024-12-19T16:00:00Z") == [neighbours.number, roads.number]  # = 2024-12-20 00:00 +08
    # service_request_id overrides everything else, the window too.
    assert numbers(service_request_id=f"{old.number},{roads.number}", service_code="neighbours",
                   status="open") == [roads.number, old.number]
    assert numbers(service_request_id="S-1999-0001") == []

    assert_error(get("requests.json", jurisdiction_id="S", start_date="yesterday"), 400, "start_date")
    assert_error(get("requests.xml", jurisdiction_id="S", end_date="2024-13-01T00:00:00Z"), 400, "end_date")
    assert_error(get("requests.json", jurisdiction_id="S", start_date="2024-12-01T00:00:00Z",
                     end_date="2024-11-01T00:00:00Z"), 400, "end_date")
    assert_error(get("requests.json", jurisdiction_id="S", start_date="2024-01-01T00:00:00Z",
                     end_date="2024-12-01T00:00:00Z"), 400, "end_date", "90")
    assert_error(get("requests.json", jurisdiction_id="S", status="pending"), 400, "status")


@pytest.mark.django_db
def test_get_requests_returns_at_most_the_limit(station: Station, clock: dt.date, monkeypatch: pytest.MonkeyPatch) -> None:
    made = [submit(station, text=f"第{i}条") for i in range(3)]
    monkeypatch.setattr(open311, "LIMIT", 2)
    assert [r["service_request_id"] for r in requests_json()] == [made[2].number, made[1].number]
    assert len(requests_json(service_request_id=",".join(o.number for o in made))) == 2


@pytest.mark.django_db
def test_one_request_and_other_stations(station: Station, cast: Any, clock: dt.date) -> None:
    mine = publish(station, submit(station, text="本街道的"))
    with acting(None, "system"):
        other_cat = services.category_create(cast.other_street, code="roads", name="道路")
        theirs = services.submit_opinion(cast.other_street, text="外街道的", category=other_cat, channel="web",
                                         address="外街")
        services.set_published(theirs, True)
    rows = json_of(get(f"requests/{mine.number}.json", jurisdiction_id="S"))
    assert isinstance(rows, list) and [r["service_request_id"] for r in rows] == [mine.number]
    assert [r["service_request_id"] for r in requests_json()] == [mine.number]
    assert [r["service_request_id"] for r in requests_json(jurisdiction_id="X")] == [theirs.number]
    assert_error(get(f"requests/{theirs.number}.json", jurisdiction_id="S"), 404, "service_request_id")
    assert_error(get("requests/S-2024-9999.xml", jurisdiction_id="S"), 404, "S-2024-9999")
    assert requests_json(service_request_id=theirs.number) == []
    assert json_of(get("services.json", jurisdiction_id="X"))[0]["service_code"] == "roads"


@pytest.mark.django_db
def test_duplicate_status_notes_name_the_original(station: Station, clock: dt.date) -> None:
    ops = one_in_every_state(station)
    publish(station, ops[State.DUPLICATE])
    publish(station, ops[State.CANNOT_SOLVE])
    rows = {r["service_request_id"]: r for r in requests_json()}
    assert rows[ops[State.DUPLICATE].number]["status_notes"] == (
        f"Duplicate\nDuplicate of {ops[State.RECEIVED].number}")
    notes = rows[ops[State.CANNOT_SOLVE].number]["status_notes"].splitlines()
    assert notes == ["Cannot be solved for now", "Background: 需整段重修", "Suggested measures: 列入明年计划",
                     "Reason: 资金尚未到位"]


# --- a client library ---------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_georeport_client_reads_what_we_serve(live_server: Any, cast: Any, fmt: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """`georeport` (PyPI, a small GeoReport v2 client on requests and xmltodict) against the live server: it
    reads services, a definition and requests; it has no POST, so the POST goes through `requests` as a
    client would send it."""
    georeport = pytest.importorskip("georeport")
    requests = pytest.importorskip("requests")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    station = build_station(cast)
    root = f"{live_server.url}{BASE}"
    client = georeport.GeoReport(root, jurisdiction="S", output_format=fmt)

    services_list = client.get_service_list()
    codes = [s["service_code"] for s in services_list]
    assert codes == ["neighbours", "other", "roads"]
    definition = client.get_service_definition("roads")
    assert definition["service_code"] == "roads"

    posted = requests.post(f"{root}/requests.{fmt}", data=dict(spec_example()), timeout=10)
    assert posted.status_code == 200, posted.text
    number = Opinion.objects.get().number
    opinion = publish(station, Opinion.objects.get())

    one = client.get_service_request(number)
    assert one["service_request_id"] == number and one["status"] == "open"
    assert one["description"] == opinion.text and one["service_code"] == "roads"
    many = client.get_service_requests(service_code="roads", status="open")
    many = many if isinstance(many, list) else [many]  # xmltodict gives a lone element as itself
    assert [r["service_request_id"] for r in many] == [number]
    with pytest.raises(requests.HTTPError):
        client.get_service_definition("potholes")


def test_a_control_character_in_a_published_opinion_leaves_the_xml_parseable(station: Station,
                                                                             clock: dt.date) -> None:
    # Every control character XML 1.0 forbids but NUL, which no way in accepts (Django's and DRF's text fields
    # refuse it, and PostgreSQL cannot store it).
    controls = "".join(chr(c) for c in range(0x01, 0x20) if c not in (0x09, 0x0A, 0x0D)) + "\ufffe\uffff"
    text = f"路灯\x01不亮\x0b{controls}，已三天\t了"
    opinion = publish(station, reply(station, submit(station, text=text, address="人民路\x1f12号"), State.SOLVED,
                                     solution="已修复\x08完毕"))
    for path in ("requests.xml", f"requests/{opinion.number}.xml"):
        root = parse_xml(get(path, jurisdiction_id="S"))  # ElementTree refuses what XML forbids
        [row] = xml_rows(root, "request")
        assert row["description"] == "路灯不亮，已三天\t了"
        assert row["address"] == "人民路12号"
        assert "How it was solved: 已修复完毕" in (row["status_notes"] or "")
    assert requests_json()[0]["description"] == text  # the JSON escapes them and keeps the resident's text
