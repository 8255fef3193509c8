"""On a phone, the branch secretary signs a resident up for an activity that crossed midnight, marks the
attendance sheet and confirms the hours; the member signs up for an activity to come from their own page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD, build_cast
from grassroots.core.context import acting
from grassroots.volunteers import services
from grassroots.volunteers.models import Participation

from .pages import fits_the_width, log_in

pytestmark = pytest.mark.browser


def test_sheet_and_confirmation_on_a_phone(phone_page: Any) -> None:
    cast = build_cast()
    tz = timezone.get_current_timezone()
    with acting(None, "system"):
        team = services.team_create(cast.branch_a, code="HMJ", name="红马甲志愿服务队", tenet="有困难找身边党员")
        resident = services.volunteer_register(cast.branch_a, name="李居民", id_type="passport", id_number="E1",
                                               phone="13912345678", registered_on=dt.date(2024, 1, 2))
        member_vol = services.volunteer_register(cast.branch_a, member=cast.member,
                                                 registered_on=dt.date(2024, 1, 2))
        night = services.activity_create(team, title="夜间巡逻", starts_at=dt.datetime(2024, 3, 9, 22, tzinfo=tz),
                                         ends_at=dt.datetime(2024, 3, 10, 1, 30, tzinfo=tz))
        later = services.activity_create(team, title="义务理发", starts_at=dt.datetime(2099, 3, 9, 9, tzinfo=tz),
                                         ends_at=dt.datetime(2099, 3, 9, 11, tzinfo=tz))
    page = phone_page
    log_in(page, "secretary", PASSWORD)
    page.goto(page.base + f"/volunteers/activities/{night.pk}/")
    page.locator("#signup select[name=signup-volunteer]").select_option(str(resident.pk))
    page.locator("#signup button[type=submit]").click()
    page.locator(".messages li.success").wait_for()
    p = Participation.objects.get(activity=night, volunteer=resident)
    page.locator(f"select[name=state-{p.pk}]").select_option("present")
    page.locator("#attendance form button[type=submit]").first.click()
    page.locator(".messages li.success").wait_for()
    assert fits_the_width(page)
    page.locator("#confirm-hours").click()
    page.locator(".messages li.success").wait_for()
    p.refresh_from_db()
    assert p.hours == Decimal("3.5") and p.confirmed_on == timezone.localdate()
    assert "13912345678" not in page.content()

    page.context.clear_cookies()
    log_in(page, "member", PASSWORD)
    page.goto(page.base + f"/members/{cast.member.pk}/volunteer/")
    page.locator(f"#open-{member_vol.pk} form button[type=submit]").first.click()
    page.locator(".messages li.success").wait_for()
    assert Participation.objects.get(activity=later, volunteer=member_vol).on_behalf is False
    assert fits_the_width(page)
