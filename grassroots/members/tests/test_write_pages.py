"""The roster's write pages: adding a member, recording events, editing a record."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import Cast
from grassroots.core import idnumber
from grassroots.core.context import acting
from grassroots.core.models import AuditEntry
from grassroots.members import services as member_services
from grassroots.members.models import Member, MemberEvent, MemberPeriod
from grassroots.ui.testing import (
    assert_web_audit,
    assert_writes_need_login,
    assert_writes_refused,
    counts,
    field_errors,
    last_audit,
    login,
    reload,
)

DAY = dt.date(2020, 5, 1)
TOMORROW = "<tomorrow>"  # in parametrized data: the day after the day the test runs (not the day it was collected)


def on_the_day(data: dict[str, Any]) -> dict[str, Any]:
    """The data with TOMORROW made the day after today, now: a run that crosses midnight must not make it today."""
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    return {k: tomorrow if v == TOMORROW else v for k, v in data.items()}


# --- the links on the member page ------------------------------------------------------------------

def test_member_page_offers_the_forms_to_writers_only(cast: Cast, client: Any) -> None:
    pk = cast.member.pk
    login(client, cast, "secretary")
    html = client.get(f"/members/{pk}/").content.decode()
    assert reverse("member-event-add", args=[pk]) in html and reverse("member-edit", args=[pk]) in html
    for role in ("auditor", "member"):
        login(client, cast, role)
        html = client.get(f"/members/{pk}/").content.decode()
        assert reverse("member-event-add", args=[pk]) not in html, role


# --- adding a member ------------------------------------------------------------------------------

NEW_BIRTH = dt.date(1941, 10, 1)
NEW_ID = idnumber.make("530522", NEW_BIRTH, 777)


def member_data(**kw: Any) -> dict[str, Any]:
    data = {"name": "张老", "sex": "M", "ethnicity": "彝族", "id_number": NEW_ID, "birth_date": "",
            "phone": "13700001111", "education": "junior_high_or_below", "occupation": "retired",
            "joined_on": "2001-07-01", "status": "full", "converted_on": "2002-07-01", "party_group": "A1"}
    data.update(kw)
    return data


def test_secretary_adds_an_elderly_member(cast: Cast, client: Any) -> None:
    login(client, cast, "secretary")
    form = client.get("/orgs/A/members/add/").context["form"]
    assert dict(form.fields["party_group"].choices) == {"": "(none)", "A1": "第一党小组 (A1)"}
    response = client.post("/orgs/A/members/add/", member_data())
    member = Member.objects.get(id_number=NEW_ID)
    assert response.status_code == 302 and response["Location"] == f"/members/{member.pk}/"
    assert member.birth_date == NEW_BIRTH  # taken from the ID number
    assert (member.org_id, member.party_group_id, member.status, member.ethnicity) == (
        cast.branch_a.pk, cast.group_a1.pk, "full", "彝族")
    events = list(member.events.values_list("kind", "date"))
    assert events == [("joined", dt.date(2001, 7, 1)), ("converted", dt.date(2002, 7, 1))]
    assert MemberPeriod.objects.filter(member=member, org=cast.branch_a, end__isnull=True).exists()
    assert_web_audit("member.create", cast.secretary, member)
    assert last_audit().changes["after"]["id_number"] == idnumber.mask(NEW_ID)  # never the full number


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"id_number": NEW_ID[:17] + ("0" if NEW_ID[17] != "0" else "1")}, "id_number", "bad check digit"),
    ({"converted_on": "2001-01-01"}, "converted_on", "conversion 2001-01-01 is not after joining 2001-07-01"),
    ({"joined_on": TOMORROW, "converted_on": ""}, "joined_on", "is in the future"),
    ({"birth_date": "1950-01-01"}, "birth_date", "does not match the ID number"),
])
def test_add_member_errors_write_nothing(cast: Cast, client: Any, data: dict[str, Any], field: str | None,
                                         message: str) -> None:
    login(client, cast, "secretary")
    before = counts()
    response = client.post("/orgs/A/members/add/", member_data(**on_the_day(data)))
    assert response.status_code == 200
    errors = field_errors(response, field)
    assert errors and message in errors[0], errors
    assert counts() == before


def test_a_member_cannot_be_added_to_a_party_group(cast: Cast, client: Any) -> None:
    login(client, cast, "secretary")
    before = counts()
    response = client.post("/orgs/A1/members/add/", member_data(party_group=""))
    assert response.status_code == 200
    assert "not a Party group" in " ".join(field_errors(response, None))
    assert counts() == before


# --- recording an event ---------------------------------------------------------------------------

def test_record_an_event(cast: Cast, client: Any) -> None:
    m = cast.member_a2
    login(client, cast, "secretary")
    form = client.get(f"/members/{m.pk}/events/add/").context["form"]
    assert form["date"].value() == timezone.localdate()
    response = client.post(f"/members/{m.pk}/events/add/",
                           {"kind": "mobile_out", "date": "2020-05-01", "note": "外出务工", "org": "A"})
    assert response.status_code == 302 and response["Location"] == f"/members/{m.pk}/"
    ev = MemberEvent.objects.get(member=m, kind="mobile_out")
    assert (ev.date, ev.org_id, ev.note) == (DAY, None, "外出务工")  # the organization is for moves only
    assert reload(m).mobile is True
    assert MemberPeriod.objects.get(member=m, end__isnull=True).start == DAY
    assert_web_audit("member.mobile_out", cast.secretary, m)


def test_move_a_member_to_another_branch(cast: Cast, client: Any) -> None:
    m = cast.member_a2
    login(client, cast, "street_admin")
    response = client.post(f"/members/{m.pk}/events/add/", {"kind": "transferred", "date": "2020-05-01", "org": "B"})
    assert response.status_code == 302
    ev = MemberEvent.objects.get(member=m, kind="transferred")
    assert (ev.date, ev.org_id) == (DAY, cast.branch_b.pk) and reload(m).org_id == cast.branch_b.pk
    assert_web_audit("member.transferred", cast.street_admin, m)


def test_education_change_is_dated(cast: Cast, client: Any) -> None:
    m = cast.member_a2
    login(client, cast, "secretary")
    before = counts()
    response = client.post(f"/members/{m.pk}/events/add/",
                           {"kind": "updated", "date": "2020-05-01", "education": "bachelor", "occupation": "in_service"})
    assert response.status_code == 200 and field_errors(response, None) == ["Choose a new education or occupation."]
    assert counts() == before
    response = client.post(f"/members/{m.pk}/events/add/",
                           {"kind": "updated", "date": "2020-05-01", "education": "postgraduate",
                            "occupation": "in_service", "version": reload(m).version})
    assert response.status_code == 302
    ev = MemberEvent.objects.get(member=m, kind="updated")
    assert (ev.date, ev.details) == (DAY, {"education": "postgraduate"})
    assert reload(m).education == "postgraduate"
    old, new = MemberPeriod.objects.filter(member=m).order_by("start")[1:]
    assert (old.education, old.end, new.education, new.start) == ("bachelor", DAY, "postgraduate", DAY)
    assert_web_audit("member.update", cast.secretary, m)


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"kind": "mobile_out", "date": TOMORROW}, "date", "is in the future"),
    ({"kind": "converted", "date": "2020-05-01"}, None, "already a full member"),
    ({"kind": "mobile_out", "date": "2000-01-01"}, "date", "record events in date order"),
    ({"kind": "transferred", "date": "2020-05-01", "org": ""}, "org", "needs an organization"),
    ({"kind": "transferred", "date": "2020-05-01", "org": "A"}, "org", "already in that organization"),
])
def test_event_errors_write_nothing(cast: Cast, client: Any, data: dict[str, Any], field: str | None,
                                    message: str) -> None:
    login(client, cast, "secretary")
    before = counts()
    response = client.post(f"/members/{cast.member_a2.pk}/events/add/", on_the_day(data))
    assert response.status_code == 200
    errors = field_errors(response, field)
    assert errors and message in errors[0], errors
    assert message in response.content.decode()
    assert counts() == before


def test_conversion_before_joining_is_refused(cast: Cast, client: Any) -> None:
    with acting(None, "system"):
        m = member_services.member_create(
            name="新党员", sex="F", birth_date=dt.date(1995, 1, 1), id_number=idnumber.make("530522", dt.date(1995, 1, 1), 5),
            education="bachelor", occupation="in_service", org=cast.branch_a, joined_on=dt.date(2020, 1, 1))
    login(client, cast, "secretary")
    before = counts()
    response = client.post(f"/members/{m.pk}/events/add/", {"kind": "converted", "date": "2019-12-31"})
    assert response.status_code == 200 and "record events in date order" in field_errors(response, "date")[0]
    assert counts() == before
    response = client.post(f"/members/{m.pk}/events/add/", {"kind": "converted", "date": "2021-01-01"})
    assert response.status_code == 302 and reload(m).converted_on == dt.date(2021, 1, 1)


# --- editing a record -----------------------------------------------------------------------------

def test_edit_form_never_holds_the_id_number_or_the_phone(cast: Cast, client: Any) -> None:
    m = cast.member_a2
    for role in ("secretary", "admin"):  # both may reveal; the form still starts empty
        login(client, cast, role)
        response = client.get(f"/members/{m.pk}/edit/")
        html = response.content.decode()
        assert response.status_code == 200 and m.id_number not in html and m.phone not in html, role
        assert m.id_number_masked in html and "Leave empty to keep the current number." in html
        assert response.context["form"]["name"].value() == m.name


def test_edit_keeps_the_id_number_when_empty(cast: Cast, client: Any) -> None:
    m = cast.member_a2
    login(client, cast, "secretary")
    reveals = AuditEntry.objects.filter(action__startswith="member.reveal").count()
    response = client.post(f"/members/{m.pk}/edit/", {"version": reload(m).version,
        "name": "王强强", "sex": "M", "ethnicity": "汉族", "id_number": "", "birth_date": "1980-03-04",
        "phone": "", "party_group": "A1"})
    assert response.status_code == 302 and response["Location"] == f"/members/{m.pk}/"
    after = reload(m)
    assert (after.name, after.id_number, after.phone, after.party_group_id) == (
        "王强强", m.id_number, m.phone, cast.group_a1.pk)
    assert_web_audit("member.update", cast.secretary, m)
    assert set(last_audit().changes["after"]) == {"name", "party_group"}
    assert AuditEntry.objects.filter(action__startswith="member.reveal").count() == reveals  # nothing revealed


# Saving a record, measured: 19 queries (session, user, the scope twice, the member, the party group, the ID number's
# uniqueness, the update, the member again and the hash-chained audit entry).
EDIT_QUERIES = 19


def test_edit_post_query_count(cast: Cast, client: Any, django_assert_max_num_queries: Any) -> None:
    m = cast.member_a2
    login(client, cast, "secretary")
    version = reload(m).version
    with django_assert_max_num_queries(EDIT_QUERIES):
        response = client.post(f"/members/{m.pk}/edit/", {"version": version,
            "name": "王强强", "sex": "M", "ethnicity": "汉族", "id_number": "", "birth_date": "1980-03-04",
            "phone": "", "party_group": "A1"})
    assert response.status_code == 302 and reload(m).name == "王强强"


def test_edit_with_nothing_changed_writes_nothing(cast: Cast, client: Any) -> None:
    m = cast.member_a2
    login(client, cast, "secretary")
    before = counts()
    response = client.post(f"/members/{m.pk}/edit/", {"version": reload(m).version,
        "name": m.name, "sex": m.sex, "ethnicity": m.ethnicity, "id_number": "", "birth_date": "1980-03-04",
        "phone": "", "party_group": ""})
    assert response.status_code == 302 and counts() == before


def test_edit_a_new_id_number_brings_its_birth_date(cast: Cast, client: Any) -> None:
    m = cast.member_a2
    number = idnumber.make("530522", dt.date(1981, 6, 7), 432)
    login(client, cast, "secretary")
    response = client.post(f"/members/{m.pk}/edit/", {"version": reload(m).version,
        "name": m.name, "sex": "M", "ethnicity": "汉族", "id_number": number.lower(), "birth_date": "1980-03-04",
        "phone": "13911112222", "party_group": ""})
    assert response.status_code == 302
    after = reload(m)
    assert (after.id_number, after.birth_date, after.phone) == (number, dt.date(1981, 6, 7), "13911112222")


def test_edit_bad_check_digit_writes_nothing(cast: Cast, client: Any) -> None:
    m = cast.member_a2
    bad = m.id_number[:17] + ("0" if m.id_number[17] != "0" else "1")
    login(client, cast, "secretary")
    before = counts()
    response = client.post(f"/members/{m.pk}/edit/", {"version": reload(m).version,
        "name": m.name, "sex": "M", "ethnicity": "汉族", "id_number": bad, "birth_date": "", "phone": "",
        "party_group": ""})
    assert response.status_code == 200 and "bad check digit" in field_errors(response, "id_number")[0]
    html = response.content.decode()
    assert bad not in html and m.id_number not in html  # the ID field is never filled in, even on errors
    assert counts() == before and reload(m).id_number == m.id_number


# --- refusals -------------------------------------------------------------------------------------

def write_urls(cast: Cast) -> list[tuple[str, dict[str, Any]]]:
    """Every member write page on objects inside the street (A, member_a2), with input that would succeed."""
    m = cast.member_a2
    return [
        ("/orgs/A/members/add/", member_data()),
        (f"/members/{m.pk}/events/add/", {"kind": "mobile_out", "date": "2020-05-01"}),
        (f"/members/{m.pk}/edit/", {"version": reload(m).version, "name": "改名", "sex": "M", "ethnicity": "汉族", "id_number": "",
                                    "birth_date": "", "phone": "", "party_group": ""}),
    ]


@pytest.mark.parametrize("role", ["auditor", "member", "outsider"])
def test_refused_for_readers_members_and_outsiders(cast: Cast, client: Any, role: str) -> None:
    login(client, cast, role)
    assert_writes_refused(client, write_urls(cast), role)


def test_anonymous_is_sent_to_login(cast: Cast, client: Any) -> None:
    assert_writes_need_login(client, write_urls(cast))


def test_secretary_cannot_reach_a_member_of_another_branch(cast: Cast, client: Any) -> None:
    login(client, cast, "secretary")
    before = counts()
    assert client.post(f"/members/{cast.member_b.pk}/events/add/",
                       {"kind": "mobile_out", "date": "2020-05-01"}).status_code == 404
    assert counts() == before


def test_write_pages_are_get_and_post_only(cast: Cast, client: Any) -> None:
    login(client, cast, "street_admin")
    assert client.delete(f"/members/{cast.member_b.pk}/edit/").status_code == 405
