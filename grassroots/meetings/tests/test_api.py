"""The meetings API (`meetings/api.py`), tried as the roles of the test cast (see conftest.py): meetings (list,
retrieve, record), their attendance (read, set) and the duties of an organization for a year."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import Cast
from grassroots.core.context import acting
from grassroots.core.models import AuditEntry
from grassroots.meetings import selectors, services
from grassroots.meetings.models import Attendance, Meeting

ROLES = ["admin", "street_admin", "secretary", "auditor", "member", "outsider"]
# Which of the meetings of A, B and C each role reads.
READS = {"admin": {"A", "B", "C"}, "street_admin": {"A", "B"}, "auditor": {"A", "B"}, "secretary": {"A"},
         "member": set(), "outsider": {"C"}}


def today() -> dt.date:
    return timezone.localdate()


def api(cast: Cast, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(cast.users[role])
    return client


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json")


def patch(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.patch(url, data=json.dumps(data), content_type="application/json")


def meeting_in(org: Any, *, kind: str = "theme_day", day: dt.date | None = None, topic: str = "学习党章",
               attendance: dict[int, tuple[str, str]] | None = None, by: Any = None) -> Meeting:
    with acting(by, "web" if by else "system"):
        return services.record_meeting(org=org, kind=kind, date=day or today(), topic=topic,
                                       attendance=attendance or {})


@pytest.fixture
def three(cast: Cast) -> dict[str, Meeting]:
    """A meeting in each of A, B and C, with the attendance of their members."""
    return {"A": meeting_in(cast.branch_a, topic="支部的会", attendance={cast.member.pk: ("present", ""),
                                                                        cast.member_a2.pk: ("leave", "外出务工")}),
            "B": meeting_in(cast.branch_b, topic="二支部的会", attendance={cast.member_b.pk: ("present", "")}),
            "C": meeting_in(cast.branch_c, topic="外街的会", attendance={cast.member_c.pk: ("absent", "")})}


def record(cast: Cast, *, day: dt.date, **extra: Any) -> dict[str, Any]:
    data = {"org": "A", "kind": "general_meeting", "date": day.isoformat(), "topic": "学习二十大精神",
            "place": "村委会会议室", "host": "张书记", "minutes": "传达学习",
            "attendance": [{"member": cast.member.pk, "presence": "present"},
                           {"member": cast.member_a2.pk, "presence": "leave", "reason": "外出务工"}]}
    data.update(extra)
    return data


# --- the schema --------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_schema_lists_the_meetings_paths(cast: Cast) -> None:
    schema = api(cast, "street_admin").get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert set(paths["/api/meetings/"]) >= {"get", "post"}
    assert "get" in paths["/api/meetings/{id}/"]
    assert set(paths["/api/meetings/{id}/attendance/"]) >= {"get", "patch"}
    assert "get" in paths["/api/orgs/{code}/duties/"]
    listed = {p["name"] for p in paths["/api/meetings/"]["get"]["parameters"]}
    assert {"org", "kind", "start", "end"} <= listed


# --- reading ---------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_the_meetings_it_may_read(cast: Cast, three: dict[str, Meeting], role: str) -> None:
    response = api(cast, role).get("/api/meetings/")
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {three[code].pk for code in READS[role]}
    for code, meeting in three.items():
        got = api(cast, role).get(f"/api/meetings/{meeting.pk}/")
        assert got.status_code == (200 if code in READS[role] else 404), (role, code)


@pytest.mark.django_db
def test_anonymous_reads_nothing(cast: Cast, three: dict[str, Meeting]) -> None:
    client = api(cast, "anonymous")
    for url in ("/api/meetings/", f"/api/meetings/{three['A'].pk}/", f"/api/meetings/{three['A'].pk}/attendance/",
                "/api/orgs/A/duties/"):
        assert client.get(url).status_code == 403, url


@pytest.mark.django_db
def test_a_meeting_is_read_with_its_attendance(cast: Cast, three: dict[str, Meeting]) -> None:
    meeting = three["A"]
    body = api(cast, "secretary").get(f"/api/meetings/{meeting.pk}/").json()
    assert (body["org"], body["kind"], body["topic"], body["date"]) == ("A", "theme_day", "支部的会",
                                                                        meeting.date.isoformat())
    assert body["quorate"] is None and body["entered_late"] is False and body["attachments"] == []
    assert {(a["member"], a["member_name"], a["presence"], a["reason"]) for a in body["attendance"]} == {
        (cast.member.pk, cast.member.name, "present", ""), (cast.member_a2.pk, cast.member_a2.name, "leave", "外出务工")}
    attendance = api(cast, "auditor").get(f"/api/meetings/{meeting.pk}/attendance/")
    assert attendance.status_code == 200 and attendance.json() == body["attendance"]
    for role in ("outsider", "member"):
        assert api(cast, role).get(f"/api/meetings/{meeting.pk}/attendance/").status_code == 404


@pytest.mark.django_db
def test_the_list_filters_by_organization_kind_and_period(cast: Cast) -> None:
    old = meeting_in(cast.branch_a, kind="study", day=today() - dt.timedelta(days=40))
    new = meeting_in(cast.branch_a, kind="theme_day")
    in_b = meeting_in(cast.branch_b, kind="theme_day")
    meeting_in(cast.branch_c, kind="theme_day")
    client = api(cast, "street_admin")

    def ids(query: str) -> set[int]:
        return {row["id"] for row in client.get(f"/api/meetings/?{query}").json()["results"]}

    assert ids("org=G") == {old.pk, new.pk, in_b.pk}
    assert ids("org=A") == {old.pk, new.pk}
    assert ids("org=A&kind=study") == {old.pk}
    assert ids(f"org=G&start={(today() - dt.timedelta(days=1)).isoformat()}") == {new.pk, in_b.pk}
    assert ids(f"end={(today() - dt.timedelta(days=1)).isoformat()}") == {old.pk}
    # an organization outside the scope is not found, whatever it holds
    assert client.get("/api/meetings/?org=C").status_code == 404
    assert client.get("/api/meetings/?org=NOPE").status_code == 404
    assert api(cast, "secretary").get("/api/meetings/?org=B").status_code == 404
    assert client.get("/api/meetings/?kind=party").status_code == 400


def _list_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/meetings/?org=A")
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.mark.django_db
def test_the_list_takes_the_same_queries_for_2_and_10_meetings(cast: Cast) -> None:
    client = api(cast, "secretary")
    client.get("/api/meetings/")  # the session is loaded once
    for i in range(2):
        meeting_in(cast.branch_a, topic=f"会{i}", attendance={cast.member.pk: ("present", "")}, by=cast.secretary)
    few = _list_queries(client)
    for i in range(8):
        meeting_in(cast.branch_a, topic=f"又一次会{i}", attendance={cast.member.pk: ("present", "")},
                   by=cast.street_admin)
    listed = client.get("/api/meetings/?org=A").json()["results"]
    assert len(listed) == 10 and {m["recorded_by"] for m in listed} == {"secretary", "street_admin"}
    assert _list_queries(client) == few


@pytest.mark.django_db
def test_a_meeting_is_read_in_the_same_queries_whatever_its_attendance(cast: Cast) -> None:
    from conftest import make_member

    client = api(cast, "secretary")
    client.get("/api/meetings/")
    small = meeting_in(cast.branch_a, attendance={cast.member.pk: ("present", "")})
    with acting(None, "system"):
        more = [make_member(cast.branch_a, name=f"成员{i}") for i in range(6)]
    large = meeting_in(cast.branch_a, attendance={m.pk: ("present", "") for m in [cast.member, *more]})
    counts = []
    for meeting in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/meetings/{meeting.pk}/").status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


# --- recording --------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_meeting_recorded_after_the_day_is_marked_late_and_audited(cast: Cast) -> None:
    day = today() - dt.timedelta(days=10)
    entries = AuditEntry.objects.count()
    response = post(api(cast, "secretary"), "/api/meetings/", record(cast, day=day))
    assert response.status_code == 201, response.content
    body = response.json()
    meeting = Meeting.objects.get()
    assert body["id"] == meeting.pk and body["entered_late"] is True and body["recorded_by"] == "secretary"
    assert meeting.entered_late and meeting.recorded_by == cast.secretary and meeting.date == day
    assert meeting.quorate is False and body["quorate"] is False  # one of the two full members attended
    assert {(a["member"], a["presence"], a["reason"]) for a in body["attendance"]} == {
        (cast.member.pk, "present", ""), (cast.member_a2.pk, "leave", "外出务工")}
    assert AuditEntry.objects.count() == entries + 1
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.actor_id, entry.channel, entry.object_id) == (
        "meeting.record", cast.secretary.pk, "api", str(meeting.pk))


@pytest.mark.django_db
def test_a_meeting_on_the_day_is_not_late(cast: Cast) -> None:
    data = record(cast, day=today(), kind="theme_day",
                  attendance=[{"member": cast.member.pk, "presence": "present"}])
    response = post(api(cast, "street_admin"), "/api/meetings/", data)
    assert response.status_code == 201, response.content
    assert response.json()["entered_late"] is False and Meeting.objects.get().entered_late is False


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "org", "status"), [
    ("auditor", "A", 403), ("member", "A", 404), ("outsider", "A", 404), ("secretary", "B", 404),
    ("street_admin", "C", 404), ("anonymous", "A", 403),
])
def test_others_cannot_record_meetings(cast: Cast, role: str, org: str, status: int) -> None:
    entries = AuditEntry.objects.count()
    response = post(api(cast, role), "/api/meetings/", record(cast, day=today(), org=org, attendance=[]))
    assert response.status_code == status
    assert Meeting.objects.count() == 0 and AuditEntry.objects.count() == entries
    if status == 403 and role != "anonymous":
        assert "detail" in response.json()


def broken(cast: Cast, case: str) -> dict[str, Any]:
    """A change to a good meeting that breaks one of the service's rules."""
    return {
        "future": {"date": (today() + dt.timedelta(days=3)).isoformat()},
        "hours_for_a_theme_day": {"kind": "theme_day", "study_hours": "2"},
        "no_topic": {"topic": "  "},
        "leave_without_reason": {"attendance": [{"member": cast.member_a2.pk, "presence": "leave"}]},
        "not_a_member_of_A": {"attendance": [{"member": cast.member_b.pk, "presence": "present"}]},
        "named_twice": {"attendance": [{"member": cast.member.pk, "presence": "present"},
                                       {"member": cast.member.pk, "presence": "absent"}]},
    }[case]


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "field"), [
    ("future", "date"), ("hours_for_a_theme_day", "study_hours"), ("no_topic", "topic"),
    ("leave_without_reason", "attendance"), ("not_a_member_of_A", "attendance"), ("named_twice", "attendance"),
])
def test_a_broken_rule_is_400_naming_the_field(cast: Cast, case: str, field: str) -> None:
    entries = AuditEntry.objects.count()
    response = post(api(cast, "secretary"), "/api/meetings/", record(cast, day=today(), **broken(cast, case)))
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field and response.json()["detail"]
    assert Meeting.objects.count() == 0 and Attendance.objects.count() == 0
    assert AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_input_of_the_wrong_type_is_400_naming_the_field(cast: Cast) -> None:
    client = api(cast, "secretary")
    for change, field in (({"kind": "party"}, "kind"), ({"date": "soon"}, "date"),
                          ({"attendance": [{"member": cast.member.pk, "presence": "maybe"}]}, "attendance")):
        response = post(client, "/api/meetings/", record(cast, day=today(), **change))
        assert response.status_code == 400 and field in response.json(), (change, response.content)
    assert Meeting.objects.count() == 0


