"""A street's first day on a phone, from an empty database: the site administrator is led to the set-up page,
creates the street working committee and its place, creates a branch, gives the branch's secretary an account
with a generated password; the secretary logs in with it and lands on the branch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from grassroots.access.models import Role
from grassroots.orgs.models import Organization
from tests.browser.pages import fits_the_width, log_in

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"


def test_a_street_sets_itself_up_and_gives_its_secretary_an_account(phone_page: Any) -> None:
    get_user_model().objects.create_superuser(username="root", password="Root-Pass-2024")
    SCREENS.mkdir(parents=True, exist_ok=True)
    page = phone_page
    log_in(page, "root", "Root-Pass-2024")
    assert page.url.endswith("/setup/")
    assert fits_the_width(page)
    page.fill("#id_code", "HS")
    page.fill("#id_name", "和顺街道党工委")
    page.select_option("#id_kind", "working_committee")
    page.fill("#id_founded_on", "2003-07-01")
    page.fill("#id_territory_code", "T-HS")
    page.fill("#id_territory_name", "和顺街道")
    page.select_option("#id_territory_kind", "street")
    page.screenshot(path=str(SCREENS / "setup-phone.png"), full_page=True)
    page.click("#write-form button[type=submit]")
    page.wait_for_url("**/orgs/HS/")
    assert Organization.objects.get(code="HS").territory.code == "T-HS"

    page.goto(page.base + "/orgs/HS/children/add/")
    page.fill("#id_code", "HS01")
    page.fill("#id_name", "和顺社区党支部")
    page.select_option("#id_kind", "branch")
    page.fill("#id_founded_on", "2005-01-01")
    page.click("#write-form button[type=submit]")
    page.wait_for_url("**/orgs/HS01/")

    page.goto(page.base + "/orgs/HS/")
    page.click("a[href='/orgs/HS/accounts/']")
    page.click("#account-create")
    page.fill("#id_username", "lihua")
    page.fill("#id_full_name", "李华")
    page.select_option("#id_kind", "secretary")
    page.select_option("#id_org", "HS01")
    assert fits_the_width(page)
    page.click("#write-form button[type=submit]")
    password = page.locator("#new-password").inner_text().strip()
    assert len(password) >= 20 and fits_the_width(page)
    page.screenshot(path=str(SCREENS / "account-created-phone.png"), full_page=True)
    assert Role.objects.filter(user__username="lihua", kind="secretary", org__code="HS01").exists()

    page.click(".topbar form[action='/logout/'] button[type=submit]")
    page.wait_for_url("**/login/**")
    log_in(page, "lihua", password)
    assert page.url.endswith("/orgs/HS01/")
