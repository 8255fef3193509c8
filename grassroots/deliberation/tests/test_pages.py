"""The deliberation pages: each opens for the branch's secretary (and in Chinese), refuses outsiders, writes through
the services (a broken rule on its field), the meetings module sends the reader to the meeting's page, lists export
to .xlsx, and the public topic pages take an opinion without showing any name."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
from django.urls import reverse

from grassroots.core.context import acting
from grassroots.deliberation import services as s
from grassroots.deliberation.models import Vote, WrittenOpinion
from grassroots.ui.testing import client_as

from .conftest import meeting_with

D = dt.date


def _records(cast: Any, world: Any) -> dict[str, Any]:
    bm = meeting_with(world, D(2024, 3, 1), 5, topic="道路议事")
    with acting(None, "system"):
        vote = s.vote_record(meeting=bm.meeting, question="修路方案", yes=5, no=0, abstain=0)
        topic = s.topic_create(org=cast.branch_a, title="停车议题", opens_on=D(2024, 3, 1), closes_on=D(2099, 3, 31))
        s.opinion_enter(topic=topic, received_on=D(2024, 3, 2), text="纸质意见", author="张秘密")
        case = s.case_create(org=cast.branch_a, title="村道硬化", opened_on=D(2024, 3, 1))
    return {"bm": bm, "vote": vote, "topic": topic, "case": case}


def test_every_page_opens_for_the_secretary(cast: Any, world: Any) -> None:
    r = _records(cast, world)
    client = client_as(cast, "secretary")
    urls = [reverse(n, args=["A"]) for n in ("deliberation-home", "deliberation-body-new", "deliberation-votes",
                                            "deliberation-cases", "deliberation-case-new", "deliberation-topics",
                                            "deliberation-topic-new")]
    urls += [reverse("deliberation-body", args=[world.body.pk]), reverse("deliberation-seat-new", args=[world.body.pk]),
             reverse("deliberation-meeting-new", args=[world.body.pk]),
             reverse("deliberation-seat-end", args=[world.seats[0].pk]),
             reverse("deliberation-meeting", args=[r["bm"].meeting_id]),
             reverse("deliberation-topic", args=[r["topic"].pk]), reverse("deliberation-case", args=[r["case"].pk])]
    for url in urls:
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("deliberation-meeting", args=[r["bm"].meeting_id])).content.decode()
    assert "no quorum: nothing decided" in page and "deliberation.reps_meeting@2010" in page
    org_page = client.get(reverse("org-detail", args=["A"])).content.decode()
    assert reverse("deliberation-home", args=["A"]) in org_page
    meeting_page = client.get(reverse("meeting-detail", args=[r["bm"].meeting_id])).content.decode()
    assert reverse("deliberation-meeting", args=[r["bm"].meeting_id]) in meeting_page
    body = client.get(reverse("deliberation-body", args=[world.body.pk]) + "?as_of=2023-12-31").content.decode()
    assert "李明" not in body  # no seat was held before 2024


def test_pages_in_chinese(cast: Any, world: Any) -> None:
    from django.conf import settings

    r = _records(cast, world)
    client = client_as(cast, "secretary")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    for url, text in ((reverse("deliberation-home", args=["A"]), "东风社区居民代表会议"),
                      (reverse("deliberation-meeting", args=[r["bm"].meeting_id]), "修路方案"),
                      (reverse("deliberation-body", args=[world.body.pk]), "代表6"),
                      (reverse("deliberation-case", args=[r["case"].pk]), "村道硬化")):
        response = client.get(url)
        assert response.status_code == 200 and 'lang="zh' in response.content.decode(), url
        assert text in response.content.decode(), url


def test_outsiders_are_refused(cast: Any, world: Any) -> None:
    r = _records(cast, world)
    client = client_as(cast, "outsider")
    for url in (reverse("deliberation-home", args=["A"]), reverse("deliberation-body", args=[world.body.pk]),
                reverse("deliberation-meeting", args=[r["bm"].meeting_id]),
                reverse("deliberation-topic", args=[r["topic"].pk]), reverse("deliberation-case", args=[r["case"].pk])):
        assert client.get(url).status_code == 404, url
    auditor = client_as(cast, "auditor")
    assert auditor.get(reverse("deliberation-body", args=[world.body.pk])).status_code == 200
    response = auditor.post(reverse("deliberation-meeting", args=[r["bm"].meeting_id]),
                            {"question": "x", "yes": 1, "no": 0, "abstain": 0})
    assert response.status_code == 403 and Vote.objects.count() == 1


def test_record_a_meeting_and_a_vote_on_the_pages(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    present = [str(x.pk) for x in world.seats[:6]]
    response = client.post(reverse("deliberation-meeting-new", args=[world.body.pk]),
                           {"kind": "reps_meeting", "date": "2024年4月10日", "topic": "四月议事", "present": present,
                            "excused": [str(world.seats[6].pk)]})
    assert response.status_code == 302
    bm = world.body.meetings.get()
    assert bm.quorate is True and bm.meeting.seat_attendance.filter(presence="absent").count() == 2
    url = reverse("deliberation-meeting", args=[bm.meeting_id])
    response = client.post(url, {"question": "方案", "yes": 3, "no": 3, "abstain": 0})
    assert response.status_code == 302 and Vote.objects.get().passed is False
    response = client.post(url, {"question": "秘密", "secret": "on", "yes": 4, "no": 1, "abstain": 0,
                                 "issued": 6, "returned": 6, "void": 0})
    assert response.status_code == 400 and "not the 6 ballots returned" in response.content.decode()
    # a seat not held on the date is refused by name
    with acting(None, "system"):
        late = s.seat_add(body=world.body, name="后来代表", from_on=D(2024, 6, 1))
    response = client.post(reverse("deliberation-meeting-new", args=[world.body.pk]),
                           {"kind": "reps_meeting", "date": "2024-05-01", "topic": "早", "present": [str(late.pk)]})
    assert response.status_code == 400 and "后来代表" in response.content.decode()


def test_votes_and_cases_export(cast: Any, world: Any) -> None:
    _records(cast, world)
    client = client_as(cast, "secretary")
    for name, text in (("deliberation-votes", "修路方案"), ("deliberation-cases", "村道硬化")):
        response = client.get(reverse(name, args=["A"]) + "?format=xlsx")
        assert response.status_code == 200, name
        wb = openpyxl.load_workbook(io.BytesIO(response.content))
        cells = [str(c.value) for row in wb.active.iter_rows() for c in row]
        assert text in cells, name


def test_public_topic_pages_take_an_opinion_and_show_no_name(cast: Any, world: Any) -> None:
    r = _records(cast, world)
    client = client_as(cast, "anonymous")
    listing = client.get(reverse("public-topics", args=["A"]))
    assert listing.status_code == 200 and "停车议题" in listing.content.decode()
    url = reverse("public-topic", args=["A", r["topic"].pk])
    response = client.post(url, {"text": "建议增加车位", "author": "居民甲"})
    assert response.status_code == 302
    op = WrittenOpinion.objects.get(channel="station")
    assert op.author == "居民甲"
    page = client.get(url).content.decode()
    assert "居民甲" not in page and "张秘密" not in page and "纸质意见" not in page
    assert client.get(reverse("public-topics", args=["C"])).status_code == 404
