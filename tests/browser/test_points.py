"""On a phone: the secretary proposes points from the branch's meetings, approves one, and the member then sees
where their points came from on their own statement and chooses to be listed; the ranking page stays absent."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD, build_cast
from grassroots.core.context import acting
from grassroots.meetings.services import record_meeting
from grassroots.points.models import EntryStatus, PointEntry, PointOptIn
from tests.browser.pages import fits_the_width, log_in

pytestmark = pytest.mark.browser


def test_secretary_approves_and_the_member_sees_it(phone_page: Any) -> None:
    cast = build_cast()
    day = timezone.localdate().replace(day=1)
    with acting(None, "system"):
        record_meeting(org=cast.branch_a, kind="theme_day", date=day, topic="重温入党誓词",
                       attendance={cast.member.pk: ("present", ""), cast.member_a2.pk: ("present", "")})
    page = phone_page
    log_in(page, "secretary", PASSWORD)
    page.goto(page.base + f"/orgs/A/points/proposals/?year={day.year}")
    page.click("#propose-form button[type=submit]")
    assert page.locator("#proposals-table tbody tr").count() == 2
    assert fits_the_width(page)
    page.locator(f"#proposals-table tr:has-text('{cast.member.name}') input[name=entry]").check()
    page.click("#decide-form button[type=submit]")  # the decision defaults to approve
    page.wait_for_selector("#waiting-count")
    assert page.locator("#waiting-count").inner_text().strip() == "1"
    assert PointEntry.objects.get(member=cast.member).status == EntryStatus.APPROVED
    assert page.goto(page.base + "/orgs/A/points/ranking/").status == 404  # no ranking unless turned on

    page.context.clear_cookies()
    log_in(page, "member", PASSWORD)
    page.goto(page.base + f"/members/{cast.member.pk}/points/?year={day.year}")
    assert "重温入党誓词" in page.locator("#points-lines").inner_text()
    assert fits_the_width(page)
    page.check("#opt-in input[name=opted_in]")
    page.click("#opt-in button[type=submit]")
    page.wait_for_load_state()
    assert PointOptIn.objects.get(member=cast.member).opted_in
