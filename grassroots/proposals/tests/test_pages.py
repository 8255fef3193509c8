"""The proposal pages: each opens for the branch's secretary and refuses outsiders; a proposal entered for a
representative, accepted, answered, rated, reopened through the pages; one turned into an opinion whose page
links back; the list filters, prints and exports; the pages in Chinese."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from django.urls import reverse

from grassroots.core.context import acting
from grassroots.proposals import services as s
from grassroots.proposals.models import Proposal, ProposalState
from grassroots.ui.testing import client_as

from .conftest import D

ACTIONS = ("proposal-accept", "proposal-merge", "proposal-convert", "proposal-extend", "proposal-answer",
           "proposal-rate", "proposal-reopen", "proposal-close", "proposal-project", "proposal-attach")


def test_every_page_opens_for_the_secretary(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    p = world.proposal
    urls = [reverse("proposals-home", args=["A"]), reverse("proposal-new", args=["A"]),
            reverse("proposal-detail", args=[p.pk])] + [reverse(n, args=[p.pk]) for n in ACTIONS]
    for url in urls:
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("proposal-detail", args=[p.pk])).content.decode()
    assert "修缮东风路路面" in page and "王代表" in page and "张居民" in page and "A-2024-T001" in page
    assert reverse("proposals-home", args=["A"]) in client.get(reverse("org-detail", args=["A"])).content.decode()


def test_outsiders_and_the_member_are_refused(cast: Any, world: Any) -> None:
    p = world.proposal
    for role in ("outsider", "member"):
        client = client_as(cast, role)
        for url in [reverse("proposals-home", args=["A"]), reverse("proposal-detail", args=[p.pk])] + \
                [reverse(n, args=[p.pk]) for n in ACTIONS]:
            assert client.get(url).status_code == 404, (role, url)
    auditor = client_as(cast, "auditor")
    assert auditor.get(reverse("proposal-detail", args=[p.pk])).status_code == 200
    response = auditor.post(reverse("proposal-accept", args=[p.pk]),
                            {"version": p.version, "on": "2024-09-23", "lead_unit": "x"})
    assert response.status_code == 403
    assert Proposal.objects.get(pk=p.pk).state == ProposalState.RECEIVED


def test_entered_for_a_representative_and_handled_on_the_pages(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    response = client.post(reverse("proposal-new", args=["A"]), {
        "title": "增设路灯", "text": "夜间无照明", "category": "construction", "received_on": "2024年9月25日",
        "proposers": "王代表\n李明\n赵大妈"})
    assert response.status_code == 302, response.content.decode()[:2000]
    p = Proposal.objects.get(title="增设路灯")
    assert [(x.name, x.role, bool(x.seat_id), bool(x.member_id)) for x in p.proposers.order_by("order")] == [
        ("王代表", "representative", True, False), ("李明", "member", False, True),
        ("赵大妈", "residents_rep", False, False)]
    assert p.recorded_by == cast.secretary
    url = reverse("proposal-accept", args=[p.pk])
    bad = client.post(url, {"version": p.version, "on": "2024-09-24", "lead_unit": ""})
    assert bad.status_code == 400
    assert client.post(url, {"version": p.version, "on": "2024-09-26", "lead_unit": "街道城建办",
                             "co_handlers": "东风社区"}).status_code == 302
    p.refresh_from_db()
    stale = client.post(reverse("proposal-extend", args=[p.pk]), {"version": p.version - 1, "on": "2024-10-08",
                                                                  "reason": "x"})
    assert stale.status_code == 400  # the form says who changed it since; nothing written
    assert Proposal.objects.get(pk=p.pk).extended_on is None
    assert client.post(reverse("proposal-answer", args=[p.pk]), {
        "version": p.version, "answered_on": "2024-10-15", "background": "背景", "handling": "已安装路灯",
        "problems": "无", "measures": "定期巡查", "handler_name": "赵工", "handler_phone": "0875-5150000"}
    ).status_code == 302
    p.refresh_from_db()
    assert client.post(reverse("proposal-rate", args=[p.pk]), {"version": p.version, "satisfaction": "unsatisfied",
                                                               "on": "2024-10-16"}).status_code == 302
    p.refresh_from_db()
    assert client.post(reverse("proposal-reopen", args=[p.pk]), {"version": p.version, "on": "2024-10-17",
                                                                 "reason": "亮度不够"}).status_code == 302
    p.refresh_from_db()
    assert (p.state, p.round) == (ProposalState.ACCEPTED, 2)
    page = client.get(reverse("proposal-detail", args=[p.pk])).content.decode()
    assert 'id="answer-1"' in page and "已安装路灯" in page and "0875-5150000" in page and "赵工" in page


def test_turned_into_an_opinion_and_linked_back(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    p = world.proposal
    response = client.post(reverse("proposal-convert", args=[p.pk]), {
        "version": p.version, "on": "2024-09-24", "category": world.category.pk, "note": "个人诉求"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.opinion is not None and p.opinion.category == world.category
    page = client.get(reverse("proposal-detail", args=[p.pk])).content.decode()
    assert reverse("opinion-detail", args=[p.opinion.pk]) in page
    # the opinion is the station's (the street's): its organizer reads it
    opinion_page = client_as(cast, "street_admin").get(reverse("opinion-detail", args=[p.opinion.pk]))
    opinion_page = opinion_page.content.decode()
    assert 'id="from-proposal"' in opinion_page and reverse("proposal-detail", args=[p.pk]) in opinion_page
    assert "A-2024-T001" in opinion_page


def test_list_filters_prints_exports_and_reads_in_chinese(cast: Any, world: Any) -> None:
    with acting(None, "system"):
        s.proposal_create(org=cast.branch_a, title="旧提案", received_on=D(2023, 3, 1), proposers=[{"name": "甲"}])
    client = client_as(cast, "secretary")
    url = reverse("proposals-home", args=["A"])
    page = client.get(url + "?year=2024").content.decode()
    assert "修缮东风路路面" in page and "旧提案" not in page
    assert "旧提案" in client.get(url + "?state=received&all=1").content.decode()
    sheet = client.get(url + "?year=2023&format=xlsx")
    assert sheet.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(sheet.content))
    cells = [c for row in wb.worksheets[0].iter_rows(values_only=True) for c in row]
    assert "旧提案" in cells and "修缮东风路路面" not in cells
    client.cookies["django_language"] = "zh-hans"
    zh = client.get(reverse("proposal-detail", args=[world.proposal.pk])).content.decode()
    assert '<html lang="zh-hans">' in zh and "受理日期" in zh and "打印" in zh  # msgids translated already
