"""Kept parts of pages (grassroots.ui.kept): served again only while nothing they show has changed."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import Cast, make_member
from grassroots.core.context import acting
from grassroots.rules import stored
from grassroots.ui import kept as kept_module
from grassroots.ui.kept import kept

TOTAL = re.compile(r'data-key="total">\s*<td[^>]*>[^<]*</td>\s*<td class="num" data-count>(\d+)</td>')


def view(client: Any, url: str, **headers: Any) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200, url
    return response.content.decode(), len(ctx.captured_queries)


def total(html: str) -> int:
    m = TOTAL.search(html)
    assert m, "no total row in the statistics table"
    return int(m.group(1))


def test_the_org_page_is_served_again_until_a_write_then_shows_it(cast: Cast, client: Any) -> None:
    client.force_login(cast.users["street_admin"])
    # The first view queues the street's findings (the tests' queue computes them at once): a change, so the second
    # builds the page again.
    view(client, "/orgs/S/")
    built, built_queries = view(client, "/orgs/S/")
    again, again_queries = view(client, "/orgs/S/")
    assert again_queries < built_queries and again_queries <= 8
    assert total(again) == total(built)
    with acting(None, "system"):
        make_member(cast.branch_b, name="新来的")
    after, after_queries = view(client, "/orgs/S/")
    assert total(after) == total(built) + 1 and "新来的" in after
    assert after_queries > again_queries  # built again


def test_a_findings_computation_is_a_change_too(cast: Cast, client: Any) -> None:
    """The kept findings are computed without an audited write: their freshness is part of the key."""
    client.force_login(cast.users["street_admin"])
    view(client, "/orgs/S/")
    view(client, "/orgs/S/")
    _, served = view(client, "/orgs/S/")
    before = stored.freshness(cast.street)
    stored.compute(cast.street)
    assert stored.freshness(cast.street) != before
    _, after = view(client, "/orgs/S/")
    assert after > served


def test_each_user_and_language_has_its_own(cast: Cast) -> None:
    admin, auditor = Client(), Client()
    admin.force_login(cast.users["street_admin"])
    auditor.force_login(cast.users["auditor"])
    mine, _ = view(admin, "/orgs/A/")
    theirs, _ = view(auditor, "/orgs/A/")
    assert 'id="main-action"' in mine and 'id="main-action"' not in theirs  # the auditor only reads
    admin.cookies["django_language"] = "en"
    english, _ = view(admin, "/orgs/A/")
    assert "Basic situation" in english and "Basic situation" not in mine


def test_the_frame_keeps_each_sessions_csrf_token(cast: Cast) -> None:
    """Two sessions of one user read the same kept content; each page's forms carry its own session's token."""
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for c in (first, second):
        c.force_login(cast.users["street_admin"])
        view(c, "/orgs/S/")
    html, _ = view(second, "/orgs/S/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token
    response = second.post("/logout/", {"csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302


def test_the_statistics_api_follows_writes(cast: Cast, client: Any) -> None:
    client.force_login(cast.users["street_admin"])
    first = client.get("/api/orgs/S/stats/").json()
    assert client.get("/api/orgs/S/stats/").json() == first
    with acting(None, "system"):
        make_member(cast.branch_a, name="又一个")
    after = client.get("/api/orgs/S/stats/").json()
    assert after["total"]["count"] == first["total"]["count"] + 1


def test_the_dashboard_follows_writes(cast: Cast, client: Any) -> None:
    client.force_login(cast.users["street_admin"])
    _, built = view(client, "/orgs/S/dashboard/")
    _, served = view(client, "/orgs/S/dashboard/")
    assert served < built
    with acting(None, "system"):
        make_member(cast.branch_a, name="再一个")
    _, after = view(client, "/orgs/S/dashboard/")
    assert after > served


@pytest.mark.django_db
def test_the_key_moves_with_the_day_the_user_and_the_marks(rf: Any, monkeypatch: Any, django_user_model: Any) -> None:
    calls: list[int] = []

    def build() -> str:
        calls.append(1)
        return f"<p>{len(calls)}</p>"

    one, two = django_user_model.objects.create(username="one"), django_user_model.objects.create(username="two")
    request = rf.get("/orgs/S/")
    request.user = one
    assert kept(request, "part", build) == kept(request, "part", build) == "<p>1</p>"
    assert kept(request, "part", build, marks=("fresh",)) == "<p>2</p>"
    assert kept(request, "part", build, marks=lambda: ("fresh",)) == "<p>2</p>"  # a callable: the same marks
    request.user = two
    assert kept(request, "part", build) == "<p>3</p>"
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    monkeypatch.setattr(kept_module.timezone, "localdate", lambda: tomorrow)
    assert kept(request, "part", build) == "<p>4</p>"
    other = rf.get("/orgs/S/?page=2")
    other.user = two
    assert kept(other, "part", build) == "<p>5</p>"


@pytest.mark.django_db
def test_a_part_with_a_csrf_token_or_with_keeping_off_is_built_each_time(rf: Any, settings: Any) -> None:
    calls: list[int] = []

    def form() -> str:
        calls.append(1)
        return '<input type="hidden" name="csrfmiddlewaretoken" value="x">'

    request = rf.get("/")
    request.user = None
    kept(request, "form", form)
    kept(request, "form", form)
    assert len(calls) == 2
    settings.GRASSROOTS_KEPT_PAGES = False
    plain: list[int] = []
    kept(request, "plain", lambda: plain.append(1) or "p")
    kept(request, "plain", lambda: plain.append(1) or "p")
    assert len(plain) == 2
