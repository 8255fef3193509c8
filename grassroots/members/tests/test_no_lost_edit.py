"""No lost edit: a member's record edited from a page (or an API read) older than its last change is refused,
naming who changed what, and nothing is overwritten (issue 13, point 6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from conftest import Cast, build_cast, run_acting
from grassroots.core.context import acting
from grassroots.core.errors import StaleVersionError
from grassroots.core.models import AuditEntry
from grassroots.members import services
from grassroots.members.models import Member
from grassroots.ui.testing import as_user, counts, field_errors, login, patch, reload

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent connections: PostgreSQL only (SQLite in memory has one)",
)


def opened(client: Client, url: str) -> dict[str, str]:
    """What a browser would send back from the form at `url` as it was opened (every field, hidden ones too)."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["form"]
    return {f.name: "" if f.value() is None else str(f.value()) for f in form}


def _clients(cast: Cast) -> tuple[Client, Client]:
    return login(Client(), cast, "street_admin"), login(Client(), cast, "secretary")


@pytest.mark.django_db
def test_a_stale_edit_form_is_refused_naming_who_changed_what(cast: Cast) -> None:
    m = cast.member_a2
    url = f"/members/{m.pk}/edit/"
    first, second = _clients(cast)
    form_1, form_2 = opened(first, url), opened(second, url)  # both open the form
    assert form_1["version"] == str(reload(m).version)
    assert first.post(url, {**form_1, "name": "王强强"}).status_code == 302  # the first saves a new name
    before = counts()
    response = second.post(url, {**form_2, "phone": "13911112222"})  # the second still shows the old name
    assert response.status_code == 200
    [message] = field_errors(response, None)
    assert "street_admin" in message and "(name)" in message and "nothing was saved" in message, message
    assert message in response.content.decode()
    after = reload(m)
    assert (after.name, after.phone) == ("王强强", m.phone)  # the first change kept, the second not written
    assert counts() == before
    again = opened(second, url)  # reloaded, the page shows the change and the second user can make theirs
    assert again["name"] == "王强强"
    assert second.post(url, {**again, "phone": "13911112222"}).status_code == 302
    assert (reload(m).name, reload(m).phone) == ("王强强", "13911112222")


@pytest.mark.django_db
def test_an_edit_form_without_its_version_writes_nothing(cast: Cast) -> None:
    m = cast.member_a2
    url = f"/members/{m.pk}/edit/"
    client, _ = _clients(cast)
    data = {**opened(client, url), "name": "王强强"}
    for garbled in ("", "x", "0"):
        response = client.post(url, {**data, "version": garbled})
        assert response.status_code == 200 and "nothing was saved" in field_errors(response, None)[0], garbled
    assert reload(m).name == m.name


@pytest.mark.django_db
def test_a_stale_education_change_is_refused(cast: Cast) -> None:
    m = cast.member_a2
    url = f"/members/{m.pk}/events/add/"
    first, second = _clients(cast)
    form_1, form_2 = opened(first, url), opened(second, url)
    change = {"kind": "updated", "date": "2020-05-01"}
    assert first.post(url, {**form_1, **change, "education": "postgraduate"}).status_code == 302
    response = second.post(url, {**form_2, **change, "occupation": "retired"})  # education still the old one
    assert response.status_code == 200
    [message] = field_errors(response, None)
    assert "street_admin" in message and "education" in message, message
    assert (reload(m).education, reload(m).occupation) == ("postgraduate", m.occupation)


@pytest.mark.django_db
def test_every_write_raises_the_version(cast: Cast) -> None:
    m = cast.member_a2
    seen = [reload(m).version]
    with acting(cast.secretary, "web"):
        services.member_update(m, name="王强强", version=seen[-1])
        seen.append(reload(m).version)
        services.member_record_event(m, kind="mobile_out", on=dt.date(2020, 5, 1))
        seen.append(reload(m).version)
        with pytest.raises(StaleVersionError, match="secretary"):
            services.member_update(m, name="王二", version=seen[0])
    assert seen == sorted(set(seen)) and reload(m).name == "王强强"


@pytest.mark.django_db
def test_a_save_from_an_older_copy_still_counts(cast: Cast) -> None:
    one, two = reload(cast.member_a2), reload(cast.member_a2)
    start = one.version
    one.save()
    two.save(update_fields=["updated_at"])  # an older copy in memory: the row's version still goes up
    assert reload(cast.member_a2).version == start + 2 == two.version


# --- the API -------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_stale_api_update_gets_409_and_writes_nothing(cast: Cast) -> None:
    url = f"/api/members/{cast.member_a2.pk}/"
    first, second = as_user(cast.street_admin), as_user(cast.secretary)
    read_1, read_2 = first.get(url).json(), second.get(url).json()
    assert read_1["version"] == read_2["version"] == reload(cast.member_a2).version
    ok = patch(first, url, {"name": "王强强", "version": read_1["version"]})
    assert ok.status_code == 200 and ok.json()["version"] > read_1["version"]
    entries = AuditEntry.objects.count()
    stale = patch(second, url, {"name": "王二", "phone": "13911112222", "version": read_2["version"]},
                  HTTP_ACCEPT_LANGUAGE="en")
    assert stale.status_code == 409, stale.content
    body = stale.json()
    assert body["field"] == "version" and "street_admin" in body["detail"] and "(name)" in body["detail"]
    after = reload(cast.member_a2)
    assert (after.name, after.phone) == ("王强强", cast.member_a2.phone) and AuditEntry.objects.count() == entries
    assert patch(second, url, {"name": "王二", "version": ok.json()["version"]}).status_code == 200


@pytest.mark.django_db
def test_an_api_update_must_carry_the_version(cast: Cast) -> None:
    url = f"/api/members/{cast.member_a2.pk}/"
    for body in ({"name": "王二"}, {"name": "王二", "version": "x"}, {"name": "王二", "version": 0}):
        response = patch(as_user(cast.secretary), url, body)
        assert response.status_code == 400 and "version" in response.json(), (body, response.content)
    assert reload(cast.member_a2).name == "王强"


@pytest.mark.django_db
def test_the_schema_names_the_version_and_the_409(cast: Cast) -> None:
    schema = as_user(cast.secretary).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/members/{id}/"]["patch"]
    assert "409" in operation["responses"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "version" in schema["components"]["schemas"][body]["properties"]  # PATCH bodies list nothing as required


# --- two writes at once ------------------------------------------------------------------------------

@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_saves_at_once_from_the_same_version_cannot_both_pass() -> None:
    import threading

    cast = build_cast()
    m = cast.member_a2
    version = reload(m).version
    out: dict[str, Any] = {}
    start = threading.Barrier(2)
    threads = [threading.Thread(target=run_acting, args=(user, fn, out, key, start)) for key, user, fn in (
        ("a", cast.street_admin, lambda: services.member_update(m, name="甲", version=version)),
        ("b", cast.secretary, lambda: services.member_update(m, name="乙", version=version)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    refused = [k for k, v in out.items() if isinstance(v, StaleVersionError)]
    assert len(out) == 2 and len(refused) == 1, out
    winner = "甲" if refused == ["b"] else "乙"
    assert Member.objects.get(pk=m.pk).name == winner
    assert AuditEntry.objects.filter(action="member.update", object_id=str(m.pk)).count() == 1
