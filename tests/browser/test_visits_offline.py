"""A grid worker on a phone (390 px, Chinese) records a visit with a finding while offline: it is kept on the
phone; back online it is sent by itself and arrives exactly once, entered late when its day is past; then the
finding becomes a residents' opinion in one tap, and the opinion names the visit back."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import PASSWORD, build_cast, cast_places
from grassroots.core.context import acting
from grassroots.households.services import household_create
from grassroots.opinions.models import Category, Opinion
from grassroots.visits.models import FindingState, Visit
from tests.browser.pages import fits_the_width, log_in

pytestmark = pytest.mark.browser


def test_a_visit_kept_offline_arrives_once_and_its_finding_becomes_an_opinion(phone_page: Any) -> None:
    cast = build_cast()
    places = cast_places(cast)
    Category.objects.create(org=cast.street, code="visit", name="走访反映", deadline_workdays=5)
    with acting(None, "system"):
        household = household_create(territory=places.grid_a, head_name="赵奶奶", phone="13700001111")

    page = phone_page
    log_in(page, "grid_worker", PASSWORD)
    page.goto(page.base + f"/visits/new/?household={household.pk}")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert fits_the_width(page)
    form = page.locator("#visit-form")
    assert form.locator("[name=household]").input_value() == household.code
    form.locator("[name=notes]").fill("了解生活情况")
    form.locator("[name=finding_type]").select_option("hazard")
    form.locator("[name=finding_text]").fill("厨房电线老化")

    page.context.set_offline(True)
    form.locator("#visit-save").click()
    page.wait_for_selector("#visit-queue[data-count='1']")
    assert page.locator("#visit-queue").is_visible()
    assert Visit.objects.count() == 0

    page.context.set_offline(False)  # the link is back: the page sends what it kept
    page.wait_for_selector("#visit-queue[data-count='0']", state="attached")
    page.wait_for_function("document.querySelector('#visit-queue').textContent.indexOf('1') >= 0")
    assert Visit.objects.count() == 1
    page.reload()  # a second load sends nothing again
    page.wait_for_selector("#visit-form")
    assert Visit.objects.count() == 1
    visit = Visit.objects.get()
    assert visit.household == household and visit.findings.count() == 1
    assert list(visit.visitor_users.all()) == [places.grid_worker]

    page.goto(page.base + f"/visits/{visit.pk}/")
    assert fits_the_width(page)
    page.locator(".to-opinion").first.tap()
    page.wait_for_selector(".opinion-link")
    finding = visit.findings.get()
    assert finding.state == FindingState.OPINION
    opinion = Opinion.objects.get()
    assert finding.opinion == opinion and opinion.channel == "visit" and opinion.visit_ref == visit.ref
    assert opinion.number in page.content() and "13700001111" not in page.content()
