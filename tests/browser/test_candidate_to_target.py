"""A branch secretary, on a phone, lists an activist as a development target and sees the finding go."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD, build_cast
from grassroots.core import idnumber
from grassroots.core.context import acting
from grassroots.core.workdays import add_workdays
from grassroots.recruitment import services
from grassroots.recruitment.models import Candidate
from grassroots.rules.registry import in_force

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"


def activist_ready_for_listing(cast: Any, today: dt.date) -> Candidate:
    """In A, an activist for more than a year, with contacts and a completed public notice if the rules in force
    today ask for one before listing, whose second half-yearly assessment was never recorded."""
    activist_on = today - dt.timedelta(days=430)
    applied_on = activist_on - dt.timedelta(days=40)
    birth = dt.date(1996, 4, 12)
    c = services.candidate_apply(name="杨春燕", sex="F", birth_date=birth, id_number=idnumber.make("110101", birth, 88),
                                 education="bachelor", occupation="in_service", org=cast.branch_a,
                                 applied_on=applied_on)
    services.candidate_record_step(c, kind="talked", on=applied_on + dt.timedelta(days=10))
    services.candidate_record_step(c, kind="recommended", on=activist_on)
    services.candidate_record_step(c, kind="activist_decided", on=activist_on)
    services.candidate_assign_sponsors(c, role="training_contact", members=[cast.member], on=activist_on)
    services.candidate_record_step(c, kind="assessed", on=services.add_months(activist_on, 6))
    notice = in_force("recruitment.public_notice", today)
    if notice["stage"] == "listing":
        start = today - dt.timedelta(days=21)
        services.candidate_publish_notice(c, start=start, end=add_workdays(start, int(notice["working_days"]) + 1))
    return c


def test_secretary_lists_an_activist_as_development_target(phone_page: Any) -> None:
    cast = build_cast()
    today = timezone.localdate()
    with acting(None, "system"):
        candidate = activist_ready_for_listing(cast, today)
        birth = dt.date(1999, 1, 20)
        services.candidate_apply(name="刘海", sex="M", birth_date=birth, id_number=idnumber.make("110101", birth, 90),
                                 education="college", occupation="farmer", org=cast.branch_a,
                                 applied_on=today - dt.timedelta(days=45))  # nobody talked with him: overdue
    page = phone_page
    page.goto(page.base + "/login/")
    page.fill("#id_username", "secretary")
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url(f"**/orgs/{cast.branch_a.code}/")
    SCREENS.mkdir(parents=True, exist_ok=True)

    # The board: the activist in the activist column, coloured by the overdue assessment.
    page.goto(page.base + f"/orgs/{cast.branch_a.code}/pipeline/")
    card = page.locator(f"[data-stage=activist] [data-candidate='{candidate.pk}']")
    assert card.get_attribute("data-state") == "overdue"
    assert page.locator("[data-stage=applicant] [data-state=overdue]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENS / "pipeline-board-phone.png"), full_page=True)

    # The candidate page: the finding of the missed assessment, and the stage.
    card.locator("a").first.click()
    page.wait_for_url(f"**/candidates/{candidate.pk}/")
    missed = page.locator("#findings [data-rule='recruitment.activist_assessment'][data-state=overdue]")
    assert missed.count() == 1
    due = services.add_months(services.add_months(candidate.activist_on, 6), 6)
    assert due.isoformat() in missed.inner_text()
    stage_before = page.locator("#stage").inner_text()
    assert page.locator("#target-on").inner_text().strip() == "—"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENS / "candidate-activist-phone.png"), full_page=True)

    # Record "listed as development target", dated today (the form's default).
    form = page.locator("#record-step form")
    assert form.locator("[name='step-on']").input_value() == today.isoformat()
    form.locator("[name='step-kind']").select_option("target_listed")
    form.locator("button[type=submit]").click()
    page.locator(".messages li.success").wait_for()

    assert page.locator("#findings [data-rule='recruitment.activist_assessment']").count() == 0
    assert page.locator("#stage").inner_text() != stage_before
    assert page.locator("#target-on").inner_text().strip() == today.isoformat()
    assert page.locator("#timeline tr[data-kind=target_listed]").count() == 1
    candidate.refresh_from_db()
    assert candidate.stage == "development_target" and candidate.target_on == today
    # What comes next for a development target is now due: the two introducers.
    assert page.locator("#findings [data-rule='recruitment.introducers']").count() == 1
    page.screenshot(path=str(SCREENS / "candidate-target-phone.png"), full_page=True)

    # On the board the candidate moved column.
    page.goto(page.base + f"/orgs/{cast.branch_a.code}/pipeline/")
    assert page.locator(f"[data-stage=development_target] [data-candidate='{candidate.pk}']").count() == 1
    assert page.locator(f"[data-stage=activist] [data-candidate='{candidate.pk}']").count() == 0
