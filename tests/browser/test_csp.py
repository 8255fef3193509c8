"""The Content-Security-Policy holds in Chromium: the main pages run their scripts (charts drawn, the member
list's search, the import job's progress poll) and the browser reports no violation of the policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import PASSWORD, build_cast
from grassroots.core.context import acting
from grassroots.meetings import services as meeting_services
from grassroots.opinions import services as opinion_services
from grassroots.opinions.tests.fixtures import build_station
from tests.browser.pages import log_in
from tests.browser.test_secretary_import import XLSX, two_new_members_of_a

pytestmark = pytest.mark.browser

# Every violation, whether or not the browser also logs it: the page's own `securitypolicyviolation` events.
LISTEN = """window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "")
                           + ":" + e.lineNumber);
});"""


def watch(page: Any) -> list[str]:
    """The console's CSP complaints, and the page's violation events, as they come."""
    found: list[str] = []
    page.on("console", lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text
            or "Refused to" in msg.text else None)
    page.add_init_script(LISTEN)
    return found


def violations(page: Any) -> list[str]:
    return list(page.evaluate("window.__violations || []"))


def test_the_main_pages_raise_no_csp_violation(phone_page: Any) -> None:
    cast = build_cast()
    station = build_station(cast)
    year = dt.date.today().year
    with acting(None, "system"):
        opinion_services.submit_opinion(station.org, text="东风路路灯不亮", category=station.roads, channel="phone",
                                        received_on=dt.date(year, 1, 4), address="东风路12号",
                                        submitter_name="张大爷", submitter_phone="13912345678")
        meeting_services.record_meeting(org=cast.branch_a, kind="theme_day", date=dt.date(year, 1, 12),
                                        topic="学习党章", attendance={})
    page = phone_page
    console = watch(page)
    log_in(page, "street_admin", PASSWORD)
    assert page.evaluate("document.querySelector('meta[name=htmx-config]') !== null")
    seen: dict[str, list[str]] = {}
    for path, ready in [
        ("/", "main"),
        (f"/orgs/{cast.street.code}/", "main"),
        (f"/orgs/{cast.street.code}/dashboard/", "[data-dashboard-chart=opinions][data-drawn]"),
        (f"/orgs/{cast.branch_a.code}/members/add/", "form"),
        (f"/orgs/{cast.branch_a.code}/meetings/", "main"),
        (f"/orgs/{cast.branch_a.code}/dues/", "main"),
        (f"/members/{cast.member.pk}/", "main"),
    ]:
        page.goto(page.base + path)
        page.wait_for_selector(ready)
        page.wait_for_load_state("networkidle")
        seen[path] = violations(page)
    assert all(not v for v in seen.values()), seen
    assert console == []
    # The inline scripts did run under the policy: the phone kit labelled the table cells as cards.
    page.goto(page.base + f"/orgs/{cast.branch_a.code}/meetings/")
    assert page.evaluate("document.querySelector('td[data-label]') !== null")
    # What were inline handlers work from site.js: the Print button prints, the language switch switches.
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.locator("button[data-print]").first.click()
    assert page.evaluate("window.__printed === true")
    with page.expect_navigation():
        page.locator("#language-select").select_option("en")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert violations(page) == [] and console == []


def test_the_import_jobs_progress_poll_passes_the_policy(phone_page: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from grassroots.ui import imports, jobs
    from grassroots.ui.models import ImportJob

    monkeypatch.setattr(imports, "start", lambda job, new=False: None)  # the test plays the worker
    build_cast()
    page = phone_page
    console = watch(page)
    log_in(page, "secretary", PASSWORD)
    page.goto(page.base + "/import/members/")
    page.set_input_files("#id_file", files=[{"name": "members.xlsx", "mimeType": XLSX,
                                             "buffer": two_new_members_of_a()}])
    page.click("#dry-run")
    page.locator("#import-progress").wait_for()
    with page.expect_response(lambda r: "/status/" in r.url):  # HTMX polls, under the policy
        pass
    jobs.run(ImportJob.objects.get().pk)
    page.locator("#import-preview tr[data-action=create]").first.wait_for()
    assert violations(page) == [] and console == []
