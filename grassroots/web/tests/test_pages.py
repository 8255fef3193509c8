"""The server-rendered pages, tried as each member of the cast."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import Cast, make_member
from grassroots.core.context import acting
from grassroots.members.stats import structure_stats
from grassroots.orgs.services import org_rename

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "members"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """The cast's six passwords, hashed cheaply (the default hasher takes seconds on a busy machine)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def login(client: Any, cast: Cast, role: str) -> None:
    client.force_login(cast.users[role])


def stat_count(html: str, key: str) -> int:
    m = re.search(rf'data-key="{key}">\s*<td[^>]*>[^<]*</td>\s*<td class="num" data-count>(\d+)</td>', html)
    assert m, f"no {key} row in the statistics table"
    return int(m.group(1))


def queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# --- login, home ----------------------------------------------------------------------------------

def test_login_page_and_login(cast: Cast, client: Any) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()
    response = client.post(reverse("login"), {"username": "secretary", "password": "cast-pass-123"})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_pages_need_login(cast: Cast, client: Any) -> None:
    for url in ("/", "/orgs/", "/orgs/A/", f"/members/{cast.member.pk}/", "/import/members/", "/audit/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url


def test_logout(cast: Cast, client: Any) -> None:
    login(client, cast, "secretary")
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/orgs/").status_code == 302


@pytest.mark.parametrize(("role", "target"), [
    ("admin", "/orgs/"), ("street_admin", "/orgs/S/"), ("secretary", "/orgs/A/"), ("auditor", "/orgs/S/"),
    ("outsider", "/orgs/X/"), ("member", "member"),
])
def test_home_redirects_to_the_users_place(cast: Cast, client: Any, role: str, target: str) -> None:
    login(client, cast, role)
    expected = f"/members/{cast.member.pk}/" if target == "member" else target
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == expected


# --- the tree -------------------------------------------------------------------------------------

def test_tree_shows_only_the_readable_part(cast: Cast, client: Any) -> None:
    login(client, cast, "street_admin")
    html = client.get("/orgs/").content.decode()
    for name in ("街道党工委", "第一党总支", "第一支部", "第二支部", "第一党小组"):
        assert name in html
    assert "外街支部" not in html and "另一街道党工委" not in html

    login(client, cast, "admin")
    html = client.get("/orgs/").content.decode()
    assert "外街支部" in html and "第一支部" in html

    login(client, cast, "member")
    response = client.get("/orgs/")
    assert response.status_code == 200 and response.context["forest"] == []


def test_tree_member_counts_are_subtree_totals(cast: Cast, client: Any) -> None:
    login(client, cast, "street_admin")
    (root,) = client.get("/orgs/").context["forest"]
    assert root["code"] == "S" and root["count"] == 3  # A has 2, B has 1
    (general,) = root["children"]
    assert {c["code"]: c["count"] for c in general["children"]} == {"A": 2, "B": 1}


def test_tree_as_of_a_date_shows_the_names_then(cast: Cast, client: Any) -> None:
    with acting(None, "system"):
        org_rename(cast.branch_b, name="第二支部（新）", on=dt.date(2020, 1, 1))
    login(client, cast, "street_admin")
    assert "第二支部（新）" in client.get("/orgs/").content.decode()
    html = client.get("/orgs/?as_of=2019-06-30").content.decode()
    assert "第二支部" in html and "第二支部（新）" not in html
    response = client.get("/orgs/?as_of=1999-12-31")  # before anything was founded
    assert response.context["forest"] == []
    response = client.get("/orgs/?as_of=not-a-date")
    assert response.status_code == 200 and response.context["form"].errors


def test_tree_query_count_is_constant(cast: Cast, client: Any, django_assert_max_num_queries: Any) -> None:
    login(client, cast, "street_admin")
    before = queries(client, "/orgs/")
    with acting(None, "system"):
        for i in range(20):
            make_member(cast.branch_b, name=f"成员{i}")
    assert queries(client, "/orgs/") == before
    with django_assert_max_num_queries(6):
        client.get("/orgs/")


# --- one organization -----------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["admin", "street_admin", "secretary", "auditor"])
def test_org_page_renders_for_readers(cast: Cast, client: Any, role: str) -> None:
    login(client, cast, role)
    response = client.get("/orgs/A/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "第一支部" in html and "李明" in html and "王强" in html
    assert cast.member.id_number_masked in html and cast.member.id_number not in html
    assert stat_count(html, "total") == 2
    assert stat_count(html, "female") == 1
    assert "截至" in html  # the basic situation, in Chinese by default
    assert 'id="orgchart-data"' in html and "vendor/echarts.min.js" in html and "js/orgchart.js" in html


@pytest.mark.parametrize(("role", "code"), [
    ("secretary", "B"), ("secretary", "S"), ("secretary", "C"), ("member", "A"), ("outsider", "A"),
    ("auditor", "X"), ("street_admin", "C"),
])
def test_org_page_is_404_outside_scope(cast: Cast, client: Any, role: str, code: str) -> None:
    login(client, cast, role)
    assert client.get(f"/orgs/{code}/").status_code == 404


def test_org_page_statistics_match_the_stats_module(cast: Cast, client: Any) -> None:
    with acting(None, "system"):
        make_member(cast.branch_b, name="青年", birth=dt.date(2000, 5, 5), joined_on=dt.date(2022, 7, 1),
                    status="probationary", converted_on=None, education="college")
    login(client, cast, "street_admin")
    response = client.get("/orgs/S/")
    html = response.content.decode()
    expected = structure_stats(cast.street, dt.date.today())
    for key in ("total", "probationary", "female", "age_35_or_under", "education_college", "occupation_in_service"):
        assert stat_count(html, key) == expected[key]["count"], key
    assert stat_count(html, "total") == 4
    assert f'{expected["probationary"]["pct"]}%' in html
    chart = json.loads(re.search(r'id="orgchart-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    sex = chart["groups"][0]
    assert sum(sex["values"]) == 4 and len(chart["groups"]) == 4
    assert response.context["situation"].startswith("截至")
    assert [c["code"] for c in response.context["children"]] == ["G"]
    assert [ch.kind for ch in response.context["changes"]] == ["create"]


def test_org_page_as_of_date(cast: Cast, client: Any) -> None:
    login(client, cast, "secretary")
    html = client.get("/orgs/A/?as_of=2005-12-31").content.decode()
    assert stat_count(html, "total") == 2
    assert stat_count(html, "probationary") == 2  # both converted in 2006
    html = client.get("/orgs/A/?as_of=2004-01-01").content.decode()
    assert stat_count(html, "total") == 0
    assert "2004年1月1日" in html


def test_member_filter_htmx_and_plain(cast: Cast, client: Any) -> None:
    login(client, cast, "secretary")
    partial = client.get("/orgs/A/?q=李", **HTMX).content.decode()
    assert "李明" in partial and "王强" not in partial and "<html" not in partial
    full = client.get("/orgs/A/?q=王").content.decode()
    assert "王强" in full and f"/members/{cast.member.pk}/" not in full and "<html" in full


def test_org_page_members_are_paginated_with_constant_queries(
    cast: Cast, client: Any, django_assert_max_num_queries: Any, settings: Any
) -> None:
    settings.GRASSROOTS_KEPT_PAGES = False  # the page as built on every view (not served again from ui.kept)
    login(client, cast, "street_admin")
    client.get("/orgs/S/")  # the first view queues the street's findings, which the tests' queue computes at once
    before = queries(client, "/orgs/S/")
    with acting(None, "system"):
        for i in range(55):
            make_member(cast.branch_b, name=f"成员{i:02d}")
    assert queries(client, "/orgs/S/") == before
    # The to-do list runs every module's findings source (recruitment, dues, meetings, opinions, posts,
    # commitments, volunteers, wishes, points, households, grids, visits, assistance, honours), each a fixed
    # handful: what must hold is the equality above.
    with django_assert_max_num_queries(56):
        response = client.get("/orgs/S/")
    assert len(response.context["page"].object_list) == 50
    assert response.context["page"].paginator.count == 58
    assert len(client.get("/orgs/S/?page=2").context["page"].object_list) == 8
    assert len(client.get("/orgs/S/?all=1").context["page"].object_list) == 58  # printable


def test_the_members_table_pages_through_a_subtree_with_bounded_queries(
    cast: Cast, client: Any, django_assert_max_num_queries: Any
) -> None:
    """The table the pager and the name filter fetch (HTMX): a page of rows in a fixed handful of queries, whatever
    the members and the branches under the organization, on any page."""
    from grassroots.orgs.services import org_create

    login(client, cast, "street_admin")
    first = queries_htmx(client, "/orgs/S/?page=1")
    with acting(None, "system"):
        for n in range(3):
            branch = org_create(code=f"N{n}", name=f"新支部{n}", kind="branch", founded_on=dt.date(2001, 1, 1),
                                parent=cast.general)
            for i in range(40):
                make_member(branch, name=f"成员{n}{i:02d}")
    assert queries_htmx(client, "/orgs/S/?page=1") == first
    with django_assert_max_num_queries(first):
        last = client.get("/orgs/S/?page=3", **HTMX)
    assert len(last.context["page"].object_list) == 123 - 100  # 3 of the cast and 120 new, 50 a page
    assert "<html" not in last.content.decode()


def queries_htmx(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **HTMX).status_code == 200
    return len(ctx.captured_queries)


def test_the_org_page_does_not_grow_with_the_branches(cast: Cast, client: Any, settings: Any) -> None:
    """More branches under a committee add no query to its page (its children, figures and to-dos)."""
    from grassroots.orgs.services import org_create

    settings.GRASSROOTS_KEPT_PAGES = False  # the page as built on every view (not served again from ui.kept)
    login(client, cast, "street_admin")
    queries(client, "/orgs/S/")  # the first view queues the street's kept findings (run at once by the tests' queue)
    before = queries(client, "/orgs/S/")
    with acting(None, "system"):
        for n in range(4):
            branch = org_create(code=f"N{n}", name=f"新支部{n}", kind="branch", founded_on=dt.date(2001, 1, 1),
                                parent=cast.general)
            make_member(branch, name=f"成员{n}")
    assert queries(client, "/orgs/S/") == before


# --- audit log ------------------------------------------------------------------------------------

def test_audit_log_is_scoped(cast: Cast, client: Any) -> None:
    login(client, cast, "street_admin")
    response = client.get("/audit/?action=member.create")
    reprs = {e.object_repr for e in response.context["page"].object_list}
    assert reprs == {"李明", "王强", "赵刚"}
    html = response.content.decode()
    assert "李明" in html and "孙丽" not in html and "system" in html

    login(client, cast, "outsider")
    reprs = {e.object_repr for e in client.get("/audit/?action=member.create").context["page"].object_list}
    assert reprs == {"孙丽"}

    login(client, cast, "member")
    entries = client.get("/audit/").context["page"].object_list
    assert {(e.object_type, e.object_id) for e in entries} == {("members.member", str(cast.member.pk))}


def test_audit_log_filter_by_object(cast: Cast, client: Any) -> None:
    login(client, cast, "admin")
    entries = client.get("/audit/?object=第二支部").context["page"].object_list
    assert {e.action for e in entries} == {"org.create"}
    entries = client.get(f"/audit/?object={cast.member_c.pk}&action=member").context["page"].object_list
    assert {e.object_repr for e in entries} == {"孙丽"}


def test_audit_log_is_paginated_with_constant_queries(
    cast: Cast, client: Any, django_assert_max_num_queries: Any
) -> None:
    login(client, cast, "street_admin")
    before = queries(client, "/audit/")
    with acting(None, "system"):
        for i in range(60):
            make_member(cast.branch_b, name=f"成员{i:02d}")
    assert queries(client, "/audit/") == before
    # 7: one more than before the entries' values were named (ui.changes: one query per related model, here
    # the organizations), and still the same for any number of entries.
    with django_assert_max_num_queries(7):
        response = client.get("/audit/")
    assert len(response.context["page"].object_list) == 50


# --- language -------------------------------------------------------------------------------------

def test_language_switch_to_english(cast: Cast, client: Any) -> None:
    login(client, cast, "secretary")
    html = client.get("/orgs/A/").content.decode()
    assert '<html lang="zh-hans">' in html and "截至" in html
    response = client.post(reverse("set_language"), {"language": "en", "next": "/orgs/A/"})
    assert response.status_code == 302
    response = client.get("/orgs/A/")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert response.context["situation"].startswith("As of")
    for text in ("Organizations", "Basic situation", "Members in total", "Sub-organizations", "Change history"):
        assert text in html
    assert "截至" not in html


def test_a_large_subtrees_members_table_is_fetched_when_its_section_is_opened(
    cast: Cast, client: Any, settings: Any
) -> None:
    """Above GRASSROOTS_LAZY_MEMBERS_ABOVE members the page leaves the table (and its count, a scan of the subtree's
    members) to the request the opened section (or a print) makes; a filter, a page or "all" shows it at once."""
    settings.GRASSROOTS_KEPT_PAGES = False  # the page as built on every view (not served again from ui.kept)
    login(client, cast, "street_admin")
    client.get("/orgs/S/")
    inline = queries(client, "/orgs/S/")
    settings.GRASSROOTS_LAZY_MEMBERS_ABOVE = 2  # the street has 3 members
    response = client.get("/orgs/S/")
    html = response.content.decode()
    assert response.context["members"] is None and "李明" not in html and "members-table" not in html
    lazy = re.search(r'<div id="members" data-lazy="([^"]+)" hx-get="([^"]+)"\s+hx-trigger="toggle once', html)
    assert lazy and lazy.group(1) == lazy.group(2) == "/orgs/S/"
    assert queries(client, "/orgs/S/") < inline
    table = client.get(lazy.group(1), **HTMX).content.decode()  # what opening the section (or printing) fetches
    assert "李明" in table and 'id="members-table"' in table and "<html" not in table
    for asked in ("?page=1", "?all=1", "?q=李"):  # a page, the printable list or a filter: the table at once
        page = client.get("/orgs/S/" + asked)
        assert page.context["members"] is not None and "李明" in page.content.decode(), asked
        assert 'id="members-section" open' in page.content.decode()
    settings.GRASSROOTS_LAZY_MEMBERS_ABOVE = 3
    assert client.get("/orgs/S/").context["members"] is not None


def test_the_members_table_pages_are_the_subtrees_members_in_order(cast: Cast) -> None:
    """`SubtreeMembers` (counted per organization, a page taken from the organizations it overlaps) gives the rows
    of `current_members` in the same order on every page, ties of names broken by key, filtered or not."""
    from grassroots.members.selectors import SubtreeMembers, current_members
    from grassroots.orgs.services import org_create

    with acting(None, "system"):
        for n in range(3):
            branch = org_create(code=f"N{n}", name=f"新支部{n}", kind="branch", founded_on=dt.date(2001, 1, 1),
                                parent=cast.general)
            for i in range(7 * n + 2):
                make_member(branch, name=f"成员{i % 4}")  # the same names again: the key orders them
    for org in (cast.street, cast.general, cast.branch_a):
        plain = list(current_members(org))
        for narrowed in (None, current_members(org).filter(name__icontains="成员")):
            paged = SubtreeMembers(org, narrowed)
            expected = plain if narrowed is None else list(narrowed)
            assert paged.count() == len(expected)
            for size in (1, 4, 50):
                for start in range(0, len(expected) + 1, size):
                    assert paged[start:start + size] == expected[start:start + size], (org.code, size, start)
