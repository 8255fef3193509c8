"""The accounts pages as organizer, secretary, auditor, member and outsider: list, create, grant, withdraw, set a
password, deactivate, and a member's own account. No one gives out more than they hold."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from conftest import Cast
from grassroots.access.models import Role
from grassroots.core.models import AuditEntry
from grassroots.ui.testing import (
    assert_web_audit,
    assert_writes_need_login,
    assert_writes_refused,
    counts,
    login,
)

User = get_user_model()
STRONG = "Tall-Pine-Road-42"


def _writes(cast: Cast) -> list[tuple[str, dict[str, Any]]]:
    """Every write page of the accounts, with plausible input (aimed at A, the secretary and the member)."""
    return [
        (reverse("account-create", args=["A"]), {"username": "new", "kind": "secretary", "org": "A"}),
        (reverse("account-grant", args=[cast.secretary.pk]), {"kind": "organizer", "org": "A"}),
        (reverse("account-password", args=[cast.secretary.pk]), {"password": STRONG, "password_again": STRONG}),
        (reverse("account-deactivate", args=[cast.secretary.pk]), {}),
    ]


def _member_account_write(cast: Cast) -> tuple[str, dict[str, Any]]:
    return reverse("member-account", args=[cast.member_a2.pk]), {"username": "wangqiang"}


def test_the_organization_page_links_the_accounts(cast: Cast, client: Client) -> None:
    login(client, cast, "street_admin")
    assert reverse("org-accounts", args=["S"]) in client.get("/orgs/S/").content.decode()
    login(client, cast, "auditor")
    assert reverse("org-accounts", args=["S"]) not in client.get("/orgs/S/").content.decode()
    login(client, cast, "street_admin")
    assert reverse("member-account", args=[cast.member_a2.pk]) in client.get(
        reverse("member-detail", args=[cast.member_a2.pk])).content.decode()


def test_an_organizer_lists_the_accounts_of_the_subtree(cast: Cast, client: Client) -> None:
    login(client, cast, "street_admin")
    page = client.get(reverse("org-accounts", args=["G"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "secretary" in html and "Branch secretary · 第一支部" in html and "李明" in html
    assert "outsider" not in html and "auditor" not in html  # the auditor's role is at S, above G
    sheet = client.get(reverse("org-accounts", args=["S"]) + "?format=xlsx")
    assert sheet.status_code == 200 and "spreadsheet" in sheet["Content-Type"]


def test_the_list_shows_no_role_outside_the_subtree_and_its_queries_do_not_grow(cast: Cast, client: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    both = User.objects.create_user(username="both", password=STRONG)
    Role.objects.create(user=both, kind="secretary", org=cast.branch_b)
    Role.objects.create(user=both, kind="member", member=cast.member_c)  # a member of C, outside S
    login(client, cast, "street_admin")
    url = reverse("org-accounts", args=["S"])
    with CaptureQueriesContext(connection) as first:
        html = client.get(url).content.decode()
    assert "Branch secretary · 第二支部" in html and cast.member_c.name not in html
    for i in range(5):
        Role.objects.create(user=User.objects.create_user(username=f"more{i}", password=STRONG), kind="auditor",
                            org=cast.branch_a)
    with CaptureQueriesContext(connection) as second:
        assert "more4" in client.get(url).content.decode()
    assert len(second) == len(first)


def test_the_list_page_is_chinese_by_default_and_fits_a_phone(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.street_admin)
    html = client.get(reverse("org-accounts", args=["S"])).content.decode()
    assert '<html lang="zh-hans">' in html  # the words themselves come with the lead's .po
    assert 'class="compact cards"' in html  # the list turns into cards below 480 px


def test_a_secretary_reads_who_holds_roles_in_the_branch(cast: Cast, client: Client) -> None:
    login(client, cast, "secretary")
    html = client.get(reverse("org-accounts", args=["A"])).content.decode()
    assert 'id="read-only"' in html and "Branch secretary · 第一支部" in html and "Member · 李明" in html
    assert reverse("account-create", args=["A"]) not in html
    assert reverse("account-detail", args=[cast.secretary.pk]) not in html
    assert client.get(reverse("org-accounts", args=["S"])).status_code == 404
    login(client, cast, "auditor")
    assert client.get(reverse("org-accounts", args=["A"])).status_code == 403


def test_an_organizer_creates_a_secretary_with_a_generated_password(cast: Cast, client: Client) -> None:
    login(client, cast, "street_admin")
    form = client.get(reverse("account-create", args=["G"])).context["form"]
    assert [code for code, _label in form.fields["org"].choices] == ["G", "A", "A1", "B"]  # G's live subtree
    response = client.post(reverse("account-create", args=["G"]),
                           {"username": "zhaoli", "full_name": "赵丽", "kind": "secretary", "org": "B"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    password = response.context["password"]
    user = User.objects.get(username="zhaoli")
    assert user.check_password(password) and user.first_name == "赵丽"
    assert list(user.roles.values_list("kind", "org__code")) == [("secretary", "B")]
    assert_web_audit("user.create", cast.street_admin, user)
    assert password not in str(AuditEntry.objects.filter(action="user.create").values("changes").first())
    # Shown once: the account's page does not show it again.
    assert password not in client.get(reverse("account-detail", args=[user.pk])).content.decode()


def test_an_organizer_sets_the_first_password(cast: Cast, client: Client) -> None:
    login(client, cast, "street_admin")
    response = client.post(reverse("account-create", args=["S"]),
                           {"username": "qian", "kind": "auditor", "org": "S", "password": STRONG,
                            "password_again": STRONG})
    user = User.objects.get(username="qian")
    assert response.status_code == 302 and response["Location"] == reverse("account-detail", args=[user.pk])
    assert user.check_password(STRONG)


def test_rule_errors_show_on_the_fields(cast: Cast, client: Client) -> None:
    login(client, cast, "street_admin")
    url = reverse("account-create", args=["S"])
    cases = [
        ({"username": "Secretary", "kind": "secretary", "org": "A"}, "username", "already used"),
        ({"username": "bad name", "kind": "secretary", "org": "A"}, "username", "only letters"),
        ({"username": "x1", "kind": "secretary", "org": "A", "password": "12345678", "password_again": "12345678"},
         "password", "too common"),
        ({"username": "x2", "kind": "secretary", "org": "A", "password": STRONG, "password_again": "other"},
         "password_again", "differ"),
        ({"username": "x3", "kind": "secretary", "org": "C"}, "org", "valid choice"),  # outside: never offered
    ]
    for data, field, message in cases:
        before = counts()
        response = client.post(url, data)
        assert response.status_code == 200, data
        assert any(message in e for e in response.context["form"].errors.get(field, [])), (data, response.context[
            "form"].errors)
        assert counts() == before and not User.objects.filter(username__startswith="x").exists()


def test_grant_and_withdraw_a_role(cast: Cast, client: Client) -> None:
    login(client, cast, "street_admin")
    response = client.post(reverse("account-grant", args=[cast.secretary.pk]), {"kind": "auditor", "org": "G"})
    assert response.status_code == 302
    role = Role.objects.get(user=cast.secretary, kind="auditor")
    assert role.org == cast.general
    assert_web_audit("role.grant", cast.street_admin, role)
    page = client.get(reverse("account-detail", args=[cast.secretary.pk])).content.decode()
    assert "Auditor · 第一党总支" in page and reverse("role-withdraw", args=[cast.secretary.pk, role.pk]) in page
    assert client.get(reverse("role-withdraw", args=[cast.secretary.pk, role.pk])).status_code == 405
    response = client.post(reverse("role-withdraw", args=[cast.secretary.pk, role.pk]))
    assert response.status_code == 302 and not Role.objects.filter(pk=role.pk).exists()
    assert AuditEntry.objects.order_by("-id").first().action == "role.withdraw"


def test_no_one_withdraws_their_own_last_organizer_role(cast: Cast, client: Client) -> None:
    login(client, cast, "street_admin")
    role = Role.objects.get(user=cast.street_admin)
    before = counts()
    response = client.post(reverse("role-withdraw", args=[cast.street_admin.pk, role.pk]), follow=True)
    assert "this is your last organizer role" in response.content.decode()
    assert Role.objects.filter(pk=role.pk).exists() and counts() == before


def test_password_reset_and_deactivation(cast: Cast, client: Client) -> None:
    login(client, cast, "street_admin")
    response = client.post(reverse("account-password", args=[cast.secretary.pk]), {})
    password = response.context["password"]
    cast.secretary.refresh_from_db()
    assert cast.secretary.check_password(password)
    assert_web_audit("user.password", cast.street_admin, cast.secretary)
    response = client.post(reverse("account-password", args=[cast.secretary.pk]),
                           {"password": STRONG, "password_again": STRONG})
    assert response.status_code == 302
    cast.secretary.refresh_from_db()
    assert cast.secretary.check_password(STRONG)
    # Their own password: still logged in afterwards.
    response = client.post(reverse("account-password", args=[cast.street_admin.pk]),
                           {"password": STRONG, "password_again": STRONG})
    assert response.status_code == 302 and client.get(reverse("org-accounts", args=["S"])).status_code == 200
    # Deactivating: the account stays, its roles go; not one's own.
    assert "account-deactivate" not in client.get(reverse("account-detail", args=[cast.street_admin.pk])).content.decode()
    response = client.post(reverse("account-deactivate", args=[cast.street_admin.pk]))
    assert "you cannot deactivate your own account" in response.content.decode()
    response = client.post(reverse("account-deactivate", args=[cast.secretary.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("org-accounts", args=["A"])
    cast.secretary.refresh_from_db()
    assert not cast.secretary.is_active and not Role.objects.filter(user=cast.secretary).exists()
    assert_web_audit("user.deactivate", cast.street_admin, cast.secretary)


def test_a_member_gets_their_own_account(cast: Cast, client: Client) -> None:
    login(client, cast, "street_admin")
    url = reverse("member-account", args=[cast.member_a2.pk])
    response = client.post(url, {"username": "wangqiang"})
    password = response.context["password"]
    user = User.objects.get(username="wangqiang")
    assert user.first_name == "王强" and user.check_password(password)
    assert Role.objects.get(user=user).member == cast.member_a2
    page = client.get(url).content.decode()
    assert "wangqiang" in page and 'id="write-form"' not in page
    # The member logs in and reads their own record, and nothing else of A.
    member = Client()
    member.force_login(user)
    assert member.get(reverse("member-detail", args=[cast.member_a2.pk])).status_code == 200
    assert member.get(reverse("member-detail", args=[cast.member.pk])).status_code == 404
    # An existing account the organizer manages can be linked instead.
    response = client.post(reverse("member-account", args=[cast.member_b.pk]), {"username": "secretary"})
    assert response.status_code == 302 and Role.objects.filter(user=cast.secretary, member=cast.member_b).exists()
    # ...but not an account outside their subtree.
    response = client.post(reverse("member-account", args=[cast.member.pk]), {"username": "outsider"})
    assert response.status_code == 200  # the member already has an account: the form is not even offered
    assert not Role.objects.filter(user=cast.outsider, kind="member").exists()


def test_no_one_gives_more_than_they_hold(cast: Cast, client: Client) -> None:
    from grassroots.core.context import acting
    from grassroots.orgs.services import org_create

    with acting(None, "system"):
        org_create(code="A9", name="第九支部", kind="branch", founded_on=cast.street.founded_on, parent=cast.general)
    # An organizer at G (below S) may not grant at S, nor touch the street organizer's account.
    g_org = User.objects.create_user(username="g_org", password=STRONG)
    Role.objects.create(user=g_org, kind="organizer", org=cast.general)
    client.force_login(g_org)
    assert client.get(reverse("org-accounts", args=["S"])).status_code == 404  # S is above what they read
    assert client.get(reverse("org-accounts", args=["G"])).status_code == 200
    form = client.get(reverse("account-grant", args=[cast.secretary.pk])).context["form"]
    assert "S" not in [c for c, _l in form.fields["org"].choices] and "A9" in [c for c, _l in form.fields["org"].choices]
    before = counts()
    response = client.post(reverse("account-grant", args=[cast.secretary.pk]), {"kind": "organizer", "org": "S"})
    assert response.status_code == 200 and counts() == before
    # The street organizer holds a role at S: G's organizer cannot see or reset that account.
    assert client.get(reverse("account-detail", args=[cast.street_admin.pk])).status_code == 404
    # The superuser's password is the superuser's alone.
    Role.objects.create(user=cast.admin, kind="auditor", org=cast.branch_a)
    assert client.get(reverse("account-password", args=[cast.admin.pk])).status_code == 403


def test_secretary_auditor_member_and_outsider_are_refused(cast: Cast) -> None:
    for role in ("secretary", "auditor", "member", "outsider"):
        client = Client()
        login(client, cast, role)
        if role != "secretary":
            assert client.get(reverse("org-accounts", args=["A"])).status_code in (403, 404), role
        assert_writes_refused(client, _writes(cast), role)
        url, data = _member_account_write(cast)
        if role == "secretary":  # reads whether the member has an account, creates none
            assert 'id="read-only"' in client.get(url).content.decode()
            before = counts()
            assert client.post(url, data).status_code == 403 and counts() == before
        else:
            assert_writes_refused(client, [(url, data)], role)
        withdraw = reverse("role-withdraw", args=[cast.secretary.pk, Role.objects.get(user=cast.secretary).pk])
        before = counts()
        assert client.post(withdraw).status_code in (403, 404) and counts() == before, role
    assert_writes_need_login(Client(), [*_writes(cast), _member_account_write(cast)])


def test_the_site_administrator_manages_every_account(cast: Cast, client: Client) -> None:
    login(client, cast, "admin")
    assert client.get(reverse("account-detail", args=[cast.outsider.pk])).status_code == 200
    response = client.post(reverse("account-grant", args=[cast.outsider.pk]), {"kind": "auditor", "org": "S"})
    assert response.status_code == 302 and Role.objects.filter(user=cast.outsider, org=cast.street).exists()