# --- attendance --------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_attendance_is_set_through_the_service(cast: Cast) -> None:
    meeting = meeting_in(cast.branch_a, kind="general_meeting", attendance={cast.member.pk: ("present", ""),
                                                                            cast.member_a2.pk: ("absent", "")})
    assert meeting.quorate is False
    entries = AuditEntry.objects.count()
    url = f"/api/meetings/{meeting.pk}/attendance/"
    response = patch(api(cast, "secretary"), url, {"attendance": [{"member": cast.member_a2.pk,
                                                                    "presence": "remote"}],
                                                    "version": meeting.version})
    assert response.status_code == 200, response.content
    assert {(a["member"], a["presence"]) for a in response.json()} == {(cast.member.pk, "present"),
                                                                        (cast.member_a2.pk, "remote")}
    meeting.refresh_from_db()
    assert meeting.quorate is True  # both full members now attend
    assert AuditEntry.objects.count() == entries + 1
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.actor_id, entry.channel) == ("meeting.attendance", cast.secretary.pk, "api")


@pytest.mark.django_db
def test_the_attendance_cannot_be_set_by_others_nor_against_the_rules(cast: Cast, three: dict[str, Meeting]) -> None:
    url = f"/api/meetings/{three['A'].pk}/attendance/"
    version = Meeting.objects.get(pk=three["A"].pk).version
    data = {"attendance": [{"member": cast.member.pk, "presence": "absent"}], "version": version}
    before = sorted(Attendance.objects.values_list("meeting_id", "member_id", "presence", "reason"))
    entries = AuditEntry.objects.count()
    for role, status in (("auditor", 403), ("member", 404), ("outsider", 404), ("anonymous", 403)):
        assert patch(api(cast, role), url, data).status_code == status, role
    assert patch(api(cast, "secretary"), f"/api/meetings/{three['B'].pk}/attendance/", data).status_code == 404
    client = api(cast, "secretary")
    for bad in ({"attendance": []},
                {"attendance": [{"member": cast.member.pk, "presence": "leave"}]},
                {"attendance": [{"member": cast.member_b.pk, "presence": "present"}]}):
        response = patch(client, url, {**bad, "version": version})
        assert response.status_code == 400 and response.json()["field"] == "attendance", bad
    assert sorted(Attendance.objects.values_list("meeting_id", "member_id", "presence", "reason")) == before
    assert AuditEntry.objects.count() == entries



