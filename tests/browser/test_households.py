"""On a phone, a grid worker opens their grid's households, reveals a head's ID number (logged) and adds a newborn
to the household; the pages fit the width and show no full ID number until revealed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import PASSWORD, build_cast, cast_places
from grassroots.core import idnumber
from grassroots.core.context import acting
from grassroots.core.models import AuditEntry
from grassroots.households import services
from grassroots.households.models import Person

from .pages import fits_the_width, log_in

pytestmark = pytest.mark.browser


def test_grid_worker_on_a_phone(phone_page: Any) -> None:
    cast = build_cast()
    places = cast_places(cast)
    number = idnumber.make("530522", dt.date(1962, 5, 6), 31)
    with acting(None, "system"):
        household = services.household_create(territory=places.grid_a, head_name="寸德昌",
                                              registered_on=dt.date(2019, 1, 2), head={"id_number": number})
        services.situation_start(household, kind="difficult", started_on=dt.date(2020, 1, 1))
    page = phone_page
    log_in(page, "grid_worker", PASSWORD)
    page.goto(page.base + f"/household-places/{places.grid_a.pk}/")
    assert page.locator("#household-count").inner_text() == "1"
    assert fits_the_width(page)
    page.locator(f"a[href='/households/{household.pk}/']").first.click()
    page.locator("#persons").wait_for()
    assert number not in page.content()
    page.locator("#persons .reveal[data-field=id_number] button").first.click()
    page.locator("#persons .reveal code", has_text=number).wait_for()
    assert AuditEntry.objects.filter(action="household.reveal_id_number").count() == 1
    assert fits_the_width(page)
    page.locator("#person-add").click()
    page.locator("input[name=name]").fill("寸小宝")
    page.locator("select[name=relation]").select_option("41")
    page.locator("input[name=joined_on]").fill("2024-03-05")
    page.locator("#write-form button[type=submit]").click()
    page.locator(".messages li.success").wait_for()
    assert Person.objects.filter(household=household, name="寸小宝", relation="41").exists()
