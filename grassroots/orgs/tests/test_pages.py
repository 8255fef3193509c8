"""The organization tree's write pages: create a sub-organization, rename, move, upgrade, merge, revoke."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import Cast
from grassroots.core.context import acting
from grassroots.core.models import AuditEntry
from grassroots.members.models import EventKind, MemberEvent
from grassroots.orgs.models import Organization, OrgChange, OrgState
from grassroots.orgs.services import org_create
from grassroots.ui.testing import (
    assert_web_audit,
    assert_writes_need_login,
    assert_writes_refused,
    counts,
    field_errors,
    login,
    reload,
)

DAY = dt.date(2020, 5, 1)
def tomorrow() -> dt.date:
    """The day after the day the test runs (a module constant would be the collection's, wrong after midnight)."""
    return timezone.localdate() + dt.timedelta(days=1)


# --- the link on the organization page ----------------------------------------------------------

def test_org_page_offers_the_changes_to_writers_only(cast: Cast, client: Any) -> None:
    login(client, cast, "street_admin")
    html = client.get("/orgs/B/").content.decode()
    for name in ("org-create-child", "org-rename", "org-move", "org-upgrade", "org-merge", "org-revoke",
                 "org-member-add"):
        assert reverse(name, args=["B"]) in html, name
    login(client, cast, "auditor")
    html = client.get("/orgs/B/").content.decode()
    assert 'id="org-changes"' not in html and reverse("org-rename", args=["B"]) not in html


# --- organization changes ----------------------------------------------------------------------------

def test_create_a_sub_organization(cast: Cast, client: Any) -> None:
    login(client, cast, "street_admin")
    form = client.get("/orgs/G/children/add/").context["form"]
    assert form["founded_on"].value() == timezone.localdate()  # the date defaults to today
    assert {k for k, _l in form.fields["kind"].choices} == {"branch", "party_group"}  # what may stand under G
    response = client.post("/orgs/G/children/add/",
                           {"code": "D", "name": "第三支部", "kind": "branch", "founded_on": "2020-05-01"})
    assert response.status_code == 302 and response["Location"] == "/orgs/D/"
    d = Organization.objects.get(code="D")
    assert d.get_parent() == cast.general and d.founded_on == DAY and d.kind == "branch"
    state = OrgState.objects.get(org=d)
    assert (state.valid_from, state.valid_to, state.parent_id, state.name) == (DAY, None, cast.general.pk, "第三支部")
    change = OrgChange.objects.get(org=d)
    assert (change.kind, change.date, change.details) == ("create", DAY, {"parent": "G"})
    assert_web_audit("org.create", cast.street_admin, d)
    assert "第三支部 was created." in client.get("/orgs/D/").content.decode()


def test_create_refuses_a_used_code_and_a_future_date(cast: Cast, client: Any) -> None:
    login(client, cast, "street_admin")
    before = counts()
    response = client.post("/orgs/G/children/add/",
                           {"code": "A", "name": "x", "kind": "branch", "founded_on": "2020-05-01"})
    assert response.status_code == 200 and field_errors(response, "code") == ["the code A is already used"]
    response = client.post("/orgs/G/children/add/",
                           {"code": "D", "name": "x", "kind": "branch", "founded_on": tomorrow().isoformat()})
    assert response.status_code == 200
    assert field_errors(response, "founded_on") == [f"the date {tomorrow()} is in the future"]
    assert counts() == before


def test_rename(cast: Cast, client: Any) -> None:
    login(client, cast, "street_admin")
    response = client.post("/orgs/B/rename/", {"name": "第二支部（新）", "date": "2020-05-01", "note": "会议决定"})
    assert response.status_code == 302 and response["Location"] == "/orgs/B/"
    assert reload(cast.branch_b).name == "第二支部（新）"
    old, new = OrgState.objects.filter(org=cast.branch_b).order_by("valid_from")
    assert (old.name, old.valid_to, new.name, new.valid_from, new.valid_to) == ("第二支部", DAY, "第二支部（新）", DAY, None)
    change = OrgChange.objects.get(org=cast.branch_b, kind="rename")
    assert change.details == {"old_name": "第二支部", "new_name": "第二支部（新）"} and change.note == "会议决定"
    assert_web_audit("org.rename", cast.street_admin, cast.branch_b)


def test_rename_in_the_future_shows_the_error_and_writes_nothing(cast: Cast, client: Any) -> None:
    login(client, cast, "street_admin")
    before = counts()
    response = client.post("/orgs/B/rename/", {"name": "新名", "date": tomorrow().isoformat()})
    assert response.status_code == 200
    assert field_errors(response, "date") == [f"the date {tomorrow()} is in the future"]
    assert "is in the future" in response.content.decode()
    assert counts() == before and reload(cast.branch_b).name == "第二支部"


def test_move(cast: Cast, client: Any) -> None:
    login(client, cast, "street_admin")
    choices = dict(client.get("/orgs/B/move/").context["form"].fields["parent"].choices)
    assert "S" in choices and "G" not in choices and "B" not in choices  # not its parent, not itself
    assert "X" not in choices and "C" not in choices  # nothing outside the scope
    response = client.post("/orgs/B/move/", {"parent": "S", "date": "2020-05-01"})
    assert response.status_code == 302 and response["Location"] == "/orgs/B/"
    b = reload(cast.branch_b)
    assert b.get_parent() == cast.street
    state = OrgState.objects.get(org=b, valid_to__isnull=True)
    assert (state.valid_from, state.parent_id, state.path) == (DAY, cast.street.pk, b.path)
    change = OrgChange.objects.get(org=b, kind="move")
    assert change.details == {"old_parent": "G", "new_parent": "S"}
    assert_web_audit("org.move", cast.street_admin, b)


def test_move_to_an_organization_outside_the_scope_is_not_a_choice(cast: Cast, client: Any) -> None:
    login(client, cast, "street_admin")
    before = counts()
    response = client.post("/orgs/B/move/", {"parent": "X", "date": "2020-05-01"})
    assert response.status_code == 200 and field_errors(response, "parent")
    assert counts() == before


def test_upgrade(cast: Cast, client: Any) -> None:
    with acting(None, "system"):
        e = org_create(code="E", name="直属支部", kind="branch", founded_on=dt.date(2010, 1, 1), parent=cast.street)
    login(client, cast, "street_admin")
    assert client.get("/orgs/E/upgrade/").context["form"]["kind"].value() == "general_branch"
    response = client.post("/orgs/E/upgrade/", {"kind": "general_branch", "date": "2020-05-01"})
    assert response.status_code == 302 and response["Location"] == "/orgs/E/"
    assert reload(e).kind == "general_branch"
    state = OrgState.objects.get(org=e, valid_to__isnull=True)
    assert (state.kind, state.valid_from) == ("general_branch", DAY)
    assert OrgChange.objects.get(org=e, kind="upgrade").details == {"old_kind": "branch", "new_kind": "general_branch"}
    assert_web_audit("org.upgrade", cast.street_admin, e)


def test_upgrade_that_breaks_the_tree_shows_the_error_on_the_kind(cast: Cast, client: Any) -> None:
    login(client, cast, "street_admin")
    before = counts()
    response = client.post("/orgs/B/upgrade/", {"kind": "general_branch", "date": "2020-05-01"})
    assert response.status_code == 200
    assert field_errors(response, "kind") == ["a General Party branch cannot stand under a General Party branch"]
    assert counts() == before and reload(cast.branch_b).kind == "branch"


def test_merge(cast: Cast, client: Any) -> None:
    login(client, cast, "street_admin")
    response = client.post("/orgs/B/merge/", {"into": "A", "date": "2020-05-01"})
    assert response.status_code == 302 and response["Location"] == "/orgs/A/"
    assert reload(cast.branch_b).revoked_on == DAY
    change = OrgChange.objects.get(org=cast.branch_b, kind="merge")
    assert change.details == {"survivor": "A", "members_moved": 1}
    moved = MemberEvent.objects.get(member=cast.member_b, kind=EventKind.TRANSFERRED)
    assert (moved.date, moved.org_id, moved.details) == (DAY, cast.branch_a.pk, {"reason": "merge"})
    assert reload(cast.member_b).org_id == cast.branch_a.pk
    assert_web_audit("org.merge", cast.street_admin, cast.branch_b)
    assert AuditEntry.objects.filter(action="member.transferred", channel="web").count() == 1


def test_revoke_moves_the_members(cast: Cast, client: Any) -> None:
    login(client, cast, "street_admin")
    page = client.get("/orgs/B/revoke/")
    assert page.context["members_now"] == 1
    assert "A" in dict(page.context["form"].fields["members_to"].choices)
    before = counts()
    response = client.post("/orgs/B/revoke/", {"date": "2020-05-01", "members_to": ""})
    assert response.status_code == 200
    assert field_errors(response, "members_to") == ["第二支部 still has members; name the organization they move to"]
    assert counts() == before
    response = client.post("/orgs/B/revoke/", {"date": "2020-05-01", "members_to": "A"})
    assert response.status_code == 302 and response["Location"] == "/orgs/B/"
    assert reload(cast.branch_b).revoked_on == DAY
    assert OrgState.objects.get(org=cast.branch_b).valid_to == DAY
    change = OrgChange.objects.get(org=cast.branch_b, kind="revoke")
    assert change.details == {"members_to": "A", "members_moved": 1}
    assert reload(cast.member_b).org_id == cast.branch_a.pk
    assert_web_audit("org.revoke", cast.street_admin, cast.branch_b)
    assert 'id="org-changes"' not in client.get("/orgs/B/").content.decode()  # nothing more to change


# --- refusals -------------------------------------------------------------------------------------

def write_urls(cast: Cast) -> list[tuple[str, dict[str, Any]]]:
    """Every organization write page on organizations inside the street (A, B), with input that would succeed."""
    return [
        ("/orgs/A/children/add/", {"code": "D", "name": "新", "kind": "party_group", "founded_on": "2020-05-01"}),
        ("/orgs/B/rename/", {"name": "新名", "date": "2020-05-01"}),
        ("/orgs/B/move/", {"parent": "S", "date": "2020-05-01"}),
        ("/orgs/B/upgrade/", {"kind": "general_branch", "date": "2020-05-01"}),
        ("/orgs/B/merge/", {"into": "A", "date": "2020-05-01"}),
        ("/orgs/B/revoke/", {"members_to": "A", "date": "2020-05-01"}),
    ]


@pytest.mark.parametrize("role", ["auditor", "member", "outsider"])
def test_refused_for_readers_members_and_outsiders(cast: Cast, client: Any, role: str) -> None:
    login(client, cast, role)
    assert_writes_refused(client, write_urls(cast), role)


def test_anonymous_is_sent_to_login(cast: Cast, client: Any) -> None:
    assert_writes_need_login(client, write_urls(cast))


def test_secretary_cannot_reach_another_branch(cast: Cast, client: Any) -> None:
    login(client, cast, "secretary")
    before = counts()
    assert client.post("/orgs/B/rename/", {"name": "x", "date": "2020-05-01"}).status_code == 404
    assert counts() == before


def test_a_service_refusal_is_403(cast: Cast, client: Any, monkeypatch: Any) -> None:
    from grassroots.core.errors import PermissionDeniedError
    from grassroots.orgs import services

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise PermissionDeniedError("you may not change 第二支部")

    monkeypatch.setattr(services, "org_rename", refuse)
    login(client, cast, "street_admin")
    assert client.post("/orgs/B/rename/", {"name": "x", "date": "2020-05-01"}).status_code == 403


def test_writes_need_the_csrf_token(cast: Cast) -> None:
    client = login(Client(enforce_csrf_checks=True), cast, "street_admin")
    before = counts()
    assert client.post("/orgs/B/rename/", {"name": "x", "date": "2020-05-01"}).status_code == 403
    assert counts() == before
    assert 'name="csrfmiddlewaretoken"' in client.get("/orgs/B/rename/").content.decode()


def test_write_pages_are_get_and_post_only(cast: Cast, client: Any) -> None:
    login(client, cast, "street_admin")
    assert client.put("/orgs/B/rename/").status_code == 405
