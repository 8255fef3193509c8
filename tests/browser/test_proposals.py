"""On a phone, the branch's secretary enters a representative's proposal on their behalf (after the day), accepts
and assigns it, records the answer in its parts (background, handling, problems, measures, the handler), the
proposer's unsatisfied rating, reopens it and records the second answer: all through the pages, which fit the
width."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import PASSWORD, build_cast
from grassroots.deliberation.models import Body, Seat
from grassroots.proposals.models import Proposal, ProposalState

from .pages import fits_the_width, log_in

pytestmark = pytest.mark.browser


def _submit(page: Any) -> None:
    page.locator("#write-form button[type=submit]").click()
    page.locator(".messages li.success").wait_for()


def _answer(page: Any, day: str, handling: str) -> None:
    page.locator("#action-answer").click()
    page.fill("input[name=answered_on]", day)
    page.fill("textarea[name=background]", "东风路年久失修，雨天积水")
    page.fill("textarea[name=handling]", handling)
    page.fill("textarea[name=problems]", "资金缺口较大")
    page.fill("textarea[name=measures]", "争取专项资金，分段施工")
    page.fill("input[name=handler_name]", "赵工")
    page.fill("input[name=handler_phone]", "0875-5150000")
    assert fits_the_width(page)
    _submit(page)


def test_a_proposal_answered_reopened_and_answered_again_on_a_phone(phone_page: Any) -> None:
    cast = build_cast()
    body = Body.objects.create(org=cast.street, kind="party_congress", name="街道党代表大会",
                               set_up_on=dt.date(2018, 1, 1))
    seat = Seat.objects.create(body=body, name="王代表", from_on=dt.date(2018, 1, 1))
    page = phone_page
    log_in(page, "secretary", PASSWORD)
    page.goto(page.base + "/orgs/A/proposals/")
    page.locator("#proposal-new").click()
    page.fill("input[name=title]", "关于修缮东风路路面的提案")
    page.fill("textarea[name=text]", "路面坑洼，雨天积水，群众出行不便。")
    page.locator("select[name=category]").select_option("construction")
    page.fill("input[name=received_on]", "2024-09-20")
    page.fill("textarea[name=proposers]", "王代表\n张居民")
    assert fits_the_width(page)
    _submit(page)
    p = Proposal.objects.get()
    assert p.number == "A-2024-T001" and p.proposers.first().seat_id == seat.pk

    page.locator("#action-accept").click()
    page.fill("input[name=on]", "2024-09-23")
    page.fill("input[name=lead_unit]", "街道城建办")
    page.fill("input[name=co_handlers]", "东风社区")
    _submit(page)
    assert page.locator("#answer-due").inner_text().startswith("2024-11-07")

    _answer(page, "2024-10-15", "已列入年度维修计划")
    page.locator("#action-rate").click()
    page.check("input[name=satisfaction][value=unsatisfied]")
    page.fill("input[name=on]", "2024-10-18")
    page.fill("input[name=comment]", "进度太慢")
    _submit(page)
    page.locator("#action-reopen").click()
    page.fill("input[name=on]", "2024-10-21")
    page.fill("input[name=reason]", "提案人不满意，重新办理")
    _submit(page)
    _answer(page, "2024-11-20", "已完成路面修缮并验收")

    p.refresh_from_db()
    assert (p.state, p.round) == (ProposalState.ANSWERED, 2)
    assert list(p.answers.values_list("round", "satisfaction")) == [(1, "unsatisfied"), (2, "")]
    assert page.locator("#answer-1 [data-part=handling]").inner_text() == "已列入年度维修计划"
    assert page.locator("#answer-2 [data-part=handling]").inner_text() == "已完成路面修缮并验收"
    assert "0875-5150000" in page.locator("#answer-2 [data-part=handler]").inner_text()
    assert fits_the_width(page)