@pytest.mark.django_db
def test_an_attendance_update_from_a_stale_read_gets_409(cast: Cast, three: dict[str, Meeting]) -> None:
    url = f"/api/meetings/{three['A'].pk}/"
    first, second = api(cast, "street_admin"), api(cast, "secretary")
    second.cookies["django_language"] = "en"
    read_1, read_2 = first.get(url).json(), second.get(url).json()
    assert read_1["version"] == read_2["version"]
    change = {"attendance": [{"member": cast.member_a2.pk, "presence": "present"}], "version": read_1["version"]}
    assert patch(first, f"{url}attendance/", change).status_code == 200
    entries = AuditEntry.objects.count()
    stale = patch(second, f"{url}attendance/", {"attendance": [{"member": cast.member_a2.pk, "presence": "leave",
                                                                "reason": "外出务工"}], "version": read_2["version"]})
    assert stale.status_code == 409, stale.content
    detail = stale.json()["detail"]
    assert stale.json()["field"] == "version" and "street_admin" in detail and "Present" in detail, detail
    assert Attendance.objects.get(meeting=three["A"], member=cast.member_a2).presence == "present"
    assert AuditEntry.objects.count() == entries
    missing = patch(second, f"{url}attendance/", {"attendance": change["attendance"]})
    assert missing.status_code == 400 and "version" in missing.json()


