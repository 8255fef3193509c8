"""The first run: an empty site, the administrator sets up the top organization and its place; figures for
dates before the founding say so instead of showing zeros."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grassroots.core.models import AuditEntry
from grassroots.orgs.models import Organization, Territory
from grassroots.reports.situation import situation_figures
from grassroots.ui.testing import assert_web_audit, counts

User = get_user_model()


def _client(user: Any) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


@pytest.fixture
def root(db: Any) -> Any:
    return User.objects.create_user(username="root", password="x", is_superuser=True, is_staff=True)


def test_the_administrator_of_an_empty_site_is_led_to_the_set_up_page(root: Any) -> None:
    client = _client(root)
    assert client.get("/")["Location"] == reverse("org-setup")
    tree = client.get(reverse("org-tree")).content.decode()
    assert 'id="setup-link"' in tree and reverse("org-setup") in tree
    page = client.get(reverse("org-setup"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "statistics for any date before it will show no members" in html  # the warning beside the date
    data = {"code": "HS", "name": "和顺街道党工委", "kind": "working_committee", "founded_on": "2003-07-01",
            "territory_code": "T-HS", "territory_name": "和顺街道", "territory_kind": "street"}
    response = client.post(reverse("org-setup"), data)
    assert response.status_code == 302 and response["Location"] == reverse("org-detail", args=["HS"])
    org = Organization.objects.get(code="HS")
    place = Territory.objects.get(code="T-HS")
    assert org.is_root() and org.founded_on == dt.date(2003, 7, 1) and org.territory == place
    assert place.is_root() and place.kind == "street"
    assert_web_audit("org.create", root, org)
    assert AuditEntry.objects.filter(action="territory.create", object_id=str(place.pk)).exists()
    # Now the site is set up: home goes to the tree, the page says so and writes nothing more.
    assert client.get("/")["Location"] == reverse("org-tree")
    before = counts()
    again = client.post(reverse("org-setup"), {**data, "code": "HS2"})
    assert again.status_code == 200 and 'id="setup-done"' in again.content.decode() and counts() == before
    assert 'id="setup-link"' not in client.get(reverse("org-tree")).content.decode()


def test_the_place_is_optional_and_errors_show_on_their_fields(root: Any) -> None:
    client = _client(root)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    for data, field, message in [
        ({"code": "HS", "name": "和顺", "kind": "committee", "founded_on": tomorrow.isoformat()},
         "founded_on", "in the future"),
        ({"code": "HS", "name": "和顺", "kind": "committee", "founded_on": "2003-07-01", "territory_code": "T"},
         "territory_name", "a name is required"),
        ({"code": "HS", "name": "和顺", "kind": "committee", "founded_on": "2003-07-01", "territory_code": "T",
          "territory_name": "和顺街道"}, "territory_kind", "kind of place is required"),
    ]:
        response = client.post(reverse("org-setup"), data)
        assert response.status_code == 200
        assert any(message in e for e in response.context["form"].errors.get(field, [])), response.context[
            "form"].errors
        assert not Organization.objects.exists() and not Territory.objects.exists()
    response = client.post(reverse("org-setup"), {"code": "HS", "name": "和顺党委", "kind": "committee",
                                                  "founded_on": "2003-07-01"})
    assert response.status_code == 302 and Organization.objects.get(code="HS").territory is None


def test_anyone_but_the_administrator_is_refused(db: Any) -> None:
    user = User.objects.create_user(username="someone", password="x")
    client = _client(user)
    assert client.get(reverse("org-setup")).status_code == 403
    response = client.post(reverse("org-setup"), {"code": "HS", "name": "和顺", "kind": "committee",
                                                  "founded_on": "2003-07-01"})
    assert response.status_code == 403 and not Organization.objects.exists()
    assert Client().get(reverse("org-setup"))["Location"].startswith(reverse("login"))


def test_a_date_before_the_founding_says_so_instead_of_zero_members(root: Any) -> None:
    from grassroots.core.context import acting
    from grassroots.orgs.services import org_setup

    with acting(None, "system"):
        org_setup(code="HS", name="和顺街道党工委", kind="working_committee", founded_on=dt.date(2024, 3, 1))
    org = Organization.objects.get(code="HS")
    before = situation_figures(org, dt.date(2019, 12, 31))
    assert before.paragraph("zh-hans") == ("截至2019年12月31日，和顺街道党工委尚未成立（成立于2024年3月1日），"
                                           "没有这一日期的党员统计。")
    assert "did not exist yet (it was founded on 1 March 2024)" in before.paragraph("en")
    assert "共有党员0名" in situation_figures(org, dt.date(2024, 6, 30)).paragraph("zh-hans")  # counted: a real 0
    page = _client(root).get(reverse("org-detail", args=["HS"]) + "?as_of=2019-12-31").content.decode()
    assert 'id="not-yet"' in page and "it was founded on 2024-03-01" in page
    assert "0 members in total" not in page
