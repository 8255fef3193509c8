"""On a phone, the community's secretary has a resident unit claim a need from the needs list, starts the project
it makes, and records it done with a photo of the paper sheet; the units roster prints with the phone masked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD, build_cast
from grassroots.cobuild import services
from grassroots.cobuild.models import Project, ProjectState
from grassroots.core.context import acting

from .pages import fits_the_width, log_in

pytestmark = pytest.mark.browser


def test_claim_a_need_and_finish_its_project_on_a_phone(phone_page: Any, tmp_path: Any) -> None:
    cast = build_cast()
    today = timezone.localdate()
    with acting(None, "system"):
        unit = services.unit_create(org=cast.branch_a, name="和顺镇供电所", kind="state_enterprise",
                                    contact_phone="13911112222", has_party_org=True, party_members=6)
        need = services.need_create(org=cast.branch_a, title="巷道路灯维修", listed_on=today - dt.timedelta(days=5))
    page = phone_page
    log_in(page, "secretary", PASSWORD)
    page.goto(page.base + f"/cobuild/needs/{need.pk}/")
    page.locator("#claim select[name=claim-unit]").select_option(str(unit.pk))
    page.locator("#claim button[type=submit]").click()
    page.locator(".messages li.success").wait_for()
    project = Project.objects.get(need=need)
    assert page.url.endswith(f"/cobuild/projects/{project.pk}/") and fits_the_width(page)
    page.locator("#start button[type=submit]").click()
    page.locator(".messages li.success").wait_for()
    photo = tmp_path / "sheet.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 sheet")
    page.fill("#done textarea[name=done-outcome]", "更换路灯12盏")
    page.set_input_files("#done input[name=done-evidence]", str(photo))
    page.locator("#done button[type=submit]").click()
    page.locator(".messages li.success").wait_for()
    project.refresh_from_db()
    assert project.state == ProjectState.DONE and project.evidence.count() == 1
    page.goto(page.base + "/orgs/A/cobuild/units/?all=1")
    text = page.content()
    assert "139****2222" in text and "13911112222" not in text and fits_the_width(page)