# --- duties ------------------------------------------------------------------------------------------

def _expected_duties(org: Any, year: int, day: dt.date, readable: set[int]) -> list[tuple[Any, ...]]:
    rows = selectors.duties(org, dt.date(year, 1, 1), dt.date(year, 12, 31))
    return [(r.org_id, r.rule, r.period_start.isoformat(), r.period_end.isoformat(),
             str(selectors.duty_state(r, day, today=today())), [m.pk for m in r.meetings], [m.pk for m in r.held])
            for r in rows if r.org_id in readable]


def _got_duties(body: dict[str, Any], ids: dict[str, int]) -> list[tuple[Any, ...]]:
    return [(ids[d["org"]], d["rule"], d["period_start"], d["period_end"], d["state"],
             [m["id"] for m in d["meetings"]], [m["id"] for m in d["held"]]) for d in body["duties"]]


@pytest.mark.django_db
def test_the_duties_are_the_selectors(cast: Cast) -> None:
    meeting_in(cast.branch_a, kind="theme_day")
    meeting_in(cast.branch_b, kind="general_meeting")  # not quorate: held, not met
    meeting_in(cast.branch_c, kind="theme_day")
    year = today().year
    ids = {o.code: o.pk for o in (cast.general, cast.branch_a, cast.branch_b, cast.group_a1, cast.branch_c)}
    body = api(cast, "street_admin").get(f"/api/orgs/G/duties/?year={year}").json()
    assert (body["org"], body["year"], body["as_of"]) == ("G", year, today().isoformat())
    expected = _expected_duties(cast.general, year, today(), set(ids.values()))
    assert _got_duties(body, ids) == expected and expected
    states = {(d["org"], d["rule_id"], d["state"]) for d in body["duties"]
              if d["period_start"] <= today().isoformat() <= d["period_end"]}
    assert ("A", "meetings.theme_day", "met") in states
    assert {d["org"] for d in body["duties"]} <= {"G", "A", "B", "A1"}
    # as of an earlier day, judged as the records stood then
    last = dt.date(year - 1, 12, 31)
    body = api(cast, "secretary").get(f"/api/orgs/A/duties/?year={year - 1}&as_of={last.isoformat()}").json()
    assert _got_duties(body, ids) == _expected_duties(cast.branch_a, year - 1, last, set(ids.values()))
    assert {d["state"] for d in body["duties"]} == {"missed"}


@pytest.mark.django_db
def test_the_duties_are_scoped(cast: Cast) -> None:
    for role, code in (("secretary", "B"), ("secretary", "G"), ("outsider", "A"), ("member", "A")):
        assert api(cast, role).get(f"/api/orgs/{code}/duties/").status_code == 404, (role, code)
    assert api(cast, "outsider").get("/api/orgs/C/duties/").status_code == 200
    response = api(cast, "auditor").get("/api/orgs/A/duties/?year=20x4")
    assert response.status_code == 400 and "year" in response.json()
